/**
 * Judge-prompt options shared by the stages that judge: how a template is laid out and which
 * score scale it asks for (rollout, evaluate), how strictly answers are read (rollout,
 * evaluate), and J1's single-order ablation (rollout).
 * @module
 */
import type { OptionsSpec } from "../options.ts";
import { seededOrder } from "../bench/random.ts";
import { PROMPT_LAYOUTS, type PromptLayout } from "../prompts/mod.ts";
import type { Order, Pair } from "../records.ts";

/** How judge prompts are rendered (see {@linkcode PROMPT_OPTIONS}). */
export interface PromptOptions {
  /** Prompt layout: one user message (J1) or a system message plus the data. */
  layout: PromptLayout;
  /** Score modes: ask for whole-number scores (J1's draft). */
  integerScores: boolean;
}

/** Option specs of {@linkcode PromptOptions} (J1's values as defaults). */
export const PROMPT_OPTIONS: OptionsSpec = {
  layout: {
    type: "string",
    enum: PROMPT_LAYOUTS,
    default: "one-message",
    description:
      "Prompt layout: `one-message` (J1's single prompt) or `system-user` (instructions as a " +
      "system message)",
  },
  integerScores: {
    type: "boolean",
    default: false,
    description: "Score modes: ask for whole-number scores (J1's draft) instead of one decimal",
  },
};

/** How judgments are read: `strict` counts only the exact formats the prompts ask for. */
export type ParseStrictness = "lenient" | "strict";

/** The `parse` option spec. */
export const PARSE_OPTION: OptionsSpec = {
  parse: {
    type: "string",
    enum: ["lenient", "strict"],
    default: "lenient",
    description:
      "`strict`: only `<answer> [[A]] </answer>` and plain numbers in score tags count; " +
      "`lenient` also reads a bare [[A]] and `7/10`",
  },
};

/** Which orders of a pair the pairwise judge tasks use. */
export type PairOrders = "both" | "random";

/** The `orders` option spec of the stages that make judge tasks from pairs. */
export const ORDERS_OPTION: OptionsSpec = {
  orders: {
    type: "string",
    enum: ["both", "random"],
    default: "both",
    description:
      "Pairwise modes: both orders of a pair, or one seeded random order per pair (J1's " +
      "single-order ablation)",
  },
};

/**
 * The one order of a pair's pairwise tasks under `orders: "random"`, from the pair id and the
 * seed (the coin evaluate uses for its random order); `undefined` for both orders.
 */
export function pairOrder(o: { orders: PairOrders; seed: number }, pair: Pair): Order | undefined {
  return o.orders === "random" ? seededOrder(pair.id, o.seed) : undefined;
}
