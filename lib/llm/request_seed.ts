/**
 * Request seeds: stable per prompt (so a re-run asks the same questions and hits the response
 * cache) and spaced so that the `n` children of one request (seeds `s … s+n-1`, vLLM's rule) do
 * not overlap another prompt's.
 * @module
 */
import { contentId } from "../ids.ts";

/**
 * `base + (hash(parts) mod 1e6) * spacing`; use the sample count as `spacing` for an `n`
 * request.
 *
 * @example
 * ```ts
 * import { requestSeed } from "./request_seed.ts";
 * import assert from "node:assert/strict";
 * assert.equal(requestSeed(0, 8, "seed-1", "solve"), requestSeed(0, 8, "seed-1", "solve"));
 * assert.equal(requestSeed(5, 8, "seed-1", "solve") - requestSeed(0, 8, "seed-1", "solve"), 5);
 * assert.equal(requestSeed(0, 8, "seed-1", "solve") % 8, 0);
 * ```
 */
export function requestSeed(base: number, spacing: number, ...parts: string[]): number {
  return base + (parseInt(contentId(...parts).slice(0, 8), 16) % 1_000_000) * spacing;
}

/**
 * Throws a RangeError unless the sample seeds `first .. first + count - 1` are exact integers
 * (within ±2^53): past that, seeds sent to a server and cache keys would silently round.
 */
export function checkSampleSeeds(first: number, count: number): void {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(first + (count - 1))) {
    throw new RangeError(
      `sample seeds must be integers within ±2^53, found ${first} (${count} samples)`,
    );
  }
}
