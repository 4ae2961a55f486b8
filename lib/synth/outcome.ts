/**
 * What one seed gives: a pair, or the reason it gives none (counted in the stage manifest).
 * @module
 */
import type { Pair } from "../records.ts";

/** Why a seed gives no pair: a short code (e.g. `all_correct`) and a detail for the reader. */
export interface SynthIssue {
  /** Counted in the manifest, e.g. `all_correct`. */
  reason: string;
  /** What was found, for a reader of the rejects file. */
  detail: string;
}

/** A synthesized pair, or the issue that stopped it. */
export type Synthesized = { pair: Pair } | { issue: SynthIssue };

/** Sampling settings shared by both recipes. */
export interface SynthParams {
  /** Sampling temperature of every request. */
  temperature: number;
  /** Nucleus sampling of every request (the Self-Taught Evaluator sampled with 0.9). */
  topP?: number;
  /** Max tokens of each completion. */
  maxTokens: number;
  /** Base seed; each request adds a per-seed offset (see `requestSeed`). */
  seed: number;
}
