import assert from "node:assert/strict";
import { Spool } from "../lib/io/spool.ts";

Deno.test("Spool: entries read back in any order, one at a time or in a sweep, across write buffers", () => {
  const dir = Deno.makeTempDirSync();
  const spool = Spool.open(dir, "t");
  try {
    const values = Array.from({ length: 3000 }, (_, i) => ({ i, text: "é".repeat(i % 700) }));
    const big = { text: "x".repeat(3 << 20) };
    const indices = values.map((v) => spool.append(v));
    const bigIndex = spool.append(big);
    assert.deepEqual(spool.read(bigIndex), big);
    assert.deepEqual(spool.read(7), values[7]);
    const wanted = [2999, 5, bigIndex, 1200, 0];
    const seen: unknown[] = [];
    spool.scan(wanted, (i, value) => (seen[i] = value));
    assert.deepEqual(seen, [values[2999], values[5], big, values[1200], values[0]]);
    assert.deepEqual(indices.map((i) => spool.read(i)), values);
    assert.throws(() => spool.read(spool.length), RangeError);
  } finally {
    spool.close();
  }
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  Deno.removeSync(dir);
});

Deno.test("Spool: a spool left by a killed process is removed when the next one opens", () => {
  const dir = Deno.makeTempDirSync();
  // 2^22 + 1 is above Linux's largest pid: no process has it.
  Deno.writeTextFileSync(`${dir}/.t.spool-4194305`, "left over");
  Deno.writeTextFileSync(`${dir}/.other.spool-4194305`, "another kind");
  const spool = Spool.open(dir, "t");
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  spool.close();
  const gone = Deno.build.os === "linux";
  assert.deepEqual(
    names,
    [".other.spool-4194305", ...(gone ? [] : [".t.spool-4194305"]), `.t.spool-${Deno.pid}`].sort(),
  );
  Deno.removeSync(dir, { recursive: true });
});
