import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { parseJsonLines, readLines } from "../lib/io/jsonl.ts";
import { readRecords } from "../lib/io/records.ts";

const enc = new TextEncoder();

/** The bytes cut into chunks of `size` (1 = every byte alone: every boundary is exercised). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
  return ReadableStream.from(parts);
}

Deno.test("readLines: the same lines whatever the chunk boundaries", async () => {
  const table: [text: string, lines: string[]][] = [
    ["a\nb\n", ["a", "b"]],
    ["a\r\nb", ["a", "b"]],
    ["\n\nx\n", ["", "", "x"]],
    ["\uFEFFbom\nä€😀\n", ["bom", "ä€😀"]],
    ["", []],
    ["long " + "y".repeat(300) + "\nz", ["long " + "y".repeat(300), "z"]],
  ];
  for (const [text, lines] of table) {
    for (const size of [1, 2, 3, 7, 64, 1 << 16]) {
      const got = await Array.fromAsync(readLines(chunked(enc.encode(text), size)));
      assert.deepEqual(got, lines, `${JSON.stringify(text)} in chunks of ${size}`);
    }
  }
});

Deno.test("readLines: a line over the cap is refused with file:line, however it arrives", async () => {
  const text = "short\n" + "x".repeat(100) + "\nafter\n";
  for (const size of [1, 16, 1 << 16]) {
    const lines: string[] = [];
    const err = await (async () => {
      for await (
        const l of readLines(chunked(enc.encode(text), size), { maxLineBytes: 50, name: "a.jsonl" })
      ) {
        lines.push(l);
      }
    })().then(() => undefined, (e) => e);
    assert.ok(err instanceof UserError, `chunks of ${size}: ${err}`);
    assert.match(
      err.message,
      /^a\.jsonl:2: expected a line of at most 50 bytes, found a longer one/,
    );
    assert.deepEqual(lines, ["short"]);
  }
});

Deno.test("readLines: a 20 MB line in 64 KiB chunks is read whole", async () => {
  const line = "x".repeat(20_000_000);
  const got = await Array.fromAsync(readLines(chunked(enc.encode(`${line}\n{}\n`), 1 << 16)));
  assert.equal(got.length, 2);
  assert.equal(got[0].length, line.length);
  assert.equal(got[1], "{}");
});

Deno.test("parseJsonLines: lines that are not UTF-8 are counted in one warning", async () => {
  const bad = new Uint8Array([...enc.encode('{"a":"'), 0xff, 0xfe, ...enc.encode('"}\n')]);
  const good = enc.encode('{"a":"ok"}\n');
  const bytes = new Uint8Array([...good, ...bad, ...good, ...bad]);
  for (const size of [1, 5, 1 << 16]) {
    const warnings: string[] = [];
    const values = await Array.fromAsync(
      parseJsonLines(chunked(bytes, size), "x.jsonl", "a JSON value", (m) => warnings.push(m)),
    );
    assert.deepEqual(values.map((v) => (v.value as { a: string }).a), [
      "ok",
      "\uFFFD\uFFFD",
      "ok",
      "\uFFFD\uFFFD",
    ]);
    assert.deepEqual(warnings, [
      "x.jsonl: warning: 2 lines not valid UTF-8 (first: line 2); the bad bytes were read as U+FFFD",
    ]);
  }
});

Deno.test("readRecords: a .json array that is not UTF-8 is counted too", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeFile(
    path,
    new Uint8Array([...enc.encode('[\n{"a":"'), 0xc3, ...enc.encode('"}\n]')]),
  );
  const warnings: string[] = [];
  const rows = await Array.fromAsync(readRecords(path, { warn: (m) => warnings.push(m) }));
  assert.equal(rows.length, 1);
  assert.deepEqual(warnings, [
    `${path}: warning: 1 line not valid UTF-8 (first: line 2); the bad bytes were read as U+FFFD`,
  ]);
  await Deno.remove(path);
});

Deno.test("readLines: J1KIT_MAX_LINE_BYTES sets the cap; a bad value is refused", async () => {
  const read = () => Array.fromAsync(readLines(chunked(enc.encode("12345\nabc\n"), 4)));
  try {
    Deno.env.set("J1KIT_MAX_LINE_BYTES", "4");
    await assert.rejects(read(), /input:1: expected a line of at most 4 bytes/);
    Deno.env.set("J1KIT_MAX_LINE_BYTES", "5");
    assert.deepEqual(await read(), ["12345", "abc"]);
    Deno.env.set("J1KIT_MAX_LINE_BYTES", "lots");
    await assert.rejects(read(), /J1KIT_MAX_LINE_BYTES: expected a positive number of bytes/);
  } finally {
    Deno.env.delete("J1KIT_MAX_LINE_BYTES");
  }
});

Deno.test("parseJsonLines: a real U+FFFD in valid UTF-8 is no warning", async () => {
  const warnings: string[] = [];
  const bytes = enc.encode('{"a":"\uFFFD"}\n{"a":"ok"}\n{"a":"b"}\n');
  for (const size of [3, 1 << 16]) {
    const values = await Array.fromAsync(
      parseJsonLines(chunked(bytes, size), "x.jsonl", "a JSON value", (m) => warnings.push(m)),
    );
    assert.equal(values.length, 3);
  }
  assert.deepEqual(warnings, []);
});
