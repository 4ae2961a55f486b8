/**
 * The record types: one definition of each, shared by every stage, the CLIs, the pipeline
 * runner and `mod.ts`. Every arrow of the data flow carries one of these as JSON Lines.
 *
 * ```
 * seeds ─► SeedPrompt ─► synth ─► Pair ─► rollout ─► JudgeTask ─► Rollout
 * benchmarks ─► EvalItem (via evaluate)
 * ```
 * @module
 */

/** One chat message, as OpenAI-compatible servers take it. */
export interface Message {
  /** Who wrote it; `system` only as the first message. */
  role: "system" | "user" | "assistant";
  /** The message text. */
  content: string;
}

/** An instruction: a single user turn, or a multi-turn conversation ending on a user turn. */
export type Instruction = string | Message[];

/** Which kind of seed: open-ended chat, or a prompt with a checkable reference answer. */
export type SeedKind = "chat" | "verifiable";

/** Every seed kind. */
export const SEED_KINDS: readonly SeedKind[] = ["chat", "verifiable"];

/** One instruction to build preference pairs from. */
export interface SeedPrompt {
  /** Stable content hash (see `contentId`). */
  id: string;
  /** Where it came from, e.g. `wildchat` or a file name. */
  source: string;
  /** Chat or verifiable: decides which synth method answers it. */
  kind: SeedKind;
  /** What the user asked. */
  instruction: Instruction;
  /** Gold answer for verifiable prompts (bare, not boxed). */
  reference?: string;
}

/** How a pair was made. */
export type PairMethod = "modified-instruction" | "sampled-verified" | "given";

/**
 * How a chat pair was made: `worse-response`, one call that sees the instruction and the
 * baseline answer and writes the modified instruction and the rejected answer (the Self-Taught
 * Evaluator's prompt); `three-call`, modified instruction, then each instruction answered alone.
 */
export type ChatMethod = "worse-response" | "three-call";

/** Where a pair came from, kept for audits and error analysis. */
export interface PairProvenance {
  /** Model that wrote the responses (or the modified instruction). */
  model?: string;
  /** Self-Taught-Evaluator: the noisy instruction the rejected response answers. */
  modifiedInstruction?: string;
  /** Self-Taught-Evaluator: which chat method made the pair. */
  chatMethod?: ChatMethod;
  /** Sampled-and-verified: every sampled final answer and whether it matched the reference. */
  sampledAnswers?: { answer: string | null; correct: boolean }[];
  /** Free-form extra fields from a given dataset. */
  [key: string]: unknown;
}

/** A preference pair with a known better response. */
export interface Pair {
  /** Content hash of the seed id and both responses. */
  id: string;
  /** The `SeedPrompt.id` it was made from. */
  seedId: string;
  /** The seed's `source`, carried along for per-source reports. */
  source: string;
  /** The seed's kind. */
  kind: SeedKind;
  /** The seed's instruction, or a given dataset's. */
  instruction: Instruction;
  /** The better response. */
  chosen: string;
  /** The worse response. */
  rejected: string;
  /** The seed's gold answer (verifiable pairs). */
  reference?: string;
  /** Which recipe made the pair. */
  method: PairMethod;
  /** Audit trail: model, modified instruction, sampled answers. */
  provenance: PairProvenance;
}

/**
 * Judge output format: a verdict (J1's PaV), two scores (PaS), two scores then a verdict (PaVS:
 * only the verdict counts), or one response's score (PoS).
 */
export type Mode = "pairwise" | "pairwise-scores" | "pairwise-verdict-scores" | "pointwise";

/** Which response is shown first: `AB` = chosen as A, `BA` = rejected as A. */
export type Order = "AB" | "BA";

/** The judge's pick. */
export type Verdict = "A" | "B";

/** For pointwise tasks: which response of the pair is being scored. */
export type PointwiseTarget = "chosen" | "rejected";

/** One judge prompt with a known right answer. */
export interface JudgeTask {
  /** Stable content hash of (pairId, mode, template, order | target). */
  id: string;
  /** The `Pair.id` the task judges. */
  pairId: string;
  /** Judge output format the template asks for. */
  mode: Mode;
  /** Template name, e.g. `thinking` or `plan-execute`. */
  template: string;
  /** Pairwise modes: which response is shown as A. */
  order?: Order;
  /** Pointwise: which response is scored. */
  target?: PointwiseTarget;
  /** The rendered prompt, ready to send. */
  messages: Message[];
  /** Pairwise: the position of the chosen response. Pointwise: the target. */
  label: Verdict | PointwiseTarget;
  /** Tokens of the prompt as the trainer model renders it (when a tokenizer was set). */
  promptTokens?: number;
}

/** Why a judgment could not be parsed. */
export type ParseErrorCode =
  | "no_verdict"
  | "multiple_verdicts"
  | "no_score"
  | "multiple_scores"
  | "score_out_of_range"
  | "unclosed_think"
  | "empty";

/** Token usage of one request (or the share of one sample). */
export interface Usage {
  /** Tokens of the prompt. */
  promptTokens: number;
  /** Tokens of the completion. */
  completionTokens: number;
}

/** One sampled judgment, parsed and scored. */
export interface Rollout {
  /** The `JudgeTask.id` sampled. */
  taskId: string;
  /** The `Pair.id` judged. */
  pairId: string;
  /** The task's mode. */
  mode: Mode;
  /** The task's template name. */
  template: string;
  /** The task's order (pairwise modes). */
  order?: Order;
  /** The task's target (pointwise). */
  target?: PointwiseTarget;
  /** Sample index within the task's group (0..G-1). */
  sample: number;
  /** The full text the judge wrote (after the server's reasoning, if split out). */
  text: string;
  /** The thought: the server's reasoning field, else the `<think>` (or plan+execution) block. */
  thought: string;
  /** Tokens of the thought with the trainer model's tokenizer (when the stage names one). */
  thoughtTokens?: number;
  /** Pairwise modes: the position the judge picked; absent when unparseable. */
  verdict?: Verdict;
  /** Pairwise-scores and pairwise-verdict-scores: `{A, B}`; pointwise: `{score}`. */
  scores?: Record<string, number>;
  /** Why the text could not be parsed; absent when it could. */
  parseError?: ParseErrorCode;
  /** Weighted sum of the components. */
  reward: number;
  /** Every reward component, unweighted (e.g. `correct`, `consistent`, `format`). */
  rewards: Record<string, number>;
  /** GRPO group advantage. */
  advantage: number;
  /** Tokens this sample used (its share of a request that sampled several). */
  usage?: Usage;
}

/** One comparison a benchmark's rule needs: a better and a worse response to one instruction. */
export interface Comparison {
  /** Unique within the item, e.g. `0`, or `1,2` (RM-Bench chosen style 1 vs rejected style 2). */
  key: string;
  /** The better response. */
  chosen: string;
  /** The worse response. */
  rejected: string;
  /**
   * The order the benchmark's file shows the two responses in: `BA` when its first response is
   * the rejected one (JudgeBench `B>A`, LLMBar label 2, PPE `model_b`); absent = chosen first
   * or no order. `orders: "dataset"` judges this order.
   */
  shown?: Order;
}

/** One benchmark item as loaded, before judging. */
export interface BenchItem {
  /** Adapter name, e.g. `judgebench`, `rewardbench`, `rm-bench`, `llmbar`, `pairwise`. */
  benchmark: string;
  /** Subset (or category) the official rule groups by, e.g. `alpacaeval-easy`, `Knowledge`. */
  subset: string;
  /** Unique within the benchmark, as the dataset names the item. */
  itemId: string;
  /** What the responses answer. */
  instruction: Instruction;
  /** The comparisons the benchmark's rule scores the item by. */
  comparisons: Comparison[];
  /** Benchmark-specific fields the official rule needs (e.g. RewardBench 2 `ties` kind). */
  meta?: Record<string, unknown>;
}

/** One comparison, judged: every sample in every order (pairwise) or every score (pointwise). */
export interface ComparisonResult {
  /** The `Comparison.key` judged. */
  key: string;
  /**
   * Pairwise modes: per order, per sample, the position the judge picked (`null` = unparseable).
   * `AB` shows the chosen response as A, so the right verdict is `A` in `AB` and `B` in `BA`.
   */
  verdicts?: Partial<Record<Order, (Verdict | null)[]>>;
  /**
   * Pairwise-scores (the decision): per order, per sample, `[scoreA, scoreB]` (`null` =
   * unparseable).
   */
  scorePairs?: Partial<Record<Order, ([number, number] | null)[]>>;
  /**
   * Pairwise-verdict-scores: the latent scores written beside the verdicts (which decide), per
   * order and sample (`null` = unparseable or not written). Apart from `scorePairs` so that no
   * rule decides by them.
   */
  latentScorePairs?: Partial<Record<Order, ([number, number] | null)[]>>;
  /** Pointwise: per sample, the score of each response (`null` = unparseable). */
  scores?: { chosen: (number | null)[]; rejected: (number | null)[] };
  /**
   * A four-way ranking (RewardBench 2's prompt for pairwise judges): the slot (0–3, A–D) the
   * chosen answer was shown in, and per sample the slot the judge picked (`null` = unparseable).
   */
  ranking?: { slot: number; picks: (number | null)[] };
  /** Thought length in characters of every sample, all orders together. */
  thoughtLengths: number[];
  /** Thought length in tokens of every sample, as `thoughtLengths` (with a tokenizer). */
  thoughtTokens?: number[];
}

/** One benchmark item, judged. */
export interface EvalItem {
  /** The `BenchItem.benchmark` it was loaded as. */
  benchmark: string;
  /** The item's subset. */
  subset: string;
  /** The item's id. */
  itemId: string;
  /** One result per comparison, in the item's order. */
  results: ComparisonResult[];
  /** The `BenchItem.meta`, kept for the benchmark's rule. */
  meta?: Record<string, unknown>;
}
