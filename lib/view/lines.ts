/**
 * Random access to a JSON Lines file by byte offsets: one pass records where each record's
 * line starts, then any page of records is one positioned read. A million-record file costs
 * 8 bytes a record in memory (the offsets), never the file itself.
 * @module
 */
import { UserError } from "../errors.ts";
import { parseJsonLines } from "../io/jsonl.ts";
import { Offsets } from "../io/offsets.ts";

/** Where the records of a JSON Lines file are (blank lines are not records). */
export interface LineIndex {
  /** The file. */
  path: string;
  /** File size when indexed, in bytes. */
  size: number;
  /** Modification time when indexed (ms since the epoch), to notice a rewritten file. */
  mtime: number;
  /** Number of records. */
  count: number;
  /** Byte offset of record i's first byte; `starts[count]` is the file size. */
  starts: Float64Array;
  /** Byte offset just past record i's last character (its newline and a `\r` excluded). */
  ends: Float64Array;
}

const CHUNK = 1 << 22;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Indexes the records of a JSON Lines file: reads it once in 4 MB chunks into a reused buffer
 * and records where each non-blank line starts and ends.
 *
 * @example
 * ```ts
 * import { indexLines, readRecordTexts } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"a":1}\n\n{"a":2}\r\n{"a":3}');
 * const index = await indexLines(path);
 * assert.equal(index.count, 3);
 * assert.deepEqual(await readRecordTexts(index, 1, 3), ['{"a":2}', '{"a":3}']);
 * ```
 */
export async function indexLines(path: string): Promise<LineIndex> {
  using file = await Deno.open(path);
  const stat = await file.stat();
  const starts = new Offsets(), ends = new Offsets();
  const buffer = new Uint8Array(CHUNK);
  /** The bytes of a line that began in an earlier chunk and is not finished yet. */
  let carry: Uint8Array[] = [];
  let carryStart = 0;
  const add = (start: number, bytes: Uint8Array) => {
    let end = bytes.length;
    while (
      end > 0 && (bytes[end - 1] === CR || bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)
    ) {
      end--;
    }
    if (end > 0) {
      starts.push(start);
      ends.push(start + end);
    }
  };
  const joined = (tail: Uint8Array) => {
    const parts = [...carry, tail];
    const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) all.set(p, (at += p.length) - p.length);
    return all;
  };
  let pos = 0;
  for (let n; (n = await file.read(buffer)) !== null;) {
    let from = 0;
    for (let nl; (nl = buffer.indexOf(NEWLINE, from)) >= 0 && nl < n; from = nl + 1) {
      if (carry.length) {
        add(carryStart, joined(buffer.subarray(0, nl)));
        carry = [];
      } else add(pos + from, buffer.subarray(from, nl));
    }
    if (from < n) {
      if (!carry.length) carryStart = pos + from;
      carry.push(buffer.slice(from, n));
    }
    pos += n;
  }
  if (carry.length) add(carryStart, joined(new Uint8Array(0)));
  const count = starts.length;
  starts.push(pos);
  return {
    path,
    size: pos,
    mtime: stat.mtime?.getTime() ?? 0,
    count,
    starts: starts.data.slice(0, count + 1),
    ends: ends.data.slice(0, count),
  };
}

/** Whether the file changed since it was indexed (size or modification time). */
export async function isStale(index: LineIndex): Promise<boolean> {
  const stat = await Deno.stat(index.path).catch(() => null);
  return !stat || stat.size !== index.size || (stat.mtime?.getTime() ?? 0) !== index.mtime;
}

/** The text of records `from` (inclusive) to `to` (exclusive), by one positioned read. */
export async function readRecordTexts(
  index: LineIndex,
  from: number,
  to: number,
): Promise<string[]> {
  to = Math.min(to, index.count);
  if (from >= to) return [];
  const begin = index.starts[from];
  const bytes = await readRange(index.path, begin, index.ends[to - 1]);
  const dec = new TextDecoder();
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    out.push(dec.decode(bytes.subarray(index.starts[i] - begin, index.ends[i] - begin)));
  }
  return out;
}

/** The records at the given positions (any order), parsed, in the order asked. */
export async function readRecords(index: LineIndex, lines: readonly number[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const line of lines) {
    const [text] = await readRecordTexts(index, line, line + 1);
    out.push(JSON.parse(text));
  }
  return out;
}

async function readRange(path: string, begin: number, end: number): Promise<Uint8Array> {
  using file = await Deno.open(path);
  await file.seek(begin, Deno.SeekMode.Start);
  const bytes = new Uint8Array(end - begin);
  let got = 0;
  while (got < bytes.length) {
    const n = await file.read(bytes.subarray(got));
    if (n === null) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

/**
 * Records `from` (inclusive) to `to` (exclusive), parsed, by reading the file from its start:
 * the first pages of a large file while its offsets are still being indexed.
 */
export async function readHead(path: string, from: number, to: number): Promise<unknown[]> {
  const out: unknown[] = [];
  if (from >= to) return out;
  const file = await Deno.open(path);
  let n = 0;
  // Stopping early cancels the stream, which closes the file.
  for await (const { value } of parseJsonLines(file.readable, path)) {
    if (n >= from) out.push(value);
    if (++n >= to) break;
  }
  return out;
}

/**
 * Calls `fn` with every record, parsed, and its position, reading the file in 4 MB chunks (a
 * record longer than a chunk is read whole). For building per-record columns.
 */
export async function forEachRecord(
  index: LineIndex,
  fn: (record: unknown, line: number) => void,
): Promise<void> {
  const dec = new TextDecoder();
  let line = 0;
  while (line < index.count) {
    let last = line;
    while (last + 1 < index.count && index.ends[last + 1] - index.starts[line] <= CHUNK) last++;
    const begin = index.starts[line];
    const bytes = await readRange(index.path, begin, index.ends[last]);
    for (; line <= last; line++) {
      const text = dec.decode(bytes.subarray(index.starts[line] - begin, index.ends[line] - begin));
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (err) {
        throw new UserError(
          `record ${line + 1}: expected a JSON value, found ${JSON.stringify(text.slice(0, 40))} (${
            (err as Error).message
          })`,
          { loc: { file: index.path } },
        );
      }
      fn(record, line);
    }
  }
}

/**
 * The records whose raw JSON text contains `needle` (case-insensitive for ASCII letters), as a
 * 0/1 flag per record. The bytes are searched, not parsed, so a million records take one read
 * of the file. JSON escapes count as written (`\"` and `\n` inside strings).
 */
export async function searchRecords(index: LineIndex, needle: string): Promise<Uint8Array> {
  const hits = new Uint8Array(index.count);
  const query = new TextEncoder().encode(needle.toLowerCase());
  if (query.length === 0 || index.count === 0) return hits.fill(1);
  using file = await Deno.open(index.path);
  const buffer = new Uint8Array(CHUNK + query.length);
  let carried = 0;
  let pos = 0; // file offset of buffer[carried]
  let line = 0;
  for (let n; (n = await file.read(buffer.subarray(carried, carried + CHUNK))) !== null;) {
    const end = carried + n;
    lower(buffer, carried, end);
    const base = pos - carried; // file offset of buffer[0]
    let at = 0;
    while ((at = indexOfBytes(buffer, query, at, end)) >= 0) {
      const offset = base + at;
      line = lineAt(index, offset, line);
      if (line < index.count && offset + query.length <= index.ends[line]) hits[line] = 1;
      at++;
    }
    const keep = Math.min(query.length - 1, end);
    buffer.copyWithin(0, end - keep, end);
    pos += n;
    carried = keep;
  }
  return hits;
}

function lower(bytes: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b >= 0x41 && b <= 0x5a) bytes[i] = b + 32;
  }
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0];
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= end;) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
    i = hay.indexOf(first, i + 1);
  }
  return -1;
}

/** The record whose line holds `offset`, searching forward from `hint` then by bisection. */
function lineAt(index: LineIndex, offset: number, hint: number): number {
  if (hint < index.count && index.starts[hint] <= offset && offset < index.starts[hint + 1]) {
    return hint;
  }
  let lo = 0, hi = index.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.starts[mid + 1] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
