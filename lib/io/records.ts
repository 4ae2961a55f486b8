/**
 * Reads any supported data source as a stream of plain objects with their locations:
 * `*.jsonl`, `*.json` (an array, or JSON Lines), `*.parquet`, an `http(s)://` URL to one of
 * those, or `hf://<org>/<dataset>[/<config>/<split>]` (the Hugging Face dataset viewer).
 * @module
 */
import { asyncBufferFromUrl } from "hyparquet";
import { UserError } from "../errors.ts";
import { type HfOptions, readHfRecords, timedFetch } from "./hf.ts";
import { invalidUtf8Warning, parseJsonLines } from "./jsonl.ts";
import { fileBuffer, parquetRowCount, readParquetRows } from "./parquet.ts";

/** Where a record came from: a file or URL, and its 1-based line or 0-based row. */
export interface RecordLocation {
  /** The path, URL or `hf://` name it was read from. */
  file: string;
  /** JSON Lines: the line number. */
  line?: number;
  /** JSON arrays, parquet and the dataset viewer: the row index. */
  row?: number;
}

/** One record of a source, and where it was. */
export interface SourceRecord {
  /** The row, with JSON-safe values. */
  record: Record<string, unknown>;
  /** Where it was. */
  loc: RecordLocation;
}

/** Options of {@linkcode readRecords}. */
export interface ReadRecordsOptions extends HfOptions {
  /** Dataset viewer: the config, when the location does not name one. */
  config?: string;
  /** Dataset viewer: the split, when the location does not name one. */
  split?: string;
  /** Receives warnings about the data, e.g. text that is not valid UTF-8 (default `console.warn`). */
  warn?: (message: string) => void;
}

/**
 * Formats a record location for messages: `file:line` or `file row N`.
 *
 * @example
 * ```ts
 * import { formatRecordLocation } from "./records.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatRecordLocation({ file: "a.jsonl", line: 3 }), "a.jsonl:3");
 * assert.equal(formatRecordLocation({ file: "a.parquet", row: 0 }), "a.parquet row 0");
 * ```
 */
export function formatRecordLocation(loc: RecordLocation): string {
  if (loc.line !== undefined) return `${loc.file}:${loc.line}`;
  if (loc.row !== undefined) return `${loc.file} row ${loc.row}`;
  return loc.file;
}

/**
 * Streams the records of a source, chosen by its location. JSON Lines and parquet are
 * streamed (parquet one row group at a time); a `.json` array is parsed whole, so prefer
 * JSON Lines for big data. Bad input throws a {@linkcode UserError} naming where it is.
 *
 * @example
 * ```ts
 * import { readRecords } from "./records.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"prompt":"Hi"}\n\n{"prompt":"Bye"}\n');
 * const lines = [];
 * for await (const { record, loc } of readRecords(path)) lines.push([record.prompt, loc.line]);
 * assert.deepEqual(lines, [["Hi", 1], ["Bye", 3]]);
 * ```
 */
export async function* readRecords(
  location: string,
  opts: ReadRecordsOptions = {},
): AsyncGenerator<SourceRecord> {
  if (location.startsWith("hf://")) {
    yield* readHfRecords(location, opts);
    return;
  }
  const remote = /^https?:\/\//.test(location);
  const path = remote ? new URL(location).pathname : location;
  const format = formatOf(path);
  if (format === undefined) {
    throw new UserError(
      `expected a .jsonl, .json or .parquet file, an http(s) URL to one, or hf://<org>/<dataset>`,
      { loc: { file: location } },
    );
  }
  if (remote) {
    const fetchFn = timedFetch(opts);
    const init = { headers: authHeaders(location, opts.hfToken) };
    if (format === "parquet") {
      const file = await asyncBufferFromUrl({ url: location, requestInit: init, fetch: fetchFn })
        .catch((e) => {
          throw new UserError(`cannot fetch: ${(e as Error).message}`, { loc: { file: location } });
        });
      yield* readParquetRows(file, location);
      return;
    }
    const res = await fetchFn(location, init).catch((e) => {
      throw new UserError(`cannot fetch: ${(e as Error).message}`, { loc: { file: location } });
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new UserError(`cannot fetch: HTTP ${res.status} ${res.statusText}`, {
        loc: { file: location },
      });
    }
    if (format === "jsonl") yield* objectLines(res.body, location, opts.warn);
    else yield* parseJsonText(await res.bytes(), location, opts.warn);
    return;
  }
  if (format === "parquet") {
    await using file = await fileBuffer(location);
    yield* readParquetRows(file, location);
    return;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(location);
  } catch (e) {
    throw new UserError(`cannot open: ${(e as Error).message}`, { loc: { file: location } });
  }
  if (format === "jsonl") yield* objectLines(file.readable, location, opts.warn);
  else yield* parseJsonText(await new Response(file.readable).bytes(), location, opts.warn);
}

/**
 * How many records a local file holds, when that is cheap to find: JSON Lines (non-empty
 * lines, one pass over the bytes; for progress, so a line of spaces counts) and Parquet (its
 * metadata); otherwise undefined.
 */
export async function countRecords(path: string): Promise<number | undefined> {
  const format = formatOf(path);
  try {
    if (format === "parquet") {
      await using file = await fileBuffer(path);
      return await parquetRowCount(file);
    }
    if (format !== "jsonl") return undefined;
    await using file = await Deno.open(path);
    let records = 0;
    // Bytes since the last newline, not counting a CR: an empty line is no record.
    let length = 0;
    for await (const chunk of file.readable) {
      let start = 0;
      for (let nl; (nl = chunk.indexOf(10, start)) >= 0; start = nl + 1) {
        length += nl - start - (nl > start && chunk[nl - 1] === 13 ? 1 : 0);
        if (length > 0) records++;
        length = 0;
      }
      length += chunk.length - start;
    }
    return length > 0 ? records + 1 : records;
  } catch {
    // Unreadable: reading the records will say why.
    return undefined;
  }
}

function formatOf(path: string): "jsonl" | "json" | "parquet" | undefined {
  const match = path.toLowerCase().match(/\.(jsonl|json|parquet)$/);
  return match ? match[1] as "jsonl" | "json" | "parquet" : undefined;
}

/** A token is only ever sent to Hugging Face hosts. */
function authHeaders(url: string, token: string | undefined): Record<string, string> {
  const host = new URL(url).hostname;
  const hf = host === "huggingface.co" || host.endsWith(".huggingface.co");
  return token && hf ? { authorization: `Bearer ${token}` } : {};
}

function asObject(value: unknown, loc: RecordLocation): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new UserError(
    `expected a JSON object, found ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`,
    { loc: loc.line === undefined ? { file: formatRecordLocation(loc) } : loc },
  );
}

async function* objectLines(
  stream: ReadableStream<Uint8Array>,
  file: string,
  warn?: (message: string) => void,
): AsyncGenerator<SourceRecord> {
  for await (const { value, line } of parseJsonLines(stream, file, "a JSON object", warn)) {
    yield { record: asObject(value, { file, line }), loc: { file, line } };
  }
}

/** A `.json` file: an array of objects, or (as many datasets ship them) JSON Lines. */
async function* parseJsonText(
  bytes: Uint8Array,
  file: string,
  warn: (message: string) => void = console.warn,
): AsyncGenerator<SourceRecord> {
  const head = new TextDecoder().decode(bytes.subarray(0, 1024));
  if (!head.trimStart().startsWith("[")) {
    yield* objectLines(ReadableStream.from([bytes]), file, warn);
    return;
  }
  const text = decodeCounted(bytes, file, warn);
  let value: unknown[];
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message.replace(/\s*\(line \d+ column \d+\)/, "");
    const position = Number(message.match(/position (\d+)/)?.[1] ?? text.length);
    const before = text.slice(0, position).split("\n");
    throw new UserError(`expected a JSON array of objects (${message})`, {
      loc: { file, line: before.length, col: before[before.length - 1].length + 1 },
    });
  }
  for (const [row, item] of value.entries()) {
    yield { record: asObject(item, { file, row }), loc: { file, row } };
  }
}

/** Decodes a whole file's UTF-8; bad bytes become U+FFFD and are counted in one warning. */
function decodeCounted(bytes: Uint8Array, file: string, warn: (message: string) => void): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const bad: number[] = [];
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const nl = bytes.indexOf(10, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        strict.decode(bytes.subarray(start, end));
      } catch {
        bad.push(line);
      }
      start = end + 1;
    }
    warn(invalidUtf8Warning(file, bad.length, `line ${bad[0]}`));
    return new TextDecoder().decode(bytes);
  }
}
