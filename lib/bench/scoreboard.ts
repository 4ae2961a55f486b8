/**
 * The table of a run with several evaluate stages, like J1's: each stage's headline official
 * score and J1's metric, the five-benchmark J1 average per judge, and a gate that fails on
 * n = 0, on a `null` headline metric and on a drop against a baseline table.
 * @module
 */
import { mean } from "./decisions.ts";
import { J1_BENCHMARKS } from "./j1.ts";
import { topLevelFirst } from "./metrics.ts";

/** One evaluate stage's line of the table. */
export interface ScoreboardRow {
  /** The evaluate stage's id. */
  stage: string;
  /** Its benchmark (adapter name). */
  benchmark: string;
  /** The judge's model name. */
  model: string;
  /** Items judged. */
  n: number;
  /** The top-level official scores (`<benchmark>_<name>`), headline first, in points. */
  official: Record<string, number | null>;
  /** J1's metric (`j1_score`) in points; absent when J1 does not report the benchmark. */
  j1?: number | null;
  /** The summary's notes. */
  notes: string[];
}

/** The five-benchmark J1 average of one judge. */
export interface J1Average {
  /** The judge's model name. */
  model: string;
  /** J1's metric per J1 benchmark present (by benchmark name). */
  scores: Record<string, number | null>;
  /** Mean of the scores present; `null` if one of them is `null` or none is present. */
  average: number | null;
  /** Whether all five J1 benchmarks are present (then `average` is J1's overall). */
  complete: boolean;
}

/** The table. */
export interface Scoreboard {
  /** One row per evaluate stage, in the stages' order. */
  rows: ScoreboardRow[];
  /** Per judge model with any J1 benchmark, J1's average over them. */
  j1: J1Average[];
}

/**
 * A row from an evaluate stage's manifest summary (`n`, `benchmark`, `model`, `official`,
 * `j1`, `notes`); `undefined` when the summary is not an evaluate stage's.
 */
export function scoreboardRow(
  stage: string,
  summary: Record<string, unknown>,
): ScoreboardRow | undefined {
  const { n, benchmark, model, official, j1, notes } = summary;
  if (typeof benchmark !== "string" || typeof n !== "number" || !official) return undefined;
  const j1Score = (j1 as Record<string, number | null> | undefined)?.j1_score;
  return {
    stage,
    benchmark,
    model: typeof model === "string" ? model : "",
    n,
    official: Object.fromEntries(
      topLevelFirst(official as Record<string, number | null>).filter(([k]) => !k.includes("/")),
    ),
    ...(j1Score !== undefined ? { j1: j1Score } : {}),
    notes: Array.isArray(notes) ? notes : [],
  };
}

/**
 * The table of some rows: the rows, and per judge model J1's average over the J1 benchmarks
 * present (PPE, RewardBench, JudgeBench, RM-Bench, FollowBenchEval; J1 v3 reports the mean of
 * all five). A benchmark evaluated twice for one model counts its last stage.
 *
 * @example
 * ```ts
 * import { scoreboard } from "./scoreboard.ts";
 * import assert from "node:assert/strict";
 * const row = (stage: string, benchmark: string, j1: number) =>
 *   ({ stage, benchmark, model: "m", n: 10, official: {}, j1, notes: [] });
 * const board = scoreboard([row("a", "ppe", 60), row("b", "judgebench", 50)]);
 * assert.deepEqual(board.j1, [
 *   { model: "m", scores: { ppe: 60, judgebench: 50 }, average: 55, complete: false },
 * ]);
 * ```
 */
export function scoreboard(rows: readonly ScoreboardRow[]): Scoreboard {
  const models = [...new Set(rows.map((r) => r.model))];
  const j1 = models.flatMap((model) => {
    const scores: Record<string, number | null> = {};
    for (const b of J1_BENCHMARKS) {
      const row = rows.findLast((r) => r.model === model && r.benchmark === b);
      if (row?.j1 !== undefined) scores[b] = row.j1;
    }
    const values = Object.values(scores);
    if (values.length === 0) return [];
    const average = values.includes(null) ? null : mean(values as number[]);
    return [{ model, scores, average, complete: values.length === J1_BENCHMARKS.length }];
  });
  return { rows: [...rows], j1 };
}

/**
 * The gate of a table: problems when a stage judged no item, when a stage's headline official
 * score (its first top-level key) or J1's metric is `null`, and, against a baseline table,
 * when any top-level official score, J1's metric or a J1 average fell by more than `maxDrop`
 * points (rows matched by stage id, averages by model and only over the same benchmarks).
 * Passed = no problem.
 *
 * @example
 * ```ts
 * import { scoreboard, scoreboardGate } from "./scoreboard.ts";
 * import assert from "node:assert/strict";
 * const row = (n: number, score: number | null) =>
 *   ({ stage: "jb", benchmark: "judgebench", model: "m", n, official: { judgebench_score: score }, notes: [] });
 * assert.deepEqual(scoreboardGate(scoreboard([row(5, 70)]), scoreboard([row(5, 72)]), 1).problems, [
 *   "jb: judgebench_score fell 2.00 points (72.00 → 70.00)",
 * ]);
 * assert.equal(scoreboardGate(scoreboard([row(0, null)]), undefined, 1).passed, false);
 * ```
 */
export function scoreboardGate(
  current: Scoreboard,
  baseline: Scoreboard | undefined,
  maxDrop: number,
): { passed: boolean; problems: string[] } {
  const problems: string[] = [];
  const fell = (what: string, key: string, now: number | null, before: number | null) => {
    if (now !== null && before !== null && before - now > maxDrop) {
      problems.push(
        `${what}: ${key} fell ${(before - now).toFixed(2)} points (${before.toFixed(2)} → ${
          now.toFixed(2)
        })`,
      );
    }
  };
  for (const row of current.rows) {
    if (row.n === 0) problems.push(`${row.stage}: n = 0, no item was judged`);
    const headline = Object.entries(row.official)[0];
    if (headline && headline[1] === null) problems.push(`${row.stage}: ${headline[0]} is null`);
    if (row.j1 === null) problems.push(`${row.stage}: j1_score is null`);
    const before = baseline?.rows.find((r) => r.stage === row.stage);
    if (!before) continue;
    for (const [key, value] of Object.entries(row.official)) {
      fell(row.stage, key, value, before.official[key] ?? null);
    }
    if (row.j1 !== undefined) fell(row.stage, "j1_score", row.j1, before.j1 ?? null);
  }
  for (const avg of current.j1) {
    const before = baseline?.j1.find((a) => a.model === avg.model);
    // An average over other benchmarks is another number, not a regression.
    const same = before && Object.keys(before.scores).join() === Object.keys(avg.scores).join();
    if (same) fell(avg.model, "J1 average", avg.average, before.average);
  }
  return { passed: problems.length === 0, problems };
}

/**
 * The table in Markdown: one line per stage (benchmark, judge, n, headline official score,
 * J1's metric), then J1's table per judge (the five benchmarks and their average), then the
 * gate's problems.
 */
export function scoreboardMarkdown(board: Scoreboard, problems: readonly string[]): string {
  const fmt = (v: number | null | undefined) => v === null || v === undefined ? "–" : v.toFixed(1);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  const parts = [
    "## Evaluation",
    [
      line(["stage", "benchmark", "judge", "n", "official (headline)", "points", "J1's metric"]),
      line(Array(7).fill("---")),
      ...board.rows.map((r) => {
        const [key, value] = Object.entries(r.official)[0] ?? ["–", null];
        return line([r.stage, r.benchmark, r.model, String(r.n), key, fmt(value), fmt(r.j1)]);
      }),
    ].join("\n"),
  ];
  if (board.j1.length > 0) {
    parts.push(
      "### J1's metric per benchmark (PPE, RewardBench, RM-Bench: one random order; JudgeBench, FollowBenchEval: right in both orders)",
      [
        line(["judge", ...J1_BENCHMARKS, "average"]),
        line(Array(J1_BENCHMARKS.length + 2).fill("---")),
        ...board.j1.map((a) =>
          line([
            a.model,
            ...J1_BENCHMARKS.map((b) => fmt(a.scores[b])),
            `${fmt(a.average)}${a.complete ? "" : ` (${Object.keys(a.scores).length} of 5)`}`,
          ])
        ),
      ].join("\n"),
    );
  }
  if (problems.length > 0) {
    parts.push("### Gate failed", problems.map((p) => `- ${p}`).join("\n"));
  }
  return parts.join("\n\n") + "\n";
}
