import assert from "node:assert/strict";
import type { Reject } from "../lib/pipeline/stage.ts";
import { wildchatRows } from "../lib/perf/wildchat.ts";
import { dedupeSeeds } from "../lib/seeds/dedupe.ts";
import { mapSeed } from "../lib/seeds/map.ts";

Deno.test("wildchatRows: WildChat's layout, the same rows each time, 2% exact and 2% near duplicates", async () => {
  const n = 5000;
  const rows = [...wildchatRows(n)];
  assert.deepEqual(rows.slice(0, 50), [...wildchatRows(n)].slice(0, 50));
  const seeds = rows.map((row, i) => {
    const out = mapSeed({ ...row }, { file: "w.jsonl", line: i + 1 }, {
      kind: "auto",
      source: "w",
    });
    assert.ok("seed" in out);
    return out.seed;
  });
  assert.ok(seeds.every((s) => s.kind === "chat" && typeof s.instruction === "string"));
  const reasons: Record<string, number> = {};
  const onReject = (r: Reject) => (reasons[r.reason] = (reasons[r.reason] ?? 0) + 1);
  await Array.fromAsync(dedupeSeeds(seeds, { onReject }));
  // (5,000 rows: 103 exact and 102 near duplicates. Near copies of short texts differ only in
  // punctuation; long ones have one word replaced, which LSH at 0.8 nearly always catches.)
  assert.ok(reasons.duplicate > 0.015 * n && reasons.duplicate < 0.03 * n, JSON.stringify(reasons));
  assert.ok(
    reasons.near_duplicate > 0.015 * n && reasons.near_duplicate < 0.025 * n,
    JSON.stringify(reasons),
  );
});
