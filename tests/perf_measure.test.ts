import assert from "node:assert/strict";
import { memoryFigure } from "../lib/perf/measure.ts";

Deno.test("memoryFigure: a million records judge both goals; smaller runs only the 200 MB one", () => {
  assert.equal(memoryFigure(1_000_000, 135, 155).ok, true);
  assert.equal(memoryFigure(1_000_000, 100, 160).ok, false, "grew 60% from 250K: not flat");
  assert.equal(memoryFigure(1_000_000, 190, 210).ok, false, "over 200 MB");
  assert.equal(memoryFigure(1_000_000, 135, 0).ok, false, "no reading");
  const quick = memoryFigure(100_000, 94, 120);
  assert.equal(quick.ok, true, "inside V8's warm-up, growth is not judged");
  assert.match(quick.reference, /flatness judged from 1000000 records/);
  assert.equal(memoryFigure(100_000, 94, 230).ok, false);
});
