/**
 * FollowBenchEval (EvalPlanner, Saha et al. 2025; reused by J1): 205 preference pairs built
 * from FollowBench's multi-level constraints, scored by position-consistent accuracy. Its
 * data is not public; this adapter reads a user's copy in the layout documented below.
 * @module
 */
import type { BenchItem, EvalItem } from "../records.ts";
import { contentId } from "../ids.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import {
  bySubset,
  meanPoints,
  type OfficialOptions,
  orderOutcome,
  pointwiseOutcome,
} from "./decisions.ts";
import {
  countField,
  fieldError,
  hasField,
  idField,
  instructionField,
  stringField,
} from "./fields.ts";
import { isDataFile, listFiles, readRecords, type SourceRecord } from "./files.ts";

/** The constraints of a record: a list of strings, one string, or none. */
function constraintsField(rec: SourceRecord): string[] {
  const v = rec.record.constraints;
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((c) => typeof c === "string")) return v;
  throw fieldError(rec, "constraints", "a string or a list of strings");
}

function toItem(rec: SourceRecord): BenchItem {
  const instruction = instructionField(rec, "instruction");
  const chosen = stringField(rec, "chosen"), rejected = stringField(rec, "rejected");
  const subset = hasField(rec, "level")
    ? `level-${countField(rec, "level")}`
    : hasField(rec, "subset")
    ? stringField(rec, "subset")
    : "all";
  return {
    benchmark: "followbencheval",
    subset,
    itemId: hasField(rec, "id") ? idField(rec, "id") : contentId(instruction, chosen, rejected),
    instruction,
    comparisons: [{ key: "0", chosen, rejected }],
    meta: { constraints: constraintsField(rec) },
  };
}

/**
 * FollowBenchEval: JSONL, a JSON array or Parquet of `{instruction, chosen, rejected}` plus
 * optional `constraints` (a string or list of strings, kept in `meta`: FollowBench writes the
 * constraints into the instruction, so the judge sees the instruction only), `level` (the
 * FollowBench constraint level, subset `level-<n>`) or `subset`, and `id` (default a content
 * hash). Location: a data file or a folder of them. One comparison, key `0`.
 */
export const followbenchevalAdapter: BenchAdapter = {
  name: "followbencheval",
  description: "FollowBenchEval pairs (not public: your copy), position-consistent accuracy",
  async *load(location) {
    for (const file of await listFiles(location, isDataFile, "FollowBenchEval data files")) {
      for await (const rec of readRecords(file)) yield toItem(rec);
    }
  },
};

/**
 * Whether a pair is right in both orders (pointwise: the chosen scores strictly higher);
 * `undefined` when a pairwise pair was not judged in both orders.
 */
export function rightInBothOrders(item: EvalItem): boolean | undefined {
  const r = item.results[0];
  if (r === undefined) return undefined;
  if (r.scores) return pointwiseOutcome(r) === 1;
  const ab = orderOutcome(r, "AB"), ba = orderOutcome(r, "BA");
  return ab === undefined || ba === undefined ? undefined : ab === 1 && ba === 1;
}

/**
 * Position-consistent accuracy in points over pairs judged in both orders (pointwise: all
 * pairs); `null` when some pair was not (the caller says why).
 */
export function consistentPoints(items: readonly EvalItem[]): number | null {
  const right = items.map(rightInBothOrders);
  return right.includes(undefined) ? null : meanPoints(right.map((x) => (x ? 1 : 0)));
}

/**
 * Position-consistent scores in points: `<scoreKey>` over all pairs and `<prefix><subset>` per
 * subset (`subsets`, default the items' own); only `<scoreKey>: null` (with a note) when some
 * pair was not judged in both orders.
 */
export function consistentScores(
  items: readonly EvalItem[],
  keys: { score: string; prefix: string },
  subsets: readonly string[] | undefined,
  opts: OfficialOptions,
): Record<string, number | null> {
  const score = consistentPoints(items);
  if (score === null) {
    opts.note?.(
      `${keys.score}: null, some pairs were not judged in both orders; a pair counts right only if it is right in both: judge with orders "both"`,
    );
    return { [keys.score]: null };
  }
  const out: Record<string, number | null> = { [keys.score]: score };
  const groups = bySubset(items);
  for (const s of subsets ?? [...groups.keys()]) {
    out[`${keys.prefix}${s}`] = consistentPoints(groups.get(s) ?? []);
  }
  return out;
}

/**
 * FollowBenchEval scores, in points: `followbencheval_score`, the position-consistent accuracy
 * the EvalPlanner and J1 papers report (a pair is right only if right in both orders), and
 * `followbencheval/<subset>` ({@linkcode consistentScores}).
 */
export function followbenchevalScores(
  items: readonly EvalItem[],
  opts: OfficialOptions = {},
): Record<string, number | null> {
  return consistentScores(
    items,
    { score: "followbencheval_score", prefix: "followbencheval/" },
    undefined,
    opts,
  );
}
