/**
 * Health metrics of a rollout batch, accumulated over a stream: memory grows with the number of
 * groups (and unmatched order halves), never with the number of rollouts.
 * @module
 */
import type { Mode, ParseErrorCode, Rollout, Verdict } from "../records.ts";

/** The metrics of a set of rollouts. Rates are `null` when nothing was there to count. */
export interface RolloutSummary {
  /** Rollouts added. */
  rollouts: number;
  /** Distinct `taskId`s. */
  groups: number;
  /** Mean of `reward`. */
  meanReward: number | null;
  /**
   * Share of groups whose rewards are all equal (including groups of one sample): they carry no
   * GRPO signal. The key health metric of a batch.
   */
  zeroVarianceGroupShare: number | null;
  /** Share of rollouts with a `parseError`. */
  parseFailureRate: number | null;
  /** Count of each parse error code seen. */
  parseErrors: Partial<Record<ParseErrorCode, number>>;
  /** Pairwise modes: share of verdicts that are `A`. */
  aPreferenceRate: number | null;
  /**
   * Pairwise modes: among (pair, mode, template, sample) seen with a verdict in both orders, the
   * share where the judge picked a different response after the swap, i.e. wrote the same
   * letter in `AB` and `BA` (the verdict followed the position, not the content).
   */
  flipRate: number | null;
  /** Mean thought length in characters. */
  meanThoughtChars: number | null;
  /** Percentiles of thought length (nearest rank; exact below 256 chars, within 1% above). */
  thoughtCharsP50: number | null;
  /** 90th percentile of thought length (as `thoughtCharsP50`). */
  thoughtCharsP90: number | null;
  /** Mean thought length in tokens (`null` unless the rollouts carry `thoughtTokens`). */
  meanThoughtTokens: number | null;
  /** Median thought length in tokens (as `thoughtCharsP50`). */
  thoughtTokensP50: number | null;
  /** 90th percentile of thought length in tokens (as `thoughtCharsP50`). */
  thoughtTokensP90: number | null;
}

/** The metrics overall and per mode. */
export interface RolloutStatsSummary extends RolloutSummary {
  /** The same metrics for each mode seen. */
  byMode: Partial<Record<Mode, RolloutSummary>>;
}

/** A streaming accumulator of rollout metrics. */
export interface RolloutStats {
  /** Counts one rollout. */
  add(rollout: Rollout): void;
  /** The metrics so far (the accumulator keeps going). */
  summary(): RolloutStatsSummary;
}

const EXACT = 256;
const RATIO = 1.01;
const BINS = EXACT + Math.ceil(Math.log(2 ** 32 / EXACT) / Math.log(RATIO));

/** Fixed-size histogram of non-negative integers: exact bins, then bins 1% apart. */
class LengthHistogram {
  #counts = new Float64Array(BINS);
  #n = 0;
  add(length: number) {
    const bin = length < EXACT
      ? Math.max(0, Math.floor(length))
      : Math.min(BINS - 1, EXACT + Math.floor(Math.log(length / EXACT) / Math.log(RATIO)));
    this.#counts[bin]++;
    this.#n++;
  }
  /** The smallest bin value with at least `p` of the counts at or below it. */
  percentile(p: number): number | null {
    if (!this.#n) return null;
    const rank = Math.max(1, Math.ceil(p * this.#n));
    let seen = 0;
    for (let bin = 0; bin < BINS; bin++) {
      seen += this.#counts[bin];
      if (seen >= rank) return bin < EXACT ? bin : Math.round(EXACT * RATIO ** (bin - EXACT));
    }
    return null;
  }
}

/**
 * What a rollout is matched on with its twin in the other order, for the flip rate: the same
 * pair, mode, template and sample.
 */
export function flipKey(r: Pick<Rollout, "pairId" | "mode" | "template" | "sample">): string {
  return JSON.stringify([r.pairId, r.mode, r.template, r.sample]);
}

const ratio = (num: number, den: number) => (den ? num / den : null);

/** One scope's counters (overall, or one mode). */
class Accumulator {
  rollouts = 0;
  rewardSum = 0;
  parseFailures = 0;
  parseErrors: Partial<Record<ParseErrorCode, number>> = {};
  verdicts = 0;
  aVerdicts = 0;
  matched = 0;
  flips = 0;
  thoughtSum = 0;
  thoughts = new LengthHistogram();
  tokenCounted = 0;
  tokenSum = 0;
  tokens = new LengthHistogram();
  /** Per group: its first reward, and whether any later reward differed. */
  groups = new Map<string, { first: number; varies: boolean }>();
  /** Verdicts waiting for the same sample in the other order. */
  pending = new Map<string, { order: string; verdict: Verdict }>();

  add(r: Rollout) {
    this.rollouts++;
    this.rewardSum += r.reward;
    if (r.parseError) {
      this.parseFailures++;
      this.parseErrors[r.parseError] = (this.parseErrors[r.parseError] ?? 0) + 1;
    }
    this.thoughtSum += r.thought.length;
    this.thoughts.add(r.thought.length);
    if (r.thoughtTokens !== undefined) {
      this.tokenCounted++;
      this.tokenSum += r.thoughtTokens;
      this.tokens.add(r.thoughtTokens);
    }
    const group = this.groups.get(r.taskId);
    if (!group) this.groups.set(r.taskId, { first: r.reward, varies: false });
    else if (r.reward !== group.first) group.varies = true;
    if (r.verdict && r.order) this.#verdict(r, r.order, r.verdict);
  }

  #verdict(r: Rollout, order: string, verdict: Verdict) {
    this.verdicts++;
    if (verdict === "A") this.aVerdicts++;
    const key = flipKey(r);
    const other = this.pending.get(key);
    if (other && other.order !== order) {
      this.pending.delete(key);
      this.matched++;
      if (other.verdict === verdict) this.flips++;
    } else {
      this.pending.set(key, { order, verdict });
    }
  }

  summary(): RolloutSummary {
    let zeroVariance = 0;
    for (const g of this.groups.values()) if (!g.varies) zeroVariance++;
    return {
      rollouts: this.rollouts,
      groups: this.groups.size,
      meanReward: ratio(this.rewardSum, this.rollouts),
      zeroVarianceGroupShare: ratio(zeroVariance, this.groups.size),
      parseFailureRate: ratio(this.parseFailures, this.rollouts),
      parseErrors: { ...this.parseErrors },
      aPreferenceRate: ratio(this.aVerdicts, this.verdicts),
      flipRate: ratio(this.flips, this.matched),
      meanThoughtChars: ratio(this.thoughtSum, this.rollouts),
      thoughtCharsP50: this.thoughts.percentile(0.5),
      thoughtCharsP90: this.thoughts.percentile(0.9),
      meanThoughtTokens: ratio(this.tokenSum, this.tokenCounted),
      thoughtTokensP50: this.tokens.percentile(0.5),
      thoughtTokensP90: this.tokens.percentile(0.9),
    };
  }
}

/**
 * A streaming accumulator of rollout metrics, overall and per mode.
 *
 * @example
 * ```ts
 * import { createRolloutStats } from "./stats.ts";
 * import assert from "node:assert/strict";
 * const stats = createRolloutStats();
 * const base = { pairId: "p", mode: "pairwise" as const, template: "thinking", text: "", thought: "", rewards: {}, advantage: 0 };
 * stats.add({ ...base, taskId: "t1", order: "AB", sample: 0, verdict: "A", reward: 1 });
 * stats.add({ ...base, taskId: "t2", order: "BA", sample: 0, verdict: "A", reward: 0 });
 * const s = stats.summary();
 * assert.equal(s.flipRate, 1);
 * assert.equal(s.aPreferenceRate, 1);
 * assert.equal(s.zeroVarianceGroupShare, 1);
 * ```
 */
export function createRolloutStats(): RolloutStats {
  const all = new Accumulator();
  const byMode = new Map<Mode, Accumulator>();
  return {
    add(rollout) {
      all.add(rollout);
      let mode = byMode.get(rollout.mode);
      if (!mode) byMode.set(rollout.mode, mode = new Accumulator());
      mode.add(rollout);
    },
    summary() {
      return {
        ...all.summary(),
        byMode: Object.fromEntries([...byMode].map(([mode, acc]) => [mode, acc.summary()])),
      };
    },
  };
}
