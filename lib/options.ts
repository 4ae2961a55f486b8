/**
 * Option specs: one declaration per stage option drives pipeline-file validation, CLI flag
 * parsing (`--kebab-case` flags) and the documentation.
 * @module
 */

/**
 * The JSON type an option takes. `endpoint` is a string naming a declared endpoint; one whose
 * default is `""` is optional (`""`: none).
 */
export type OptionType =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "string[]"
  | "object"
  | "endpoint";

/** One option of a stage. */
export interface OptionSpec {
  /** The JSON type of the value. */
  type: OptionType;
  /** One line for `--help` and error messages. */
  description: string;
  /** Used when the option is not given; an option without a default and `required` must be given. */
  default?: unknown;
  /** The option must be given (it has no default). */
  required?: boolean;
  /** Allowed values for strings (and for each element of `string[]`). */
  enum?: readonly string[];
  /** Smallest allowed number. */
  min?: number;
  /** Largest allowed number. */
  max?: number;
  /**
   * A knob that changes no record (how many units run at once, how many refusals fail a stage),
   * so changing it does not re-run a finished stage.
   */
  runtime?: boolean;
  /**
   * Checks the value beyond its type, when the options are loaded and before any stage runs (a
   * named file exists, an object's keys and value types): the first issue, or undefined.
   * `options` are all of the stage's options (defaults filled in).
   */
  // deno-lint-ignore no-explicit-any -- each option knows its own value's type
  check?: (value: any, options: Record<string, any>) => OptionIssue | undefined;
  /**
   * The files, folders or URLs the value names whose content decides the records (templates, a
   * data file): they are hashed with the stage's inputs, so editing one re-runs the stage.
   */
  // deno-lint-ignore no-explicit-any
  files?: (value: any, options: Record<string, any>) => string[];
}

/**
 * The option of every stage that calls an endpoint: the share of its units the endpoint may
 * refuse (HTTP 400, 404, 413, 422: a wrong URL or model, a prompt over the context window)
 * before the stage fails without a manifest, instead of completing empty.
 */
export const MAX_REJECTED_SHARE: OptionSpec = {
  type: "number",
  default: 0.5,
  min: 0,
  max: 1,
  runtime: true,
  description: "Fail the stage when the endpoint refuses more than this share of its units " +
    "(1: never)",
};

/** What is wrong with an option's value, for a `expected …, found …` message. */
export interface OptionIssue {
  /** What the value should have been. */
  expected: string;
  /** What it was. */
  found: string;
  /** The key of an object value the issue is about (the message then points at that key). */
  key?: string;
}

/**
 * The issue with an object option whose keys must be among `keys` and whose values must pass
 * `valueOk` (described by `valueExpected`), or undefined.
 *
 * @example
 * ```ts
 * import { objectIssue } from "./options.ts";
 * import assert from "node:assert/strict";
 * const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
 * assert.equal(objectIssue({ chat: 5 }, ["chat"], isCount, "a count"), undefined);
 * assert.deepEqual(objectIssue({ caht: 5 }, ["chat"], isCount, "a count"), {
 *   expected: 'keys among "chat"',
 *   found: 'key "caht"',
 *   key: "caht",
 * });
 * ```
 */
export function objectIssue(
  value: Record<string, unknown>,
  keys: readonly string[],
  valueOk: (v: unknown) => boolean,
  valueExpected: string,
): OptionIssue | undefined {
  for (const [key, v] of Object.entries(value)) {
    if (!keys.includes(key)) {
      return {
        expected: `keys among ${keys.map((k) => `"${k}"`).join(", ")}`,
        found: `key ${JSON.stringify(key)}`,
        key,
      };
    }
    if (!valueOk(v)) {
      return {
        expected: `"${key}": ${valueExpected}`,
        found: describeValue(v),
        key,
      };
    }
  }
  return undefined;
}

/** Why a value does not fit an option: what was expected and what was found. */
export interface OptionProblem {
  /** e.g. `an integer >= 1`. */
  expected: string;
  /** e.g. `string "x"`. */
  found: string;
}

/** The options of a stage, by key (camelCase; the CLI flag is its kebab-case form). */
export type OptionsSpec = Record<string, OptionSpec>;

/** The issue with a field-name map (`{instruction: "question"}`): known keys, string values. */
export function fieldsIssue(
  fields: Record<string, unknown>,
  keys: readonly string[],
): OptionIssue | undefined {
  return objectIssue(fields, keys, (v) => typeof v === "string" && v !== "", "a field name");
}

/** How a found value is named in messages: `string "abc"`, `number 3`, `an object`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `the list ${clip(JSON.stringify(value))}`;
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" && !Number.isFinite(value)) return "not a number";
  return `${typeof value} ${clip(JSON.stringify(value))}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
