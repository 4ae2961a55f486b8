/**
 * A {@linkcode UnitQuota} per key (e.g. a seed's kind): so many records of each key, drawn
 * from units of that key in their order.
 * @module
 */
import type { OptionProblem } from "../options.ts";
import type { UnitQuota } from "./stage.ts";

/**
 * Quotas by key. A unit whose key has no quota is not wanted; a unit without a key (undefined,
 * e.g. a malformed row that will only be rejected) is wanted until every quota is met.
 *
 * @example
 * ```ts
 * import { quotaByKey } from "./quota.ts";
 * import assert from "node:assert/strict";
 * const q = quotaByKey<string, string>({ a: 1, b: 2 }, (u) => u[0], (r) => r[0]);
 * assert.equal(q.wants("a1"), true);
 * q.count("a1");
 * assert.equal(q.wants("a2"), false);
 * assert.equal(q.wants("c1"), false);
 * q.count("b1");
 * q.count("b2");
 * assert.equal(q.met(), true);
 * ```
 */
export function quotaByKey<U, R>(
  quotas: Record<string, number>,
  unitKey: (unit: U) => string | undefined,
  recordKey: (record: R) => string,
): UnitQuota<U, R> {
  const counts = new Map<string, number>();
  const full = (key: string) => (counts.get(key) ?? 0) >= quotas[key];
  return {
    wants(unit) {
      const key = unitKey(unit);
      if (key === undefined) return true;
      return Object.hasOwn(quotas, key) && !full(key);
    },
    count(record) {
      const key = recordKey(record);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    met: () => Object.keys(quotas).every(full),
  };
}

/**
 * An option check (`OptionSpec.check`) for counts by key: an object whose keys are among
 * `keys` and whose values are whole numbers of at least 1.
 *
 * @example
 * ```ts
 * import { countsProblem } from "./quota.ts";
 * import assert from "node:assert/strict";
 * const check = countsProblem(["chat", "verifiable"]);
 * assert.equal(check({ chat: 17000, verifiable: 5000 }), undefined);
 * assert.deepEqual(check({ math: 5 }), {
 *   expected: 'keys among "chat", "verifiable"',
 *   found: '"math"',
 * });
 * ```
 */
export function countsProblem(
  keys: readonly string[],
): (value: unknown) => OptionProblem | undefined {
  return (value) => {
    for (const [key, n] of Object.entries(value as Record<string, unknown>)) {
      if (!keys.includes(key)) {
        return {
          expected: `keys among ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
          found: JSON.stringify(key),
        };
      }
      if (!Number.isSafeInteger(n) || (n as number) < 1) {
        return { expected: `"${key}": a whole number >= 1`, found: JSON.stringify(n) };
      }
    }
    return undefined;
  };
}
