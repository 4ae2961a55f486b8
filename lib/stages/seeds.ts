/**
 * The `seeds` stage: rows from JSONL, JSON, Parquet or the Hugging Face dataset viewer →
 * cleaned, deduplicated, sampled SeedPrompts. Dedupe and sampling see the whole stream, so the
 * stage restarts rather than resumes (it makes no LLM calls, so a restart costs little).
 * @module
 */
import type { SeedKind, SeedPrompt } from "../records.ts";
import type { Reject, StageContext, StageRunner } from "../pipeline/stage.ts";
import {
  cleanSeeds,
  dedupeSeeds,
  distinctSample,
  type KindReport,
  mapSeed,
  mixSeeds,
  sampleSeeds,
  type SeedFields,
} from "../seeds/mod.ts";

/** Options of the seeds stage. */
export interface SeedsOptions {
  kind: SeedKind | "auto";
  source: string;
  fields: SeedFields;
  minChars: number;
  maxChars: number;
  language: "" | "en";
  dedupe: boolean;
  nearDuplicates: boolean;
  nearThreshold: number;
  sample: number;
  mix: Partial<Record<SeedKind, number>>;
  seed: number;
}

/** A unit: the seed to write (if any) and the rejects found since the previous one. */
interface SeedsUnit {
  seed?: SeedPrompt;
  rejects: Reject[];
}

/** The seeds stage runner. */
export const seedsStage: StageRunner<SeedsOptions, SeedsUnit, SeedPrompt> = {
  task: "seeds",
  description: "Gather and clean seed instructions (chat and verifiable math)",
  resumable: false,
  options: {
    kind: {
      type: "string",
      enum: ["auto", "chat", "verifiable"],
      default: "auto",
      description: "Seed kind; `auto`: verifiable when the row has a reference answer",
    },
    source: {
      type: "string",
      default: "",
      description: "The seeds' `source` (default: the input's file or dataset name)",
    },
    fields: {
      type: "object",
      default: {},
      description: "Field names: {instruction, reference, id} (default: common names)",
    },
    minChars: { type: "integer", default: 1, min: 0, description: "Drop shorter instructions" },
    maxChars: {
      type: "integer",
      default: 20000,
      min: 1,
      description: "Drop longer instructions",
    },
    language: {
      type: "string",
      enum: ["", "en"],
      default: "",
      description: "Keep only this language (heuristic); empty: any",
    },
    dedupe: { type: "boolean", default: true, description: "Drop exact duplicates" },
    nearDuplicates: { type: "boolean", default: true, description: "Drop near duplicates" },
    nearThreshold: {
      type: "number",
      default: 0.8,
      min: 0.1,
      max: 1,
      description: "Jaccard similarity of word 5-shingles above which seeds are near duplicates",
    },
    sample: {
      type: "integer",
      default: 0,
      min: 0,
      description: "Keep this many seeds, chosen by hash of (seed, id); 0: all",
    },
    mix: {
      type: "object",
      default: {},
      description: 'Seeds to keep per kind, e.g. {"chat": 17000, "verifiable": 5000}',
    },
    seed: { type: "integer", default: 0, description: "Sampling seed" },
  },
  async *units(ctx) {
    const o = ctx.options;
    const pending: Reject[] = [];
    const onReject = (r: Reject) => pending.push(r);
    // A re-read (see distinctSample) reports its mapping and cleaning rejects only once.
    const read = (pass: number) => {
      const report = pass === 0 ? onReject : () => {};
      return cleanSeeds(mapped(ctx, report), {
        minChars: o.minChars,
        maxChars: o.maxChars,
        language: o.language || undefined,
        onReject: report,
      });
    };
    const near = o.nearDuplicates ? { threshold: o.nearThreshold } : false;
    const mix = Object.keys(o.mix).length ? o.mix : undefined;
    const onReport = (r: Partial<Record<SeedKind, KindReport>>) => logMix(ctx, r);
    let seeds: AsyncIterable<SeedPrompt>;
    if (o.dedupe && (mix || o.sample > 0)) {
      // Only the rows that can enter the sample are de-duplicated (memory: the sample).
      seeds = distinctSample(read, {
        quotas: mix ?? o.sample,
        seed: o.seed,
        near,
        onReject,
        onReport,
      });
    } else {
      seeds = read(0);
      if (o.dedupe) seeds = dedupeSeeds(seeds, { near, onReject });
      if (mix) seeds = mixSeeds(seeds, { quotas: mix, seed: o.seed, onReport });
      else if (o.sample > 0) seeds = sampleSeeds(seeds, { k: o.sample, seed: o.seed });
    }
    for await (const seed of seeds) yield { seed, rejects: pending.splice(0) };
    if (pending.length) yield { rejects: pending.splice(0) };
  },
  process(unit) {
    return Promise.resolve({ records: unit.seed ? [unit.seed] : [], rejects: unit.rejects });
  },
  async finish(ctx, output) {
    const byKind: Record<string, number> = {};
    for await (const seed of output()) byKind[seed.kind] = (byKind[seed.kind] ?? 0) + 1;
    const shortfall = Object.fromEntries(
      Object.entries(ctx.options.mix).map(([kind, quota]) => [kind, quota! - (byKind[kind] ?? 0)]),
    );
    return { byKind, ...(Object.keys(shortfall).length ? { mixShortfall: shortfall } : {}) };
  },
};

function logMix(ctx: StageContext<SeedsOptions>, report: Partial<Record<SeedKind, KindReport>>) {
  for (const [kind, r] of Object.entries(report)) {
    ctx.log(`mix ${kind}: ${r.kept} kept of ${r.available} available (quota ${r.quota})`);
  }
}

async function* mapped(
  ctx: StageContext<SeedsOptions>,
  onReject: (r: Reject) => void,
): AsyncGenerator<SeedPrompt> {
  for (const input of ctx.inputs) {
    const source = ctx.options.source || sourceName(input.ref);
    for await (const { record, loc } of input.sourced()) {
      const out = mapSeed(record, loc, {
        kind: ctx.options.kind,
        source,
        fields: ctx.options.fields,
      });
      if ("seed" in out) yield out.seed;
      else onReject(out.reject);
    }
  }
}

/** `fixtures/seeds/chat.jsonl` → `chat`; `hf://org/ds/...` → `org/ds`. */
export function sourceName(ref: string): string {
  const hf = ref.match(/^hf:\/\/([^/]+\/[^/]+)/);
  if (hf) return hf[1];
  return ref.split("/").pop()!.replace(/\.(jsonl|json|parquet)$/, "");
}
