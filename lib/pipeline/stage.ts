/**
 * The contract of a stage runner. The same runner is called by the pipeline runner, by its
 * own CLI (`deno task <stage>`) and from `mod.ts`.
 *
 * A stage is a stream of *units* (e.g. one pair) processed concurrently by `process`; the
 * runner writes each unit's records and rejects in unit order, journals progress, and on
 * resume skips the units already written. `finish` runs once at the end over the stage's own
 * output (summaries, exports, reports).
 * @module
 */
import type { OptionsSpec } from "../options.ts";
import type { SourceRecord } from "../io/records.ts";
import type { LlmClient } from "../llm/types.ts";

/** One input of a stage: another stage's output, a file path or a URL. */
export interface StageInput {
  /** As written in the pipeline file or on the command line. */
  ref: string;
  /** Another stage's output, a local file, or an `http(s)://`/`hf://` URL. */
  kind: "stage" | "file" | "url";
  /** The stage's output file, the file path, or the URL. */
  location: string;
  /** Streams the records (stage output: its JSONL; file: loaded by extension). */
  records(): AsyncIterable<unknown>;
  /** Streams the records with where each was (for messages and rejects). */
  sourced(): AsyncIterable<SourceRecord>;
  /** A stage input: what that stage's `finish` returned (its manifest's `summary`). */
  summary?: Record<string, unknown>;
  /** How many records it holds, when cheap to know (for progress totals). */
  count?(): Promise<number | undefined>;
}

/** A record a stage dropped, and why. */
export interface Reject {
  /** A short code, counted in the manifest (e.g. `duplicate`, `identical_answers`). */
  reason: string;
  /** More about the reason, for a person reading the rejects file. */
  detail?: string;
  /** The dropped record (or input row) itself. */
  record: unknown;
}

/** What one unit produced. */
export interface UnitResult<R> {
  /** The records to write, in order. */
  records: R[];
  /** The records dropped, with reasons. */
  rejects: Reject[];
}

/** Everything a stage may use while it runs. */
export interface StageContext<O> {
  /** The stage's id in the pipeline file (its output file's name). */
  stageId: string;
  /** The stage's options, validated against the runner's `options` spec. */
  options: O;
  /** The stage's inputs, in the order the pipeline file lists them. */
  inputs: StageInput[];
  /** The client for a declared endpoint (usage is counted for this stage). */
  llm(endpoint: string): LlmClient;
  /** A folder of the stage's own for extra artifacts (exports, reports); created on demand. */
  dir: string;
  /** A line of information for the user (the runner decides how to show it). */
  log(message: string): void;
}

/**
 * A cap on what a stage keeps, counted in records (e.g. 17,000 chat pairs): units are drawn in
 * their fixed order until every quota is met. The runner consults it in unit order as results
 * are written, so the output is the same whatever ran concurrently: a unit no longer wanted is
 * written as nothing, and nothing after the unit that meets the last quota is written.
 */
export interface UnitQuota<U, R> {
  /**
   * Whether a unit is still wanted, given the records counted so far. Once false for a unit it
   * must stay false (counts only grow), so a unit found unwanted before it runs is skipped.
   */
  wants(unit: U): boolean;
  /** Counts one written record (also the records already written when a stage resumes). */
  count(record: R): void;
  /** True once every quota is met. */
  met(): boolean;
}

/** A named stage runner. */
export interface StageRunner<O = Record<string, unknown>, U = unknown, R = unknown> {
  /** The runner's name: `task` in the pipeline file, and `deno task <task>` for its CLI. */
  task: string;
  /** One line for `--help` and the pipeline file's error messages. */
  description: string;
  /** The options the stage takes: types, defaults, checks. */
  options: OptionsSpec;
  /** False when `process` keeps state across units: the stage then restarts instead of resuming. */
  resumable?: boolean;
  /** Units of work, in a deterministic order. */
  units(ctx: StageContext<O>): AsyncIterable<U>;
  /** Number of units, if cheap to know (for progress and ETA; see `inputsTotal`). */
  total?(ctx: StageContext<O>): Promise<number | undefined>;
  /** Units processed at once (default: 1). */
  concurrency?(ctx: StageContext<O>): number;
  /** A quota of records that ends the stage early (see {@linkcode UnitQuota}); none: all units. */
  quota?(ctx: StageContext<O>): UnitQuota<U, R> | undefined;
  /** Turns one unit into records and rejects. */
  process(unit: U, ctx: StageContext<O>): Promise<UnitResult<R>>;
  /** Runs once after the last unit, over the stage's output; returns a summary for the manifest. */
  finish?(ctx: StageContext<O>, output: () => AsyncIterable<R>): Promise<Record<string, unknown>>;
}

/**
 * The records of all inputs, for stages with one unit per input record; undefined when an
 * input cannot tell (a URL, a `.json` array).
 */
export async function inputsTotal(ctx: StageContext<unknown>): Promise<number | undefined> {
  let total = 0;
  for (const input of ctx.inputs) {
    const n = await input.count?.();
    if (n === undefined) return undefined;
    total += n;
  }
  return total;
}
