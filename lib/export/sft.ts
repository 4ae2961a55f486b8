/**
 * SFT on rejection-sampled judgments (an offline baseline J1 compares against): for each task,
 * the first sample that earned the correctness reward, as a chat ending on the judgment.
 * @module
 */
import type { JudgeTask, Message, Rollout } from "../records.ts";
import { judgmentText } from "./judgment_text.ts";

/** One SFT row: the task's messages, then the judge's whole judgment as the assistant turn. */
export interface SftRow {
  /** The task's messages, then `{role: "assistant", content: judgment}`. */
  messages: Message[];
  /** The judge task's id. */
  task_id: string;
  /** The pair's id (every task of a pair shares it). */
  pair_id: string;
}

/**
 * The SFT row of a task from its group of samples (in sample order): the first sample with
 * `rewards.correct === 1`, or `undefined` when none is correct. At most one row per task, so
 * easy tasks do not outweigh hard ones.
 *
 * @example
 * ```ts
 * import { sftRow } from "./sft.ts";
 * import assert from "node:assert/strict";
 * const task = {
 *   id: "t", pairId: "p", mode: "pairwise" as const, template: "thinking", order: "AB" as const,
 *   messages: [{ role: "user" as const, content: "Judge." }], label: "A" as const,
 * };
 * const sample = (text: string, correct: number) => ({
 *   taskId: "t", pairId: "p", mode: "pairwise" as const, template: "thinking", sample: 0, text,
 *   thought: "", reward: correct, rewards: { correct }, advantage: 0,
 * });
 * const row = sftRow(task, [sample("[[B]]", 0), sample("[[A]]", 1), sample("[[A]] again", 1)]);
 * assert.deepEqual(row?.messages.at(-1), { role: "assistant", content: "[[A]]" });
 * assert.equal(sftRow(task, [sample("[[B]]", 0)]), undefined);
 * ```
 */
export function sftRow(task: JudgeTask, group: readonly Rollout[]): SftRow | undefined {
  const good = group.find((r) => r.rewards.correct === 1);
  if (!good) return undefined;
  return {
    messages: [...task.messages, { role: "assistant", content: judgmentText(good) }],
    task_id: task.id,
    pair_id: task.pairId,
  };
}
