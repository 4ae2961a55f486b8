/**
 * The `synth` stage: SeedPrompts → Pairs with a known better response.
 * - chat seeds, the Self-Taught-Evaluator recipe (`lib/synth/modified.ts`);
 * - verifiable seeds, sampled and verified against the reference (`lib/synth/verified.ts`);
 * - rows that are already Pairs (e.g. `given` ones) pass through unchanged.
 * Seeds that give no pair are rejected with a reason the manifest counts.
 * @module
 */
import { perRun } from "../pipeline/per_run.ts";
import type { Pair, SeedPrompt } from "../records.ts";
import { inputsTotal, type StageRunner, type UnitResult } from "../pipeline/stage.ts";
import {
  loadSynthTemplate,
  looksLikePair,
  pairShapeError,
  seedShapeError,
  synthesizeModified,
  synthesizeVerified,
  type SynthTemplate,
} from "../synth/mod.ts";

/** Options of the synth stage. */
export interface SynthOptions {
  /** The generator endpoint's name. */
  generator: string;
  /** Math: solutions sampled per problem. */
  samples: number;
  /** Math: sampling temperature. */
  temperature: number;
  /** Chat: temperature of the modified instruction and the answers. */
  answerTemperature: number;
  /** Max tokens of each completion. */
  maxTokens: number;
  /** Base sampling seed. */
  seed: number;
  /** Seeds processed at once. */
  concurrency: number;
  /** Asks for a modified instruction: a built-in name or a file path. */
  modifyTemplate: string;
  /** Answers an instruction: a built-in name or a file path. */
  answerTemplate: string;
  /** Asks for a solution ending in `\boxed{}`: a built-in name or a file path. */
  mathTemplate: string;
}

/**
 * The synth stage runner. Rejects: `invalid_seed`, and per recipe `no_modified_instruction`,
 * `modified_identical`, `empty_answer`, `refusal`, `identical_answers` (chat) and
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
    answerTemperature: {
      type: "number",
      default: 0.7,
      min: 0,
      description: "Chat: temperature of the modified instruction and the answers",
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
    modifyTemplate: {
      type: "string",
      default: "modify-instruction",
      description: "Template asking for a modified instruction (built-in name or file)",
    },
    answerTemplate: {
      type: "string",
      default: "answer",
      description: "Template answering an instruction (built-in name or file)",
    },
    mathTemplate: {
      type: "string",
      default: "solve-math",
      description: "Template asking for a solution with a \\boxed{} answer (built-in name or file)",
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
    const out = row.kind === "verifiable"
      ? await synthesizeVerified(row, llm, templates.math, {
        samples: o.samples,
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        seed: o.seed,
      })
      : await synthesizeModified(row, llm, templates, {
        temperature: o.answerTemperature,
        maxTokens: o.maxTokens,
        seed: o.seed,
      });
    return "pair" in out
      ? { records: [out.pair], rejects: [] }
      : reject(out.issue.reason, out.issue.detail, row);
  },
  async finish(_ctx, output) {
    let pairs = 0;
    const byMethod: Record<string, number> = {};
    for await (const p of output()) {
      pairs++;
      byMethod[p.method] = (byMethod[p.method] ?? 0) + 1;
    }
    return { pairs, byMethod };
  },
};

interface Templates {
  modify: SynthTemplate;
  answer: SynthTemplate;
  math: SynthTemplate;
}

/** Templates are loaded once per run, on the first unit. */
const templatesOf = perRun((o: SynthOptions): Promise<Templates> =>
  Promise.all([o.modifyTemplate, o.answerTemplate, o.mathTemplate].map(loadSynthTemplate))
    .then(([modify, answer, math]) => ({ modify, answer, math }))
);

function reject(reason: string, detail: string, record: unknown): UnitResult<Pair> {
  return { records: [], rejects: [{ reason, detail, record }] };
}
