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
  /** The page's heading. */
  title: string;
  /** The benchmark's adapter name, e.g. `judgebench`. */
  benchmark: string;
  /** The judge's model name. */
  model: string;
  /** The judge's output format (`Mode`). */
  mode: string;
  /** The judge prompt's template name. */
  template: string;
  /** Samples drawn per comparison and order. */
  samples: number;
  /** The benchmark's metrics, overall and per subset. */
  summary: Summary;
  /** Thought length in characters of every sample. */
  thoughtLengths: number[];
  /** A-preference and flip rates per subset. */
  positionBias: PositionBias[];
  /** Metric-by-metric deltas against a baseline run, and which exceed `maxDrop` points. */
  comparison?: { rows: ComparisonRow[]; regressions: string[]; maxDrop: number };
  /** When the report was written (ISO 8601), shown in the footer. */
  generatedAt: string;
}

/** Position bias of one subset. */
export interface PositionBias {
  /** The benchmark's subset name. */
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
