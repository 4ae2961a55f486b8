/**
 * LLMBar (princeton-nlp/LLMBar): loader for `Dataset/<set>/dataset.json` and the official
 * two-order accuracy and positional agreement.
 * @module
 */
import { dirname, relative } from "node:path";
import type { BenchItem, ComparisonResult, EvalItem } from "../records.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import {
  bySubset,
  correctness,
  mean,
  meanPoints,
  ordersAgree,
  pointwiseOutcome,
} from "./decisions.ts";
import { fieldError, instructionField, stringField } from "./fields.ts";
import { listFiles, readRecords, recordPosition, type SourceRecord } from "./files.ts";

/** Top-level sets of the LLMBar `Dataset/` folder; a subset name starts at one of them. */
const SET_ROOTS = ["LLMBar", "CaseStudy", "Processed"];

/**
 * The subset of a `dataset.json`: its folder from the first `LLMBar`/`CaseStudy`/`Processed`
 * segment on (e.g. `LLMBar/Adversarial/Neighbor`), else its folder relative to the location
 * (its folder's name when the location is the file itself).
 */
export function llmbarSubset(file: string, location: string): string {
  const dir = dirname(file);
  const parts = dir.split(/[\\/]/);
  const root = parts.findIndex((p) => SET_ROOTS.includes(p));
  if (root >= 0) return parts.slice(root).join("/");
  const rel = relative(location, dir);
  // A location that is the file itself (or inside the folder) leaves just the folder's name.
  return rel === "" || rel.startsWith("..") ? parts[parts.length - 1] : rel;
}

function toItem(rec: SourceRecord, subset: string): BenchItem {
  const label = rec.record.label;
  if (label !== 1 && label !== 2) throw fieldError(rec, "label", "1 or 2");
  const o1 = stringField(rec, "output_1"), o2 = stringField(rec, "output_2");
  return {
    benchmark: "llmbar",
    subset,
    itemId: `${subset}/${recordPosition(rec)}`,
    instruction: instructionField(rec, "input"),
    comparisons: [{
      key: "0",
      chosen: label === 1 ? o1 : o2,
      rejected: label === 1 ? o2 : o1,
      ...(label === 2 ? { shown: "BA" as const } : {}),
    }],
  };
}

/**
 * LLMBar: JSON arrays of `{input, output_1, output_2, label: 1|2}`. Location: a `dataset.json`
 * or a folder (every `dataset.json` below it, e.g. the repo's `Dataset/`). Item id =
 * `<subset>/<0-based index>`; one comparison, key `0`.
 */
export const llmbarAdapter: BenchAdapter = {
  name: "llmbar",
  description: "LLMBar instruction-following pairs (Natural, Adversarial/*, CaseStudy, Processed)",
  async *load(location) {
    for (
      const file of await listFiles(location, (n) => n === "dataset.json", "dataset.json files")
    ) {
      const subset = llmbarSubset(file, location);
      for await (const rec of readRecords(file)) yield toItem(rec, subset);
    }
  },
};

/**
 * One comparison's accuracy the LLMBar way: pairwise, the share of orders right (each order
 * counts half, `null` = wrong); pointwise (the Rating strategy), 1 if chosen > rejected, 0 if
 * lower, 0.5 on a tie or an unparseable score (one order right, one wrong).
 */
export function llmbarAccuracy(r: ComparisonResult): number {
  if (!r.scores) return correctness(r);
  const outcome = pointwiseOutcome(r);
  return outcome === 1 ? 1 : outcome === -1 ? 0 : 0.5;
}

/**
 * Whether the two orders pick the same output (two `null`s agree); pointwise, unless the
 * scores tie or fail to parse. `undefined` when only one order was judged.
 */
export function llmbarAgrees(r: ComparisonResult): boolean | undefined {
  return r.scores ? pointwiseOutcome(r) !== 0 : ordersAgree(r);
}

/** The adversarial subsets the paper averages. */
export const LLMBAR_ADVERSARIAL: readonly string[] = ["Neighbor", "GPTInst", "GPTOut", "Manual"]
  .map((s) => `LLMBar/Adversarial/${s}`);

/**
 * Official LLMBar scores, in points (0–100):
 * - `llmbar/<subset>`: Acc. = (correct_AB + correct_BA)/(2N) ({@linkcode llmbarAccuracy});
 * - `llmbar/<subset>/agreement`: share of items whose two orders agree ({@linkcode llmbarAgrees});
 * - `llmbar_natural`: Acc. of `LLMBar/Natural`;
 * - `llmbar_adversarial`: mean Acc. of the four `LLMBar/Adversarial/*` subsets present
 *   ([unverified] that the paper's average is this unweighted mean).
 */
export function llmbarScores(items: readonly EvalItem[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [subset, group] of bySubset(items)) {
    const results = group.flatMap((i) => i.results);
    out[`llmbar/${subset}`] = meanPoints(results.map(llmbarAccuracy));
    const agrees = results.map(llmbarAgrees).filter((a) => a !== undefined);
    out[`llmbar/${subset}/agreement`] = meanPoints(agrees.map((a) => (a ? 1 : 0)));
  }
  const adversarial = LLMBAR_ADVERSARIAL.map((s) => out[`llmbar/${s}`])
    .filter((v): v is number => v !== undefined && v !== null);
  return {
    ...out,
    llmbar_natural: out["llmbar/LLMBar/Natural"] ?? null,
    llmbar_adversarial: mean(adversarial),
  };
}
