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

/** Splits a byte stream into text lines without holding the whole stream. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let start = 0;
      for (let nl; (nl = buffer.indexOf("\n", start)) >= 0; start = nl + 1) {
        yield withoutCr(buffer.slice(start, nl));
      }
      buffer = buffer.slice(start);
    }
    if (buffer.length > 0) yield withoutCr(buffer);
  } finally {
    reader.releaseLock();
  }
}

const withoutCr = (line: string) => line.endsWith("\r") ? line.slice(0, -1) : line;

/**
 * Parses a JSON Lines byte stream, with line numbers. Blank lines are skipped; a line that is
 * not JSON throws a {@linkcode UserError} naming `file:line` and `expected`. The stream is
 * cancelled when the consumer stops early or the input is bad, so no file or socket stays open.
 */
export async function* parseJsonLines<T = unknown>(
  stream: ReadableStream<Uint8Array>,
  file: string,
  expected = "a JSON value",
): AsyncGenerator<Numbered<T>> {
  let line = 0;
  try {
    for await (const text of readLines(stream)) {
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
  } finally {
    await stream.cancel().catch(() => {});
  }
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
