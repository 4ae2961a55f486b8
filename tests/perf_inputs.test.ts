import assert from "node:assert/strict";
import { longLine, manyErrors } from "../lib/perf/inputs.ts";

Deno.test("bench inputs: the long-line file reads whole, every pipeline error is reported", async () => {
  const dir = await Deno.makeTempDir();
  const [line] = await longLine(dir, 1);
  assert.match(line.reference, /^2 records;/);
  const [errors] = manyErrors(500);
  assert.match(errors.reference, /^500 errors reported;/);
  await Deno.remove(dir, { recursive: true });
});
