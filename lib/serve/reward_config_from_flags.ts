/**
 * The reward config from command-line strings (`--weights '{"correct":1}'`,
 * `--consistency by-sample`).
 * @module
 */
import { UserError } from "../errors.ts";
import {
  DEFAULT_REWARD_CONFIG,
  type RewardConfig,
  validateRewardConfig,
} from "../judge/rewards.ts";
import { describeValue } from "../pipeline/config.ts";

const CONSISTENCY: RewardConfig["consistency"][] = ["by-sample", "by-majority"];

/**
 * Builds a {@linkcode RewardConfig} from flag values (absent ones keep J1's defaults). Throws a
 * `UserError` naming the flag, what was expected and what was found.
 *
 * @example
 * ```ts
 * import { rewardConfigFromFlags } from "./reward_config_from_flags.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   rewardConfigFromFlags({ weights: '{"correct":1,"consistent":0.5}', consistency: "by-majority" }),
 *   { weights: { correct: 1, consistent: 0.5 }, consistency: "by-majority" },
 * );
 * ```
 */
export function rewardConfigFromFlags(flags: {
  weights?: string;
  consistency?: string;
  parse?: string;
}): RewardConfig {
  let weights = DEFAULT_REWARD_CONFIG.weights;
  if (flags.weights !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.weights);
    } catch {
      parsed = flags.weights;
    }
    if (
      !parsed || typeof parsed !== "object" || Array.isArray(parsed) ||
      !Object.values(parsed).every((w) => typeof w === "number" && Number.isFinite(w))
    ) {
      throw new UserError(
        `--weights: expected a JSON object of numbers such as '{"correct":1}', found ${
          describeValue(parsed)
        }`,
      );
    }
    weights = parsed as Record<string, number>;
  }
  const consistency =
    (flags.consistency ?? DEFAULT_REWARD_CONFIG.consistency) as RewardConfig["consistency"];
  if (!CONSISTENCY.includes(consistency)) {
    throw new UserError(
      `--consistency: expected ${CONSISTENCY.join(" or ")}, found ${
        JSON.stringify(flags.consistency)
      }`,
    );
  }
  if (flags.parse !== undefined && flags.parse !== "lenient" && flags.parse !== "strict") {
    throw new UserError(
      `--parse: expected lenient or strict, found ${JSON.stringify(flags.parse)}`,
    );
  }
  const config: RewardConfig = {
    weights,
    consistency,
    ...(flags.parse === "strict" && { parse: { strict: true } }),
  };
  try {
    validateRewardConfig(config);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`--weights: ${err.message}`);
    throw err;
  }
  return config;
}
