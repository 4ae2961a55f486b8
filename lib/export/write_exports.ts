/**
 * Writes every trainer hand-off in one pass over a stream of pairs, each with its judge tasks
 * (and their rollouts when sampled): the prompt datasets for online RL (verl, OpenRLHF, TRL: one
 * row per task, with its label) and the offline SFT and DPO datasets (from the rollouts). Pairs
 * are shuffled with a seed and a pair's rows stay adjacent (`pair_order.ts`); the first pairs of
 * that order may form a validation split, written beside every training file. Each file is
 * written atomically.
 * @module
 */
import { type JsonlWriter, openJsonlWriter } from "../io/jsonl.ts";
import type { JudgeTask, Rollout } from "../records.ts";
import { dpoRow } from "./dpo.ts";
import { escapeImageTags, openrlhfRow } from "./openrlhf.ts";
import { type PairBlock, shufflePairs, type Split, type ValidationSize } from "./pair_order.ts";
import { sftRow } from "./sft.ts";
import { trlRow } from "./trl.ts";
import { openVerlWriter, verlRow, type VerlWriter } from "./verl.ts";

/** The hand-offs, by name. */
export const EXPORT_KINDS = ["verl", "openrlhf", "trl", "sft", "dpo"] as const;

/** One hand-off. */
export type ExportKind = typeof EXPORT_KINDS[number];

/** A judge task and its group of rollouts, in sample order (empty when it was not sampled). */
export interface TaskRollouts {
  /** The judge task (its messages and label). */
  task: JudgeTask;
  /** Its samples. */
  rollouts: Rollout[];
}

/** Options of {@linkcode writeExports}. */
export interface ExportOptions {
  /** The folder the files go in. */
  dir: string;
  /** Which hand-offs to write (default: all). */
  kinds?: readonly ExportKind[];
  /** OpenRLHF `--data.input_key` (default `input`). */
  inputKey?: string;
  /** OpenRLHF `--data.label_key` (default `label`). */
  labelKey?: string;
  /** Seed of the pair-level shuffle (default 0). */
  seed?: number;
  /** Pairs held out for validation (default none). */
  validation?: ValidationSize;
}

/** One file written. */
export interface ExportFile {
  /** Where it is. */
  path: string;
  /** Rows written. */
  rows: number;
}

/** What was written. */
export interface ExportSummary {
  /**
   * Every file by name: `verl` (Parquet), `verlJson`, `openrlhf`, `trl`, `sft`, `dpo`, and the
   * validation split's as `verlVal`, `verlValJson`, `openrlhfVal`, … when there is one.
   */
  files: Record<string, ExportFile>;
  /** Pairs in each split. */
  pairs: Record<Split, number>;
  /**
   * The distinct numbers of rows per pair (one value when every pair has the same tasks): a
   * trainer's batch size must be a multiple of it to hold every pair whole.
   */
  rowsPerPair: number[];
  /** `<image>` tags escaped in OpenRLHF rows. */
  imageTagsEscaped: number;
}

type JsonlKind = Exclude<ExportKind, "verl">;

const JSONL_PATHS: Record<Split, Record<JsonlKind, string>> = {
  train: {
    openrlhf: "openrlhf/prompts.jsonl",
    trl: "trl/prompts.jsonl",
    sft: "sft.jsonl",
    dpo: "dpo.jsonl",
  },
  val: {
    openrlhf: "openrlhf/val.jsonl",
    trl: "trl/val.jsonl",
    sft: "sft.val.jsonl",
    dpo: "dpo.val.jsonl",
  },
};

/** The files of one split. */
interface SplitWriters {
  verl?: VerlWriter;
  jsonl: Partial<Record<JsonlKind, JsonlWriter>>;
  /** The next verl `extra_info.index`. */
  index: number;
}

async function openSplit(
  dir: string,
  kinds: Set<ExportKind>,
  split: Split,
): Promise<SplitWriters> {
  const jsonl: SplitWriters["jsonl"] = {};
  for (const [kind, rel] of Object.entries(JSONL_PATHS[split]) as [JsonlKind, string][]) {
    if (!kinds.has(kind)) continue;
    const path = `${dir}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    jsonl[kind] = await openJsonlWriter(path);
  }
  const verl = kinds.has("verl") ? await openVerlWriter(`${dir}/verl`, { name: split }) : undefined;
  return { verl, jsonl, index: 0 };
}

async function closeSplit(
  dir: string,
  w: SplitWriters,
  split: Split,
  files: Record<string, ExportFile>,
): Promise<void> {
  const suffix = split === "val" ? "Val" : "";
  if (w.verl) {
    const { parquet, json, rows } = await w.verl.close();
    files[`verl${suffix}`] = { path: parquet, rows };
    files[`verl${suffix}Json`] = { path: json, rows };
  }
  for (const [kind, writer] of Object.entries(w.jsonl) as [JsonlKind, JsonlWriter][]) {
    files[`${kind}${suffix}`] = {
      path: `${dir}/${JSONL_PATHS[split][kind]}`,
      rows: await writer.close(),
    };
  }
}

/**
 * Writes the chosen hand-offs into `opts.dir`: `verl/train.parquet` (+ `verl/train.json`),
 * `openrlhf/prompts.jsonl`, `trl/prompts.jsonl`, `sft.jsonl`, `dpo.jsonl`, and with a
 * validation split `verl/val.parquet` (+ `.json`), `openrlhf/val.jsonl`, `trl/val.jsonl`,
 * `sft.val.jsonl`, `dpo.val.jsonl`. Pairs come out in a seeded random order with their rows
 * adjacent. Streams: memory holds one pair's rows, one verl row group and an index entry per
 * pair.
 *
 * @example
 * ```ts
 * import { writeExports } from "./write_exports.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const task = {
 *   id: "t1", pairId: "p1", mode: "pairwise" as const, template: "thinking", order: "AB" as const,
 *   messages: [{ role: "user" as const, content: "Which is better?" }], label: "A" as const,
 * };
 * const blocks = [{ pairId: "p1", kind: "chat" as const, items: [{ task, rollouts: [] }] }];
 * const out = await writeExports(blocks, { dir, kinds: ["openrlhf", "sft"] });
 * assert.deepEqual(out.files, {
 *   openrlhf: { path: `${dir}/openrlhf/prompts.jsonl`, rows: 1 },
 *   sft: { path: `${dir}/sft.jsonl`, rows: 0 },
 * });
 * assert.deepEqual(out.pairs, { train: 1, val: 0 });
 * ```
 */
export async function writeExports(
  blocks: AsyncIterable<PairBlock<TaskRollouts>> | Iterable<PairBlock<TaskRollouts>>,
  opts: ExportOptions,
): Promise<ExportSummary> {
  const kinds = new Set(opts.kinds ?? EXPORT_KINDS);
  const validation = opts.validation ?? 0;
  const hasVal = typeof validation === "number"
    ? validation > 0
    : Object.values(validation).some((n) => (n ?? 0) > 0);
  const writers: Partial<Record<Split, SplitWriters>> = {
    train: await openSplit(opts.dir, kinds, "train"),
    ...(hasVal && { val: await openSplit(opts.dir, kinds, "val") }),
  };
  const pairs: Record<Split, number> = { train: 0, val: 0 };
  const rowsPerPair = new Set<number>();
  let imageTagsEscaped = 0;
  const order = shufflePairs(blocks, { seed: opts.seed ?? 0, validation, dir: opts.dir });
  for await (const { block, split } of order) {
    const w = writers[split]!;
    pairs[split]++;
    rowsPerPair.add(block.items.length);
    for (const { task, rollouts } of block.items) {
      await w.verl?.write(verlRow(task, w.index++, split));
      if (w.jsonl.openrlhf) {
        imageTagsEscaped += escapeImageTags(task.messages).escaped;
        await w.jsonl.openrlhf.write(openrlhfRow(task, opts.inputKey, opts.labelKey));
      }
      await w.jsonl.trl?.write(trlRow(task));
      const sft = w.jsonl.sft && sftRow(task, rollouts);
      if (sft) await w.jsonl.sft!.write(sft);
      const dpo = w.jsonl.dpo && dpoRow(task, rollouts);
      if (dpo) await w.jsonl.dpo!.write(dpo);
    }
  }
  const files: Record<string, ExportFile> = {};
  for (const split of ["train", "val"] as const) {
    const w = writers[split];
    if (w) await closeSplit(opts.dir, w, split, files);
  }
  return { files, pairs, rowsPerPair: [...rowsPerPair].sort((a, b) => a - b), imageTagsEscaped };
}
