/**
 * verl's RL dataset (verl's `docs/preparation/prepare_data.rst`, read by
 * `verl/utils/dataset/rl_dataset.py`): Parquet with `data_source`, `prompt` (a list of
 * `{role, content}` structs), `ability`, `reward_model` `{style, ground_truth}` and
 * `extra_info`, written with an explicit nested schema (hyparquet-writer would otherwise turn
 * objects into JSON strings). The same rows also go to JSON Lines with a `.json` extension,
 * which verl ≥ 0.7 loads too: the fallback if a pyarrow version disagrees with the writer.
 * Streamed one row group at a time, and read back after writing.
 * @module
 */
import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { isDeepStrictEqual } from "node:util";
import { openJsonlWriter } from "../io/jsonl.ts";
import { fileBuffer, jsonSafe } from "../io/parquet.ts";
import type { JudgeTask, Order, PointwiseTarget } from "../records.ts";
import { taskLabel } from "../judge/label.ts";

/** One verl row. */
export interface VerlRow {
  /** `j1_<mode>`: lets one `compute_score` route by judge format. */
  data_source: string;
  /** The chat messages; verl applies the tokenizer's chat template. */
  prompt: { role: string; content: string }[];
  /** Informational only. */
  ability: "judge";
  /** `ground_truth` is the JSON task label (see `decodeLabel`); `style` must be `rule`. */
  reward_model: { style: "rule"; ground_truth: string };
  /** Passed to the reward function as is. */
  extra_info: {
    split: string;
    /** INT64 in Parquet, so a `bigint`. */
    index: bigint;
    pair_id: string;
    task_id: string;
    /** Pairwise modes: the order; `null` for pointwise. */
    order: Order | null;
    /** Pointwise: the response scored; `null` for pairwise modes. */
    target: PointwiseTarget | null;
  };
}

/**
 * The verl row of a judge task; `index` is its position in the file.
 *
 * @example
 * ```ts
 * import { verlRow } from "./verl.ts";
 * import assert from "node:assert/strict";
 * const task = {
 *   id: "t1", pairId: "p1", mode: "pairwise" as const, template: "thinking", order: "AB" as const,
 *   messages: [{ role: "user" as const, content: "Which is better?" }], label: "A" as const,
 * };
 * const row = verlRow(task, 3);
 * assert.equal(row.data_source, "j1_pairwise");
 * assert.equal(row.extra_info.index, 3n);
 * assert.equal(JSON.parse(row.reward_model.ground_truth).label, "A");
 * ```
 */
export function verlRow(task: JudgeTask, index: number, split = "train"): VerlRow {
  return {
    data_source: `j1_${task.mode}`,
    prompt: task.messages.map(({ role, content }) => ({ role, content })),
    ability: "judge",
    reward_model: { style: "rule", ground_truth: JSON.stringify(taskLabel(task)) },
    extra_info: {
      split,
      index: BigInt(index),
      pair_id: task.pairId,
      task_id: task.id,
      order: task.order ?? null,
      target: task.target ?? null,
    },
  };
}

/**
 * One element of a Parquet schema, as hyparquet-writer takes it: the part of its `SchemaElement`
 * the verl layout uses (a group has `num_children`, a leaf column a `type`).
 */
export interface ParquetColumn {
  /** The column's (or group's) name. */
  name: string;
  /** A leaf column's physical type. */
  type?: "BYTE_ARRAY" | "INT64";
  /** `UTF8` marks a byte array as text; `LIST` marks the group of a list. */
  converted_type?: "UTF8" | "LIST";
  /** Whether a value must be present, may be null, or repeats (a list's elements). */
  repetition_type?: "REQUIRED" | "OPTIONAL" | "REPEATED";
  /** A group's number of direct children. */
  num_children?: number;
}

const text = (name: string, repetition: "REQUIRED" | "OPTIONAL" = "REQUIRED"): ParquetColumn => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  repetition_type: repetition,
});

/** The Parquet schema of {@linkcode VerlRow} (`prompt` in the standard 3-level LIST layout). */
export const VERL_SCHEMA: ParquetColumn[] = [
  { name: "root", num_children: 5 },
  text("data_source"),
  { name: "prompt", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", repetition_type: "REQUIRED", num_children: 2 },
  text("role"),
  text("content"),
  text("ability"),
  { name: "reward_model", repetition_type: "REQUIRED", num_children: 2 },
  text("style"),
  text("ground_truth"),
  { name: "extra_info", repetition_type: "REQUIRED", num_children: 6 },
  text("split"),
  { name: "index", type: "INT64", repetition_type: "REQUIRED" },
  text("pair_id"),
  text("task_id"),
  text("order", "OPTIONAL"),
  text("target", "OPTIONAL"),
];

const COLUMNS = ["data_source", "prompt", "ability", "reward_model", "extra_info"] as const;

/** What {@linkcode openVerlWriter} wrote. */
export interface VerlExport {
  /** `<dir>/<name>.parquet`. */
  parquet: string;
  /** `<dir>/<name>.json` (JSON Lines, the same rows). */
  json: string;
  /** Rows written. */
  rows: number;
}

/** A verl dataset being written. */
export interface VerlWriter {
  /** Adds one row. */
  write(row: VerlRow): Promise<void>;
  /** Finishes both files (atomically), reads the Parquet back and checks it. */
  close(): Promise<VerlExport>;
}

/** A hyparquet-writer sink that appends each finished row group to a file. */
class FileSink extends ByteWriter {
  constructor(private file: Deno.FsFile) {
    super(1 << 20);
  }
  async flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    for (let done = 0; done < bytes.length;) done += await this.file.write(bytes.subarray(done));
    this.index = 0;
  }
  override async finish(): Promise<void> {
    await this.flush();
    this.file.close();
  }
}

/**
 * Opens `<dir>/<name>.parquet` and `<dir>/<name>.json` for writing (`name` default `train`; the
 * validation split is `val`). Rows are buffered up to `rowGroupSize` (default 1000) and written
 * as one row group, so memory holds one group.
 * `close` throws if the Parquet file does not read back with the row count, first and last row
 * written.
 *
 * @example
 * ```ts
 * import { openVerlWriter, verlRow } from "./verl.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const w = await openVerlWriter(dir);
 * await w.write(verlRow({
 *   id: "t1", pairId: "p1", mode: "pointwise", template: "thinking", target: "chosen",
 *   messages: [{ role: "user", content: "Score it." }], label: "chosen",
 * }, 0));
 * assert.deepEqual(await w.close(), { parquet: `${dir}/train.parquet`, json: `${dir}/train.json`, rows: 1 });
 * ```
 */
export async function openVerlWriter(
  dir: string,
  opts: { rowGroupSize?: number; name?: string } = {},
): Promise<VerlWriter> {
  const rowGroupSize = opts.rowGroupSize ?? 1000;
  await Deno.mkdir(dir, { recursive: true });
  const name = opts.name ?? "train";
  const parquet = `${dir}/${name}.parquet`;
  const tmp = `${parquet}.tmp-${Deno.pid}`;
  const json = await openJsonlWriter(`${dir}/${name}.json`);
  const writer = new ParquetWriter({
    writer: new FileSink(await Deno.open(tmp, { write: true, create: true, truncate: true })),
    schema: VERL_SCHEMA,
  });
  let group: VerlRow[] = [];
  let rows = 0;
  let first: VerlRow | undefined;
  let last: VerlRow | undefined;
  const flush = async () => {
    if (!group.length) return;
    const columnData = COLUMNS.map((name) => ({ name, data: group.map((r) => r[name]) }));
    await writer.write({ columnData, rowGroupSize: group.length });
    group = [];
  };
  return {
    async write(row) {
      await json.write(jsonSafe(row));
      group.push(row);
      first ??= row;
      last = row;
      rows++;
      if (group.length >= rowGroupSize) await flush();
    },
    async close() {
      await flush();
      await writer.finish();
      await Deno.rename(tmp, parquet);
      await json.close();
      await checkReadBack(parquet, rows, first, last);
      return { parquet, json: `${dir}/${name}.json`, rows };
    },
  };
}

/** Reads the row count, first and last row of the written file and compares them. */
async function checkReadBack(
  path: string,
  rows: number,
  first: VerlRow | undefined,
  last: VerlRow | undefined,
): Promise<void> {
  await using file = await fileBuffer(path);
  const metadata = await parquetMetadataAsync(file);
  const fail = (what: string) => {
    throw new Error(`verl export: ${path} does not read back as written (${what})`);
  };
  if (Number(metadata.num_rows) !== rows) fail(`${metadata.num_rows} rows, wrote ${rows}`);
  const rowAt = async (i: number) =>
    (await parquetReadObjects({ file: file as AsyncBuffer, metadata, rowStart: i, rowEnd: i + 1 }))[
      0
    ];
  if (first && !isDeepStrictEqual(jsonSafe(await rowAt(0)), jsonSafe(first))) fail("first row");
  if (last && !isDeepStrictEqual(jsonSafe(await rowAt(rows - 1)), jsonSafe(last))) fail("last row");
}
