/**
 * Position-bias counts of pairwise judgments: how often a verdict names A, and how often the
 * verdict letter stays the same when the two responses swap places (the pick followed the
 * position, not the content).
 * @module
 */
import type { ComparisonResult } from "../records.ts";
import { sampleVerdicts } from "./decisions.ts";

/** Position rates of a set of comparisons; `null` when nothing was counted. */
export interface PositionRates {
  /** Share of parsed pairwise verdicts that are `A` (0.5 = no position preference). */
  aRate: number | null;
  /**
   * Share of (comparison, sample) pairs judged and parsed in both orders whose verdict letter
   * stayed the same: the judge flipped its pick of response when the positions were swapped.
   */
  flipRate: number | null;
}

/**
 * Position rates over comparisons, pooled over orders and samples (sample i of `AB` is paired
 * with sample i of `BA`); both `null` for pointwise results.
 *
 * @example
 * ```ts
 * import { positionRates } from "./position.ts";
 * import assert from "node:assert/strict";
 * const r = { key: "0", thoughtLengths: [], verdicts: { AB: ["A" as const], BA: ["A" as const] } };
 * assert.deepEqual(positionRates([r]), { aRate: 1, flipRate: 1 });
 * ```
 */
export function positionRates(results: readonly ComparisonResult[]): PositionRates {
  let a = 0, verdicts = 0, same = 0, pairs = 0;
  for (const r of results) {
    const ab = sampleVerdicts(r, "AB") ?? [];
    const ba = sampleVerdicts(r, "BA") ?? [];
    for (const v of [...ab, ...ba]) {
      if (v === null) continue;
      verdicts++;
      if (v === "A") a++;
    }
    for (let i = 0; i < Math.min(ab.length, ba.length); i++) {
      if (ab[i] === null || ba[i] === null) continue;
      pairs++;
      if (ab[i] === ba[i]) same++;
    }
  }
  return { aRate: verdicts ? a / verdicts : null, flipRate: pairs ? same / pairs : null };
}
