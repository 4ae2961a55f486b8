/**
 * Waiting on several LLM calls without abandoning any.
 * @module
 */

/**
 * Like `Promise.all`, but a rejection does not leave the other calls running unattended: it
 * waits until every promise has settled, then returns the values in order or throws the first
 * rejection in array order. A request still on its way when a sibling fails is paid for; waiting
 * lets its response reach the cache before the caller (a stage about to stop) closes it, so a
 * re-run does not ask for it again.
 *
 * @example
 * ```ts
 * import { settleAll } from "./settle.ts";
 * import assert from "node:assert/strict";
 * let finished = false;
 * const slow = new Promise<number>((resolve) => setTimeout(() => (finished = true, resolve(2)), 5));
 * await assert.rejects(settleAll([Promise.reject(new Error("down")), slow]), /down/);
 * assert.ok(finished);
 * assert.deepEqual(await settleAll([1, 2].map((n) => Promise.resolve(n))), [1, 2]);
 * ```
 */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
