/**
 * PPE, Preference Proxy Evaluations (lmarena/PPE): loader for the human-preference pairs and
 * the best-of-K correctness sets, and the pairwise accuracy others report ("PPE Preference",
 * "PPE Correctness"). The PPE repository could not be read here; the row layouts, the sampled
 * conflict pairs and J1's aggregation were checked against the datasets' rows and J1's counts
 * (10.2K preference pairs after dropping ties, 12.7K correctness pairs over 2,555 rows).
 * @module
 */
import { basename } from "node:path";
import type { BenchItem, Comparison, ComparisonResult, EvalItem } from "../records.ts";
import type { BenchAdapter, LoadOptions } from "./bench_adapter.ts";
import {
  bySubset,
  mean,
  meanPoints,
  type OfficialOptions,
  pointwiseOutcome,
  randomOrderMissing,
  randomOrderNote,
  randomOrderOutcome,
} from "./decisions.ts";
import { fieldError, hasField, idField, instructionField, stringField } from "./fields.ts";
import {
  formatRecordLocation,
  isDataFile,
  listFiles,
  readRecords,
  recordError,
  recordPosition,
  type SourceRecord,
} from "./files.ts";

/** The subset of the human-preference pairs. */
export const PPE_PREFERENCE = "preference";

/**
 * The correctness source of a file: the row's `source`, else `<x>` of a `PPE-<x>-Best-of-K`
 * folder in the path (lower case, e.g. `math`), else the file name without extension.
 */
export function ppeSource(rec: SourceRecord): string {
  const field = rec.record.source;
  if (typeof field === "string" && field !== "") return field;
  const folder = rec.loc.file.split(/[\\/]/).reverse().map((p) => /^PPE-(.+)-Best-of-K$/i.exec(p))
    .find((m) => m !== null);
  return folder ? folder[1].toLowerCase() : basename(rec.loc.file).replace(/\.[^.]+$/, "");
}

/**
 * A preference row: `prompt`, `response_1`, `response_2`, `winner`
 * (`model_a` → response_1 is better, `model_b` → response_2); any winner containing `tie` is
 * skipped. Item id = `question_id` (assumed unique per row), else the row number.
 */
function preferenceItem(rec: SourceRecord): BenchItem | string {
  const winner = stringField(rec, "winner");
  if (winner.includes("tie")) return `winner "${winner}"`;
  if (winner !== "model_a" && winner !== "model_b") {
    throw fieldError(rec, "winner", '"model_a", "model_b" or a tie');
  }
  const r1 = stringField(rec, "response_1"), r2 = stringField(rec, "response_2");
  return {
    benchmark: "ppe",
    subset: PPE_PREFERENCE,
    itemId: hasField(rec, "question_id")
      ? idField(rec, "question_id")
      : `preference/${recordPosition(rec)}`,
    instruction: instructionField(rec, "prompt"),
    comparisons: [{
      key: "0",
      chosen: winner === "model_a" ? r1 : r2,
      rejected: winner === "model_a" ? r2 : r1,
      ...(winner === "model_b" ? { shown: "BA" as const } : {}),
    }],
  };
}

/** The K responses of a correctness row: a `responses` list, else `response_1`…`response_K`. */
function responses(rec: SourceRecord, k: number): string[] {
  const row = rec.record;
  if (Array.isArray(row.responses)) {
    if (row.responses.length === k && row.responses.every((r) => typeof r === "string")) {
      return row.responses;
    }
    throw fieldError(rec, "responses", `a list of ${k} strings, one per score`);
  }
  return Array.from({ length: k }, (_, i) => stringField(rec, `response_${i + 1}`));
}

/** A correctness row's `sampled_conflict_pairs`: pairs `[i, j]` of 0-based response indices. */
function conflictPairs(rec: SourceRecord, k: number): [number, number][] {
  const pairs = rec.record.sampled_conflict_pairs;
  const index = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < k;
  if (
    Array.isArray(pairs) &&
    pairs.every((p) => Array.isArray(p) && p.length === 2 && index(p[0]) && index(p[1]))
  ) {
    return pairs as [number, number][];
  }
  throw fieldError(rec, "sampled_conflict_pairs", `a list of [i, j] response indices below ${k}`);
}

/**
 * A best-of-K correctness row (`question_id`, `model_name`, `prompt`, `scores`: K booleans,
 * `response_1`…`response_K` or `responses`, `sampled_conflict_pairs`): one comparison per
 * sampled conflict pair `[i, j]` (key `i,j`), the response whose score is true being the
 * chosen one. This is how J1 counts its 12.7K correctness pairs (several per row). A pair whose
 * two scores agree is no conflict: it is reported through `onSkip` and left out; a row left
 * with no pair is skipped. Item id `<source>/<model_name>/<question_id>`: the same question
 * appears once per model.
 */
function correctnessItem(rec: SourceRecord, onSkip: LoadOptions["onSkip"]): BenchItem | string {
  const scores = rec.record.scores;
  if (!Array.isArray(scores) || !scores.every((s) => [true, false, 0, 1].includes(s))) {
    throw fieldError(rec, "scores", "a list of booleans or 0/1");
  }
  const texts = responses(rec, scores.length);
  const right = (i: number) => scores[i] === true || scores[i] === 1;
  const comparisons: Comparison[] = [];
  for (const [i, j] of conflictPairs(rec, scores.length)) {
    if (right(i) === right(j)) {
      onSkip?.(formatRecordLocation(rec.loc), `conflict pair [${i}, ${j}]: both scores agree`);
      continue;
    }
    const [chosen, rejected] = right(i) ? [i, j] : [j, i];
    comparisons.push({ key: `${i},${j}`, chosen: texts[chosen], rejected: texts[rejected] });
  }
  if (comparisons.length === 0) return "no sampled conflict pair";
  const source = ppeSource(rec);
  const qid = hasField(rec, "question_id")
    ? idField(rec, "question_id")
    : String(recordPosition(rec));
  const model = hasField(rec, "model_name") ? idField(rec, "model_name") : undefined;
  return {
    benchmark: "ppe",
    subset: `correctness-${source}`,
    itemId: model === undefined ? `${source}/${qid}` : `${source}/${model}/${qid}`,
    instruction: instructionField(rec, "prompt"),
    comparisons,
    meta: { source, modelName: model ?? null },
  };
}

function toItem(rec: SourceRecord, onSkip: LoadOptions["onSkip"]): BenchItem | string {
  if (hasField(rec, "winner")) return preferenceItem(rec);
  if (hasField(rec, "scores")) return correctnessItem(rec, onSkip);
  throw recordError(rec, 'expected a preference row ("winner") or a correctness row ("scores")');
}

/**
 * PPE: human-preference rows (subset `preference`) and best-of-K correctness rows (subset
 * `correctness-<source>`), told apart by their fields. Location: a data file or a folder
 * (e.g. one holding `PPE-Human-Preference-V1/` and `PPE-MATH-Best-of-K/`). Skipped rows (ties,
 * unpairable best-of-K rows) are reported through `onSkip`.
 */
export const ppeAdapter: BenchAdapter = {
  name: "ppe",
  description: "PPE human-preference pairs and best-of-K correctness (sampled conflict) pairs",
  async *load(location, opts: LoadOptions) {
    for (const file of await listFiles(location, isDataFile, "PPE data files")) {
      for await (const rec of readRecords(file)) {
        const item = toItem(rec, opts.onSkip);
        if (typeof item === "string") {
          opts.onSkip?.(formatRecordLocation(rec.loc), item);
        } else yield item;
      }
    }
  },
};

/**
 * One comparison's PPE result, the pairwise accuracy J1 reports: pairwise, judged in its random
 * order (a seeded coin per comparison), 1 if right, else 0 (undecided = wrong), `undefined`
 * when that order was not judged; pointwise, 1 iff chosen > rejected.
 */
export function ppeResult(itemId: string, r: ComparisonResult, seed = 0): number | undefined {
  const outcome = r.scores ? pointwiseOutcome(r) : randomOrderOutcome(itemId, r, seed);
  return outcome === undefined ? undefined : outcome === 1 ? 1 : 0;
}

/**
 * PPE scores, in points (0–100), as J1 reports PPE (not PPE's own best-of-K metrics), each a
 * mean over comparisons (pairs):
 * - `ppe_score`: mean of `ppe_preference` and `ppe_correctness` (those present);
 * - `ppe_preference`: the `preference` subset;
 * - `ppe_correctness`: the plain mean of the correctness sources' scores (MMLU-Pro, MATH, GPQA,
 *   MBPP-Plus, IFEval), not the pooled pairs;
 * - `ppe/<subset>`: each subset.
 *
 * When a pairwise comparison was not judged in its random order (`orders: "ab"`), only
 * `ppe_score: null` is returned and `opts.note` says why.
 */
export function ppeScores(
  items: readonly EvalItem[],
  opts: OfficialOptions = {},
): Record<string, number | null> {
  const seed = opts.seed ?? 0;
  const missing = randomOrderMissing(items, seed);
  if (missing > 0) {
    opts.note?.(randomOrderNote("ppe_score", missing));
    return { ppe_score: null };
  }
  const points = (xs: readonly EvalItem[]) =>
    meanPoints(xs.flatMap((i) => i.results.map((r) => ppeResult(i.itemId, r, seed)!)));
  const subsets: Record<string, number | null> = {};
  for (const [subset, group] of bySubset(items)) subsets[`ppe/${subset}`] = points(group);
  const preference = subsets[`ppe/${PPE_PREFERENCE}`] ?? null;
  const correctness = mean(
    Object.entries(subsets).filter(([k]) => k.startsWith("ppe/correctness-")).map(([, v]) => v!),
  );
  return {
    ppe_score: mean([preference, correctness].filter((v): v is number => v !== null)),
    ppe_preference: preference,
    ppe_correctness: correctness,
    ...subsets,
  };
}
