/**
 * OpenRLHF's prompt dataset: one row per judge task, the chat messages under `--data.input_key`
 * (train with `--data.apply_chat_template`) and the task label under `--data.label_key`, which
 * OpenRLHF forwards to the reward server as `labels`; `datasource` (read by OpenRLHF's
 * `PromptDataset` for per-source metrics) is the judge mode.
 * @module
 */
import type { JudgeTask, Message } from "../records.ts";
import { taskLabel } from "../judge/label.ts";

/**
 * OpenRLHF's `preprocess_data` turns a message whose text contains `<image>` into a multimodal
 * content list, which breaks a text-only chat template; judge prompts embed arbitrary user text,
 * so the tag gets a zero-width space after its `<`.
 */
export const IMAGE_TAG = "<image>";

/** What {@linkcode IMAGE_TAG} is written as in OpenRLHF rows. */
export const ESCAPED_IMAGE_TAG = "<\u200bimage>";

/**
 * The messages with every `<image>` escaped (see {@linkcode IMAGE_TAG}), and how many were.
 *
 * @example
 * ```ts
 * import { escapeImageTags } from "./openrlhf.ts";
 * import assert from "node:assert/strict";
 * const { messages, escaped } = escapeImageTags([{ role: "user", content: "a <image> b" }]);
 * assert.equal(escaped, 1);
 * assert.ok(!messages[0].content.includes("<image>"));
 * ```
 */
export function escapeImageTags(messages: Message[]): { messages: Message[]; escaped: number } {
  let escaped = 0;
  const out = messages.map((m) => {
    if (!m.content.includes(IMAGE_TAG)) return m;
    const parts = m.content.split(IMAGE_TAG);
    escaped += parts.length - 1;
    return { ...m, content: parts.join(ESCAPED_IMAGE_TAG) };
  });
  return { messages: out, escaped };
}

/**
 * The OpenRLHF row of a judge task: `{ [inputKey]: messages, [labelKey]: JSON task label,
 * datasource, task_id, pair_id }`, `<image>` escaped.
 *
 * @example
 * ```ts
 * import { openrlhfRow } from "./openrlhf.ts";
 * import assert from "node:assert/strict";
 * const task = {
 *   id: "t1", pairId: "p1", mode: "pairwise" as const, template: "thinking", order: "BA" as const,
 *   messages: [{ role: "user" as const, content: "Which is better?" }], label: "B" as const,
 * };
 * const row = openrlhfRow(task, "input", "label");
 * assert.deepEqual(row.input, task.messages);
 * assert.equal(JSON.parse(row.label as string).label, "B");
 * ```
 */
export function openrlhfRow(
  task: JudgeTask,
  inputKey = "input",
  labelKey = "label",
): Record<string, Message[] | string> {
  return {
    [inputKey]: escapeImageTags(task.messages).messages,
    [labelKey]: JSON.stringify(taskLabel(task)),
    datasource: `j1_${task.mode}`,
    task_id: task.id,
    pair_id: task.pairId,
  };
}
