/**
 * What the two stages that make judge tasks share (`handoff`: trainer files with no judge call;
 * `rollout`: G samples per task): their options, turning a pair into its judge tasks, and
 * walking the input pairs beside the stage's output to give the trainer files one block per
 * pair.
 * @module
 */
import { UserError } from "../errors.ts";
import type { ExportSummary } from "../export/mod.ts";
import type { ValidationSize } from "../export/pair_order.ts";
import { objectIssue, type OptionsSpec } from "../options.ts";
import { perRun } from "../pipeline/per_run.ts";
import type { Reject, StageInput } from "../pipeline/stage.ts";
import {
  type JudgeTemplate,
  loadTemplate,
  MODES,
  renderJudgeTask,
  type Slot,
  templateFile,
  templateIssue,
} from "../prompts/mod.ts";
import {
  type JudgeTask,
  type Mode,
  type Order,
  type Pair,
  SEED_KINDS,
  type SeedKind,
} from "../records.ts";
import { TOKENIZERS } from "../tokens/tokenizer.ts";
import {
  ORDERS_OPTION,
  type PairOrders,
  PROMPT_OPTIONS,
  type PromptOptions,
} from "./judge_prompt_options.ts";

/** The options both judge-task stages take. */
export interface JudgeTaskOptions extends PromptOptions {
  /** Judge output formats. */
  modes: Mode[];
  /** Seed prompts: built-in names or template files. */
  templates: string[];
  /** Seed of the trainer files' pair-level shuffle (and, in `rollout`, of the sampling). */
  seed: number;
  /** Pairs held out for validation, per kind. */
  validation: Partial<Record<SeedKind, number>>;
  /** OpenRLHF `--data.input_key`. */
  inputKey: string;
  /** OpenRLHF `--data.label_key`. */
  labelKey: string;
  /**
   * The trainer model's tokenizer: `handoff` counts prompt tokens, `rollout` thought tokens
   * (none: not counted).
   */
  tokenizer?: string;
  /** Pairwise modes: `both` orders of every pair, or one seeded `random` order (J1's ablation). */
  orders: PairOrders;
}

/** The option specs of {@linkcode JudgeTaskOptions}. */
export const JUDGE_TASK_OPTIONS: OptionsSpec = {
  modes: {
    type: "string[]",
    enum: MODES,
    default: ["pairwise"],
    description: "Judge output formats",
  },
  templates: {
    type: "string[]",
    default: ["thinking"],
    description: "Seed prompts: `thinking`, `plan-execute` (J1's), `thinking-v0`, " +
      "`plan-execute-v0` (earlier wording) or template files",
    // `modes` is undefined when it failed its own check.
    check: (templates: string[], o) =>
      templates.flatMap((t) => (o.modes ?? []).map((mode: Mode) => templateIssue(t, mode)))
        .find(Boolean),
    files: (templates: string[], o) =>
      templates.flatMap((t) => o.modes.map((mode: Mode) => templateFile(t, mode))),
  },
  ...PROMPT_OPTIONS,
  ...ORDERS_OPTION,
  seed: { type: "integer", default: 0, description: "Base seed (trainer files' pair order)" },
  validation: {
    type: "object",
    default: {},
    description: 'Pairs held out for validation, per kind, e.g. {"chat": 150, "verifiable": 150}',
    check: (v: Record<string, unknown>) =>
      objectIssue(
        v,
        SEED_KINDS,
        (n) => Number.isSafeInteger(n) && (n as number) >= 0,
        "a count of pairs",
      ),
  },
  inputKey: { type: "string", default: "input", description: "OpenRLHF --data.input_key" },
  labelKey: { type: "string", default: "label", description: "OpenRLHF --data.label_key" },
  tokenizer: {
    type: "string",
    enum: TOKENIZERS,
    description: "The trainer model's tokenizer, for token counts (default: none)",
  },
};

/**
 * The validation size, or a `UserError` unless `v` is `{chat?: n, verifiable?: n}` with whole
 * n ≥ 0 (absent: none).
 */
export function checkValidation(v: unknown): ValidationSize {
  if (v === undefined) return {};
  const ok = v !== null && typeof v === "object" && !Array.isArray(v) &&
    Object.entries(v).every(([k, n]) =>
      (k === "chat" || k === "verifiable") && Number.isInteger(n) && (n as number) >= 0
    );
  if (!ok) {
    throw new UserError(
      `validation: expected pairs per kind such as {"chat": 150, "verifiable": 150}, found ${
        JSON.stringify(v)
      }`,
    );
  }
  return v as ValidationSize;
}

/**
 * Every judge task of a pair, in a fixed order: pairwise modes in both orders (or only in
 * `order` when given), pointwise both responses.
 */
export function judgeTasks(pair: Pair, templates: JudgeTemplate[], order?: Order): JudgeTask[] {
  return templates.flatMap((template) => {
    const slots: Slot[] = template.mode === "pointwise"
      ? [{ target: "chosen" }, { target: "rejected" }]
      : order
      ? [{ order }]
      : [{ order: "AB" }, { order: "BA" }];
    return slots.map((slot) => renderJudgeTask(pair, template, slot));
  });
}

/** Templates for every (mode, template) of the options, loaded once per run. */
export const templatesOf = perRun(
  (o: Pick<JudgeTaskOptions, "modes" | "templates" | keyof PromptOptions>): Promise<
    JudgeTemplate[]
  > =>
    Promise.all(o.modes.flatMap((mode) => o.templates.map((name) => loadTemplate(name, mode, o)))),
);

/** Whether an input record has what a judge task needs. */
export function isPair(r: unknown): r is Pair {
  const p = r as Pair;
  return !!p && typeof p === "object" && typeof p.id === "string" &&
    typeof p.chosen === "string" && typeof p.rejected === "string" && p.instruction !== undefined;
}

/** The reject of an input record that is not a pair. */
export function invalidPair(record: unknown): Reject {
  const found = record === null || typeof record !== "object"
    ? JSON.stringify(record) ?? String(record)
    : `an object with keys ${Object.keys(record).join(", ") || "(none)"}`;
  return {
    reason: "invalid_pair",
    detail: `expected a Pair {id, instruction, chosen, rejected}, found ${found}`,
    record,
  };
}

/**
 * The input pairs beside the stage's output records (which are in pair order: the runner writes
 * units in order), one pair and its records at a time. Pairs without records (rejected) are
 * skipped. Throws when an output record belongs to no input pair in that order.
 */
export async function* pairsWithRecords<R extends { pairId: string }>(
  inputs: StageInput[],
  output: AsyncIterable<R>,
): AsyncGenerator<{ pair: Pair; records: R[] }> {
  const records = output[Symbol.asyncIterator]();
  let next = await records.next();
  for (const input of inputs) {
    for await (const pair of input.records()) {
      if (!isPair(pair)) continue;
      const mine: R[] = [];
      for (; !next.done && next.value.pairId === pair.id; next = await records.next()) {
        mine.push(next.value);
      }
      if (mine.length) yield { pair, records: mine };
    }
  }
  if (!next.done) {
    throw new Error(
      `records of pair ${next.value.pairId} do not follow the input pairs' order ` +
        `(did the input change since they were written?)`,
    );
  }
}

/**
 * The part of a stage summary the trainer files make: the export summary, and `artifacts`
 * (name → path), which the CLI and the manifest list for every stage.
 */
export function exportArtifacts(
  exports: ExportSummary | undefined,
): { exports?: ExportSummary; artifacts: Record<string, string> } {
  if (!exports) return { artifacts: {} };
  const artifacts = Object.fromEntries(
    Object.entries(exports.files).map(([name, file]) => [name, file.path]),
  );
  return { exports, artifacts };
}
