/**
 * The reward server: the J1 reward over HTTP for OpenRLHF (`/get_reward`) and verl (`/score`).
 * @module
 */
export { type RewardServer, type RewardServerOptions, startRewardServer } from "./server.ts";
export { getReward, type GetRewardResponse } from "./get_reward.ts";
export { scoreItems, type ScoreResult } from "./score_items.ts";
export { responseText, stripSpecialTokens, TRAILING_SPECIAL_TOKENS } from "./response_text.ts";
export { rewardConfigFromFlags } from "./reward_config_from_flags.ts";
export { errorResponse, HttpError } from "./http_error.ts";
export { floatJson } from "./float_json.ts";
export {
  needsPartner,
  type PartneredSample,
  type PartnerOptions,
  PartnerRendezvous,
  type PartnerStats,
} from "./partners.ts";
