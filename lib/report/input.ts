/**
 * What a report shows, and the position-bias figures computed from judged items.
 * @module
 */
import type { Summary } from "../bench/metrics.ts";
import { bySubset } from "../bench/decisions.ts";
import { positionRates } from "../bench/position.ts";
import type { ComparisonRow } from "../bench/compare_summaries.ts";
import type { EvalItem } from "../records.ts";

/** Everything a report renders. */
export interface ReportInput {
  title: string;
  benchmark: string;
  model: string;
  mode: string;
  template: string;
  samples: number;
  summary: Summary;
  /** Thought length in characters of every sample. */
  thoughtLengths: number[];
  positionBias: PositionBias[];
  comparison?: { rows: ComparisonRow[]; regressions: string[]; maxDrop: number };
  generatedAt: string;
}

/** Position bias of one subset. */
export interface PositionBias {
  subset: string;
  /** Share of parsed pairwise verdicts that are `A` (0.5 = no position preference). */
  aRate: number | null;
  /** Share of (comparison, sample) judged in both orders where the verdict letter stayed the same, i.e. the pick followed the position. */
  flipRate: number | null;
}

/** Position bias per subset (`positionRates`), pooled over orders and samples; null for pointwise items. */
export function positionBiasBySubset(items: EvalItem[]): PositionBias[] {
  // Plain code-unit order, as `Summary.subsets`.
  return [...bySubset(items)].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map((
    [subset, group],
  ) => ({ subset, ...positionRates(group.flatMap((i) => i.results)) }));
}

/** Percent with one decimal, or a dash. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}`;
}

/** A number with two decimals, or a dash. */
export function num(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : v.toFixed(2);
}
