/**
 * J1 rewards: verifiable 0/1 components computed per rollout from one pair's groups, combined as a
 * weighted sum. Every component is computed (and stored) whatever the weights.
 * @module
 */
import { UserError } from "../errors.ts";
import { objectIssue, type OptionIssue } from "../options.ts";
import type { JudgeTask, PointwiseTarget, Verdict } from "../records.ts";
import type { Parsed, ParseOptions } from "./parse.ts";

/**
 * The reward components:
 * - `correct`: pairwise and pairwise-verdict-scores, the verdict names the chosen response;
 *   pairwise-scores, score(chosen) > score(rejected) strictly; pointwise, J1's distant
 *   supervision: sample i of the chosen response's group scores strictly higher than sample i of
 *   the rejected one's (both rollouts earn it). Unparseable outputs, missing partners and ties
 *   earn 0.
 * - `wrong`: the judgment was decided against the chosen response (a wrong verdict; a scores
 *   tie or the rejected response scored higher). Unparseable outputs and missing partners earn
 *   0 here too, so a negative weight (J1's negative-reward ablation, `{"correct": 1, "wrong":
 *   -1}`) tells a wrong verdict from an unparseable one.
 * - `consistent` (pairwise modes): correct in both orders, see {@linkcode RewardConfig}.
 * - `format`: the output is well-formed (see `Parsed.wellFormed`).
 */
export const REWARD_COMPONENTS = ["correct", "wrong", "consistent", "format"] as const;

/** How rewards are combined. */
export interface RewardConfig {
  /** Weight of each component in `reward`; components left out weigh 0. */
  weights: Record<string, number>;
  /**
   * How `consistent` pairs a rollout with the other order (same mode and template):
   * - `by-sample`: sample i of `AB` with sample i of `BA`; 1 if both are correct.
   * - `by-majority`: 1 if this rollout is correct and more than half of the other order's
   *   group is correct.
   * Without the other order's group (or its sample i), `consistent` is 0.
   */
  consistency: "by-sample" | "by-majority";
  /** How responses are parsed where the scorer parses them (the reward server); default lenient. */
  parse?: ParseOptions;
}

/** J1's best setting: correctness only. */
export const DEFAULT_REWARD_CONFIG: RewardConfig = {
  weights: { correct: 1 },
  consistency: "by-sample",
};

/** The rewards of one rollout: every component, and their weighted sum. */
export interface ScoredSample {
  /** Every component, unweighted (see {@linkcode REWARD_COMPONENTS}). */
  rewards: Record<string, number>;
  /** The weighted sum. */
  reward: number;
}

/** One task's group of samples, as `scorePairGroups` takes it. */
export interface SampleGroup {
  /** The task all samples answer (its mode, slot and label). */
  task: JudgeTask;
  /** The group's samples, in sample order. */
  samples: { parsed: Parsed }[];
}

/**
 * The issue with reward weights (a key that names no component, a weight that is not a finite
 * number, e.g. `"1"` from `${VAR}` interpolation), or undefined.
 *
 * @example
 * ```ts
 * import { rewardWeightsIssue } from "./rewards.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rewardWeightsIssue({ correct: 1, format: 0.5 }), undefined);
 * assert.equal(rewardWeightsIssue({ correct: "1" })?.found, 'string "1"');
 * ```
 */
export function rewardWeightsIssue(weights: Record<string, unknown>): OptionIssue | undefined {
  const issue = objectIssue(
    weights,
    REWARD_COMPONENTS,
    (w) => typeof w === "number" && Number.isFinite(w),
    "a number",
  );
  return issue && { ...issue, expected: `reward weights: ${issue.expected}` };
}

/** Throws a {@linkcode UserError} when a weight names no known component or is not a number. */
export function validateRewardConfig(config: RewardConfig): void {
  const issue = rewardWeightsIssue(config.weights);
  if (issue) throw new UserError(`expected ${issue.expected}, found ${issue.found}`);
}

/**
 * Whether one pairwise-mode sample picked the chosen response (`label` is its position);
 * `undefined` when it decided nothing (unparseable).
 */
function pairwiseCorrect(parsed: Parsed, label: Verdict, scored: boolean): boolean | undefined {
  if (parsed.parseError) return undefined;
  if (!scored) return parsed.verdict === undefined ? undefined : parsed.verdict === label;
  const other = label === "A" ? "B" : "A";
  const s = parsed.scores;
  return s === undefined ? undefined : s[label] > s[other];
}

/** Groups that are the same judgment (mode and template) of the pair in another slot. */
const sameJudge = (a: JudgeTask, b: JudgeTask) => a.mode === b.mode && a.template === b.template;

/**
 * Scores every rollout of one pair's groups at once (both orders, or both pointwise targets, of
 * any number of modes and templates), since `consistent` and pointwise `correct` look across
 * groups. Returns the same shape as the input.
 *
 * @example
 * ```ts
 * import { scorePairGroups } from "./rewards.ts";
 * import { parseJudgment } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const task = (order: "AB" | "BA") => ({
 *   id: order, pairId: "p", mode: "pairwise" as const, template: "thinking", order,
 *   messages: [], label: order === "AB" ? "A" as const : "B" as const,
 * });
 * const samples = (...texts: string[]) => texts.map((t) => ({ parsed: parseJudgment("pairwise", t) }));
 * const out = scorePairGroups(
 *   [{ task: task("AB"), samples: samples("[[A]]", "[[A]]") }, { task: task("BA"), samples: samples("[[B]]", "[[A]]") }],
 *   { weights: { correct: 1, consistent: 1 }, consistency: "by-sample" },
 * );
 * assert.deepEqual(out.map((g) => g.map((s) => s.reward)), [[2, 1], [2, 0]]);
 * ```
 */
export function scorePairGroups(
  groups: SampleGroup[],
  config: RewardConfig = DEFAULT_REWARD_CONFIG,
): ScoredSample[][] {
  validateRewardConfig(config);
  // Per sample: right, wrong, or undefined when nothing was decided.
  const correct: (boolean | undefined)[][] = groups.map(({ task, samples }) =>
    task.mode === "pointwise"
      ? [] // filled below, from the partner group
      : samples.map((s) =>
        pairwiseCorrect(s.parsed, task.label as Verdict, task.mode === "pairwise-scores")
      )
  );
  groups.forEach(({ task, samples }, g) => {
    if (task.mode !== "pointwise") return;
    const partnerTarget: PointwiseTarget = task.target === "chosen" ? "rejected" : "chosen";
    const partner = groups.find((o) => sameJudge(o.task, task) && o.task.target === partnerTarget);
    correct[g] = samples.map((s, i) => {
      const mine = s.parsed.parseError ? undefined : s.parsed.scores?.score;
      const p = partner?.samples[i]?.parsed;
      const theirs = p && !p.parseError ? p.scores?.score : undefined;
      if (mine === undefined || theirs === undefined) return undefined;
      return task.target === "chosen" ? mine > theirs : theirs > mine;
    });
  });

  return groups.map(({ task, samples }, g) => {
    const other = task.mode === "pointwise"
      ? -1
      : groups.findIndex((o) =>
        sameJudge(o.task, task) && o.task.order !== undefined && o.task.order !== task.order
      );
    const otherCorrect = other < 0 ? [] : correct[other];
    const majority = otherCorrect.filter(Boolean).length > otherCorrect.length / 2;
    return samples.map((s, i) => {
      const rewards: Record<string, number> = {
        correct: Number(correct[g][i] === true),
        wrong: Number(correct[g][i] === false),
        format: Number(s.parsed.wellFormed),
      };
      if (task.mode !== "pointwise") {
        const partner = config.consistency === "by-sample" ? otherCorrect[i] === true : majority;
        rewards.consistent = Number(correct[g][i] === true && partner);
      }
      let reward = 0;
      for (const [key, weight] of Object.entries(config.weights)) {
        reward += weight * (rewards[key] ?? 0);
      }
      return { rewards, reward };
    });
  });
}
