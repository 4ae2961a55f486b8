/**
 * The judge core: parse judgments, score them with J1's verifiable rewards, compute GRPO
 * advantages and batch health metrics. Pure functions over strings and records.
 * @module
 */
export { type Parsed, parseJudgment, type ParseOptions } from "./parse.ts";
export {
  DEFAULT_REWARD_CONFIG,
  REWARD_COMPONENTS,
  type RewardConfig,
  rewardWeightsIssue,
  type SampleGroup,
  type ScoredSample,
  scorePairGroups,
  validateRewardConfig,
} from "./rewards.ts";
export { grpoAdvantages, type GrpoOptions } from "./grpo.ts";
export {
  createRolloutStats,
  type RolloutStats,
  type RolloutStatsSummary,
  type RolloutSummary,
} from "./stats.ts";
export {
  decodeLabel,
  type LabelledResponse,
  labelTask,
  scoreResponses,
  type TaskLabel,
  taskLabel,
} from "./label.ts";
