/**
 * The judge-prompt options the rollout and evaluate stages share: how a template is laid out,
 * which score scale it asks for, and how strictly answers are read.
 * @module
 */
import type { OptionsSpec } from "../options.ts";
import { PROMPT_LAYOUTS } from "../prompts/mod.ts";

/** Option specs of `layout`, `integerScores` and `parse` (J1's values as defaults). */
export const JUDGE_PROMPT_OPTIONS: OptionsSpec = {
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
  parse: {
    type: "string",
    enum: ["lenient", "strict"],
    default: "lenient",
    description:
      "`strict`: only `<answer> [[A]] </answer>` and plain numbers in score tags count; " +
      "`lenient` also reads a bare [[A]] and `7/10`",
  },
};
