/**
 * Waiting on several LLM calls without abandoning any.
 * @module
 */
import { EndpointError } from "../errors.ts";

/**
 * Like `Promise.all`, but a rejection does not leave the other calls running unattended: it
 * waits until every promise has settled, then returns the values in order or throws the first
 * rejection in array order, a failure that stops a stage ahead of a server's refusal of one
 * request (which only rejects the unit: a refused sibling must not hide an endpoint that is
 * down). A request still on its way when a sibling fails is paid for; waiting lets its response
 * reach the cache before the caller (a stage about to stop) closes it, so a re-run does not ask
 * for it again.
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
  const failures = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
  const refused = (err: unknown) => err instanceof EndpointError && err.refusesRequest;
  if (failures.length) throw failures.find((err) => !refused(err)) ?? failures[0];
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
