/**
 * The generic pairwise adapter: any JSONL, JSON-array or Parquet file of preference pairs,
 * with field names mapped.
 * @module
 */
import type { BenchItem } from "../records.ts";
import { UserError } from "../errors.ts";
import { contentId } from "../ids.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import { fieldsIssue, type OptionIssue } from "../options.ts";
import { hasField, idField, instructionField, stringField } from "./fields.ts";
import { isDataFile, listFiles, readRecords, type SourceRecord } from "./files.ts";

/** Default source field of each target field. */
export const PAIRWISE_FIELDS: Readonly<Record<string, string>> = {
  prompt: "prompt",
  chosen: "chosen",
  rejected: "rejected",
  subset: "subset",
  id: "id",
};

/** Subset of records with no subset field. */
export const DEFAULT_SUBSET = "all";

/** The issue with a `mapping` (a target name that is not a field, a value not a name), if any. */
export function mappingIssue(mapping: Record<string, unknown>): OptionIssue | undefined {
  return fieldsIssue(mapping, Object.keys(PAIRWISE_FIELDS));
}

/** The defaults overridden by `mapping`; a bad mapping is a {@linkcode UserError}. */
export function resolveMapping(mapping: Record<string, string> = {}): Record<string, string> {
  const issue = mappingIssue(mapping);
  if (issue) throw new UserError(`mapping: expected ${issue.expected}, found ${issue.found}`);
  return { ...PAIRWISE_FIELDS, ...mapping };
}

function toItem(rec: SourceRecord, f: Record<string, string>): BenchItem {
  const instruction = instructionField(rec, f.prompt);
  const chosen = stringField(rec, f.chosen), rejected = stringField(rec, f.rejected);
  return {
    benchmark: "pairwise",
    subset: hasField(rec, f.subset) ? stringField(rec, f.subset) : DEFAULT_SUBSET,
    // Without an id, the content names the item, so re-runs and resume still match.
    itemId: hasField(rec, f.id) ? idField(rec, f.id) : contentId(instruction, chosen, rejected),
    instruction,
    comparisons: [{ key: "0", chosen, rejected }],
  };
}

/**
 * Generic pairs: `prompt` (string or messages), `chosen`, `rejected`, optional `subset`
 * (default `all`) and `id` (default a content hash); rename with `mapping`, e.g.
 * `{ prompt: "question" }`. Location: a data file or a folder of them. One comparison, key `0`.
 */
export const pairwiseAdapter: BenchAdapter = {
  name: "pairwise",
  description: "Any file of prompt/chosen/rejected pairs (JSONL, JSON, Parquet), fields mappable",
  async *load(location, opts) {
    const fields = resolveMapping(opts.mapping);
    for (const file of await listFiles(location, isDataFile, "data files")) {
      for await (const rec of readRecords(file)) yield toItem(rec, fields);
    }
  },
};
