/**
 * The `seeds` stage: rows from JSONL, JSON, Parquet or the Hugging Face dataset viewer →
 * filtered (`where`), cleaned, deduplicated, sampled SeedPrompts, optionally kept by an LLM's
 * category (chat seeds). Dedupe and sampling see the whole stream, so the stage restarts rather
 * than resumes (the category requests of a restart are answered by the response cache).
 * @module
 */
import { UserError } from "../errors.ts";
import { SEED_KINDS, type SeedKind, type SeedPrompt } from "../records.ts";
import type { Reject, StageContext, StageRunner } from "../pipeline/stage.ts";
import { perRun } from "../pipeline/per_run.ts";
import { loadSynthTemplate } from "../synth/templates.ts";
import { classifySeed, DEFAULT_CATEGORIES } from "../seeds/category.ts";
import {
  cleanSeeds,
  dedupeSeeds,
  DistinctSampler,
  type KindReport,
  mapSeed,
  type SeedFields,
  type Where,
  whereProblem,
} from "../seeds/mod.ts";
import { fieldsIssue, objectIssue } from "../options.ts";

/** Options of the seeds stage. */
export interface SeedsOptions {
  kind: SeedKind | "auto";
  source: string;
  fields: SeedFields;
  /** Conditions on the source rows' own fields. */
  where: Where;
  /** A conversation's last user turn alone is the instruction. */
  lastTurn: boolean;
  minChars: number;
  maxChars: number;
  language: "" | "en";
  dedupe: boolean;
  nearDuplicates: boolean;
  nearThreshold: number;
  sample: number;
  mix: Partial<Record<SeedKind, number>>;
  seed: number;
  /** The endpoint that classifies chat seeds (`""`: no category filter). */
  classifier: string;
  /** The categories the classifier chooses from. */
  categories: string[];
  /** Chat seeds of these categories are kept, the others rejected. */
  keepCategories: string[];
  /** The category prompt: a built-in name or a file path. */
  classifyTemplate: string;
  /** Seeds classified at once. */
  concurrency: number;
}

/** Rejects gathered while a sample is read before they are written (a unit of their own). */
const REJECTS_AT_ONCE = 256;

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
      enum: ["auto", ...SEED_KINDS],
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
      check: (fields) => fieldsIssue(fields, ["instruction", "reference", "id"]),
    },
    where: {
      type: "object",
      default: {},
      check: whereProblem,
      description: 'Keep rows whose fields meet these conditions, e.g. {"turn": 1, "language": ' +
        '"English", "toxic": false}: a value, a list of values, or {"min", "max"}',
    },
    lastTurn: {
      type: "boolean",
      default: false,
      description: "The last user turn alone is the instruction (not the conversation up to it)",
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
      check: (mix) =>
        objectIssue(
          mix,
          SEED_KINDS,
          (n) => Number.isSafeInteger(n) && (n as number) >= 0,
          "a count >= 0",
        ),
    },
    seed: { type: "integer", default: 0, description: "Sampling seed" },
    classifier: {
      type: "endpoint",
      default: "",
      description: "Endpoint classifying chat seeds by category (empty: no category filter)",
    },
    categories: {
      type: "string[]",
      default: [...DEFAULT_CATEGORIES],
      description: "Categories the classifier chooses from (the last one a catch-all)",
    },
    keepCategories: {
      type: "string[]",
      default: [],
      description: 'Keep chat seeds of these categories (the Self-Taught Evaluator: ["reasoning"])',
    },
    classifyTemplate: {
      type: "string",
      default: "classify-instruction",
      description: "Category prompt with {{instruction}} and {{categories}} (built-in or file)",
    },
    concurrency: {
      type: "integer",
      default: 16,
      min: 1,
      runtime: true,
      description: "Seeds classified at once",
    },
  },
  async *units(ctx) {
    const o = ctx.options;
    // Wrong category settings or template fail here, before any row is read.
    await categoryTemplate(o);
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
    if (!mix && o.sample === 0) {
      const seeds = o.dedupe ? dedupeSeeds(read(0), { near, onReject }) : read(0);
      for await (const seed of seeds) yield { seed, rejects: pending.splice(0) };
      if (pending.length) yield { rejects: pending.splice(0) };
      return;
    }
    // A sample or a mix: the held rows wait on disk, only they are compared for near duplicates
    // (memory: the sample, not the source); rejects are written as they are found.
    const sampler = new DistinctSampler({
      quotas: mix ?? o.sample,
      seed: o.seed,
      dedupe: o.dedupe,
      near,
      onReject,
      onReport: (r) => logMix(ctx, r),
      dir: ctx.dir,
    });
    try {
      for await (const _ of sampler.consume(read)) {
        if (pending.length >= REJECTS_AT_ONCE) yield { rejects: pending.splice(0) };
      }
      for (const seed of sampler.sample()) yield { seed, rejects: pending.splice(0) };
    } finally {
      sampler.close();
    }
    if (pending.length) yield { rejects: pending.splice(0) };
  },
  concurrency: (ctx) => ctx.options.concurrency,
  async process(unit, ctx) {
    const { seed, rejects } = unit;
    const o = ctx.options;
    if (!seed || !o.classifier || seed.kind !== "chat") {
      return { records: seed ? [seed] : [], rejects };
    }
    const template = (await categoryTemplate(o))!;
    const { category, reply } = await classifySeed(
      seed,
      ctx.llm(o.classifier),
      template,
      o.categories,
    );
    if (category !== null && o.keepCategories.includes(category)) {
      return { records: [seed], rejects };
    }
    const reject: Reject = category === null
      ? {
        reason: "no_category",
        detail: `expected one of the categories, found ${clip(reply)}`,
        record: seed,
      }
      : {
        reason: "category",
        detail: `classified as ${category} (kept: ${o.keepCategories.join(", ")})`,
        record: seed,
      };
    return { records: [], rejects: [...rejects, reject] };
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

/**
 * The category template when a classifier is set (checked against the other category options
 * once per run), else undefined.
 */
const categoryTemplate = perRun(async (o: SeedsOptions) => {
  const problem = categoryProblem(o);
  if (problem) throw new UserError(`seeds: expected ${problem}`);
  return o.classifier
    ? await loadSynthTemplate(o.classifyTemplate, ["instruction", "categories"])
    : undefined;
});

/** What the category options lack to work together, or undefined when they do. */
function categoryProblem(o: SeedsOptions): string | undefined {
  if (!o.classifier) {
    return o.keepCategories.length
      ? "a classifier endpoint for keepCategories, found none"
      : undefined;
  }
  if (!o.keepCategories.length) {
    return "keepCategories (the categories to keep) with a classifier, found none";
  }
  const unknown = o.keepCategories.find((c) => !o.categories.includes(c));
  return unknown === undefined
    ? undefined
    : `keepCategories from categories (${o.categories.join(", ")}), found "${unknown}"`;
}

function clip(s: string): string {
  const text = JSON.stringify(s);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

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
        where: ctx.options.where,
        lastTurn: ctx.options.lastTurn,
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
