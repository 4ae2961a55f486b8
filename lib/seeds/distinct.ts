/**
 * A sample (or a mix) of de-duplicated seeds without de-duplicating the whole source: only the
 * rows that can still enter the sample are held and compared.
 *
 * The guarantee: the output equals de-duplicating every row first — exact and near duplicates,
 * {@linkcode dedupeSeeds}'s rule — with the rows taken in order of their sampling key
 * ({@linkcode sampleKey}, ties in input order), then keeping the `k` with the smallest keys (per
 * kind for a mix, each kind de-duplicated among its own rows). The rejects are those of that
 * computation for the rows before the last one sampled (all rows, when the sample falls short).
 *
 * Why sampling-key order and not input order, as without sampling: whether a row survives
 * "keep the first of each group" depends on every earlier row (a near-duplicate chain a ~ b ~ c
 * with a ≁ c keeps a and c, but drop a and c goes), so in input order the fate of a sampled row
 * can hang on any row of the source. In key order it hangs only on rows with smaller keys:
 * exactly the rows that can enter the sample.
 *
 * How: the rows with the smallest keys are held in key order with their exact and band keys; a
 * row is kept when no kept row before it shares a key, and a newly held row re-decides the held
 * rows after it that it collides with (and theirs, in order). Held are all rows up to the
 * `k + spare`-th kept one, and rows with larger keys are not even hashed. One arriving row can
 * knock out several kept ones (it shares a band with each); should that eat the whole spare, the
 * input is read again with a larger one, so the result never depends on the spare.
 * @module
 */
import type { Reject } from "../pipeline/stage.ts";
import type { SeedKind, SeedPrompt } from "../records.ts";
import { duplicateReject, exactKey, normalizeText } from "./dedupe.ts";
import { instructionText } from "./fields.ts";
import { LshBands, type MinHashOptions } from "./minhash.ts";
import type { KindReport } from "./mix.ts";
import { sampleKey } from "./sample.ts";

/** Options of {@linkcode distinctSample}. */
export interface DistinctSampleOptions {
  /**
   * Seeds to keep: a number (one sample over every kind), or a quota per kind (a mix: each kind
   * sampled from its own de-duplicated rows; a kind without a quota is dropped).
   */
  quotas: number | Partial<Record<SeedKind, number>>;
  /** Sampling seed (see {@linkcode sampleKey}). */
  seed: number | string;
  /** Near-duplicate detection: `false` to turn it off, or its options (default: on, 0.8). */
  near?: boolean | MinHashOptions;
  /** Called once per dropped seed, once the input is read, in sampling-key order. */
  onReject?: (reject: Reject) => void;
  /** Mix only: called once, after the input is read, with every kind seen or given a quota. */
  onReport?: (report: Partial<Record<SeedKind, KindReport>>) => void;
  /**
   * Kept rows held beyond each quota (default: 1/32 of it + 16): a cushion against rows that
   * arrive late and knock out several kept ones; more costs memory, less risks a second read.
   */
  spare?: number;
}

/**
 * Keeps a de-duplicated sample (see the module's guarantee) and yields it in sampling-key order
 * once the input is read. `read(pass)` gives the seeds; it is called again (pass 1, 2, …) only
 * when a pass's spare fell short, and must then give the same seeds in the same order (its own
 * rejects, if any, are reported once, in pass 0). Memory: the held rows, about
 * `(k + spare) × (1 + duplicate share)` seeds with their keys, whatever the input's size.
 *
 * @example
 * ```ts
 * import { distinctSample } from "./distinct.ts";
 * import assert from "node:assert/strict";
 * const seeds = ["Tell me a joke.", "tell me  a JOKE.", "Name a river.", "Sing."].map(
 *   (instruction, i) => ({ id: String(i), source: "s", kind: "chat" as const, instruction }),
 * );
 * const rejects: string[] = [];
 * const kept = await Array.fromAsync(distinctSample(() => seeds, {
 *   quotas: 3, seed: 0, onReject: (r) => rejects.push(r.reason),
 * }));
 * assert.deepEqual([kept.length, rejects], [3, ["duplicate"]]);
 * ```
 */
export async function* distinctSample(
  read: (pass: number) => AsyncIterable<SeedPrompt> | Iterable<SeedPrompt>,
  opts: DistinctSampleOptions,
): AsyncGenerator<SeedPrompt> {
  const lsh = opts.near === false ? undefined : new LshBands(opts.near === true ? {} : opts.near);
  const mix = typeof opts.quotas !== "number";
  const quotas = new Map<SeedKind | "all", number>(
    typeof opts.quotas === "number"
      ? [["all", opts.quotas]]
      : Object.entries(opts.quotas) as [SeedKind, number][],
  );
  const available = new Map<SeedKind, number>();
  const done = new Map<SeedKind | "all", Window>();
  let spare = (quota: number) => opts.spare ?? Math.ceil(quota / 32) + 16;
  for (let pass = 0; done.size < quotas.size; pass++) {
    const windows = new Map<SeedKind | "all", Window>();
    for (const [group, quota] of quotas) {
      if (!done.has(group)) windows.set(group, new Window(quota, spare(quota), opts.seed, lsh));
    }
    let position = 0;
    for await (const seed of read(pass)) {
      if (pass === 0) available.set(seed.kind, (available.get(seed.kind) ?? 0) + 1);
      windows.get(mix ? seed.kind : "all")?.offer(seed, position);
      position++;
    }
    for (const [group, window] of windows) if (window.complete()) done.set(group, window);
    const before = spare;
    spare = (quota) => 4 * before(quota) + 64;
  }
  const rows = [...done.values()].flatMap((window) => window.result());
  rows.sort(byKey);
  for (const row of rows) {
    if (!row.kept) opts.onReject?.(duplicateReject(row.seed, ...row.why!));
  }
  if (mix) opts.onReport?.(mixReport(quotas as Map<SeedKind, number>, available, done));
  for (const row of rows) if (row.kept) yield row.seed;
}

/** The mix report: every kind given a quota or seen. */
function mixReport(
  quotas: Map<SeedKind, number>,
  available: Map<SeedKind, number>,
  done: Map<SeedKind | "all", Window>,
): Partial<Record<SeedKind, KindReport>> {
  const report: Partial<Record<SeedKind, KindReport>> = {};
  for (const kind of new Set([...quotas.keys(), ...available.keys()])) {
    const quota = quotas.get(kind) ?? 0;
    const kept = done.get(kind)?.keptCount ?? 0;
    report[kind] = { quota, available: available.get(kind) ?? 0, kept, shortfall: quota - kept };
  }
  return report;
}

/** A held row. */
interface Row {
  /** Its sampling key. */
  key: string;
  /** Its position in the input (ties of `key` go in input order). */
  position: number;
  /** Its exact key, then its band keys. */
  keys: Float64Array;
  /** Whether no kept row before it shares a key. */
  kept: boolean;
  seed: SeedPrompt;
  /** The pass of re-deciding that last queued it. */
  queued: number;
  /** Set on the rows reported as rejects: the reason and the id of the kept row it repeats. */
  why?: ["duplicate" | "near_duplicate", string];
}

/** Orders rows by sampling key, then input position. */
function byKey(a: Row, b: Row): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position;
}

/**
 * The held rows of one sample: every row read whose key is at most `bound`, in key order, each
 * marked kept or not as the greedy de-duplication in key order decides.
 */
class Window {
  /** The held rows in key order, but for the latest ones, in {@linkcode #added}. */
  #rows: Row[] = [];
  /** Rows taken in since the last cut, in arrival order (sorted and merged in at the cut). */
  #added: Row[] = [];
  /** Per key slot (0: exact, 1…: bands), the held rows with each key. */
  #slots: Map<number, Row[]>[];
  /** The largest key still held (rows above it are skipped), once the window has been cut. */
  #bound: Row | undefined;
  #cutAt = 0;
  #round = 0;
  #result: Row[] | undefined;

  constructor(
    readonly quota: number,
    readonly spare: number,
    readonly sampling: number | string,
    readonly lsh: LshBands | undefined,
  ) {
    this.#slots = Array.from({ length: 1 + (lsh?.bands ?? 0) }, () => new Map());
  }

  /** Takes a row in if it can still enter the sample. */
  offer(seed: SeedPrompt, position: number): void {
    if (this.quota === 0) return;
    const key = sampleKey(this.sampling, seed.id);
    // A row read now comes after every held row of the same key.
    if (this.#bound && key >= this.#bound.key) return;
    const text = normalizeText(instructionText(seed.instruction));
    const keys = new Float64Array(this.#slots.length);
    keys[0] = exactKey(text);
    if (this.lsh) keys.set(this.lsh.keys(text), 1);
    const row: Row = { key, position, keys, kept: true, seed, queued: 0 };
    this.#insert(row);
    if (this.#added.length > Math.max(16, this.#cutAt >> 4)) this.#cut();
  }

  #insert(row: Row): void {
    this.#added.push(row);
    for (let s = 0; s < row.keys.length; s++) {
      const same = this.#slots[s].get(row.keys[s]);
      if (same) same.push(row);
      else this.#slots[s].set(row.keys[s], [row]);
    }
    row.kept = this.#decide(row);
    if (row.kept) this.#redecideAfter(row);
  }

  /** Whether no kept row before `row` shares one of its keys. */
  #decide(row: Row): boolean {
    for (let s = 0; s < row.keys.length; s++) {
      for (const other of this.#slots[s].get(row.keys[s])!) {
        if (other.kept && other !== row && byKey(other, row) < 0) return false;
      }
    }
    return true;
  }

  /**
   * Re-decides, in key order, the rows after `changed` that share a key with it, and onwards
   * from each whose decision flips: a row's decision depends only on rows before it, so one
   * pass in order settles them all.
   */
  #redecideAfter(changed: Row): void {
    const round = ++this.#round;
    const queue = new RowHeap();
    const enqueue = (row: Row) => {
      for (let s = 0; s < row.keys.length; s++) {
        for (const other of this.#slots[s].get(row.keys[s])!) {
          if (other.queued !== round && byKey(row, other) < 0) {
            other.queued = round;
            queue.push(other);
          }
        }
      }
    };
    enqueue(changed);
    for (let row; (row = queue.pop());) {
      const kept = this.#decide(row);
      if (kept !== row.kept) {
        row.kept = kept;
        enqueue(row);
      }
    }
  }

  /** Merges the rows added since the last cut into the rows in key order. */
  #merge(): void {
    const added = this.#added.sort(byKey);
    const held = this.#rows;
    const rows: Row[] = [];
    let a = 0;
    for (const row of held) {
      while (a < added.length && byKey(added[a], row) < 0) rows.push(added[a++]);
      rows.push(row);
    }
    while (a < added.length) rows.push(added[a++]);
    this.#rows = rows;
    this.#added = [];
  }

  /** Drops the rows after the `quota + spare`-th kept one; later rows above it are skipped. */
  #cut(): void {
    this.#merge();
    const rows = this.#rows;
    let kept = 0;
    let end = rows.length;
    for (let i = 0; i < rows.length; i++) {
      if (rows[i].kept && ++kept === this.quota + this.spare) {
        end = i + 1;
        break;
      }
    }
    for (const row of rows.splice(end)) {
      for (let s = 0; s < row.keys.length; s++) {
        const same = this.#slots[s].get(row.keys[s])!;
        if (same.length === 1) this.#slots[s].delete(row.keys[s]);
        else same.splice(same.indexOf(row), 1);
      }
    }
    if (end < rows.length + 1 && kept === this.quota + this.spare) this.#bound = rows[end - 1];
    this.#cutAt = rows.length;
  }

  /**
   * Whether the held rows decide the sample: `quota` kept ones, or every row was held (a
   * shortfall). Otherwise knocked-out rows ate the spare after rows were let go.
   */
  complete(): boolean {
    this.#merge();
    const sampled: Row[] = [];
    let kept = 0;
    for (const row of this.#rows) {
      if (kept === this.quota) break;
      sampled.push(row);
      if (row.kept) kept++;
    }
    if (kept < this.quota && this.#bound) return false;
    for (const row of sampled) if (!row.kept) row.why = this.#why(row);
    this.#result = sampled;
    return true;
  }

  /** How many rows were sampled (after {@linkcode complete}). */
  get keptCount(): number {
    return this.#result!.filter((row) => row.kept).length;
  }

  /** The sampled rows and the dropped rows before the last of them, in key order. */
  result(): Row[] {
    return this.#result!;
  }

  /** Why `row` was dropped: the kept row before it with its exact key, else the lowest band. */
  #why(row: Row): ["duplicate" | "near_duplicate", string] {
    for (let s = 0; s < row.keys.length; s++) {
      for (const other of this.#slots[s].get(row.keys[s])!) {
        if (other.kept && byKey(other, row) < 0) {
          return [s === 0 ? "duplicate" : "near_duplicate", other.seed.id];
        }
      }
    }
    throw new Error(`internal: row ${row.seed.id} dropped without a kept duplicate`);
  }
}

/** A min-heap of rows by key. */
class RowHeap {
  #items: Row[] = [];

  push(row: Row): void {
    const items = this.#items;
    items.push(row);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (byKey(items[parent], items[i]) <= 0) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): Row | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last) {
      items[0] = last;
      for (let i = 0;;) {
        let least = i;
        for (const child of [2 * i + 1, 2 * i + 2]) {
          if (child < items.length && byKey(items[child], items[least]) < 0) least = child;
        }
        if (least === i) break;
        [items[least], items[i]] = [items[i], items[least]];
        i = least;
      }
    }
    return top;
  }
}
