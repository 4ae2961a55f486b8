/**
 * J1's own metric per benchmark (arXiv 2505.10320, as its tables report them): PPE,
 * RewardBench and RM-Bench by accuracy on one random order per comparison; JudgeBench and
 * FollowBenchEval by position-consistent accuracy (right in both orders). Pointwise judges
 * have no order: a comparison is right when the chosen response's mean score is higher.
 * @module
 */
import type { EvalItem } from "../records.ts";
import {
  bySubset,
  meanPoints,
  type OfficialOptions,
  pointwiseOutcome,
  randomOrderMissing,
  randomOrderNote,
  randomOrderOutcome,
} from "./decisions.ts";
import { consistentScores } from "./followbencheval.ts";
import { JUDGEBENCH_CATEGORIES } from "./judgebench.ts";
import { ppeScores } from "./ppe.ts";
import { rewardbenchOverall, rewardbenchSectionScores } from "./rewardbench.ts";
import { rmbenchScores } from "./rmbench.ts";

/** The benchmarks J1 reports, in its tables' order; their mean is the five-benchmark overall. */
export const J1_BENCHMARKS: readonly string[] = [
  "ppe",
  "rewardbench",
  "judgebench",
  "rm-bench",
  "followbencheval",
];

/** 1 if the comparison is right in its random order (pointwise: chosen > rejected), else 0. */
function randomOrderRight(itemId: string, r: EvalItem["results"][number], seed: number): number {
  return (r.scores ? pointwiseOutcome(r) : randomOrderOutcome(itemId, r, seed)) === 1 ? 1 : 0;
}

/**
 * J1's metric of a benchmark, in points: `j1_score` and its parts (`j1/<subset>`); `{}` for
 * benchmarks J1 does not report. One-random-order scores are `null` (with a note) when some
 * comparison was not judged in its random order; consistent scores when some pair lacks an
 * order.
 * - `ppe`: `ppe_score` ({@linkcode ppeScores}), parts `j1/preference`, `j1/correctness`;
 * - `rewardbench`: the four sections' `EXAMPLE_COUNTS`-weighted accuracies (undecided = wrong)
 *   and their mean, as the leaderboard aggregates them;
 * - `rm-bench`: the official 3×3 style-matrix aggregate, each comparison scored in its random
 *   order;
 * - `judgebench`, `followbencheval`: right in both orders, per category/subset.
 */
export function j1Scores(
  benchmark: string,
  items: readonly EvalItem[],
  opts: OfficialOptions = {},
): Record<string, number | null> {
  const seed = opts.seed ?? 0;
  const keys = { score: "j1_score", prefix: "j1/" };
  if (benchmark === "judgebench") {
    return consistentScores(items, keys, JUDGEBENCH_CATEGORIES, opts);
  }
  if (benchmark === "followbencheval") return consistentScores(items, keys, undefined, opts);
  if (!["ppe", "rewardbench", "rm-bench"].includes(benchmark)) return {};
  const missing = randomOrderMissing(items, seed);
  if (missing > 0) {
    opts.note?.(randomOrderNote("j1_score", missing));
    return { j1_score: null };
  }
  if (benchmark === "ppe") {
    const p = ppeScores(items, { seed });
    return {
      j1_score: p.ppe_score,
      "j1/preference": p.ppe_preference,
      "j1/correctness": p.ppe_correctness,
    };
  }
  if (benchmark === "rm-bench") {
    const r = rmbenchScores(items, (item, c) => randomOrderRight(item.itemId, c, seed));
    const out: Record<string, number | null> = { j1_score: r.rmbench_score };
    for (const [k, v] of Object.entries(r)) {
      const domain = /^rmbench\/([^/]+)$/.exec(k)?.[1];
      if (domain) out[`j1/${domain}`] = v;
    }
    return out;
  }
  const subsets: Record<string, number> = {};
  for (const [subset, group] of bySubset(items)) {
    subsets[subset] = meanPoints(
      group.flatMap((i) => i.results.map((r) => randomOrderRight(i.itemId, r, seed))),
    )!;
  }
  const sections = rewardbenchSectionScores(subsets);
  const out: Record<string, number | null> = { j1_score: rewardbenchOverall(sections) };
  for (const [k, v] of Object.entries(sections)) out[`j1/${k.replace("rewardbench_", "")}`] = v;
  return out;
}
