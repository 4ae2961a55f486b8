/**
 * The ground truth a trainer carries for one judge task (verl `reward_model.ground_truth`,
 * OpenRLHF `label`, a TRL label column), and scoring a batch of responses against it. The
 * exports write it; the reward server and the rollout stage score with the same function, so a
 * trainer gets the same reward the toolkit computed.
 * @module
 */
import { UserError } from "../errors.ts";
import type { JudgeTask, Mode } from "../records.ts";
import { parseJudgment } from "./parse.ts";
import {
  DEFAULT_REWARD_CONFIG,
  type RewardConfig,
  type SampleGroup,
  type ScoredSample,
  scorePairGroups,
} from "./rewards.ts";

/** What a trainer needs to score one judge task's responses (a task without its messages). */
export type TaskLabel =
  & Pick<JudgeTask, "pairId" | "mode" | "template" | "order" | "target" | "label">
  & { taskId: string };

/** The label of a task. */
export function taskLabel(task: JudgeTask): TaskLabel {
  const { id, pairId, mode, template, order, target, label } = task;
  return { taskId: id, pairId, mode, template, order, target, label };
}

/**
 * Reads a label as a trainer sends it back: the object, or its JSON string.
 *
 * @example
 * ```ts
 * import { decodeLabel } from "./label.ts";
 * import assert from "node:assert/strict";
 * const l = decodeLabel('{"taskId":"t","pairId":"p","mode":"pairwise","template":"thinking","order":"AB","label":"A"}');
 * assert.equal(l.label, "A");
 * ```
 */
export function decodeLabel(value: unknown, where = "label"): TaskLabel {
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      throw new UserError(`${where}: expected a j1kit task label (JSON), found ${clip(value)}`);
    }
  }
  const l = v as Partial<TaskLabel> | null;
  const modes: Mode[] = ["pairwise", "pairwise-scores", "pairwise-verdict-scores", "pointwise"];
  if (
    !l || typeof l !== "object" || typeof l.taskId !== "string" || typeof l.pairId !== "string" ||
    !modes.includes(l.mode as Mode) || typeof l.template !== "string" ||
    !["A", "B", "chosen", "rejected"].includes(l.label as string)
  ) {
    throw new UserError(
      `${where}: expected {taskId, pairId, mode, template, label, order|target}, found ${
        clip(value)
      }`,
    );
  }
  return l as TaskLabel;
}

function clip(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** One response to score. */
export interface LabelledResponse {
  /** What the response is a judgment of: mode, order or target, the right answer. */
  label: TaskLabel;
  /** The text the judge wrote. */
  text: string;
  /** The server's separate reasoning field, when it splits one out. */
  reasoning?: string;
}

/**
 * Scores a batch of responses: groups them by task (in arrival order: the i-th response of a
 * task is its sample i) and scores each pair's groups together, so the consistency reward and
 * pointwise distant supervision work when both orders (or both responses) are in the batch.
 * Returns one result per response, in input order.
 */
export function scoreResponses(
  responses: LabelledResponse[],
  config: RewardConfig = DEFAULT_REWARD_CONFIG,
): ScoredSample[] {
  const byPair = new Map<string, Map<string, { group: SampleGroup; at: number[] }>>();
  responses.forEach((r, i) => {
    const tasks = byPair.get(r.label.pairId) ?? new Map();
    byPair.set(r.label.pairId, tasks);
    let entry = tasks.get(r.label.taskId);
    if (!entry) {
      entry = { group: { task: labelTask(r.label), samples: [] }, at: [] };
      tasks.set(r.label.taskId, entry);
    }
    entry.group.samples.push({
      parsed: parseJudgment(r.label.mode, r.text, r.reasoning, config.parse),
    });
    entry.at.push(i);
  });
  const out: ScoredSample[] = new Array(responses.length);
  for (const tasks of byPair.values()) {
    const entries = [...tasks.values()];
    const scored = scorePairGroups(entries.map((e) => e.group), config);
    entries.forEach((e, g) => e.at.forEach((at, s) => out[at] = scored[g][s]));
  }
  return out;
}

/** The task fields the reward functions read, rebuilt from a label (its messages empty). */
export function labelTask(l: TaskLabel): JudgeTask {
  return {
    id: l.taskId,
    pairId: l.pairId,
    mode: l.mode,
    template: l.template,
    order: l.order,
    target: l.target,
    messages: [],
    label: l.label,
  };
}
