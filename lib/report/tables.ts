/**
 * The tables a report shows, as plain text cells, so the Markdown and HTML renderers format
 * the same content and differ only in markup.
 * @module
 */
import { type Metrics, topLevelFirst } from "../bench/metrics.ts";
import { num, pct, type ReportInput } from "./input.ts";

/** One table: a heading, column headers, and text rows. */
export interface ReportTable {
  /** Section title above the table. */
  heading: string;
  /** Column headers. */
  headers: string[];
  /** Cells, as display text (not escaped). */
  rows: string[][];
  /**
   * Tables that can flag rows (the baseline comparison): the indices of the regressions. The
   * renderers add a mark column for it, each in its own markup.
   */
  flagged?: number[];
}

/** A signed difference in points (`+1.25`, `-3.00`); `null` → `–`. */
function signedPoints(v: number | null): string {
  return v === null ? "–" : `${v > 0 ? "+" : ""}${v.toFixed(2)}`;
}

/**
 * The accuracy cell: rate and its 95% interval; `[n/a]` when there is a rate but no interval
 * (a one-item subset cannot vary under resampling).
 */
function accuracyCell(m: Metrics): string {
  if (m.accuracy == null) return pct(m.accuracy);
  const ci = m.accuracy_lo == null || m.accuracy_hi == null
    ? "n/a"
    : `${pct(m.accuracy_lo)}, ${pct(m.accuracy_hi)}`;
  return `${pct(m.accuracy)} [${ci}]`;
}

/**
 * Columns of the metrics table. `key` is the metric that must exist in some row for the
 * column to be shown: pairwise runs lack the pointwise metrics and vice versa, and
 * `mean_sample_accuracy` exists only with more than one sample.
 */
const METRIC_COLUMNS: { header: string; key: string; cell: (m: Metrics) => string }[] = [
  { header: "n", key: "n", cell: (m) => (m.n == null ? "–" : String(m.n)) },
  { header: "accuracy % [95% CI]", key: "accuracy", cell: accuracyCell },
  { header: "accuracy AB %", key: "accuracy_ab", cell: (m) => pct(m.accuracy_ab) },
  { header: "accuracy BA %", key: "accuracy_ba", cell: (m) => pct(m.accuracy_ba) },
  {
    header: "consistent %",
    key: "consistent_accuracy",
    cell: (m) => pct(m.consistent_accuracy),
  },
  { header: "agreement %", key: "agreement", cell: (m) => pct(m.agreement) },
  { header: "flip rate %", key: "flip_rate", cell: (m) => pct(m.flip_rate) },
  {
    header: "mean score chosen",
    key: "mean_score_chosen",
    cell: (m) => num(m.mean_score_chosen),
  },
  {
    header: "mean score rejected",
    key: "mean_score_rejected",
    cell: (m) => num(m.mean_score_rejected),
  },
  { header: "ties %", key: "tie_rate", cell: (m) => pct(m.tie_rate) },
  { header: "parse failures %", key: "parse_failures", cell: (m) => pct(m.parse_failures) },
  {
    header: "one-sample accuracy %",
    key: "mean_sample_accuracy",
    cell: (m) => pct(m.mean_sample_accuracy),
  },
];

/**
 * The report's tables, in order: the headline (the benchmark's official score and J1's metric,
 * or the accuracy when the benchmark has no official rule), the official scores (top-level
 * first; a placeholder row when the benchmark has none), J1's metric (when the benchmark has
 * one), generic metrics overall and per subset, position bias (when any verdict was parsed),
 * and the baseline comparison (when given, regressions flagged).
 *
 * @example
 * ```ts
 * import { reportTables } from "./tables.ts";
 * import assert from "node:assert/strict";
 * const tables = reportTables({
 *   title: "t", benchmark: "pairwise", model: "m", mode: "pairwise", template: "thinking",
 *   samples: 1, thoughtLengths: [], positionBias: [], generatedAt: "now",
 *   summary: { overall: { n: 2, accuracy: 0.5 }, subsets: {}, official: {} },
 * });
 * assert.deepEqual(tables.map((t) => t.heading), ["Headline", "Official scores", "Overall and per subset"]);
 * assert.deepEqual(tables[0].rows, [["accuracy %", "50.0"]]);
 * assert.deepEqual(tables[2].rows, [["overall", "2", "50.0 [n/a]"]]);
 * ```
 */
export function reportTables(r: ReportInput): ReportTable[] {
  const tables: ReportTable[] = [];
  const official = topLevelFirst(r.summary.official);
  const j1 = topLevelFirst(r.summary.j1 ?? {});
  const headline = [
    ...(official.length > 0 ? [[`${official[0][0]} (official)`, num(official[0][1])]] : []),
    ...(j1.length > 0 ? [["j1_score (J1's metric)", num(j1[0][1])]] : []),
  ];
  tables.push({
    heading: "Headline",
    headers: ["metric", "points"],
    rows: headline.length > 0 ? headline : [["accuracy %", pct(r.summary.overall.accuracy)]],
  });
  tables.push({
    heading: "Official scores",
    headers: ["metric", "points"],
    rows: official.length > 0
      ? official.map(([k, v]) => [k, num(v)])
      : [[`none: ${r.benchmark} has no official rule`, "–"]],
  });
  if (j1.length > 0) {
    tables.push({
      heading: "J1's metric",
      headers: ["metric", "points"],
      rows: j1.map(([k, v]) => [k, num(v)]),
    });
  }
  const metricRows: [string, Metrics][] = [
    ["overall", r.summary.overall],
    ...Object.entries(r.summary.subsets),
  ];
  const columns = METRIC_COLUMNS.filter((c) => metricRows.some(([, m]) => c.key in m));
  tables.push({
    heading: "Overall and per subset",
    headers: ["subset", ...columns.map((c) => c.header)],
    rows: metricRows.map(([name, m]) => [name, ...columns.map((c) => c.cell(m))]),
  });
  if (r.positionBias.some((b) => b.aRate !== null || b.flipRate !== null)) {
    tables.push({
      heading: "Position bias",
      headers: ["subset", "A-preference %", "flip rate %"],
      rows: r.positionBias.map((b) => [b.subset, pct(b.aRate), pct(b.flipRate)]),
    });
  }
  if (r.comparison) {
    const bad = new Set(r.comparison.regressions);
    tables.push({
      heading: `Against the baseline (regression: worse by more than ${
        num(r.comparison.maxDrop)
      } points)`,
      headers: ["metric", "baseline", "current", "delta"],
      rows: r.comparison.rows.map((row) => [
        row.metric,
        num(row.baseline),
        num(row.current),
        signedPoints(row.delta),
      ]),
      flagged: r.comparison.rows.flatMap((row, i) => (bad.has(row.metric) ? [i] : [])),
    });
  }
  return tables;
}

/** The one-line description of the run under the title. */
export function runLine(r: ReportInput): string {
  return `benchmark ${r.benchmark} · judge ${r.model} · mode ${r.mode} · template ${r.template} · ${r.samples} sample${
    r.samples === 1 ? "" : "s"
  } per judgment`;
}
