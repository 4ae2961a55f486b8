/**
 * Parquet reading: one row group at a time, so a big file never sits in memory whole, with
 * values made JSON-safe (INT64 arrives as `bigint`, which `JSON.stringify` rejects).
 * @module
 */
import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { open } from "node:fs/promises";
import { UserError } from "../errors.ts";
import type { SourceRecord } from "./records.ts";

/**
 * Makes a parquet value JSON-safe: `bigint` → number when it is a safe integer, else its
 * decimal string; `Date` → ISO string; arrays and plain objects converted deeply.
 *
 * @example
 * ```ts
 * import { jsonSafe } from "./parquet.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(jsonSafe({ id: 7n, big: 2n ** 60n }), { id: 7, big: "1152921504606846976" });
 * ```
 */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

/**
 * An `AsyncBuffer` over a local file. Reads are positional, so the concurrent slices hyparquet
 * asks for do not race on a shared file offset. Close it with `await using` or `close()`.
 */
export async function fileBuffer(
  path: string,
): Promise<AsyncBuffer & AsyncDisposable & { close(): Promise<void> }> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    throw new UserError(`cannot open: ${(e as Error).message}`, { loc: { file: path } });
  }
  const { size } = await handle.stat();
  const close = () => handle.close();
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(Math.max(0, end - start));
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return bytes.buffer;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The number of rows a parquet file holds, from its metadata. */
export async function parquetRowCount(file: AsyncBuffer): Promise<number> {
  const metadata = await parquetMetadataAsync(file);
  return Number(metadata.num_rows);
}

/**
 * Streams the rows of a parquet file as plain objects, one row group at a time. `name` is
 * used in locations and errors; `loc.row` is the 0-based row index in the file. Every codec
 * of `hyparquet-compressors` is supported.
 */
export async function* readParquetRows(
  file: AsyncBuffer,
  name: string,
): AsyncGenerator<SourceRecord> {
  // The reader's own words ("thrift unhandled type: 15") mean nothing to a user: say what is
  // damaged, keep them as the cause.
  const fail = (what: string) => (e: unknown): never => {
    if (e instanceof UserError) throw e;
    throw new UserError(`expected a Parquet file, found ${what}`, {
      loc: { file: name },
      cause: e,
    });
  };
  const metadata = await parquetMetadataAsync(file).catch(
    fail("a file that is not Parquet, or is truncated or damaged (its footer cannot be read)"),
  );
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({
      file,
      metadata,
      rowStart,
      rowEnd,
      compressors,
      rowFormat: "object",
    }).catch(
      fail(`damaged data in rows ${rowStart}–${rowEnd - 1} (a row group cannot be decoded)`),
    );
    for (const [i, row] of rows.entries()) {
      yield {
        record: jsonSafe(row) as Record<string, unknown>,
        loc: { file: name, row: rowStart + i },
      };
    }
    rowStart = rowEnd;
  }
}
