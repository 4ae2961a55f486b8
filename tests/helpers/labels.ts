/** Test helper: task labels as a trainer sends them back, and judgments to score against them. */
import type { TaskLabel } from "../../lib/judge/label.ts";
import type { Order, PointwiseTarget, Verdict } from "../../lib/records.ts";

/** The label of one order of a pairwise pair whose chosen response is shown first in AB. */
export const pairwiseLabel = (pairId: string, order: Order): TaskLabel => ({
  taskId: `${pairId}-${order}`,
  pairId,
  mode: "pairwise",
  template: "thinking",
  order,
  label: order === "AB" ? "A" : "B",
});

/** The label of one response of a pair judged pointwise. */
export const pointwiseLabel = (pairId: string, target: PointwiseTarget): TaskLabel => ({
  taskId: `${pairId}-${target}`,
  pairId,
  mode: "pointwise",
  template: "thinking",
  target,
  label: target,
});

/** A well-formed pairwise judgment naming `v`. */
export const judgment = (v: Verdict) =>
  `<think>Comparing both.</think>\n<answer> [[${v}]] </answer>`;
