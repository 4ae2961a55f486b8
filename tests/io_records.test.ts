import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { gzipSync } from "node:zlib";
import { UserError } from "../lib/errors.ts";
import { jsonSafe } from "../lib/io/parquet.ts";
import { readRecords, type SourceRecord } from "../lib/io/records.ts";

const FIXTURES = new URL("../fixtures/seeds/", import.meta.url).pathname;

async function temp(suffix: string, data: string | Uint8Array): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
  return path;
}

async function readAll(location: string): Promise<SourceRecord[]> {
  return await Array.fromAsync(readRecords(location));
}

async function readError(location: string): Promise<string> {
  const err = await readAll(location).then(() => undefined, (e) => e);
  assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
  return err.message;
}

Deno.test("jsonSafe: INT64 bigints become numbers when safe, else strings", () => {
  const table: [unknown, unknown][] = [
    [5n, 5],
    [-(2n ** 53n) + 1n, -(2 ** 53) + 1],
    [2n ** 53n, "9007199254740992"],
    [{ a: [1n, { b: 2n ** 63n - 1n }] }, { a: [1, { b: "9223372036854775807" }] }],
    [new Date(Date.UTC(2024, 0, 2)), "2024-01-02T00:00:00.000Z"],
    ["text", "text"],
    [null, null],
  ];
  for (const [input, expected] of table) assert.deepEqual(jsonSafe(input), expected);
});

Deno.test("readRecords: JSON Lines with line numbers, blank lines skipped", async () => {
  const path = await temp(".jsonl", '{"a":1}\n\n{"a":2}\r\n{"a":3}');
  const got = (await readAll(path)).map(({ record, loc }) => [record.a, loc.line]);
  assert.deepEqual(got, [[1, 1], [2, 3], [3, 4]]);
});

Deno.test("readRecords: bad input names file:line or file:line:col", async () => {
  const table: [string, string, RegExp][] = [
    [".jsonl", '{"a":1}\n{"a":\n', /\.jsonl:2: expected a JSON object, found "\{\\"a\\":"/],
    [".jsonl", '{"a":1}\n[1,2]\n', /\.jsonl:2: expected a JSON object, found an array/],
    [".json", '[\n  {"a": 1},\n  {"a": 2,}\n]', /\.json:3:11: expected a JSON array of objects/],
    [".json", '[{"a": 1}, "x"]', /\.json row 1: expected a JSON object, found "x"/],
    [".csv", "a,b\n", /expected a \.jsonl, \.json or \.parquet file/],
    [
      ".parquet",
      "not parquet at all",
      /\.parquet: expected a Parquet file, found a file that is not Parquet, or is truncated or damaged \(its footer cannot be read\)$/,
    ],
  ];
  for (const [suffix, text, pattern] of table) {
    assert.match(await readError(await temp(suffix, text)), pattern);
  }
  assert.match(await readError("/nonexistent/x.jsonl"), /x\.jsonl: cannot open/);
});

Deno.test("readRecords: a damaged Parquet file says what is damaged, not the decoder's words", async () => {
  const good = await Deno.readFile(`${FIXTURES}chat.parquet`);
  const flipped = good.slice();
  for (let i = 100; i < flipped.length - 400; i += 7) flipped[i] ^= 0x5a;
  const table: [bytes: Uint8Array, message: RegExp][] = [
    [
      good.slice(0, 300),
      /: expected a Parquet file, found a file that is not Parquet, or is truncated/,
    ],
    [
      flipped,
      /: expected a Parquet file, found damaged data in rows 0–9 \(a row group cannot be decoded\)$/,
    ],
  ];
  for (const [bytes, message] of table) {
    const error = await readError(await temp(".parquet", bytes));
    assert.match(error, message);
    assert.doesNotMatch(error, /thrift|PAR1|eof marker|hyparquet/i);
  }
});

Deno.test("readRecords: a .json file may hold JSON Lines", async () => {
  const path = await temp(".json", '{"a":1}\n{"a":2}\n');
  assert.deepEqual((await readAll(path)).map((r) => [r.record.a, r.loc.line]), [[1, 1], [2, 2]]);
});

Deno.test("readRecords: math.json fixture, a JSON array with row indices", async () => {
  const rows = await readAll(`${FIXTURES}math.json`);
  assert.equal(rows.length, 15);
  assert.deepEqual(rows.map((r) => r.loc.row), [...Array(15).keys()]);
  assert.deepEqual(Object.keys(rows[0].record).sort(), ["level", "problem", "solution", "type"]);
});

Deno.test("readRecords: chat.parquet fixture (SNAPPY, INT64 ids)", async () => {
  const rows = await readAll(`${FIXTURES}chat.parquet`);
  assert.equal(rows.length, 10);
  assert.deepEqual(rows[0].record.id, 9007199254740000);
  assert.deepEqual(rows[1].record.id, "9007199254741000");
  assert.equal(rows[2].record.prompt, "What are three ways to reduce food waste at home?");
  assert.deepEqual(rows.map((r) => r.loc.row), [...Array(10).keys()]);
  assert.doesNotThrow(() => JSON.stringify(rows.map((r) => r.record)));
});

Deno.test("readRecords: parquet with several row groups and a GZIP codec, in order", async () => {
  const n = 7;
  const buffer = parquetWriteBuffer({
    codec: "GZIP",
    compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) },
    rowGroupSize: 3,
    columnData: [
      { name: "n", data: Array.from({ length: n }, (_, i) => BigInt(i)), type: "INT64" },
      { name: "text", data: Array.from({ length: n }, (_, i) => `row ${i}`), type: "STRING" },
    ],
  });
  const rows = await readAll(await temp(".parquet", new Uint8Array(buffer)));
  assert.deepEqual(
    rows.map((r) => [r.record.n, r.record.text, r.loc.row]),
    Array.from({ length: n }, (_, i) => [i, `row ${i}`, i]),
  );
});
