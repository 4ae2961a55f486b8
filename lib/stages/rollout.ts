/**
 * The `rollout` stage: Pairs → judge tasks (mode × template × both orders, or both responses
 * for pointwise) → G samples per task in one `n` request → parsed, rewarded (a pair's groups
 * scored together, so consistency and pointwise distant supervision work), GRPO advantages →
 * Rollouts. `finish` returns the batch health stats and writes the trainer hand-offs into the
 * stage's folder (`exports`: paths and row counts; `artifacts`: name → path).
 * @module
 */
import { requestSeed } from "../llm/request_seed.ts";
import { MAX_REJECTED_SHARE } from "../options.ts";
import { settleAll } from "../llm/settle.ts";
import { endpointSlots } from "../llm/types.ts";
import type { Pair, Rollout } from "../records.ts";
import { inputsTotal, type StageContext, type StageRunner } from "../pipeline/stage.ts";
import {
  createRolloutStats,
  grpoAdvantages,
  parseJudgment,
  type RewardConfig,
  rewardWeightsIssue,
  scorePairGroups,
  validateRewardConfig,
} from "../judge/mod.ts";
import {
  EXPORT_KINDS,
  type ExportKind,
  type ExportSummary,
  type PairBlock,
  type TaskRollouts,
  writeExports,
} from "../export/mod.ts";
import { pairOrder, PARSE_OPTION, type ParseStrictness } from "./judge_prompt_options.ts";
import { loadTokenizer } from "../tokens/tokenizer.ts";
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

/** Options of the rollout stage (see the option specs of {@linkcode rolloutStage}). */
export interface RolloutOptions extends JudgeTaskOptions {
  /** The judge endpoint's name. */
  judge: string;
  /** G: samples per task. */
  samples: number;
  /** Sampling temperature. */
  temperature: number;
  /** Nucleus sampling. */
  topP: number;
  /** Max tokens per judgment. */
  maxTokens: number;
  /** Pairs judged at once. */
  concurrency?: number;
  /** The share of pairs the endpoint may refuse before the stage fails. */
  maxRejectedShare: number;
  /** Reward weights by component. */
  weights: Record<string, number>;
  /** How `consistent` pairs a rollout with the other order. */
  consistency: RewardConfig["consistency"];
  /** `std`: GRPO advantages; `none`: Dr.GRPO (mean-centred only). */
  advantage: "std" | "none";
  /** Trainer hand-offs to write. */
  exports: ExportKind[];
  /** `strict`: only the exact answer formats count (verdict inside `<answer>` tags). */
  parse: ParseStrictness;
}

/** The rollout stage runner. */
export const rolloutStage: StageRunner<RolloutOptions, Pair, Rollout> = {
  task: "rollout",
  description: "Judge tasks, G samples each, J1 rewards, GRPO advantages, trainer exports",
  options: {
    ...JUDGE_TASK_OPTIONS,
    judge: { type: "endpoint", default: "default", description: "The judge endpoint" },
    samples: { type: "integer", default: 5, min: 1, description: "G: samples per task (J1: 5)" },
    temperature: { type: "number", default: 1.0, min: 0, description: "Sampling temperature" },
    topP: { type: "number", default: 1.0, min: 0, max: 1, description: "Nucleus sampling" },
    maxTokens: { type: "integer", default: 4096, min: 1, description: "Max tokens per judgment" },
    concurrency: {
      type: "integer",
      min: 1,
      runtime: true,
      description:
        "Pairs judged at once (default: twice the judge endpoint's concurrency times its " +
        "replicas, so its slots never wait for work)",
    },
    maxRejectedShare: MAX_REJECTED_SHARE,
    weights: {
      type: "object",
      default: { correct: 1 },
      description: "Reward weights of `correct`, `consistent`, `format` (J1: correctness only)",
      check: rewardWeightsIssue,
    },
    consistency: {
      type: "string",
      enum: ["by-sample", "by-majority"],
      default: "by-sample",
      description: "How `consistent` pairs a rollout with the other order",
    },
    advantage: {
      type: "string",
      enum: ["std", "none"],
      default: "std",
      description: "GRPO (mean/std) or Dr.GRPO (mean only) advantages",
    },
    exports: {
      type: "string[]",
      enum: EXPORT_KINDS,
      default: [...EXPORT_KINDS],
      description: "Trainer hand-offs written by the stage",
    },
    ...PARSE_OPTION,
  },
  async *units(ctx) {
    for (const input of ctx.inputs) yield* input.records() as AsyncIterable<Pair>;
  },
  total: inputsTotal,
  concurrency: (ctx) =>
    ctx.options.concurrency ?? 2 * endpointSlots(ctx.llm(ctx.options.judge).endpoint),
  async process(pair, ctx) {
    if (!isPair(pair)) return { records: [], rejects: [invalidPair(pair)] };
    const o = ctx.options;
    const tasks = judgeTasks(pair, await checkedTemplates(o), pairOrder(o, pair));
    const judge = ctx.llm(o.judge);
    const completions = await settleAll(tasks.map((task) =>
      judge.complete(task.messages, {
        n: o.samples,
        temperature: o.temperature,
        topP: o.topP,
        maxTokens: o.maxTokens,
        seed: requestSeed(o.seed, o.samples, task.id),
      })
    ));
    const groups = tasks.map((task, t) => ({
      task,
      samples: completions[t].map((c) => ({
        parsed: parseJudgment(task.mode, c.text, c.reasoning, rewardConfig(o).parse),
      })),
    }));
    const scored = scorePairGroups(groups, rewardConfig(o));
    const tokenizer = o.tokenizer ? await loadTokenizer(o.tokenizer) : undefined;
    const records: Rollout[] = [];
    groups.forEach(({ task, samples }, t) => {
      const advantages = grpoAdvantages(scored[t].map((s) => s.reward), { normalize: o.advantage });
      samples.forEach(({ parsed }, i) => {
        const c = completions[t][i];
        records.push({
          taskId: task.id,
          pairId: pair.id,
          mode: task.mode,
          template: task.template,
          ...(task.order ? { order: task.order } : {}),
          ...(task.target ? { target: task.target } : {}),
          sample: i,
          text: c.text,
          thought: parsed.thought,
          ...(tokenizer ? { thoughtTokens: tokenizer.countText(parsed.thought) } : {}),
          ...(parsed.verdict ? { verdict: parsed.verdict } : {}),
          ...(parsed.scores ? { scores: parsed.scores } : {}),
          ...(parsed.parseError ? { parseError: parsed.parseError } : {}),
          reward: scored[t][i].reward,
          rewards: scored[t][i].rewards,
          advantage: advantages[i],
          usage: c.usage,
        });
      });
    });
    return { records, rejects: [] };
  },
  async finish(ctx, output) {
    // One pass over the output: the stats count what the exports walk.
    const stats = createRolloutStats();
    const counted = async function* () {
      for await (const r of output()) {
        stats.add(r);
        yield r;
      }
    };
    const o = ctx.options;
    let exports: ExportSummary | undefined;
    if (o.exports.length) {
      exports = await writeExports(pairBlocks(ctx, counted()), {
        dir: ctx.dir,
        kinds: o.exports,
        inputKey: o.inputKey,
        labelKey: o.labelKey,
        seed: o.seed,
        validation: checkValidation(o.validation),
      });
    } else {
      for await (const _ of counted()) { /* count only */ }
    }
    return { stats: stats.summary(), ...exportArtifacts(exports) };
  },
};

/** The templates, once the options that cannot be checked per value are checked. */
const checkedTemplates = (o: RolloutOptions) => {
  validateRewardConfig(rewardConfig(o));
  checkValidation(o.validation);
  return templatesOf(o);
};

function rewardConfig(o: RolloutOptions): RewardConfig {
  return {
    weights: o.weights,
    consistency: o.consistency,
    parse: { strict: o.parse === "strict" },
  };
}

/**
 * One block per input pair: its judge tasks, re-rendered from the pair (rollouts do not store
 * their prompts), each with its rollouts. Walks the pairs and the output in lockstep, so only
 * one pair's rollouts are held at a time.
 */
async function* pairBlocks(
  ctx: StageContext<RolloutOptions>,
  output: AsyncIterable<Rollout>,
): AsyncGenerator<PairBlock<TaskRollouts>> {
  const templates = await templatesOf(ctx.options);
  for await (const { pair, records } of pairsWithRecords(ctx.inputs, output)) {
    const byTask = Map.groupBy(records, (r) => r.taskId);
    yield {
      pairId: pair.id,
      kind: pair.kind,
      items: judgeTasks(pair, templates, pairOrder(ctx.options, pair)).map((task) => ({
        task,
        rollouts: byTask.get(task.id) ?? [],
      })),
    };
  }
}
