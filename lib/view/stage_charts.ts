/**
 * The charts of a stage page, as SVG figures drawn by the report's chart code. Headline numbers
 * (zero-variance share, parse failures, accuracy and its interval) are read from the manifest
 * and `summary.json`; distributions come from the per-record columns.
 * @module
 */
import type { Summary } from "../bench/metrics.ts";
import type { RolloutStatsSummary } from "../judge/stats.ts";
import type { EvalItem } from "../records.ts";
import { barChart, histogram } from "../report/charts.ts";
import { figure, reportCharts } from "../report/html.ts";
import { positionBiasBySubset } from "../report/input.ts";
import type { Columns } from "./columns.ts";

/** The values of a number column that are set, optionally only where a category has `value`. */
function valuesOf(
  columns: Columns,
  name: string,
  where?: { category: string; value: string },
): number[] {
  const column = columns.numbers[name];
  const category = where ? columns.categories[where.category] : undefined;
  const code = category?.values.indexOf(where!.value) ?? -1;
  const out: number[] = [];
  for (let i = 0; i < columns.count; i++) {
    if (Number.isNaN(column[i])) continue;
    if (category && category.codes[i] !== code) continue;
    out.push(column[i]);
  }
  return out;
}

/** The rates of the rollout health chart: legend, colour, key of `summary.stats`. */
type HealthRate = "zeroVarianceGroupShare" | "parseFailureRate" | "flipRate" | "aPreferenceRate";
const HEALTH_SERIES: [string, string, HealthRate][] = [
  ["zero-variance", "#4e79a7", "zeroVarianceGroupShare"],
  ["parse failures", "#e15759", "parseFailureRate"],
  ["flips", "#f28e2b", "flipRate"],
  ["A verdicts", "#76b7b2", "aPreferenceRate"],
];

/**
 * The rollout stage's charts: the zero-variance group share and parse failure rate overall and
 * per mode (from the manifest's `summary.stats`), then the distributions of reward, advantage,
 * thought length and, for pointwise, the scores of chosen and rejected responses.
 */
export function rolloutCharts(stats: RolloutStatsSummary | undefined, columns: Columns): string[] {
  const out: string[] = [];
  if (stats) {
    const scopes = [["all", stats] as const, ...Object.entries(stats.byMode ?? {})];
    out.push(figure(
      "Zero-variance groups, parse failures, position bias",
      barChart({
        title: "Zero-variance group share",
        labels: scopes.map(([name]) => name),
        series: HEALTH_SERIES.map(([name, color, key]) => ({
          name,
          color,
          values: scopes.map(([, s]) => s![key]),
        })),
      }),
      "From the manifest's summary.stats. A group is one judge task's G samples; when every sample got the same reward its GRPO advantage is 0 and it teaches nothing. Flips: samples judged in both orders that named the same letter; a judge without position bias names A in 50% of its verdicts.",
    ));
  }
  const hist = (caption: string, values: number[], unit: string, note: string) =>
    out.push(figure(caption, histogram({ title: caption, values, bins: 20, unit }), note));
  hist("Reward", valuesOf(columns, "reward"), "reward", "Weighted reward of every rollout.");
  hist(
    "Advantage",
    valuesOf(columns, "advantage"),
    "advantage",
    "GRPO advantage of every rollout (0 for every sample of a zero-variance group).",
  );
  hist(
    "Thought length",
    valuesOf(columns, "thought length"),
    "characters",
    "Characters of each rollout's thought.",
  );
  const tokens = valuesOf(columns, "completion tokens");
  if (tokens.length > 0) {
    hist(
      "Completion tokens per sample",
      tokens,
      "tokens",
      "The server's token count of each judgment (thought and answer; a request of n samples split evenly).",
    );
  }
  for (const target of ["chosen", "rejected"]) {
    const scores = valuesOf(columns, "score", { category: "order", value: target });
    if (scores.length === 0) continue;
    hist(
      `Pointwise scores of ${target} responses`,
      scores,
      "score",
      `Scores the judge gave the ${target} response (parsed samples).`,
    );
  }
  return out;
}

/**
 * The evaluate stage's charts: the HTML report's three (accuracy per subset with its interval
 * from `summary.json`, position bias, thought length), then for pointwise runs the scores of
 * chosen and rejected responses.
 */
export function evaluateCharts(summary: Summary, items: readonly EvalItem[]): string[] {
  const out = reportCharts({
    summary,
    positionBias: positionBiasBySubset([...items]),
    thoughtLengths: items.flatMap((i) => i.results.flatMap((r) => r.thoughtLengths)),
  });
  for (const target of ["chosen", "rejected"] as const) {
    const scores = items.flatMap((i) =>
      i.results.flatMap((r) => (r.scores?.[target] ?? []).filter((s) => s !== null))
    );
    if (scores.length === 0) continue;
    const caption = `Pointwise scores of ${target} responses`;
    out.push(figure(
      caption,
      histogram({ title: caption, values: scores, bins: 20, unit: "score" }),
      `Every parsed score of a ${target} response, all samples.`,
    ));
  }
  return out;
}
