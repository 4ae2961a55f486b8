/**
 * DPO on self-generated judgments (an offline baseline J1 compares against): a correct judgment
 * of a task preferred over an incorrect one of the same task.
 * @module
 */
import type { JudgeTask, Message, Rollout } from "../records.ts";
import { judgmentText } from "./judgment_text.ts";

/** One DPO row in TRL's conversational preference format. */
export interface DpoRow {
  /** The task's messages. */
  prompt: Message[];
  /** A correct judgment, as one assistant message. */
  chosen: Message[];
  /** An incorrect judgment, as one assistant message. */
  rejected: Message[];
  /** The judge task's id. */
  task_id: string;
  /** The pair's id (every task of a pair shares it). */
  pair_id: string;
}

/**
 * The DPO row of a task from its group of samples (in sample order): the first correct sample
 * (`rewards.correct === 1`) against the first incorrect one with a different text, or
 * `undefined` when the group lacks either.
 *
 * @example
 * ```ts
 * import { dpoRow } from "./dpo.ts";
 * import assert from "node:assert/strict";
 * const task = {
 *   id: "t", pairId: "p", mode: "pairwise" as const, template: "thinking", order: "AB" as const,
 *   messages: [{ role: "user" as const, content: "Judge." }], label: "A" as const,
 * };
 * const sample = (text: string, correct: number) => ({
 *   taskId: "t", pairId: "p", mode: "pairwise" as const, template: "thinking", sample: 0, text,
 *   thought: "", reward: correct, rewards: { correct }, advantage: 0,
 * });
 * const row = dpoRow(task, [sample("[[B]]", 0), sample("[[A]]", 1)]);
 * assert.deepEqual([row?.chosen[0].content, row?.rejected[0].content], ["[[A]]", "[[B]]"]);
 * assert.equal(dpoRow(task, [sample("[[A]]", 1)]), undefined);
 * ```
 */
export function dpoRow(task: JudgeTask, group: readonly Rollout[]): DpoRow | undefined {
  const good = group.find((r) => r.rewards.correct === 1);
  if (!good) return undefined;
  const chosen = judgmentText(good);
  const bad = group.find((r) => r.rewards.correct !== 1 && judgmentText(r) !== chosen);
  if (!bad) return undefined;
  return {
    prompt: task.messages,
    chosen: [{ role: "assistant", content: chosen }],
    rejected: [{ role: "assistant", content: judgmentText(bad) }],
    task_id: task.id,
    pair_id: task.pairId,
  };
}
