/**
 * The `handoff` stage: Pairs → judge tasks (mode × template × both orders, or both responses for
 * pointwise), each with the label its reward is computed from → the trainers' files (verl
 * Parquet + JSON, OpenRLHF and TRL prompt datasets), with no judge call: online RL samples inside
 * the trainer. Pairs are shuffled with the seed, a pair's rows stay adjacent, and a validation
 * split by pair is written beside the training files. With a `tokenizer`, every prompt is counted
 * as the trainer model renders it, against a budget.
 * @module
 */
import type { PairBlock, TaskRollouts } from "../export/mod.ts";
import { type ExportKind, writeExports } from "../export/mod.ts";
import type { StageContext, StageRunner } from "../pipeline/stage.ts";
import type { JudgeTask, Pair } from "../records.ts";
import { loadTokenizer } from "../tokens/tokenizer.ts";
import { pairOrder } from "./judge_prompt_options.ts";
import {
  checkValidation,
  exportArtifacts,
  invalidPair,
  isPair,
  JUDGE_TASK_OPTIONS,
  type JudgeTaskOptions,
  judgeTasks,
  pairsWithRecords,
  templatesOf,
} from "./judge_tasks.ts";

/** The files the `handoff` stage can write (the online-RL ones; SFT/DPO need rollouts). */
export const HANDOFF_KINDS = ["verl", "openrlhf", "trl"] as const;

/** Options of the handoff stage. */
export interface HandoffOptions extends JudgeTaskOptions {
  /** Trainer files to write. */
  exports: (typeof HANDOFF_KINDS)[number][];
  /** The trainer's prompt budget in tokens (J1: 4096), checked when `tokenizer` is set. */
  maxPromptTokens: number;
  /** What a pair with a prompt over the budget gets: a warning, or a reject. */
  overBudget: "warn" | "reject";
}

/** Prompt token counts over the stage's tasks. */
export interface PromptTokenStats {
  /** The tokenizer counted with. */
  tokenizer: string;
  /** Largest prompt. */
  max: number;
  /** Mean prompt. */
  mean: number;
  /** Median prompt. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** The budget. */
  budget: number;
  /** Tasks over the budget that were kept (`overBudget: "warn"`). */
  overBudget: number;
}

/** The handoff stage runner. */
export const handoffStage: StageRunner<HandoffOptions, Pair, JudgeTask> = {
  task: "handoff",
  description: "Trainer files (verl, OpenRLHF, TRL) of J1 judge tasks, with no judge call",
  options: {
    ...JUDGE_TASK_OPTIONS,
    exports: {
      type: "string[]",
      enum: HANDOFF_KINDS,
      default: [...HANDOFF_KINDS],
      description: "Trainer files written by the stage",
    },
    maxPromptTokens: {
      type: "integer",
      default: 4096,
      min: 1,
      description: "The trainer's prompt budget in tokens (J1: 4096), with `tokenizer`",
    },
    overBudget: {
      type: "string",
      enum: ["warn", "reject"],
      default: "warn",
      description: "A pair with a prompt over the budget: `warn`, or `reject` the whole pair",
    },
  },
  async *units(ctx) {
    for (const input of ctx.inputs) yield* input.records() as AsyncIterable<Pair>;
  },
  async process(pair, ctx) {
    if (!isPair(pair)) return { records: [], rejects: [invalidPair(pair)] };
    const o = ctx.options;
    checkValidation(o.validation);
    const tasks = judgeTasks(pair, await templatesOf(o), pairOrder(o, pair));
    if (!o.tokenizer) return { records: tasks, rejects: [] };
    const tokenizer = await loadTokenizer(o.tokenizer);
    for (const task of tasks) task.promptTokens = tokenizer.countPrompt(task.messages);
    const over = tasks.find((t) => t.promptTokens! > o.maxPromptTokens);
    if (over && o.overBudget === "reject") {
      return {
        records: [],
        rejects: [{
          reason: "prompt_over_budget",
          detail:
            `task ${over.id} (${over.mode}, ${over.order ?? over.target}): expected at most ` +
            `${o.maxPromptTokens} prompt tokens (${o.tokenizer}), found ${over.promptTokens}; ` +
            `the whole pair is left out so its rows stay together`,
          record: pair,
        }],
      };
    }
    return { records: tasks, rejects: [] };
  },
  async finish(ctx, output) {
    const o = ctx.options;
    const lengths: number[] = [];
    const exports = await writeExports(pairBlocks(ctx, output(), lengths), {
      dir: ctx.dir,
      kinds: o.exports as ExportKind[],
      inputKey: o.inputKey,
      labelKey: o.labelKey,
      seed: o.seed,
      validation: checkValidation(o.validation),
    });
    const promptTokens = o.tokenizer ? tokenStats(lengths, o) : undefined;
    if (promptTokens) {
      const budget = Math.min(promptTokens.max, o.maxPromptTokens);
      ctx.log(
        `prompts up to ${promptTokens.max} tokens (${o.tokenizer}): verl ` +
          `data.max_prompt_length=${budget}, OpenRLHF --data.max_len ${budget} + ` +
          `--rollout.max_new_tokens, TRL max_prompt_length=${budget} (TRL < 0.28)`,
      );
    }
    if (promptTokens?.overBudget) {
      ctx.log(
        `${promptTokens.overBudget} prompts exceed ${o.maxPromptTokens} tokens (${o.tokenizer}; ` +
          `largest ${promptTokens.max}): raise the trainer's prompt length or set ` +
          `"overBudget": "reject"`,
      );
    }
    const rows = exports.rowsPerPair.join(" or ");
    ctx.log(
      `${exports.pairs.train} training and ${exports.pairs.val} validation pairs, ${rows} rows ` +
        `per pair: use a batch size that is a multiple of ${rows} with the trainer's shuffle off`,
    );
    return { ...(promptTokens && { promptTokens }), ...exportArtifacts(exports) };
  },
};

/** The output's tasks as one block per pair (tasks in output order), noting prompt lengths. */
async function* pairBlocks(
  ctx: StageContext<HandoffOptions>,
  output: AsyncIterable<JudgeTask>,
  lengths: number[],
): AsyncGenerator<PairBlock<TaskRollouts>> {
  for await (const { pair, records } of pairsWithRecords(ctx.inputs, output)) {
    for (const task of records) {
      if (task.promptTokens !== undefined) lengths.push(task.promptTokens);
    }
    yield {
      pairId: pair.id,
      kind: pair.kind,
      items: records.map((task) => ({ task, rollouts: [] })),
    };
  }
}

function tokenStats(lengths: number[], o: HandoffOptions): PromptTokenStats {
  const sorted = lengths.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    tokenizer: o.tokenizer!,
    max: sorted.at(-1) ?? 0,
    mean: sorted.length ? Math.round(sum / sorted.length) : 0,
    p50: at(0.5),
    p95: at(0.95),
    budget: o.maxPromptTokens,
    overBudget: sorted.filter((n) => n > o.maxPromptTokens).length,
  };
}
