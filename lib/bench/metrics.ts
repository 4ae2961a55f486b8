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
  mean,
  meanOrNull,
  type OfficialOptions,
  orderOutcome,
  ORDERS,
  ordersAgree,
  parseFailures,
  pointwiseMeans,
  pointwiseOutcome,
  sampleOutcomes,
  verdictFromScores,
} from "./decisions.ts";
import { followbenchevalScores } from "./followbencheval.ts";
import { j1Scores } from "./j1.ts";
import { judgebenchScores } from "./judgebench.ts";
import { positionRates } from "./position.ts";
import { llmbarScores } from "./llmbar.ts";
import { ppeScores } from "./ppe.ts";
import { rewardbenchScores } from "./rewardbench.ts";
import { rewardbench2Scores } from "./rewardbench2.ts";
import { rmbenchScores } from "./rmbench.ts";

/** Metric name → value (`null` when it cannot be computed, e.g. no item judged in both orders). */
export type Metrics = Record<string, number | null>;

/** Options of the metrics functions. */
export interface MetricsOptions {
  /** Seed of the bootstrap and of per-comparison random orders (default 0). */
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
  /** {@linkcode officialScores} of the items' benchmark, headline first. */
  official: Record<string, number | null>;
  /**
   * J1's own metric of the benchmark (`j1Scores`): `j1_score` and its parts; `{}` if none.
   * Always written by {@linkcode summarize}; absent in summaries of earlier versions.
   */
  j1?: Record<string, number | null>;
  /** Which variant rule a score follows, or why a score is `null`, one sentence each. */
  notes?: string[];
  /**
   * Thought lengths over every sample: in characters, and in tokens when the judgments were
   * counted with a tokenizer.
   */
  lengths?: { thought_chars: LengthStats | null; thought_tokens?: LengthStats | null };
}

/** Mean and nearest-rank percentiles of a set of lengths. */
export interface LengthStats {
  /** Mean. */
  mean: number;
  /** Median (nearest rank). */
  p50: number;
  /** 90th percentile (nearest rank). */
  p90: number;
}

/** {@linkcode LengthStats} of `values`, or `null` when there are none. */
export function lengthStats(values: readonly number[]): LengthStats | null {
  if (!values.length) return null;
  const sorted = values.toSorted((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean, p50: rank(0.5), p90: rank(0.9) };
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
  // One item cannot vary under resampling: its "interval" would be a point, so none is given.
  const ci = groups.filter((g) => g.count > 0).length < 2
    ? null
    : bootstrapMeanCI(groups, { seed: opts.seed, resamples: opts.resamples });
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
  const position = positionRates(results);
  const pairs = results.flatMap((r) => ORDERS.flatMap((o) => r.scorePairs?.[o] ?? []))
    .filter((p) => p !== null);
  const metrics: Metrics = {
    n: results.length,
    items: items.length,
    accuracy_ab: orderAccuracy("AB"),
    accuracy_ba: orderAccuracy("BA"),
    ...withInterval("accuracy", groupsOf(items, correctness), opts),
    ...withInterval("consistent_accuracy", groupsOf(items, bothCorrect), opts),
    agreement: mean(agreements.map((a) => (a ? 1 : 0))),
    a_rate: position.aRate,
    flip_rate: position.flipRate,
    parse_failures: shareFailed(results),
  };
  if (pairs.length > 0) metrics.tie_rate = pairs.filter((p) => p[0] === p[1]).length / pairs.length;
  const perOrder = results.flatMap((r) => ORDERS.map((o) => sampleOutcomes(r, o) ?? []));
  if (perOrder.some((s) => s.length > 1)) {
    metrics.mean_sample_accuracy = mean(perOrder.flat().map((x) => (x === 1 ? 1 : 0)));
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
      const pairs = r.latentScorePairs?.[o] ?? [];
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
 * Pairwise modes. An order's decision is SC@k for verdicts (majority vote of its samples'
 * non-null verdicts, a tied vote = none) and Mean-Score@k for score pairs (the mean scores
 * compared, equal = none), per order as J1 reports them; with one sample, the sample's.
 * - `n`: comparisons; `items`: items;
 * - `accuracy_ab`, `accuracy_ba`: share of comparisons judged in that order decided right
 *   (undecided = wrong);
 * - `accuracy`: per comparison the share of its judged orders decided right, averaged (= the
 *   mean of `accuracy_ab` and `accuracy_ba` when every comparison has both orders);
 * - `consistent_accuracy`: share of comparisons judged in both orders that are right in both;
 * - `agreement`: share of comparisons judged in both orders whose position-adjusted winners
 *   are the same (both undecided counts as agreeing, as in LLMBar);
 * - `a_rate`: share of parsed verdicts naming A; `flip_rate`: share of samples judged in both
 *   orders whose verdict letter stayed the same, i.e. the pick flipped with the positions
 *   (`positionRates`);
 * - `tie_rate` (pairwise-scores): share of parsed score pairs with equal scores;
 * - `parse_failures`: share of samples that could not be parsed;
 * - `accuracy_lo`, `accuracy_hi`, `consistent_accuracy_lo`, `consistent_accuracy_hi`: 95%
 *   percentile bootstrap interval, resampling items (seeded); `null` with fewer than two items;
 * - with more than one sample per order: `mean_sample_accuracy`, the share of single samples
 *   right (the expected one-sample accuracy, to set against the k-sample `accuracy`);
 * - with `mode: "pairwise-verdict-scores"` (where the verdicts decide and the scores are kept
 *   beside them): `score_agreement`, the share of samples with a verdict and unequal scores
 *   whose higher score names the verdict.
 *
 * Pointwise (Mean-Score@k: each response's mean score over its parsed samples):
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
 * assert.equal(m.flip_rate, 1);
 * ```
 */
export function genericMetrics(items: readonly EvalItem[], opts: MetricsOptions = {}): Metrics {
  const pointwise = items.some((i) => i.results.some(isPointwise));
  return pointwise ? pointwiseMetrics(items, opts) : pairwiseMetrics(items, opts);
}

type OfficialScorer = (
  items: readonly EvalItem[],
  opts: OfficialOptions,
) => Record<string, number | null>;

/** Official scorers by benchmark (adapter) name; `pairwise` has no official rule. */
const OFFICIAL_SCORERS: Readonly<Record<string, OfficialScorer>> = {
  "judgebench": judgebenchScores,
  "rewardbench": rewardbenchScores,
  "rewardbench2": rewardbench2Scores,
  "rm-bench": (items) => rmbenchScores(items),
  "ppe": ppeScores,
  "llmbar": llmbarScores,
  "followbencheval": followbenchevalScores,
  "pairwise": () => ({}),
};

/**
 * A benchmark's official aggregate, in points (0–100), headline first, keys prefixed with the
 * benchmark: `judgebench_score` & `judgebench/<category>` (see `judgebenchScores`);
 * `rewardbench_score`, `rewardbench_chat|chat_hard|safety|reasoning` & `rewardbench/<subset>`
 * (`rewardbenchScores`); `rewardbench2_score` & `rewardbench2/<subset>` (`rewardbench2Scores`);
 * `rmbench_score`, `rmbench_hard|normal|easy` & `rmbench/<domain>[/hard|normal|easy]`
 * (`rmbenchScores`); `llmbar_natural`, `llmbar_adversarial` & `llmbar/<subset>[/agreement]`
 * (`llmbarScores`); `ppe_score`, `ppe_preference`, `ppe_correctness` & `ppe/<subset>`
 * (`ppeScores`); `followbencheval_score` & `followbencheval/<subset>`
 * (`followbenchevalScores`); nothing for `pairwise`. `opts` (`OfficialOptions`): the seed of
 * the random orders, the RewardBench v1 pointwise rule, and a `note` callback told when a score
 * follows a variant rule or is `null` for want of the orders its rule needs. An unknown
 * benchmark is a {@linkcode UserError}.
 */
export function officialScores(
  benchmark: string,
  items: readonly EvalItem[],
  opts: OfficialOptions = {},
): Record<string, number | null> {
  const scorer = OFFICIAL_SCORERS[benchmark];
  if (scorer === undefined) {
    throw new UserError(
      `no official scoring for benchmark "${benchmark}"; known: ${
        Object.keys(OFFICIAL_SCORERS).join(", ")
      }`,
    );
  }
  return scorer(items, { ...opts, seed: opts.seed ?? 0 });
}

/**
 * The generic metrics overall and per subset, the official scores and J1's metric of
 * `benchmark` (default: the first item's benchmark; no items → none), and the notes the
 * scorers gave.
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
 * assert.equal(s.j1?.j1_score, 50);
 * ```
 */
export function summarize(
  items: readonly EvalItem[],
  opts: MetricsOptions & Omit<OfficialOptions, "note"> & { benchmark?: string } = {},
): Summary {
  const subsets: Record<string, Metrics> = {};
  const groups = bySubset(items);
  for (const name of [...groups.keys()].sort()) {
    subsets[name] = genericMetrics(groups.get(name)!, opts);
  }
  const benchmark = opts.benchmark ?? items[0]?.benchmark;
  const notes: string[] = [];
  const rules = { ...opts, note: (text: string) => notes.push(text) };
  return {
    overall: genericMetrics(items, opts),
    subsets,
    official: benchmark === undefined ? {} : officialScores(benchmark, items, rules),
    j1: benchmark === undefined ? {} : j1Scores(benchmark, items, rules),
    notes,
    lengths: {
      thought_chars: lengthStats(items.flatMap((i) => i.results.flatMap((r) => r.thoughtLengths))),
      ...(items.some((i) => i.results.some((r) => r.thoughtTokens)) && {
        thought_tokens: lengthStats(
          items.flatMap((i) => i.results.flatMap((r) => r.thoughtTokens ?? [])),
        ),
      }),
    },
  };
}

/**
 * Scores with the top-level keys (`<benchmark>_<name>`, no `/`) first, order otherwise kept:
 * the first entry of official scores is the benchmark's headline.
 *
 * @example
 * ```ts
 * import { topLevelFirst } from "./metrics.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(topLevelFirst({ "llmbar/x": 1, llmbar_natural: 2 }), [["llmbar_natural", 2], ["llmbar/x", 1]]);
 * ```
 */
export function topLevelFirst(scores: Record<string, number | null>): [string, number | null][] {
  const entries = Object.entries(scores);
  return [
    ...entries.filter(([k]) => !k.includes("/")),
    ...entries.filter(([k]) => k.includes("/")),
  ];
}
