/**
 * The `pairs` stage: an existing preference dataset (chosen/rejected) loaded straight into
 * Pairs (method `given`), ready for the rollout stage next to synthesized pairs.
 * @module
 */
import type { Pair } from "../records.ts";
import { inputsTotal, type StageRunner } from "../pipeline/stage.ts";
import { mapGivenPair, type PairFields } from "../seeds/mod.ts";
import type { SourceRecord } from "../io/records.ts";
import { fieldsIssue } from "../options.ts";
import { sourceName } from "./seeds.ts";

/** Options of the pairs stage. */
export interface PairsOptions {
  source: string;
  fields: PairFields;
}

/** The pairs stage runner. */
export const pairsStage: StageRunner<PairsOptions, SourceRecord & { ref: string }, Pair> = {
  task: "pairs",
  description: "Load a preference dataset (chosen/rejected) into Pairs",
  options: {
    source: {
      type: "string",
      default: "",
      description: "The pairs' `source` (default: the input's file or dataset name)",
    },
    fields: {
      type: "object",
      default: {},
      description: "Field names: {instruction, chosen, rejected, reference}",
      check: (fields) => fieldsIssue(fields, ["instruction", "chosen", "rejected", "reference"]),
    },
  },
  total: inputsTotal,
  async *units(ctx) {
    for (const input of ctx.inputs) {
      for await (const r of input.sourced()) yield { ...r, ref: input.ref };
    }
  },
  process(unit, ctx) {
    const out = mapGivenPair(unit.record, unit.loc, {
      source: ctx.options.source || sourceName(unit.ref),
      fields: ctx.options.fields,
    });
    return Promise.resolve(
      "pair" in out ? { records: [out.pair], rejects: [] } : { records: [], rejects: [out.reject] },
    );
  },
};
