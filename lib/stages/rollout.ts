/**
 * The `rollout` stage: Pairs → judge tasks (mode × template × both orders, or both responses
 * for pointwise) → G samples per task in one `n` request → parsed, rewarded (a pair's groups
 * scored together, so consistency and pointwise distant supervision work), GRPO advantages →
 * Rollouts. `finish` returns the batch health stats and writes the trainer hand-offs into the
 * stage's folder (`exports`: paths and row counts; `artifacts`: name → path).
 * @module
 */
import { requestSeed } from "../llm/request_seed.ts";
import { settleAll } from "../llm/settle.ts";
import type { JudgeTask, Mode, Pair, Rollout } from "../records.ts";
import { inputsTotal, type StageContext, type StageRunner } from "../pipeline/stage.ts";
import { perRun } from "../pipeline/per_run.ts";
import {
  type JudgeTemplate,
  loadTemplate,
  MODES,
  renderJudgeTask,
  type Slot,
} from "../prompts/mod.ts";
import {
  createRolloutStats,
  grpoAdvantages,
  parseJudgment,
  type RewardConfig,
  scorePairGroups,
  validateRewardConfig,
} from "../judge/mod.ts";
import {
  EXPORT_KINDS,
  type ExportKind,
  type ExportSummary,
  type TaskRollouts,
  writeExports,
} from "../export/mod.ts";

/** Options of the rollout stage (see the option specs of {@linkcode rolloutStage}). */
export interface RolloutOptions {
  /** The judge endpoint's name. */
  judge: string;
  /** Judge output formats. */
  modes: Mode[];
  /** Seed prompts: built-in names or template files. */
  templates: string[];
  /** G: samples per task. */
  samples: number;
  /** Sampling temperature. */
  temperature: number;
  /** Nucleus sampling. */
  topP: number;
  /** Max tokens per judgment. */
  maxTokens: number;
  /** Base seed; each task's request seed is offset from it by a multiple of G. */
  seed: number;
  /** Pairs judged at once. */
  concurrency?: number;
  /** Reward weights by component. */
  weights: Record<string, number>;
  /** How `consistent` pairs a rollout with the other order. */
  consistency: RewardConfig["consistency"];
  /** `std`: GRPO advantages; `none`: Dr.GRPO (mean-centred only). */
  advantage: "std" | "none";
  /** Trainer hand-offs to write. */
  exports: ExportKind[];
  /** OpenRLHF `--data.input_key`. */
  inputKey: string;
  /** OpenRLHF `--data.label_key`. */
  labelKey: string;
}

/** The rollout stage runner. */
export const rolloutStage: StageRunner<RolloutOptions, Pair, Rollout> = {
  task: "rollout",
  description: "Judge tasks, G samples each, J1 rewards, GRPO advantages, trainer exports",
  options: {
    judge: { type: "endpoint", default: "default", description: "The judge endpoint" },
    modes: {
      type: "string[]",
      enum: MODES,
      default: ["pairwise"],
      description: "Judge output formats",
    },
    templates: {
      type: "string[]",
      default: ["thinking"],
      description: "Seed prompts: `thinking`, `plan-execute` or template files",
    },
    samples: { type: "integer", default: 5, min: 1, description: "G: samples per task (J1: 5)" },
    temperature: { type: "number", default: 1.0, min: 0, description: "Sampling temperature" },
    topP: { type: "number", default: 1.0, min: 0, max: 1, description: "Nucleus sampling" },
    maxTokens: { type: "integer", default: 4096, min: 1, description: "Max tokens per judgment" },
    seed: { type: "integer", default: 0, description: "Base sampling seed" },
    concurrency: {
      type: "integer",
      min: 1,
      runtime: true,
      description:
        "Pairs judged at once (default: twice the judge endpoint's concurrency, so its " +
        "slots never wait for work)",
    },
    weights: {
      type: "object",
      default: { correct: 1 },
      description: "Reward weights of `correct`, `consistent`, `format` (J1: correctness only)",
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
    inputKey: { type: "string", default: "input", description: "OpenRLHF --data.input_key" },
    labelKey: { type: "string", default: "label", description: "OpenRLHF --data.label_key" },
  },
  async *units(ctx) {
    for (const input of ctx.inputs) yield* input.records() as AsyncIterable<Pair>;
  },
  total: inputsTotal,
  concurrency: (ctx) =>
    ctx.options.concurrency ?? 2 * ctx.llm(ctx.options.judge).endpoint.concurrency,
  async process(pair, ctx) {
    if (!isPair(pair)) {
      return {
        records: [],
        rejects: [{
          reason: "invalid_pair",
          detail: `expected a Pair {id, instruction, chosen, rejected}, found ${describe(pair)}`,
          record: pair,
        }],
      };
    }
    const o = ctx.options;
    const tasks = judgeTasks(pair, await templatesOf(ctx.options));
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
        parsed: parseJudgment(task.mode, c.text, c.reasoning),
      })),
    }));
    const scored = scorePairGroups(groups, rewardConfig(o));
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
    let exports: ExportSummary = {};
    if (ctx.options.exports.length) {
      exports = await writeExports(taskRollouts(ctx, counted), {
        dir: ctx.dir,
        kinds: ctx.options.exports,
        inputKey: ctx.options.inputKey,
        labelKey: ctx.options.labelKey,
      });
    } else {
      for await (const _ of counted()) { /* count only */ }
    }
    // `artifacts` (name → path) is what the CLI and the manifest list for every stage.
    const artifacts: Record<string, string> = {};
    for (const [kind, file] of Object.entries(exports)) {
      if ("parquet" in file) Object.assign(artifacts, { verl: file.parquet, verlJson: file.json });
      else artifacts[kind] = file.path;
    }
    return { stats: stats.summary(), exports, artifacts };
  },
};

/** Every judge task of a pair, in a fixed order (what the stage asks the judge). */
export function judgeTasks(pair: Pair, templates: JudgeTemplate[]): JudgeTask[] {
  return templates.flatMap((template) => {
    const slots: Slot[] = template.mode === "pointwise"
      ? [{ target: "chosen" }, { target: "rejected" }]
      : [{ order: "AB" }, { order: "BA" }];
    return slots.map((slot) => renderJudgeTask(pair, template, slot));
  });
}

/** Templates for every (mode, template) of the options, loaded once per run. */
const templatesOf = perRun((o: RolloutOptions): Promise<JudgeTemplate[]> => {
  validateRewardConfig(rewardConfig(o));
  return Promise.all(
    o.modes.flatMap((mode) => o.templates.map((name) => loadTemplate(name, mode))),
  );
});

function rewardConfig(o: RolloutOptions): RewardConfig {
  return { weights: o.weights, consistency: o.consistency };
}

function isPair(r: unknown): r is Pair {
  const p = r as Pair;
  return !!p && typeof p === "object" && typeof p.id === "string" &&
    typeof p.chosen === "string" && typeof p.rejected === "string" && p.instruction !== undefined;
}

function describe(r: unknown): string {
  if (r === null || typeof r !== "object") return JSON.stringify(r) ?? String(r);
  return `an object with keys ${Object.keys(r).join(", ") || "(none)"}`;
}

/**
 * Every judge task of the input pairs with its rollouts, re-rendered from the pairs (rollouts do
 * not store their prompts). The output is in pair order, so the two streams are walked in
 * lockstep and only one pair's rollouts are held at a time.
 */
async function* taskRollouts(
  ctx: StageContext<RolloutOptions>,
  output: () => AsyncIterable<Rollout>,
): AsyncGenerator<TaskRollouts> {
  const templates = await templatesOf(ctx.options);
  const rollouts = output()[Symbol.asyncIterator]();
  let next = await rollouts.next();
  for (const input of ctx.inputs) {
    for await (const pair of input.records()) {
      if (!isPair(pair)) continue;
      const byTask = new Map<string, Rollout[]>();
      for (; !next.done && next.value.pairId === pair.id; next = await rollouts.next()) {
        const group = byTask.get(next.value.taskId) ?? [];
        byTask.set(next.value.taskId, group);
        group.push(next.value);
      }
      for (const task of judgeTasks(pair, templates)) {
        yield { task, rollouts: byTask.get(task.id) ?? [] };
      }
    }
  }
  if (!next.done) {
    throw new Error(
      `rollout exports: rollouts of pair ${next.value.pairId} do not follow the input pairs' order (did the input change since they were sampled?)`,
    );
  }
}
