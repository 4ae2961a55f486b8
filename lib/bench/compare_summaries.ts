/**
 * Comparing a run's summary with a baseline's, to flag regressions.
 * @module
 */
import type { Summary } from "./metrics.ts";

/** Overall rates compared (in [0, 1], shown ×100 as points); the rest are counts or scores. */
const RATES = [
  "accuracy",
  "accuracy_ab",
  "accuracy_ba",
  "consistent_accuracy",
  "agreement",
  "sc_accuracy",
  "mean_sample_accuracy",
  "parse_failures",
  "tie_rate",
];

/** Rates where a rise is the regression. */
const LOWER_IS_BETTER = new Set(["parse_failures", "tie_rate"]);

/** One compared metric, in points; `delta` = current − baseline (`null` if either is missing). */
export interface ComparisonRow {
  /** Metric name: an overall rate (`accuracy`) or an official key (`judgebench_score`). */
  metric: string;
  /** The baseline's value, in points. */
  baseline: number | null;
  /** This run's value, in points. */
  current: number | null;
  /** current − baseline, in points. */
  delta: number | null;
}

/**
 * Compares two summaries metric by metric, in percentage points: the overall rates ×100
 * (`accuracy`, `consistent_accuracy`, `agreement`, … , `parse_failures`), every official
 * score and every key of J1's metric (`j1_score`, `j1/…`; already in points). A metric
 * regresses when it moves the wrong way by more than `maxDrop` points (falls, or rises for
 * `parse_failures` and `tie_rate`), or when the baseline has it and this run does not (`null`:
 * e.g. every request was refused), which no gate may pass.
 *
 * @example
 * ```ts
 * import { compareSummaries } from "./compare_summaries.ts";
 * import assert from "node:assert/strict";
 * const s = (accuracy: number) => ({ overall: { accuracy }, subsets: {}, official: {} });
 * const { regressions } = compareSummaries(s(0.80), s(0.85), 2);
 * assert.deepEqual(regressions, ["accuracy"]);
 * ```
 */
export function compareSummaries(
  current: Summary,
  baseline: Summary,
  maxDrop: number,
): { rows: ComparisonRow[]; regressions: string[] } {
  const points = (v: number | null | undefined, scale: number) =>
    v === null || v === undefined ? null : v * scale;
  const rows: ComparisonRow[] = [];
  const add = (metric: string, b: number | null, c: number | null) => {
    if (b !== null || c !== null) {
      rows.push({
        metric,
        baseline: b,
        current: c,
        delta: b === null || c === null ? null : c - b,
      });
    }
  };
  for (const m of RATES) add(m, points(baseline.overall[m], 100), points(current.overall[m], 100));
  const official = [
    ...new Set([...Object.keys(baseline.official), ...Object.keys(current.official)]),
  ];
  for (const m of official) add(m, points(baseline.official[m], 1), points(current.official[m], 1));
  const j1 = [...new Set([...Object.keys(baseline.j1 ?? {}), ...Object.keys(current.j1 ?? {})])];
  for (const m of j1) add(m, points(baseline.j1?.[m], 1), points(current.j1?.[m], 1));
  const regressions = rows
    .filter((r) =>
      r.delta === null
        ? r.baseline !== null
        : (LOWER_IS_BETTER.has(r.metric) ? r.delta : -r.delta) > maxDrop
    )
    .map((r) => r.metric);
  return { rows, regressions };
}
