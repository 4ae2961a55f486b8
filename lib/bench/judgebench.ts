/**
 * JudgeBench (ScalerLab/JudgeBench): loader for `dataset=judgebench,response_model=<m>.jsonl`
 * and the official two-game score.
 * @module
 */
import type { BenchItem, ComparisonResult, EvalItem, Order } from "../records.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import {
  judgedOrders,
  meanPoints,
  type OfficialOptions,
  orderOutcome,
  ORDERS,
  type Outcome,
  pointwiseMeans,
  verdictOutcome,
} from "./decisions.ts";
import { fieldError, idField, instructionField, stringField } from "./fields.ts";
import { isDataFile, listFiles, readRecords, type SourceRecord } from "./files.ts";

/** The paper's four categories, in its order. */
export const JUDGEBENCH_CATEGORIES = ["Knowledge", "Reasoning", "Math", "Coding"] as const;

/** The category of a `source` (`mmlu-pro-*` → Knowledge, …); `undefined` if unknown. */
export function judgebenchCategory(source: string): string | undefined {
  if (source.startsWith("mmlu-pro")) return "Knowledge";
  return ({
    "livebench-reasoning": "Reasoning",
    "livebench-math": "Math",
    "livecodebench": "Coding",
  } as Record<string, string>)[source];
}

function toItem(rec: SourceRecord): BenchItem {
  const source = stringField(rec, "source");
  const subset = judgebenchCategory(source);
  if (subset === undefined) {
    throw fieldError(
      rec,
      "source",
      "mmlu-pro-*, livebench-reasoning, livebench-math or livecodebench",
    );
  }
  const label = stringField(rec, "label");
  if (label !== "A>B" && label !== "B>A") throw fieldError(rec, "label", '"A>B" or "B>A"');
  const a = stringField(rec, "response_A"), b = stringField(rec, "response_B");
  const row = rec.record;
  return {
    benchmark: "judgebench",
    subset,
    itemId: idField(rec, "pair_id"),
    instruction: instructionField(rec, "question"),
    comparisons: [{
      key: "0",
      chosen: label === "A>B" ? a : b,
      rejected: label === "A>B" ? b : a,
      shown: label === "A>B" ? "AB" : "BA",
    }],
    meta: {
      source,
      label,
      responseModel: row.response_model ?? null,
      originalId: row.original_id ?? null,
    },
  };
}

/**
 * JudgeBench: `pair_id`, `source`, `question`, `response_A`, `response_B`, `label`
 * (`A>B`|`B>A`). Location: one data file, or a folder of them (e.g. `data/`, both response
 * models). Subset = category from `source`; one comparison, key `0`.
 */
export const judgebenchAdapter: BenchAdapter = {
  name: "judgebench",
  description: "JudgeBench pairs (Knowledge, Reasoning, Math, Coding), official two-game score",
  async *load(location) {
    for (const file of await listFiles(location, isDataFile, "JudgeBench .jsonl files")) {
      for await (const rec of readRecords(file)) yield toItem(rec);
    }
  },
};

/** The order JudgeBench shows a pair in (`response_A` first): `AB` for label `A>B`, else `BA`. */
export function judgebenchDatasetOrder(item: EvalItem): Order {
  return item.meta?.label === "B>A" ? "BA" : "AB";
}

/** JudgeBench's reward-model rule in one game: A if score_A > score_B, else B (a tie is B). */
function scoreGame(a: number | null, b: number | null, order: Order): Outcome {
  if (a === null || b === null) return 0;
  return verdictOutcome(a > b ? "A" : "B", order);
}

/**
 * The decision of one game. Pointwise scores (each response scored alone, like JudgeBench's
 * reward models) follow the reward-model rule ({@linkcode scoreGame}), so equal scores pick B
 * in both games: inconsistent, hence not correct. Score pairs (one output scoring both, like
 * JudgeBench's JudgeLM judge) give `A=B` on equal scores: undecided, as {@linkcode orderOutcome}
 * (Mean-Score@k) has it. Verdicts: the order's majority.
 */
function gameOutcome(r: ComparisonResult, order: Order): Outcome | undefined {
  if (!r.scores) return orderOutcome(r, order);
  const { chosen, rejected } = pointwiseMeans(r);
  return order === "AB" ? scoreGame(chosen, rejected, order) : scoreGame(rejected, chosen, order);
}

/**
 * The two-game counter of one pair (`utils/metrics.py`): game 1 shows the pair in dataset
 * order, game 2 swapped (its decision flipped back); each game adds +1 if right, −1 if wrong,
 * 0 if undecided. Pointwise scores play both games. With only the dataset order judged it is
 * the `--single_game` score (±1 or 0); `undefined` when only the swapped order was judged (no
 * JudgeBench protocol judges that alone) or nothing was.
 */
export function judgebenchCounter(item: EvalItem): number | undefined {
  const r = item.results[0];
  if (r === undefined) return undefined;
  const games = r.scores ? ORDERS : judgedOrders(r);
  if (games.length === 1 && games[0] !== judgebenchDatasetOrder(item)) return undefined;
  if (games.length === 0) return undefined;
  return games.reduce((sum, o) => sum + gameOutcome(r, o)!, 0);
}

/** Whether a pair is correct: counter > 0 (so right+tie is correct, right+wrong is not). */
export function judgebenchCorrect(item: EvalItem): boolean {
  return (judgebenchCounter(item) ?? 0) > 0;
}

/**
 * Official JudgeBench scores, in points (0–100):
 * - `judgebench_score`: micro average over all pairs of {@linkcode judgebenchCorrect}.
 * - `judgebench/Knowledge`, `judgebench/Reasoning`, `judgebench/Math`, `judgebench/Coding`:
 *   the same per category (`null` when the category has no items).
 *
 * Both orders judged: the two-game score; the dataset order only: the single-game score (and a
 * note says so); any pair judged only swapped: `judgebench_score: null` and a note.
 *
 * @example
 * ```ts
 * import { judgebenchScores } from "./judgebench.ts";
 * import type { EvalItem, Verdict } from "../records.ts";
 * import assert from "node:assert/strict";
 * const item = (ab: Verdict | null, ba: Verdict | null): EvalItem => ({
 *   benchmark: "judgebench", subset: "Math", itemId: "x",
 *   results: [{ key: "0", thoughtLengths: [], verdicts: { AB: [ab], BA: [ba] } }],
 * });
 * // right + tie (null) → correct; right + wrong → not.
 * assert.equal(judgebenchScores([item("A", null), item("A", "A")]).judgebench_score, 50);
 * ```
 */
export function judgebenchScores(
  items: readonly EvalItem[],
  opts: OfficialOptions = {},
): Record<string, number | null> {
  const unscorable = items.filter((i) => judgebenchCounter(i) === undefined).length;
  if (unscorable > 0) {
    opts.note?.(
      `judgebench_score: null, ${unscorable} pair(s) judged only with the rejected response first or not at all; the official games are the dataset order (response_A first) and, by default, its swap: judge with orders "both" or "dataset"`,
    );
    return { judgebench_score: null };
  }
  if (items.some((i) => !i.results[0].scores && judgedOrders(i.results[0]).length === 1)) {
    opts.note?.("judgebench: single game (--single_game), each pair judged once in dataset order");
  }
  const points = (xs: readonly EvalItem[]) =>
    meanPoints(xs.map((i) => (judgebenchCorrect(i) ? 1 : 0)));
  const out: Record<string, number | null> = { judgebench_score: points(items) };
  for (const c of JUDGEBENCH_CATEGORIES) {
    out[`judgebench/${c}`] = points(items.filter((i) => i.subset === c));
  }
  return out;
}
