/**
 * Benchmark metrics over judged items: the generic ones (overall and per subset, with
 * bootstrap intervals) and each benchmark's official aggregate, gathered by
 * {@linkcode summarize}.
 *
 * Generic metrics count each comparison (an RM-Bench item holds 9, a RewardBench 2 item 3);
 * the bootstrap resamples whole items. Rates are in [0, 1]; official scores are in points.
 * @module
 */
import type { ComparisonResult, EvalItem, Mode } from "../records.ts";
import { UserError } from "../errors.ts";
import { bootstrapMeanCI, type Group } from "./bootstrap.ts";
import {
  bySubset,
  correctness,
  isPointwise,
  majority,
  mean,
  meanOrNull,
  orderOutcome,
  ORDERS,
  ordersAgree,
  parseFailures,
  pointwiseMeans,
  pointwiseOutcome,
  sampleOutcomes,
  verdictFromScores,
} from "./decisions.ts";
import { judgebenchScores } from "./judgebench.ts";
import { llmbarScores } from "./llmbar.ts";
import { ppeScores } from "./ppe.ts";
import { rewardbenchScores } from "./rewardbench.ts";
import { rewardbench2Scores } from "./rewardbench2.ts";
import { rmbenchScores } from "./rmbench.ts";

/** Metric name → value (`null` when it cannot be computed, e.g. no item judged in both orders). */
export type Metrics = Record<string, number | null>;

/** Options of the metrics functions. */
export interface MetricsOptions {
  /** Seed of the bootstrap and of per-item random orders (default 0). */
  seed?: number;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** The judge's mode; `pairwise-verdict-scores` adds `score_agreement`. */
  mode?: Mode;
}

/** Everything a run reports. */
export interface Summary {
  /** {@linkcode genericMetrics} over all items. */
  overall: Metrics;
  /** {@linkcode genericMetrics} per subset, by subset name (sorted). */
  subsets: Record<string, Metrics>;
  /** {@linkcode officialScores} of the items' benchmark. */
  official: Record<string, number | null>;
}

/** Sum and count of values per item, for the bootstrap. */
function groupsOf(
  items: readonly EvalItem[],
  value: (r: ComparisonResult) => number | undefined,
): Group[] {
  return items.map((item) => {
    const xs = item.results.map(value).filter((v): v is number => v !== undefined);
    return { sum: xs.reduce((a, b) => a + b, 0), count: xs.length };
  });
}

/** `<name>`, `<name>_lo`, `<name>_hi`: the pooled mean and its 95% bootstrap interval. */
function withInterval(name: string, groups: Group[], opts: MetricsOptions): Metrics {
  const count = groups.reduce((a, g) => a + g.count, 0);
  const ci = bootstrapMeanCI(groups, { seed: opts.seed, resamples: opts.resamples });
  return {
    [name]: count === 0 ? null : groups.reduce((a, g) => a + g.sum, 0) / count,
    [`${name}_lo`]: ci?.[0] ?? null,
    [`${name}_hi`]: ci?.[1] ?? null,
  };
}

function shareFailed(results: readonly ComparisonResult[]): number | null {
  const counts = results.map(parseFailures);
  const total = counts.reduce((a, c) => a + c.total, 0);
  return total === 0 ? null : counts.reduce((a, c) => a + c.failed, 0) / total;
}

function pairwiseMetrics(items: readonly EvalItem[], opts: MetricsOptions): Metrics {
  const results = items.flatMap((i) => i.results);
  const orderAccuracy = (o: "AB" | "BA") => {
    const judged = results.map((r) => orderOutcome(r, o)).filter((x) => x !== undefined);
    return mean(judged.map((x) => (x === 1 ? 1 : 0)));
  };
  const bothCorrect = (r: ComparisonResult) => {
    const ab = orderOutcome(r, "AB"), ba = orderOutcome(r, "BA");
    if (ab === undefined || ba === undefined) return undefined;
    return ab === 1 && ba === 1 ? 1 : 0;
  };
  const agreements = results.map(ordersAgree).filter((a) => a !== undefined);
  const metrics: Metrics = {
    n: results.length,
    items: items.length,
    accuracy_ab: orderAccuracy("AB"),
    accuracy_ba: orderAccuracy("BA"),
    ...withInterval("accuracy", groupsOf(items, correctness), opts),
    ...withInterval("consistent_accuracy", groupsOf(items, bothCorrect), opts),
    agreement: mean(agreements.map((a) => (a ? 1 : 0))),
    parse_failures: shareFailed(results),
  };
  const perOrder = results.flatMap((r) => ORDERS.map((o) => sampleOutcomes(r, o) ?? []));
  if (perOrder.some((s) => s.length > 1)) {
    // Pooled over both orders: outcomes are position-adjusted, so the votes add up.
    const pooled = results.map((r) => ORDERS.flatMap((o) => sampleOutcomes(r, o) ?? []));
    metrics.sc_accuracy = mean(pooled.map((s) => (majority(s) === 1 ? 1 : 0)));
    metrics.mean_sample_accuracy = mean(pooled.flat().map((x) => (x === 1 ? 1 : 0)));
  }
  if (opts.mode === "pairwise-verdict-scores") metrics.score_agreement = scoreAgreement(results);
  return metrics;
}

/**
 * Pairwise-verdict-scores: among samples with a verdict and two unequal scores, the share whose
 * higher score is on the side of the verdict (the scores are latent: they do not decide).
 */
function scoreAgreement(results: readonly ComparisonResult[]): number | null {
  const agree: number[] = [];
  for (const r of results) {
    for (const o of ORDERS) {
      const pairs = r.scorePairs?.[o] ?? [];
      (r.verdicts?.[o] ?? []).forEach((verdict, i) => {
        const implied = verdictFromScores(pairs[i] ?? null);
        if (verdict !== null && implied !== null) agree.push(verdict === implied ? 1 : 0);
      });
    }
  }
  return mean(agree);
}

function pointwiseMetrics(items: readonly EvalItem[], opts: MetricsOptions): Metrics {
  const results = items.flatMap((i) => i.results);
  const means = results.map(pointwiseMeans);
  const scored = means.filter((m) => m.chosen !== null && m.rejected !== null);
  return {
    n: results.length,
    items: items.length,
    ...withInterval("accuracy", groupsOf(items, (r) => (pointwiseOutcome(r) === 1 ? 1 : 0)), opts),
    mean_score_chosen: meanOrNull(means.map((m) => m.chosen)),
    mean_score_rejected: meanOrNull(means.map((m) => m.rejected)),
    tie_rate: scored.length === 0
      ? null
      : scored.filter((m) => m.chosen === m.rejected).length / scored.length,
    parse_failures: shareFailed(results),
  };
}

/**
 * The generic metrics of a set of items, each comparison counted once. The mode (one per run)
 * is pointwise when any result carries `scores`.
 *
 * Pairwise modes (an order's decision = majority vote of its samples' non-null
 * verdicts; a score pair's verdict = the higher score, equal → none):
 * - `n`: comparisons; `items`: items;
 * - `accuracy_ab`, `accuracy_ba`: share of comparisons judged in that order decided right
 *   (undecided = wrong);
 * - `accuracy`: per comparison the share of its judged orders decided right, averaged (= the
 *   mean of `accuracy_ab` and `accuracy_ba` when every comparison has both orders);
 * - `consistent_accuracy`: share of comparisons judged in both orders that are right in both;
 * - `agreement`: share of comparisons judged in both orders whose position-adjusted winners
 *   are the same (both undecided counts as agreeing, as in LLMBar);
 * - `parse_failures`: share of samples that could not be parsed;
 * - `accuracy_lo`, `accuracy_hi`, `consistent_accuracy_lo`, `consistent_accuracy_hi`: 95%
 *   percentile bootstrap interval, resampling items (seeded);
 * - with more than one sample per order: `sc_accuracy` (majority vote over all samples of both
 *   orders, position-adjusted, a tied vote = wrong) and `mean_sample_accuracy` (share of
 *   samples right);
 * - with `mode: "pairwise-verdict-scores"` (where the verdicts decide and the scores are kept
 *   beside them): `score_agreement`, the share of samples with a verdict and unequal scores
 *   whose higher score names the verdict.
 *
 * Pointwise (mean score over parsed samples per response):
 * - `n`, `items`, `parse_failures` as above;
 * - `accuracy` (+ `_lo`, `_hi`): share with chosen mean strictly above rejected mean;
 * - `mean_score_chosen`, `mean_score_rejected`: means over comparisons of the mean scores;
 * - `tie_rate`: share of scored comparisons whose two means are equal.
 *
 * @example
 * ```ts
 * import { genericMetrics } from "./metrics.ts";
 * import type { EvalItem } from "../records.ts";
 * import assert from "node:assert/strict";
 * const item: EvalItem = {
 *   benchmark: "pairwise", subset: "all", itemId: "1",
 *   results: [{ key: "0", thoughtLengths: [], verdicts: { AB: ["A"], BA: ["A"] } }],
 * };
 * const m = genericMetrics([item]);
 * assert.equal(m.accuracy, 0.5);
 * assert.equal(m.consistent_accuracy, 0);
 * assert.equal(m.agreement, 0);
 * ```
 */
export function genericMetrics(items: readonly EvalItem[], opts: MetricsOptions = {}): Metrics {
  const pointwise = items.some((i) => i.results.some(isPointwise));
  return pointwise ? pointwiseMetrics(items, opts) : pairwiseMetrics(items, opts);
}

type OfficialScorer = (
  items: readonly EvalItem[],
  opts: { seed?: number },
) => Record<string, number | null>;

/** Official scorers by benchmark (adapter) name; `pairwise` has no official rule. */
const OFFICIAL_SCORERS: Readonly<Record<string, OfficialScorer>> = {
  "judgebench": judgebenchScores,
  "rewardbench": rewardbenchScores,
  "rewardbench2": rewardbench2Scores,
  "rm-bench": rmbenchScores,
  "ppe": ppeScores,
  "llmbar": llmbarScores,
  "pairwise": () => ({}),
};

/**
 * A benchmark's official aggregate, in points (0–100), keys prefixed with the benchmark:
 * `judgebench_score` & `judgebench/<category>` (see `judgebenchScores`); `rewardbench_score`,
 * `rewardbench_chat|chat_hard|safety|reasoning` & `rewardbench/<subset>`
 * (`rewardbenchScores`); `rewardbench2_score` & `rewardbench2/<subset>` (`rewardbench2Scores`);
 * `rmbench_score`, `rmbench_hard|normal|easy` & `rmbench/<domain>[/hard|normal|easy]`
 * (`rmbenchScores`); `llmbar_natural`, `llmbar_adversarial` & `llmbar/<subset>[/agreement]`
 * (`llmbarScores`); `ppe_score`, `ppe_preference`, `ppe_correctness` & `ppe/<subset>`
 * (`ppeScores`); nothing for `pairwise`. `seed` picks the per-item order of RewardBench v1 and
 * PPE. An unknown benchmark is a {@linkcode UserError}.
 */
export function officialScores(
  benchmark: string,
  items: readonly EvalItem[],
  opts: { seed?: number } = {},
): Record<string, number | null> {
  const scorer = OFFICIAL_SCORERS[benchmark];
  if (scorer === undefined) {
    throw new UserError(
      `no official scoring for benchmark "${benchmark}"; known: ${
        Object.keys(OFFICIAL_SCORERS).join(", ")
      }`,
    );
  }
  return scorer(items, { seed: opts.seed ?? 0 });
}

/**
 * The generic metrics overall and per subset, and the official scores of `benchmark`
 * (default: the first item's benchmark; no items → no official scores).
 *
 * @example
 * ```ts
 * import { summarize } from "./metrics.ts";
 * import type { EvalItem } from "../records.ts";
 * import assert from "node:assert/strict";
 * const item = (id: string, v: "A" | "B"): EvalItem => ({
 *   benchmark: "judgebench", subset: "Math", itemId: id,
 *   results: [{ key: "0", thoughtLengths: [], verdicts: { AB: [v], BA: [v === "A" ? "B" : "A"] } }],
 * });
 * const s = summarize([item("1", "A"), item("2", "B")]);
 * assert.equal(s.overall.accuracy, 0.5);
 * assert.equal(s.official.judgebench_score, 50);
 * ```
 */
export function summarize(
  items: readonly EvalItem[],
  opts: MetricsOptions & { benchmark?: string } = {},
): Summary {
  const subsets: Record<string, Metrics> = {};
  const groups = bySubset(items);
  for (const name of [...groups.keys()].sort()) {
    subsets[name] = genericMetrics(groups.get(name)!, opts);
  }
  const benchmark = opts.benchmark ?? items[0]?.benchmark;
  return {
    overall: genericMetrics(items, opts),
    subsets,
    official: benchmark === undefined ? {} : officialScores(benchmark, items, opts),
  };
}
