/**
 * TRL's GRPOTrainer prompt dataset: a conversational `prompt` column; every other column reaches
 * the reward function as a keyword argument (one value per completion), so `j1_label` carries
 * the task label and the rest lets a reward function group both orders of a pair. The label
 * column is not called `label`: TRL ≤ 0.23 applies the chat template to the whole row and
 * refuses a row whose keys among prompt/chosen/rejected/completion/messages/label are
 * `{prompt, label}` (`KeyError: Invalid keys in the example`).
 * @module
 */
import type { JudgeTask, Message, Mode, Order, PointwiseTarget } from "../records.ts";
import { taskLabel } from "../judge/label.ts";

/** One TRL row. */
export interface TrlRow {
  /** The task's chat messages (conversational format). */
  prompt: Message[];
  /** The JSON task label (see `decodeLabel`). */
  j1_label: string;
  /** The judge task's id. */
  task_id: string;
  /** The pair's id: both orders (or both pointwise targets) of a pair share it. */
  pair_id: string;
  /** The judge output format. */
  mode: Mode;
  /** Pairwise modes: the order; `null` for pointwise. */
  order: Order | null;
  /** Pointwise: the response scored; `null` for pairwise modes. */
  target: PointwiseTarget | null;
}

/**
 * The TRL row of a judge task.
 *
 * @example
 * ```ts
 * import { trlRow } from "./trl.ts";
 * import assert from "node:assert/strict";
 * const task = {
 *   id: "t1", pairId: "p1", mode: "pointwise" as const, template: "thinking",
 *   target: "rejected" as const, messages: [{ role: "user" as const, content: "Score it." }],
 *   label: "rejected" as const,
 * };
 * const row = trlRow(task);
 * assert.deepEqual([row.order, row.target, JSON.parse(row.j1_label).taskId], [null, "rejected", "t1"]);
 * ```
 */
export function trlRow(task: JudgeTask): TrlRow {
  return {
    prompt: task.messages,
    j1_label: JSON.stringify(taskLabel(task)),
    task_id: task.id,
    pair_id: task.pairId,
    mode: task.mode,
    order: task.order ?? null,
    target: task.target ?? null,
  };
}
