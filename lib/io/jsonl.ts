/**
 * JSON Lines: streamed reading with line numbers, and writing.
 * @module
 */
import { UserError } from "../errors.ts";

/** One parsed line and where it was. */
export interface Numbered<T> {
  value: T;
  line: number;
}

/** Options of {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Longest line accepted, in bytes (default {@linkcode maxLineBytes}). */
  maxLineBytes?: number;
  /** Named in errors (a file path, or what the stream is). */
  name?: string;
  /** Called with the 1-based number of each line that is not valid UTF-8 (it is decoded with U+FFFD). */
  onInvalidUtf8?: (line: number) => void;
}

/** The default line cap: 64 MiB, or `J1KIT_MAX_LINE_BYTES` when set. */
export function maxLineBytes(): number {
  let raw: string | undefined;
  try {
    raw = Deno.env.get("J1KIT_MAX_LINE_BYTES");
  } catch {
    // Without --allow-env the variable is just invisible.
  }
  if (raw === undefined) return 64 * 1024 * 1024;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1) {
    throw new UserError(
      `J1KIT_MAX_LINE_BYTES: expected a positive number of bytes, found ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * Splits a byte stream into text lines without holding the whole stream. Each byte is handled a
 * fixed number of times (a long line arriving in many chunks is gathered, not re-scanned), and a
 * line longer than the cap stops the read with a `UserError` rather than filling memory.
 *
 * @example
 * ```ts
 * import { readLines } from "./jsonl.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("a\r\nb\nc");
 * const lines = [];
 * for await (const line of readLines(ReadableStream.from([bytes.slice(0, 2), bytes.slice(2)]))) {
 *   lines.push(line);
 * }
 * assert.deepEqual(lines, ["a", "b", "c"]);
 * ```
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  opts: ReadLinesOptions = {},
): AsyncGenerator<string> {
  const max = opts.maxLineBytes ?? maxLineBytes();
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true });
  let line = 0;
  const tooLong = () =>
    new UserError(
      `expected a line of at most ${max} bytes, found a longer one (J1KIT_MAX_LINE_BYTES raises the limit)`,
      { loc: { file: opts.name ?? "input", line: line + 1 } },
    );
  // One line's bytes, one by one: the decoded text and whether it was valid UTF-8.
  const decodeLine = (bytes: Uint8Array): string => {
    line++;
    try {
      return strict.decode(bytes);
    } catch {
      opts.onInvalidUtf8?.(line);
      return lenient.decode(bytes);
    }
  };
  // Many whole lines at once (one decode per chunk); line by line only when one is bad.
  const decodeBlock = (bytes: Uint8Array): string[] => {
    if (bytes.length <= max) {
      // A U+FFFD may be bad bytes or a real one in the text: only then is each line checked.
      const text = lenient.decode(bytes);
      if (!text.includes("\uFFFD")) {
        const lines = text.split("\n");
        line += lines.length;
        return lines;
      }
    }
    const lines: string[] = [];
    let start = 0;
    for (let nl; (nl = bytes.indexOf(10, start)) >= 0; start = nl + 1) {
      if (nl - start > max) throw tooLong();
      lines.push(decodeLine(bytes.subarray(start, nl)));
    }
    if (bytes.length - start > max) throw tooLong();
    lines.push(decodeLine(bytes.subarray(start)));
    return lines;
  };
  let parts: Uint8Array[] = [];
  let pending = 0;
  const reader = stream.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const first = value.indexOf(10);
      if (first < 0) {
        if (pending + value.length > max) throw tooLong();
        parts.push(value.slice());
        pending += value.length;
        continue;
      }
      if (pending + first > max) throw tooLong();
      parts.push(value.subarray(0, first));
      yield withoutCr(first0(decodeLine(concat(parts, pending + first)), line));
      const last = value.lastIndexOf(10);
      if (last > first) {
        for (const l of decodeBlock(value.subarray(first + 1, last))) {
          yield l.endsWith("\r") ? l.slice(0, -1) : l;
        }
      }
      const rest = value.subarray(last + 1);
      if (rest.length > max) throw tooLong();
      parts = rest.length ? [rest.slice()] : [];
      pending = rest.length;
    }
    if (pending > 0) yield withoutCr(first0(decodeLine(concat(parts, pending)), line));
  } finally {
    reader.releaseLock();
  }
}

/** The first line loses a byte order mark, as a decoding stream would drop it. */
const first0 = (text: string, line: number) =>
  line === 1 && text.startsWith("\uFEFF") ? text.slice(1) : text;

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const withoutCr = (line: string) => line.endsWith("\r") ? line.slice(0, -1) : line;

/**
 * Parses a JSON Lines byte stream, with line numbers. Blank lines are skipped; a line that is
 * not JSON throws a {@linkcode UserError} naming `file:line` and `expected`. Lines that are not
 * valid UTF-8 are read with U+FFFD and counted: one `warn` at the end says how many. The stream is
 * cancelled when the consumer stops early or the input is bad, so no file or socket stays open.
 */
export async function* parseJsonLines<T = unknown>(
  stream: ReadableStream<Uint8Array>,
  file: string,
  expected = "a JSON value",
  warn: (message: string) => void = console.warn,
): AsyncGenerator<Numbered<T>> {
  let line = 0;
  const invalid: number[] = [];
  try {
    const lines = readLines(stream, { name: file, onInvalidUtf8: (n) => invalid.push(n) });
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      let value: T;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new UserError(
          `expected ${expected}, found ${JSON.stringify(text.slice(0, 40))} (${
            (e as Error).message
          })`,
          { loc: { file, line } },
        );
      }
      yield { value, line };
    }
    if (invalid.length) warn(invalidUtf8Warning(file, invalid.length, `line ${invalid[0]}`));
  } finally {
    await stream.cancel().catch(() => {});
  }
}

/** The warning for text that was not valid UTF-8: how much, where first, what was done. */
export function invalidUtf8Warning(file: string, count: number, first: string): string {
  return `${file}: warning: ${count} line${
    count === 1 ? "" : "s"
  } not valid UTF-8 (first: ${first}); ` +
    "the bad bytes were read as U+FFFD";
}

/** Streams the JSON values of a JSON Lines file, with their line numbers (see `parseJsonLines`). */
export async function* readJsonlNumbered<T = unknown>(path: string): AsyncGenerator<Numbered<T>> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    throw new UserError(`cannot open: ${(e as Error).message}`, { loc: { file: path } });
  }
  yield* parseJsonLines<T>(file.readable, path);
}

/** Streams the records of a JSON Lines file. */
export async function* readJsonl<T = unknown>(path: string): AsyncGenerator<T> {
  for await (const { value } of readJsonlNumbered<T>(path)) yield value;
}

/** One line of JSON Lines for a record. */
export function jsonLine(record: unknown): string {
  return JSON.stringify(record) + "\n";
}

/** Writes records to a JSON Lines file (atomically replacing it) from any iterable, streamed. */
export async function writeJsonl(
  path: string,
  records: AsyncIterable<unknown> | Iterable<unknown>,
): Promise<number> {
  const writer = await openJsonlWriter(path);
  for await (const r of records) await writer.write(r);
  return await writer.close();
}

/** Writes a file atomically: to a temporary sibling, then renamed over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/** A JSON Lines file being written: records go to a temporary sibling, renamed on `close`. */
export interface JsonlWriter {
  write(record: unknown): Promise<void>;
  /** Finishes the file (atomically replaces the target); returns the number of records. */
  close(): Promise<number>;
}

/** Bytes gathered before a write: one system call per megabyte, not per record. */
const WRITE_CHUNK = 1 << 20;

/** Opens a streamed, atomic JSON Lines writer. */
export async function openJsonlWriter(path: string): Promise<JsonlWriter> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  const enc = new TextEncoder();
  let pending = "";
  let n = 0;
  return {
    async write(record) {
      pending += jsonLine(record);
      n++;
      if (pending.length >= WRITE_CHUNK) {
        await writer.write(enc.encode(pending));
        pending = "";
      }
    },
    async close() {
      if (pending) await writer.write(enc.encode(pending));
      await writer.close();
      await Deno.rename(tmp, path);
      return n;
    },
  };
}
