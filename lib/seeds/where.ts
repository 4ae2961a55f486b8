/**
 * Declarative row filters on a source's own fields, e.g. WildChat's
 * `{"turn": 1, "language": "English", "toxic": false, "redacted": false}`: each key is a field
 * name or dotted path, each value a condition the field must meet.
 * @module
 */
import { getField } from "./fields.ts";

/** A value a field can be compared with. */
export type WhereScalar = string | number | boolean | null;

/**
 * A condition on one field: equal to a value, one of a list of values, or a number within
 * `{min, max}` (both bounds included, either may be left out).
 */
export type WhereCondition = WhereScalar | WhereScalar[] | { min?: number; max?: number };

/** Conditions by field (name or dotted path); a row is kept when it meets all of them. */
export type Where = Record<string, WhereCondition>;

const isScalar = (v: unknown): v is WhereScalar =>
  v === null || ["string", "number", "boolean"].includes(typeof v);

const CONDITION = "a string, number, boolean or null, a non-empty list of them, or " +
  '{"min", "max"} numbers';

/**
 * What is wrong with a `where` object, or undefined when it is a valid {@linkcode Where}.
 *
 * @example
 * ```ts
 * import { whereProblem } from "./where.ts";
 * import assert from "node:assert/strict";
 * assert.equal(whereProblem({ turn: 1, language: ["English", "German"], "meta.len": { max: 9 } }), undefined);
 * assert.match(whereProblem({ turn: [] })!.expected, /field "turn": a string/);
 * ```
 */
export function whereProblem(value: unknown): { expected: string; found: string } | undefined {
  for (const [field, cond] of Object.entries(value as Record<string, unknown>)) {
    const found = JSON.stringify(cond) ?? String(cond);
    const bad = { expected: `field "${field}": ${CONDITION}`, found };
    if (isScalar(cond)) continue;
    if (Array.isArray(cond)) {
      if (!cond.length || !cond.every(isScalar)) return bad;
      continue;
    }
    const range = cond as Record<string, unknown>;
    const keys = Object.keys(range);
    if (
      !keys.length || !keys.every((k) =>
        (k === "min" || k === "max") &&
        typeof range[k] === "number" && Number.isFinite(range[k])
      )
    ) return bad;
  }
  return undefined;
}

/**
 * Why a row does not meet `where` (the first condition it misses), or null when it meets all.
 *
 * @example
 * ```ts
 * import { whereMismatch } from "./where.ts";
 * import assert from "node:assert/strict";
 * const where = { turn: 1, language: "English", toxic: false };
 * assert.equal(whereMismatch({ turn: 1, language: "English", toxic: false }, where), null);
 * assert.equal(
 *   whereMismatch({ turn: 1, language: "French", toxic: false }, where),
 *   'field "language" is "French", expected "English"',
 * );
 * assert.equal(whereMismatch({ turn: 3 }, { turn: { max: 2 } }), 'field "turn" is 3, expected at most 2');
 * ```
 */
export function whereMismatch(row: Record<string, unknown>, where: Where): string | null {
  for (const [field, cond] of Object.entries(where)) {
    const value = getField(row, field);
    const is = value === undefined ? "missing" : `${JSON.stringify(value)}`;
    const miss = (expected: string) => `field "${field}" is ${is}, expected ${expected}`;
    if (Array.isArray(cond)) {
      if (!cond.some((c) => c === value)) {
        return miss(`one of ${cond.map((c) => JSON.stringify(c)).join(", ")}`);
      }
    } else if (isScalar(cond)) {
      if (value !== cond) return miss(JSON.stringify(cond));
    } else {
      const { min, max } = cond;
      const bounds = [
        min !== undefined ? `at least ${min}` : "",
        max !== undefined ? `at most ${max}` : "",
      ]
        .filter(Boolean).join(" and ");
      if (
        typeof value !== "number" || (min !== undefined && value < min) ||
        (max !== undefined && value > max)
      ) return miss(bounds);
    }
  }
  return null;
}
