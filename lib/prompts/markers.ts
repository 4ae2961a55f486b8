/**
 * The fixed text markers of the toolkit's prompts. Templates put instructions and responses
 * between these markers, and output-format tags name what the model must write. Any model can
 * read them; the simulator relies on them to answer plausibly.
 * @module
 */

/** Where the instruction and the responses sit in judge prompts (MT-Bench / RewardBench layout). */
export const JUDGE_MARKERS = {
  question: "[User Question]",
  startA: "[The Start of Assistant A's Answer]",
  endA: "[The End of Assistant A's Answer]",
  startB: "[The Start of Assistant B's Answer]",
  endB: "[The End of Assistant B's Answer]",
  /** Pointwise: the single response (J1's pointwise wrapper). */
  start: "[The Start of the Assistant's Answer]",
  end: "[The End of the Assistant's Answer]",
} as const;

/** Output tags the judge is asked to write. */
export const OUTPUT_TAGS = {
  think: ["<think>", "</think>"],
  plan: ["<plan>", "</plan>"],
  execution: ["<execution>", "</execution>"],
  answer: ["<answer>", "</answer>"],
  scoreA: ["<score_A>", "</score_A>"],
  scoreB: ["<score_B>", "</score_B>"],
  score: ["<score>", "</score>"],
} as const;

/**
 * The score-scale sentence a score template's `{{score_scale}}` placeholder becomes: J1 v3 allows
 * one decimal, its May-2025 draft asked for integers. The simulator reads which one a prompt
 * holds.
 */
export const SCORE_SCALES = {
  decimal: "Scores range from 0 to 10 and may be whole numbers or decimals with one digit after " +
    "the point.",
  integer: "Scores are whole numbers from 0 to 10.",
} as const;

/** Synth prompts: the original instruction, and the tag a modified instruction is written in. */
export const SYNTH_MARKERS = {
  original: "[Original Instruction]",
  modified: ["<modified_instruction>", "</modified_instruction>"],
  /** Worse-response prompt: around the baseline (chosen) answer shown to the generator. */
  baseline: ["[The Start of the Baseline Answer]", "[The End of the Baseline Answer]"],
  /** Worse-response output: the header of the modified instruction (J1 v3 Fig. 14). */
  modifiedQuestion: "[User Question Modified]",
  /** Worse-response output: around the answer to the modified instruction (J1 v3 Fig. 14). */
  modifiedAnswer: [
    "[The start of Assistant's answer to the modified instruction]",
    "[The end of Assistant's answer to the modified instruction]",
  ],
  /** Category prompt: the heading of the category list, and the tag the answer is written in. */
  categories: "[Categories]",
  category: ["<category>", "</category>"],
  /** Math prompts ask for the final answer in `\boxed{}`. */
  boxed: "\\boxed{",
} as const;
