/**
 * j1kit: the J1 recipe (training LLM-as-a-Judge models to think, with RL on verifiable
 * rewards) as a toolkit. The public API for notebooks and scripts.
 *
 * Where to start: {@linkcode runPipelineFile} runs a pipeline file (the stages in
 * {@linkcode stages}: seeds, pairs, synth, handoff, rollout, evaluate, scoreboard);
 * {@linkcode parseJudgment} reads a judge's output, {@linkcode scorePairGroups} turns a pair's
 * sampled judgments into rewards and GRPO advantages, {@linkcode summarize} computes a
 * benchmark's metrics, {@linkcode startRewardServer} serves the reward to a trainer, and
 * {@linkcode startSim} starts the built-in OpenAI-compatible simulator to try it all offline.
 *
 * @example Reading a judgment
 * ```ts
 * import { parseJudgment } from "@j1kit/j1kit";
 * import assert from "node:assert/strict";
 *
 * const judgment = parseJudgment("pairwise", "<think>A answers the question.</think> [[A]]");
 * assert.equal(judgment.verdict, "A");
 * assert.equal(judgment.thought, "A answers the question.");
 * ```
 * @module
 */
export * from "./lib/records.ts";
export * from "./lib/errors.ts";
export { runPipelineFile } from "./lib/api.ts";
export {
  type EndpointDecl,
  type EndpointStart,
  loadPipeline,
  parsePipeline,
  type PipelineConfig,
  type Registry,
  type StageConfig,
} from "./lib/pipeline/config.ts";
export {
  type Manifest,
  readManifest,
  type RunOptions,
  runPipeline,
  type StageOutcome,
} from "./lib/pipeline/run.ts";
export type { StagePaths } from "./lib/pipeline/execute.ts";
export type { Progress } from "./lib/pipeline/progress.ts";
export type {
  Reject,
  StageContext,
  StageInput,
  StageRunner,
  UnitQuota,
  UnitResult,
} from "./lib/pipeline/stage.ts";
export {
  MAX_REJECTED_SHARE,
  type OptionIssue,
  type OptionSpec,
  type OptionsSpec,
  type OptionType,
} from "./lib/options.ts";
export { stages } from "./lib/stages/mod.ts";
export * from "./lib/llm/mod.ts";
export * from "./lib/prompts/mod.ts";
export * from "./lib/judge/mod.ts";
export * from "./lib/math/mod.ts";
export * from "./lib/seeds/mod.ts";
export {
  readRecords,
  type ReadRecordsOptions,
  type RecordLocation,
  type SourceRecord,
} from "./lib/io/records.ts";
export type { HfOptions } from "./lib/io/hf.ts";
export { readJsonl, writeJsonl } from "./lib/io/jsonl.ts";
export * from "./lib/bench/mod.ts";
export {
  type FaultKind,
  type JudgePolicy,
  type SimFaults,
  type SimOptions,
  type SimServer,
  type SimStats,
  startSim,
} from "./lib/sim/mod.ts";
export * from "./lib/serve/mod.ts";
export * from "./lib/export/mod.ts";
export * from "./lib/report/mod.ts";
export {
  loadTokenizer,
  type TokenCounter,
  type TokenizerName,
  TOKENIZERS,
} from "./lib/tokens/tokenizer.ts";
export { HANDOFF_KINDS, type HandoffOptions, type PromptTokenStats } from "./lib/stages/handoff.ts";
export { type JudgeTaskOptions, judgeTasks } from "./lib/stages/judge_tasks.ts";
export type { PairOrders, PromptOptions } from "./lib/stages/judge_prompt_options.ts";
export * from "./lib/view/mod.ts";
