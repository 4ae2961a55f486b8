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
  type: OptionType;
  description: string;
  /** Used when the option is not given; an option without a default and `required` must be given. */
  default?: unknown;
  required?: boolean;
  /** Allowed values for strings (and for each element of `string[]`). */
  enum?: readonly string[];
  min?: number;
  max?: number;
  /**
   * A check of the value's contents once its type fits (e.g. the keys of an `object`): what was
   * expected and what was found, or undefined when it is fine.
   */
  check?: (value: unknown) => OptionProblem | undefined;
  /**
   * A scheduling knob (e.g. how many units run at once): it changes how fast a stage runs, never
   * its records, so changing it does not re-run a finished stage.
   */
  runtime?: boolean;
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
