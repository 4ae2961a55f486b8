/**
 * From judged samples to decisions, the vocabulary every metric shares. An *outcome* says how
 * a decision went for the chosen response: `1` the chosen won, `-1` the rejected won, `0` no
 * decision (unparseable, a tied vote, equal scores). Outcomes are position-adjusted, so the
 * two orders of one comparison can be compared directly.
 * @module
 */
import type { ComparisonResult, EvalItem, Order, Verdict } from "../records.ts";
import { rankingCredit } from "./ranking.ts";
import { seededOrder } from "./random.ts";

/** How a decision went for the chosen response: won, lost, or no decision. */
export type Outcome = 1 | 0 | -1;

/** Both orders, `AB` first. */
export const ORDERS: readonly Order[] = ["AB", "BA"];

/** The right verdict in an order: where the chosen response is shown. */
export function rightVerdict(order: Order): Verdict {
  return order === "AB" ? "A" : "B";
}

/** The verdict a `[scoreA, scoreB]` pair implies: the higher one; equal or missing → `null`. */
export function verdictFromScores(pair: [number, number] | null): Verdict | null {
  if (pair === null || pair[0] === pair[1]) return null;
  return pair[0] > pair[1] ? "A" : "B";
}

/**
 * The per-sample verdicts of one order: `verdicts` when present, else derived from
 * `scorePairs`; `undefined` when the order was not judged.
 */
export function sampleVerdicts(r: ComparisonResult, order: Order): (Verdict | null)[] | undefined {
  const verdicts = r.verdicts?.[order];
  if (verdicts && verdicts.length > 0) return verdicts;
  const pairs = r.scorePairs?.[order];
  if (pairs && pairs.length > 0) return pairs.map(verdictFromScores);
  return undefined;
}

/** The outcome of one verdict in an order. */
export function verdictOutcome(verdict: Verdict | null, order: Order): Outcome {
  if (verdict === null) return 0;
  return verdict === rightVerdict(order) ? 1 : -1;
}

/** The outcome of every sample of one order (`undefined` when not judged). */
export function sampleOutcomes(r: ComparisonResult, order: Order): Outcome[] | undefined {
  return sampleVerdicts(r, order)?.map((v) => verdictOutcome(v, order));
}

/** Majority vote over outcomes, nulls ignored: more wins than losses → 1, fewer → -1, else 0. */
export function majority(outcomes: readonly Outcome[]): Outcome {
  return Math.sign(outcomes.reduce<number>((a, b) => a + b, 0)) as Outcome;
}

/**
 * Mean-Score@k of one order's score pairs: the mean A score and the mean B score over the
 * parsed samples; `null` when none parsed.
 */
export function meanScorePair(
  pairs: readonly ([number, number] | null)[],
): [number, number] | null {
  const parsed = pairs.filter((p) => p !== null);
  if (parsed.length === 0) return null;
  return [mean(parsed.map((p) => p[0]))!, mean(parsed.map((p) => p[1]))!];
}

/**
 * The decision of one order; `undefined` when the order was not judged. Score pairs
 * (pairwise-scores) use Mean-Score@k, as J1 does for score-based judges: the k scores of each
 * position are averaged, then compared (equal means or nothing parsed → 0). Verdicts use
 * SC@k: a majority vote over the samples' non-null verdicts (a tied vote or all null → 0).
 * With one sample both are the sample's own decision.
 *
 * @example
 * ```ts
 * import { orderOutcome } from "./decisions.ts";
 * import type { ComparisonResult } from "../records.ts";
 * import assert from "node:assert/strict";
 * const r: ComparisonResult = {
 *   key: "0",
 *   thoughtLengths: [],
 *   verdicts: { AB: ["A", null, "A"], BA: ["A", "B"] },
 * };
 * assert.equal(orderOutcome(r, "AB"), 1);
 * assert.equal(orderOutcome(r, "BA"), 0);
 * // Mean-Score@2: A averages 6, B averages 5.5, though the samples' verdicts split.
 * const s: ComparisonResult = { key: "0", thoughtLengths: [], scorePairs: { AB: [[9, 1], [3, 10]] } };
 * assert.equal(orderOutcome(s, "AB"), 1);
 * ```
 */
export function orderOutcome(r: ComparisonResult, order: Order): Outcome | undefined {
  const pairs = r.scorePairs?.[order];
  if (pairs && pairs.length > 0) {
    return verdictOutcome(verdictFromScores(meanScorePair(pairs)), order);
  }
  const outcomes = sampleOutcomes(r, order);
  return outcomes === undefined ? undefined : majority(outcomes);
}

/** The orders a pairwise comparison was judged in (empty for pointwise results). */
export function judgedOrders(r: ComparisonResult): Order[] {
  return ORDERS.filter((o) => sampleVerdicts(r, o) !== undefined);
}

/** Whether a result holds pointwise scores rather than pairwise judgments. */
export function isPointwise(r: ComparisonResult): boolean {
  return r.scores !== undefined;
}

/** Mean of the non-null numbers, `null` when there are none. */
export function meanOrNull(values: readonly (number | null)[]): number | null {
  return mean(values.filter((v): v is number => v !== null));
}

/** Pointwise: the mean score of each response over its parsed samples. */
export function pointwiseMeans(r: ComparisonResult): {
  chosen: number | null;
  rejected: number | null;
} {
  return {
    chosen: meanOrNull(r.scores?.chosen ?? []),
    rejected: meanOrNull(r.scores?.rejected ?? []),
  };
}

/** Pointwise outcome: compare the mean scores; equal, or either response unscored → 0. */
export function pointwiseOutcome(r: ComparisonResult): Outcome {
  const { chosen, rejected } = pointwiseMeans(r);
  if (chosen === null || rejected === null || chosen === rejected) return 0;
  return chosen > rejected ? 1 : -1;
}

/**
 * How right a comparison is, in [0, 1]: pairwise, the share of judged orders whose decision
 * is right (no decision = wrong); pointwise, 1 iff the chosen mean score is strictly higher; a
 * four-way ranking, 1 iff its plurality pick is the chosen answer.
 */
export function correctness(r: ComparisonResult): number {
  if (isPointwise(r)) return pointwiseOutcome(r) === 1 ? 1 : 0;
  if (r.ranking) return rankingCredit(r.ranking) === 1 ? 1 : 0;
  const orders = judgedOrders(r);
  if (orders.length === 0) return 0;
  return orders.filter((o) => orderOutcome(r, o) === 1).length / orders.length;
}

/**
 * Whether the two orders agree on the winner, position-adjusted (both undecided counts as
 * agreeing, as LLMBar counts two `null` winners); `undefined` unless both orders were judged.
 */
export function ordersAgree(r: ComparisonResult): boolean | undefined {
  const ab = orderOutcome(r, "AB"), ba = orderOutcome(r, "BA");
  return ab === undefined || ba === undefined ? undefined : ab === ba;
}

/** Unparseable samples and all samples of a result (a `null` verdict, score pair or score). */
export function parseFailures(r: ComparisonResult): { failed: number; total: number } {
  const samples: unknown[] = isPointwise(r)
    ? [...r.scores!.chosen, ...r.scores!.rejected]
    : r.ranking
    ? r.ranking.picks
    : ORDERS.flatMap((o): unknown[] =>
      r.verdicts?.[o]?.length ? r.verdicts[o]! : (r.scorePairs?.[o] ?? [])
    );
  return { failed: samples.filter((s) => s === null).length, total: samples.length };
}

/** Mean of numbers (`null` for none). */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean of numbers in [0, 1] as points (×100), `null` for none: official scores are in points. */
export function meanPoints(values: readonly number[]): number | null {
  const m = mean(values);
  return m === null ? null : 100 * m;
}

/**
 * The id a comparison's random order is drawn from: the item id for an item's only comparison
 * (key `0`), else `<itemId>/<key>`, so each comparison of a multi-comparison item (PPE
 * correctness, RM-Bench) gets its own coin.
 */
export function comparisonId(itemId: string, key: string): string {
  return key === "0" ? itemId : `${itemId}/${key}`;
}

/**
 * The outcome of a comparison in its random order ({@linkcode seededOrder} of
 * {@linkcode comparisonId}), for rules that score one random order (RewardBench v1, PPE, J1's
 * metric); `undefined` when that order was not judged (e.g. `orders: "ab"`): the caller must
 * not pass another order off as the random one.
 */
export function randomOrderOutcome(
  itemId: string,
  r: ComparisonResult,
  seed: number,
): Outcome | undefined {
  return orderOutcome(r, seededOrder(comparisonId(itemId, r.key), seed));
}

/** Groups items by subset, keeping first-seen order. */
export function bySubset<T extends { subset: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.subset);
    if (group) group.push(item);
    else groups.set(item.subset, [item]);
  }
  return groups;
}

/** Options of the official scorers. */
export interface OfficialOptions {
  /** Seed of the per-comparison random order (RewardBench v1, PPE, J1's metric); default 0. */
  seed?: number;
  /**
   * RewardBench v1 pointwise rule: `ratings` (default; the authors' generative ratings path,
   * `run_generative.py --score_w_ratings`: equal or failed ratings are an "error" worth 0.5) or
   * `classifier` (`run_rm.py`, for sequence classifiers: 1 iff chosen > rejected, else 0).
   */
  rewardbenchPointwise?: "ratings" | "classifier";
  /** Receives a sentence whenever a score follows a variant rule or cannot be computed. */
  note?: (text: string) => void;
}

/**
 * How many pairwise comparisons of `items` were not judged in their random order (so a
 * one-random-order rule cannot score them without passing another order off as random).
 */
export function randomOrderMissing(items: readonly EvalItem[], seed: number): number {
  return items.reduce(
    (n, i) =>
      n +
      i.results.filter((r) =>
        !isPointwise(r) && randomOrderOutcome(i.itemId, r, seed) === undefined
      )
        .length,
    0,
  );
}

/** The note of a one-random-order score that refuses to use another order. */
export function randomOrderNote(metric: string, missing: number): string {
  return `${metric}: null, ${missing} comparison(s) not judged in their seeded random order; ` +
    `the rule scores one random order per comparison: judge with orders "both" or "random", ` +
    `not "ab"`;
}
