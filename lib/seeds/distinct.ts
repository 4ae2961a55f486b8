/**
 * A sample (or a mix) of de-duplicated seeds without de-duplicating the whole source: only the
 * rows that can enter the sample are held and compared.
 *
 * The guarantee: the output equals de-duplicating every row first — exact and near duplicates,
 * {@linkcode dedupeSeeds}'s rule, the first of a group kept — with the rows taken in order of
 * their sampling key ({@linkcode sampleKey}, ties in input order), then keeping the `k` with the
 * smallest keys (per kind for a mix, each kind de-duplicated among its own rows). The rejects are
 * those of that computation for the rows up to the last one sampled (all rows, when the sample
 * falls short).
 *
 * Why sampling-key order and not input order, as without sampling: whether a row survives
 * "keep the first of each group" depends on every earlier row (a near-duplicate chain a ~ b ~ c
 * with a ≁ c keeps a and c; had an earlier row knocked a out, b would stay and c go), so in input
 * order the fate of a sampled row can hang on any row of the source. In key order it hangs only on rows with smaller keys:
 * exactly the rows that can enter the sample.
 *
 * How: one pass holds the `k + spare` rows with the smallest keys (a bounded heap; no text is
 * hashed while reading), then de-duplicates them in key order until `k` are kept. Those rows are
 * all the rows up to the last one held, so the result is the full computation's. Should
 * duplicates among them eat the whole spare, the input is read again holding more, so the
 * result never depends on the spare.
 * @module
 */
import type { Reject } from "../pipeline/stage.ts";
import type { SeedKind, SeedPrompt } from "../records.ts";
import { dedupeSeeds } from "./dedupe.ts";
import type { MinHashOptions } from "./minhash.ts";
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
   * Rows held beyond each quota for the duplicates among them (default: a quarter of it + 64);
   * more costs memory, fewer risks a second read.
   */
  spare?: number;
}

/**
 * Keeps a de-duplicated sample (see the module's guarantee) and yields it in sampling-key order
 * once the input is read. `read(pass)` gives the seeds; it is called again (pass 1, 2, …) only
 * when a pass held too few distinct rows, and must then give the same seeds in the same order
 * (its own rejects, if any, are to be reported in pass 0 only). Memory: `k + spare` seeds per
 * sample, whatever the input's size; the text of only about `k` of them is hashed.
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
  const mix = typeof opts.quotas !== "number";
  const quotas = new Map<SeedKind | "all", number>(
    typeof opts.quotas === "number"
      ? [["all", opts.quotas]]
      : Object.entries(opts.quotas) as [SeedKind, number][],
  );
  for (const [group, k] of [...quotas, ["spare", opts.spare ?? 0] as const]) {
    if (!Number.isInteger(k) || k < 0) {
      throw new RangeError(`${group}: expected an integer >= 0, found ${k}`);
    }
  }
  const hold = new Map(
    [...quotas].map(([group, k]) => [group, k && k + (opts.spare ?? (k >> 2) + 64)]),
  );
  const available = new Map<SeedKind, number>();
  const done = new Map<SeedKind | "all", Settled>();
  for (let pass = 0; done.size < quotas.size; pass++) {
    const heaps = new Map<SeedKind | "all", RowHeap>();
    for (const [group, rows] of hold) if (!done.has(group)) heaps.set(group, new RowHeap(rows));
    let position = 0;
    for await (const seed of read(pass)) {
      if (pass === 0) available.set(seed.kind, (available.get(seed.kind) ?? 0) + 1);
      const heap = heaps.get(mix ? seed.kind : "all");
      if (heap && heap.capacity > 0) {
        heap.offer({ key: sampleKey(opts.seed, seed.id), position, seed });
      }
      position++;
    }
    for (const [group, heap] of heaps) {
      const quota = quotas.get(group)!;
      const settled = await settle(heap.sorted(), quota, opts.near);
      if (settled.kept.length === quota || !heap.overflowed) done.set(group, settled);
      else {
        // Hold enough for the duplicate share seen, with room to spare.
        const share = heap.capacity / Math.max(1, settled.kept.length);
        hold.set(group, Math.max(2 * heap.capacity, Math.ceil(quota * share * 1.25) + 64));
      }
    }
  }
  const rows = [...done.values()].flatMap((s) => s.rows);
  rows.sort(byKey);
  for (const row of rows) if (row.reject) opts.onReject?.(row.reject);
  if (mix) {
    const report: Partial<Record<SeedKind, KindReport>> = {};
    for (const kind of new Set([...quotas.keys(), ...available.keys()] as SeedKind[])) {
      const quota = quotas.get(kind) ?? 0;
      const kept = done.get(kind)?.kept.length ?? 0;
      report[kind] = { quota, available: available.get(kind) ?? 0, kept, shortfall: quota - kept };
    }
    opts.onReport?.(report);
  }
  for (const row of rows) if (!row.reject) yield row.seed;
}

/** A held row. */
interface Row {
  /** Its sampling key. */
  key: string;
  /** Its position in the input (ties of `key` go in input order). */
  position: number;
  seed: SeedPrompt;
  /** Set when de-duplication dropped it. */
  reject?: Reject;
}

/** One sample's outcome: its kept rows, and all its rows up to the last kept one. */
interface Settled {
  kept: Row[];
  rows: Row[];
}

/** Orders rows by sampling key, then input position. */
function byKey(a: Row, b: Row): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position;
}

/**
 * De-duplicates `rows` (in key order) with {@linkcode dedupeSeeds} until `quota` are kept; the
 * rows after the last kept one are not looked at (nor their text hashed).
 */
async function settle(
  rows: Row[],
  quota: number,
  near: DistinctSampleOptions["near"],
): Promise<Settled> {
  const kept: Row[] = [];
  let current = 0;
  // dedupeSeeds takes one seed at a time and reports its drop before asking for the next.
  function* seeds() {
    for (; current < rows.length && kept.length < quota; current++) yield rows[current].seed;
  }
  const onReject = (reject: Reject) => (rows[current].reject = reject);
  for await (const _ of dedupeSeeds(seeds(), { near, onReject })) kept.push(rows[current]);
  return { kept, rows: rows.slice(0, current) };
}

/** The `capacity` rows with the smallest keys offered so far (a bounded max-heap). */
class RowHeap {
  #items: Row[] = [];
  /** Whether a row was ever let go (so the held rows are not all the rows). */
  overflowed = false;

  constructor(readonly capacity: number) {}

  offer(row: Row): void {
    const items = this.#items;
    if (items.length < this.capacity) {
      items.push(row);
      for (let i = items.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (byKey(items[parent], items[i]) >= 0) break;
        [items[parent], items[i]] = [items[i], items[parent]];
        i = parent;
      }
      return;
    }
    this.overflowed = true;
    if (byKey(row, items[0]) >= 0) return;
    items[0] = row;
    for (let i = 0;;) {
      let largest = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < items.length && byKey(items[child], items[largest]) > 0) largest = child;
      }
      if (largest === i) break;
      [items[largest], items[i]] = [items[i], items[largest]];
      i = largest;
    }
  }

  /** The held rows, in key order. */
  sorted(): Row[] {
    return this.#items.sort(byKey);
  }
}
