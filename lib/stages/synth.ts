/**
 * The `synth` stage: SeedPrompts → Pairs with a known better response.
 * - chat seeds, the Self-Taught-Evaluator recipe: one worse-response call after the baseline
 *   answer (`lib/synth/worse.ts`, the default) or three calls (`lib/synth/modified.ts`);
 * - verifiable seeds, sampled and verified against the reference (`lib/synth/verified.ts`);
 * - rows that are already Pairs (e.g. `given` ones) pass through unchanged.
 * Seeds that give no pair are rejected with a reason the manifest counts. With a `quota`, seeds
 * are drawn in their input order until that many pairs of each kind are made (over-sample the
 * seeds stage: its `mix` and `sample` give a fixed, seeded order), and the stage stops there.
 * @module
 */
import { perRun } from "../pipeline/per_run.ts";
import { MAX_REJECTED_SHARE } from "../options.ts";
import { countsProblem, quotaByKey } from "../pipeline/quota.ts";
import {
  type ChatMethod,
  type Pair,
  SEED_KINDS,
  type SeedKind,
  type SeedPrompt,
} from "../records.ts";
import { inputsTotal, type StageRunner, type UnitResult } from "../pipeline/stage.ts";
import {
  loadSynthTemplate,
  looksLikePair,
  pairShapeError,
  seedShapeError,
  synthesizeModified,
  synthesizeVerified,
  synthesizeWorse,
  type SynthTemplate,
  synthTemplateFile,
  synthTemplateIssue,
} from "../synth/mod.ts";

/** Options of the synth stage. */
export interface SynthOptions {
  /** The generator endpoint's name. */
  generator: string;
  /** Math: solutions sampled per problem. */
  samples: number;
  /** Math: sampling temperature. */
  temperature: number;
  /** Chat: how the rejected answer is made. */
  chatMethod: ChatMethod;
  /** Chat: temperature of the modified instruction and the answers. */
  answerTemperature: number;
  /** Nucleus sampling of every request. */
  topP: number;
  /** Max tokens of each completion. */
  maxTokens: number;
  /** Base sampling seed. */
  seed: number;
  /** Seeds processed at once. */
  concurrency: number;
  /** The share of seeds the endpoint may refuse before the stage fails. */
  maxRejectedShare: number;
  /** Pairs wanted per kind; seeds are drawn until they are made. Empty: every seed. */
  quota: Partial<Record<SeedKind, number>>;
  /** Asks for a modified instruction: a built-in name or a file path. */
  modifyTemplate: string;
  /** Answers an instruction: a built-in name or a file path. */
  answerTemplate: string;
  /** Shows an instruction and its baseline answer, asks for the worse-response sections. */
  worseTemplate: string;
  /** Asks for a solution ending in `\boxed{}`: a built-in name or a file path. */
  mathTemplate: string;
}

/**
 * The synth stage runner. Rejects: `invalid_seed`, and per recipe `no_modified_instruction`,
 * `no_modified_answer` (worse-response), `modified_identical`, `empty_answer`, `refusal`,
 * `identical_answers` (chat) and
 * `no_reference`, `unparseable`, `all_wrong`, `all_correct` (math).
 *
 * @example
 * ```ts
 * import { synthStage } from "./synth.ts";
 * import assert from "node:assert/strict";
 * assert.equal(synthStage.options.samples.default, 8);
 * ```
 */
export const synthStage: StageRunner<SynthOptions, SeedPrompt, Pair> = {
  task: "synth",
  description: "Synthesize preference pairs (modified instructions for chat, verified math)",
  options: {
    generator: { type: "endpoint", default: "default", description: "The generator endpoint" },
    samples: {
      type: "integer",
      default: 8,
      min: 2,
      description: "Math: solutions sampled per problem",
    },
    temperature: { type: "number", default: 1.0, min: 0, description: "Math sampling temperature" },
    chatMethod: {
      type: "string",
      enum: ["worse-response", "three-call"],
      default: "worse-response",
      description: "Chat: `worse-response` (baseline answer, then one call writing the modified " +
        "instruction and its answer, as the Self-Taught Evaluator) or `three-call`",
    },
    answerTemperature: {
      type: "number",
      default: 0.7,
      min: 0,
      description: "Chat: temperature of the modified instruction and the answers",
    },
    topP: {
      type: "number",
      default: 1.0,
      min: 0,
      max: 1,
      description: "Nucleus sampling of every request (Self-Taught Evaluator: 0.9)",
    },
    maxTokens: { type: "integer", default: 2048, min: 1, description: "Max tokens per answer" },
    seed: { type: "integer", default: 0, description: "Base sampling seed" },
    concurrency: {
      type: "integer",
      default: 16,
      min: 1,
      runtime: true,
      description: "Seeds processed at once",
    },
    maxRejectedShare: MAX_REJECTED_SHARE,
    quota: {
      type: "object",
      default: {},
      check: countsProblem(SEED_KINDS),
      description: 'Pairs to make per kind, drawing seeds in order until met, e.g. {"chat": ' +
        '17000, "verifiable": 5000}; empty: every seed',
    },
    modifyTemplate: {
      type: "string",
      default: "modify-instruction",
      description: "Template asking for a modified instruction (built-in name or file)",
      check: synthTemplateIssue,
      files: (name) => [synthTemplateFile(name)],
    },
    answerTemplate: {
      type: "string",
      default: "answer",
      description: "Template answering an instruction (built-in name or file)",
      check: synthTemplateIssue,
      files: (name) => [synthTemplateFile(name)],
    },
    worseTemplate: {
      type: "string",
      default: "worse-response",
      description:
        "Template showing {{instruction}} and the baseline {{response}}, asking for the " +
        "worse-response sections (built-in name or file)",
    },
    mathTemplate: {
      type: "string",
      default: "solve-math",
      description: "Template asking for a solution with a \\boxed{} answer (built-in name or file)",
      check: synthTemplateIssue,
      files: (name) => [synthTemplateFile(name)],
    },
  },
  async *units(ctx) {
    // A bad template fails the stage here, before any request.
    await templatesOf(ctx.options);
    // Rows are checked in `process`, so a bad row becomes a reject instead of a crash.
    for (const input of ctx.inputs) yield* input.records() as AsyncIterable<SeedPrompt>;
  },
  total: inputsTotal,
  concurrency: (ctx) => ctx.options.concurrency,
  quota: (ctx) =>
    Object.keys(ctx.options.quota).length
      ? quotaByKey<SeedPrompt, Pair>(
        ctx.options.quota as Record<string, number>,
        kindOf,
        (p) => p.kind,
      )
      : undefined,
  async process(row, ctx) {
    if (looksLikePair(row)) {
      const problem = pairShapeError(row);
      return problem
        ? reject("invalid_seed", problem, row)
        : { records: [row as unknown as Pair], rejects: [] };
    }
    const problem = seedShapeError(row);
    if (problem) return reject("invalid_seed", problem, row);
    const templates = await templatesOf(ctx.options);
    const llm = ctx.llm(ctx.options.generator);
    const o = ctx.options;
    const common = { topP: o.topP, maxTokens: o.maxTokens, seed: o.seed };
    const chat = { ...common, temperature: o.answerTemperature };
    const out = row.kind === "verifiable"
      ? await synthesizeVerified(row, llm, templates.math, {
        ...common,
        samples: o.samples,
        temperature: o.temperature,
      })
      : o.chatMethod === "three-call"
      ? await synthesizeModified(row, llm, templates, chat)
      : await synthesizeWorse(row, llm, templates, chat);
    return "pair" in out
      ? { records: [out.pair], rejects: [] }
      : reject(out.issue.reason, out.issue.detail, row);
  },
  async finish(ctx, output) {
    let pairs = 0;
    const byMethod: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    for await (const p of output()) {
      pairs++;
      byMethod[p.method] = (byMethod[p.method] ?? 0) + 1;
      byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
    }
    const quotas = Object.entries(ctx.options.quota);
    if (!quotas.length) return { pairs, byMethod };
    const quota = Object.fromEntries(quotas.map(([kind, wanted]) => {
      const made = byKind[kind] ?? 0;
      if (made < wanted!) ctx.log(`quota ${kind}: ${made} of ${wanted} pairs (seeds ran out)`);
      return [kind, { quota: wanted, pairs: made, shortfall: wanted! - made }];
    }));
    return { pairs, byMethod, quota };
  },
};

interface Templates {
  modify: SynthTemplate;
  answer: SynthTemplate;
  worse: SynthTemplate;
  math: SynthTemplate;
}

/** Templates are loaded once per run, on the first unit. */
const templatesOf = perRun(async (o: SynthOptions): Promise<Templates> => {
  const [modify, answer, worse, math] = await Promise.all([
    loadSynthTemplate(o.modifyTemplate),
    loadSynthTemplate(o.answerTemplate),
    loadSynthTemplate(o.worseTemplate, ["instruction", "response"]),
    loadSynthTemplate(o.mathTemplate),
  ]);
  return { modify, answer, worse, math };
});

/** The kind a row draws on (undefined for a row that is not a seed or pair of a known kind). */
function kindOf(row: unknown): string | undefined {
  const kind = (row as { kind?: unknown } | null)?.kind;
  return kind === "chat" || kind === "verifiable" ? kind : undefined;
}

function reject(reason: string, detail: string, record: unknown): UnitResult<Pair> {
  return { records: [], rejects: [{ reason, detail, record }] };
}
