import assert from "node:assert/strict";
import { Bloom } from "../lib/llm/bloom.ts";
import { sha256 } from "../lib/sha256.ts";

Deno.test("bloom: never says absent for an added key; about 1% false positives at capacity", () => {
  const filter = Bloom.forCapacity(20_000);
  for (let i = 0; i < 20_000; i++) filter.add(sha256(`in ${i}`));
  for (let i = 0; i < 20_000; i++) assert.ok(filter.mayHave(sha256(`in ${i}`)), `key ${i}`);
  let maybe = 0;
  for (let i = 0; i < 20_000; i++) if (filter.mayHave(sha256(`out ${i}`))) maybe++;
  assert.ok(maybe / 20_000 < 0.02, `false positives ${maybe / 20_000}`);
});

Deno.test("bloom: its bits rebuild the same filter (as the cache worker hands them over)", () => {
  const filter = Bloom.forCapacity(100);
  filter.add("a");
  const copy = new Bloom(filter.bits.slice());
  assert.ok(copy.mayHave("a"));
  assert.ok(!copy.mayHave("b") || !copy.mayHave("c"), "not everything is present");
});
