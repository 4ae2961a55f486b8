/**
 * Judges side by side: each evaluated benchmark's official score and J1 metrics from the
 * judges' own `summary.json` (one row per judge, the paper's table shape), every metric against
 * the first judge (`compareSummaries`), the items one judge gets right and the other wrong,
 * and a paired bootstrap interval of the accuracy difference on the items both judged.
 * @module
 */
import { bootstrapMeanCI, type Group } from "../bench/bootstrap.ts";
import { compareSummaries, type ComparisonRow } from "../bench/compare_summaries.ts";
import { correctness } from "../bench/decisions.ts";
import type { Summary } from "../bench/metrics.ts";
import type { EvalItem } from "../records.ts";

/** One judge's evaluation of one benchmark: an evaluate stage of a run. */
export interface JudgeEvaluation {
  /** Row label of the judge (the run's name, or `run/stage` to tell two stages apart). */
  judge: string;
  /** Run name and stage id, for links. */
  run: string;
  /** See `run`. */
  stage: string;
  /** Benchmark adapter name (the items'). */
  benchmark: string;
  /** The stage's `summary.json`, as written. */
  summary: Summary;
  /** The judged items, in file order (an item's position is its line). */
  items: readonly EvalItem[];
}

/** A judge's value of one column of the headline table, in points (`null`: not reported). */
export interface HeadlineCell {
  /** `benchmark` and the metric's key. */
  column: string;
  value: number | null;
}

/** One item whose correctness differs between two judges. */
export interface ItemDiff {
  itemId: string;
  subset: string;
  /** Mean correctness over the item's comparisons, first judge and other judge. */
  before: number;
  /** See `before`. */
  after: number;
  /** The item's line in each judge's records. */
  lines: [number, number];
}

/** The first judge against another on one benchmark. */
export interface PairComparison {
  benchmark: string;
  /** The first judge. */
  baseline: JudgeEvaluation;
  /** The judge compared with it. */
  other: JudgeEvaluation;
  /** Every metric of the two summaries, in points (other − baseline). */
  rows: ComparisonRow[];
  /** Items judged by both. */
  sharedItems: number;
  /** Comparisons judged by both. */
  sharedComparisons: number;
  /** Accuracy difference (other − baseline) on the shared comparisons, in points. */
  difference: number | null;
  /** Its 95% paired bootstrap interval (items resampled, seeded), in points. */
  interval: [number, number] | null;
  /** Items the other judge gets more right. */
  fixed: ItemDiff[];
  /** Items the other judge gets less right. */
  broken: ItemDiff[];
}

/** The headline table and the pairwise comparisons. */
export interface JudgeComparison {
  /** Column names in order: per benchmark, official headline scores, then J1 metrics. */
  columns: string[];
  /** One row per judge. */
  rows: { judge: string; cells: (number | null)[] }[];
  pairs: PairComparison[];
}

/** The overall rates a headline table shows after the official scores (×100). */
const HEADLINE_RATES = ["accuracy", "consistent_accuracy"];

/**
 * The headline columns of a summary, in points: official keys without a `/` (the benchmark's
 * own aggregate scores, not per subset), numbers of a `j1` block when the summary has one,
 * then the overall accuracy and consistent accuracy.
 */
export function headline(benchmark: string, summary: Summary): HeadlineCell[] {
  const cells: HeadlineCell[] = [];
  const official = Object.entries(summary.official ?? {}).filter(([key]) => !key.includes("/"));
  // The benchmark's headline score (`<name>_score`) first, as the paper's table shows it.
  official.sort(([a], [b]) => Number(b.endsWith("_score")) - Number(a.endsWith("_score")));
  for (const [column, value] of official) cells.push({ column, value });
  const j1 = (summary as unknown as { j1?: Record<string, unknown> }).j1;
  if (j1 && typeof j1 === "object") {
    for (const [key, value] of Object.entries(j1)) {
      if (typeof value === "number" || value === null) {
        cells.push({ column: `${benchmark} j1 ${key}`, value });
      }
    }
  }
  for (const key of HEADLINE_RATES) {
    const v = summary.overall[key];
    if (v !== undefined) {
      cells.push({ column: `${benchmark} ${key}`, value: v === null ? null : 100 * v });
    }
  }
  return cells;
}

/**
 * Compares judges. Rows are judges in the order given; each benchmark's first judge is the
 * baseline of that benchmark's pairwise comparisons.
 */
export function compareJudges(evaluations: readonly JudgeEvaluation[]): JudgeComparison {
  const columns: string[] = [];
  const byJudge = new Map<string, Map<string, number | null>>();
  for (const e of evaluations) {
    const cells = byJudge.get(e.judge) ?? new Map();
    byJudge.set(e.judge, cells);
    for (const { column, value } of headline(e.benchmark, e.summary)) {
      if (!columns.includes(column)) columns.push(column);
      cells.set(column, value);
    }
  }
  const rows = [...byJudge].map(([judge, cells]) => ({
    judge,
    cells: columns.map((c) => cells.get(c) ?? null),
  }));
  const pairs: PairComparison[] = [];
  const benchmarks = [...new Set(evaluations.map((e) => e.benchmark))];
  for (const benchmark of benchmarks) {
    const [baseline, ...others] = evaluations.filter((e) => e.benchmark === benchmark);
    for (const other of others) pairs.push(comparePair(benchmark, baseline, other));
  }
  return { columns, rows, pairs };
}

function comparePair(
  benchmark: string,
  baseline: JudgeEvaluation,
  other: JudgeEvaluation,
): PairComparison {
  const { rows } = compareSummaries(other.summary, baseline.summary, Infinity);
  const before = new Map(baseline.items.map((item, line) => [item.itemId, { item, line }]));
  const groups: Group[] = [];
  const fixed: ItemDiff[] = [], broken: ItemDiff[] = [];
  let sharedComparisons = 0;
  other.items.forEach((item, line) => {
    const was = before.get(item.itemId);
    if (!was) return;
    const old = new Map(was.item.results.map((r) => [r.key, correctness(r)]));
    let sum = 0, count = 0, a = 0, b = 0;
    for (const r of item.results) {
      const o = old.get(r.key);
      if (o === undefined) continue;
      const n = correctness(r);
      sum += n - o;
      a += o;
      b += n;
      count++;
    }
    if (count === 0) return;
    sharedComparisons += count;
    groups.push({ sum, count });
    const diff: ItemDiff = {
      itemId: item.itemId,
      subset: item.subset,
      before: a / count,
      after: b / count,
      lines: [was.line, line],
    };
    if (diff.after > diff.before) fixed.push(diff);
    else if (diff.after < diff.before) broken.push(diff);
  });
  const total = groups.reduce((s, g) => s + g.sum, 0);
  const ci = bootstrapMeanCI(groups);
  return {
    benchmark,
    baseline,
    other,
    rows,
    sharedItems: groups.length,
    sharedComparisons,
    difference: sharedComparisons ? (100 * total) / sharedComparisons : null,
    interval: ci ? [100 * ci[0], 100 * ci[1]] : null,
    fixed,
    broken,
  };
}
