/**
 * A sample (or a mix) of de-duplicated seeds without holding the source: exact duplicates are
 * found over every row with a compact index, the rows that can enter the sample wait on disk, and
 * only those are compared for near duplicates.
 *
 * The guarantee: the output equals de-duplicating every row first, then sampling:
 * 1. a row whose normalized text ({@linkcode normalizeText}) equals an earlier row's is dropped,
 *    the first in input order kept (as without sampling, across kinds);
 * 2. the rows left are taken in order of their sampling key ({@linkcode sampleKey}, ties in input
 *    order; per kind for a mix) and near duplicates dropped in that order, the first by key kept
 *    ({@linkcode dedupeSeeds}'s rule);
 * 3. the first `k` are the sample.
 * Rejects: every exact duplicate, as it is read (naming the first row by id when the sample held
 * it, else "an earlier row": the index keeps no ids); near duplicates among the rows up to the last
 * one sampled (all rows, when the sample falls short), once the input is read, in key order.
 *
 * Why key order for near duplicates: near duplicates do not form groups (a chain a ~ b ~ c with
 * a ≁ c keeps a and c; had an earlier row knocked a out, b would stay and c go), so in input order
 * the fate of a sampled row can hang on any row of the source, and deciding it would mean a
 * signature of every row (the stage's slowest step, several times the cost of reading). In key
 * order it hangs only on rows with smaller keys: exactly the rows that can enter the sample.
 * Exact duplicates do form groups, so they keep input order, at 11–21 bytes of index a row.
 *
 * How: one pass keeps the exact-duplicate index and a bounded heap of the `k + spare` rows with
 * the smallest keys, whose seeds are spooled to a file (memory: a few numbers a held row); then the
 * held rows are read back in one sweep for their MinHash band keys and de-duplicated in key order
 * until `k` are kept. Those rows are all the rows up to the last one held, so the result is the
 * full computation's. Should near duplicates among them eat the whole spare, the input is read
 * again holding more, so the result never depends on the spare.
 * @module
 */
import type { Reject } from "../pipeline/stage.ts";
import type { SeedKind, SeedPrompt } from "../records.ts";
import { Spool } from "../io/spool.ts";
import { duplicateReject, normalizeText, textKey } from "./dedupe.ts";
import { instructionText } from "./fields.ts";
import { type MinHashOptions, NearDuplicateIndex } from "./minhash.ts";
import { sampleKeyWords } from "./sample.ts";
import { KeySet, KeyTable } from "./table.ts";

/** Options of {@linkcode distinctSample} and {@linkcode DistinctSampler}. */
export interface DistinctSampleOptions {
  /**
   * Seeds to keep: a number (one sample over every kind), or a quota per kind (a mix: each kind
   * sampled from its own de-duplicated rows; a kind without a quota is dropped).
   */
  quotas: number | Partial<Record<SeedKind, number>>;
  /** Sampling seed (see {@linkcode sampleKey}). */
  seed: number | string;
  /** De-duplicate at all (default true); `false` samples every row. */
  dedupe?: boolean;
  /** Near-duplicate detection: `false` to turn it off, or its options (default: on, 0.8). */
  near?: boolean | MinHashOptions;
  /**
   * Called once per dropped seed: exact duplicates as they are read (first pass only), near
   * duplicates once the input is read, in sampling-key order.
   */
  onReject?: (reject: Reject) => void;
  /** Mix only: called once, after the input is read, with every kind seen or given a quota. */
  onReport?: (report: Partial<Record<SeedKind, KindReport>>) => void;
  /**
   * Rows held beyond each quota for the near duplicates among them (default: a quarter of it +
   * 64); more costs disk, fewer risks a second read.
   */
  spare?: number;
  /** A folder for the spool file of held rows (default: a temporary folder); removed after. */
  dir?: string;
}

/** How one kind fared against its quota in a mix. */
export interface KindReport {
  /** Seeds asked for. */
  quota: number;
  /** Seeds of this kind in the input, before de-duplication. */
  available: number;
  /** Seeds kept (at most the quota). */
  kept: number;
  /** `quota - kept` (0 when the quota was met). */
  shortfall: number;
}

/** A sample's group: one kind of a mix, or every row. */
type Group = SeedKind | "all";

/**
 * Keeps a de-duplicated sample (see the module's guarantee) and yields it in sampling-key order
 * once the input is read. `read(pass)` gives the seeds; it is called again (pass 1, 2, …) only
 * when a pass held too few distinct rows, and must then give the same seeds in the same order
 * (its own rejects, if any, are to be reported in pass 0 only). Memory: the exact-duplicate
 * index (11–21 bytes a distinct row) and a few numbers a held row (once the input is read, ~150
 * bytes with its band keys); disk: the held rows, about
 * `k·(1 + ln(n/k))` of them over `n` rows.
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
 *   quotas: 3, seed: 0, onReject: (r) => rejects.push(r.detail ?? ""),
 * }));
 * assert.deepEqual([kept.length, rejects], [3, ["same text as 0"]]);
 * ```
 */
export async function* distinctSample(
  read: (pass: number) => AsyncIterable<SeedPrompt> | Iterable<SeedPrompt>,
  opts: DistinctSampleOptions,
): AsyncGenerator<SeedPrompt> {
  const sampler = new DistinctSampler(opts);
  try {
    for await (const _ of sampler.consume(read));
    yield* sampler.sample();
  } finally {
    sampler.close();
  }
}

/**
 * {@linkcode distinctSample}, driven by the caller: {@linkcode DistinctSampler.consume} reads
 * the input, pausing after each row, so a caller that writes rejects as they come (a stage) gets
 * the exact duplicates' while the input is read, not all at the end; then
 * {@linkcode DistinctSampler.sample}; {@linkcode DistinctSampler.close} removes the spool.
 *
 * @example
 * ```ts
 * import { DistinctSampler } from "./distinct.ts";
 * import assert from "node:assert/strict";
 * const seeds = ["a b", "A  b", "c d"].map((instruction, i) => ({
 *   id: String(i), source: "s", kind: "chat" as const, instruction,
 * }));
 * const rejects: string[] = [];
 * const sampler = new DistinctSampler({ quotas: 5, seed: 0, onReject: (r) => rejects.push(r.reason) });
 * let rows = 0;
 * for await (const _ of sampler.consume(() => seeds)) rows++;
 * assert.deepEqual([rows, rejects], [3, ["duplicate"]]);
 * assert.deepEqual([...sampler.sample()].map((s) => s.id).sort(), ["0", "2"]);
 * sampler.close();
 * ```
 */
export class DistinctSampler {
  #opts: DistinctSampleOptions;
  #mix: boolean;
  #quotas: Map<Group, number>;
  /** Rows to hold per group in the next pass. */
  #hold: Map<Group, number>;
  #available = new Map<SeedKind, number>();
  #done = new Map<Group, Settled>();
  #heaps = new Map<Group, RowHeap>();
  #pass = 0;
  #position = 0;
  #finished = false;
  /**
   * The exact-duplicate index of this pass: the normalized-text key of every distinct row
   * (11–21 bytes a row), and, for the rows that entered the heap, their spool entry (for the id
   * a duplicate's reject names).
   */
  #exact?: { seen: KeySet; held: KeyTable };
  #spool?: Spool;
  #tempDir?: string;

  /** A sampler ready for the first pass; throws a RangeError on a quota or spare below 0. */
  constructor(opts: DistinctSampleOptions) {
    this.#opts = opts;
    this.#mix = typeof opts.quotas !== "number";
    this.#quotas = new Map<Group, number>(
      typeof opts.quotas === "number"
        ? [["all", opts.quotas]]
        : Object.entries(opts.quotas) as [SeedKind, number][],
    );
    for (const [group, k] of [...this.#quotas, ["spare", opts.spare ?? 0] as const]) {
      if (!Number.isInteger(k) || k < 0) {
        throw new RangeError(`${group}: expected an integer >= 0, found ${k}`);
      }
    }
    this.#hold = new Map(
      [...this.#quotas].map((
        [group, k],
      ) => [group, k && k + (opts.spare ?? Math.floor(k / 4) + 64)]),
    );
    this.#begin();
  }

  /**
   * Reads the seeds of `read(pass)`, pausing (yielding) after each one; `read` is called again
   * (pass 1, 2, …) while a pass held too few distinct rows, and must then give the same seeds
   * in the same order.
   */
  async *consume(
    read: (pass: number) => AsyncIterable<SeedPrompt> | Iterable<SeedPrompt>,
  ): AsyncGenerator<void> {
    while (!this.#finished) {
      for await (const seed of read(this.#pass)) {
        this.#offer(seed);
        yield;
      }
      this.#endPass();
    }
  }

  /** Takes the next seed of the current pass. */
  #offer(seed: SeedPrompt): void {
    const position = this.#position++;
    if (this.#pass === 0) {
      this.#available.set(seed.kind, (this.#available.get(seed.kind) ?? 0) + 1);
    }
    let exact: number | undefined;
    if (this.#exact) {
      exact = textKey(instructionText(seed.instruction));
      if (this.#exact.seen.has(exact)) {
        if (this.#pass === 0) {
          // The first row's id, when it was held (else it is outside the sample for good).
          const first = this.#exact.held.get(exact);
          const of = first === undefined ? undefined : (this.#spool!.read(first) as SeedPrompt).id;
          this.#opts.onReject?.(duplicateReject(seed, "duplicate", of));
        }
        return;
      }
      this.#exact.seen.add(exact);
    }
    const heap = this.#heaps.get(this.#mix ? seed.kind : "all");
    if (!heap) return;
    const key = sampleKeyWords(this.#opts.seed, seed.id);
    const high = key[0];
    const low = key[1];
    if (!heap.admits(high, low, position)) return;
    const entry = this.#spooled(seed);
    heap.push(high, low, position, entry);
    if (exact !== undefined) this.#exact!.held.set(exact, entry);
  }

  /** Ends the current pass: settles each sample, or asks for another pass holding more. */
  #endPass(): void {
    // The exact-duplicate index is done with: its memory goes before the held rows are read.
    this.#exact = undefined;
    for (const [group, heap] of this.#heaps) {
      const quota = this.#quotas.get(group)!;
      const settled = this.#settle(heap, quota);
      if (settled.kept.length === quota || !heap.overflowed) this.#done.set(group, settled);
      else {
        // Hold enough for the duplicate share seen, with room to spare.
        const share = heap.capacity / Math.max(1, settled.kept.length);
        this.#hold.set(
          group,
          Math.max(2 * heap.capacity, Math.ceil(quota * share * 1.25) + 64),
        );
      }
    }
    this.#finished = this.#done.size === this.#quotas.size;
    if (!this.#finished) {
      this.#pass++;
      this.#begin();
    }
  }

  /**
   * Once the input is read: reports the near duplicates and the mix, then yields the sample in
   * sampling-key order (kinds interleaved), read back from the spool.
   */
  *sample(): Generator<SeedPrompt> {
    if (!this.#finished) throw new Error("DistinctSampler: sample before the last pass ended");
    const settled = [...this.#done.values()];
    for (const row of settled.flatMap((s) => s.dropped).sort(byKey)) {
      this.#opts.onReject?.(row.reject!);
    }
    if (this.#mix) {
      const report: Partial<Record<SeedKind, KindReport>> = {};
      const kinds = new Set([...this.#quotas.keys(), ...this.#available.keys()] as SeedKind[]);
      for (const kind of kinds) {
        const quota = this.#quotas.get(kind) ?? 0;
        const kept = this.#done.get(kind)?.kept.length ?? 0;
        const available = this.#available.get(kind) ?? 0;
        report[kind] = { quota, available, kept, shortfall: quota - kept };
      }
      this.#opts.onReport?.(report);
    }
    for (const row of settled.flatMap((s) => s.kept).sort(byKey)) {
      yield this.#spool!.read(row.entry) as SeedPrompt;
    }
  }

  /** Removes the spool (and its temporary folder). */
  close(): void {
    this.#spool?.close();
    if (this.#tempDir) Deno.removeSync(this.#tempDir, { recursive: true });
    this.#spool = this.#tempDir = undefined;
  }

  /** Starts a pass: a heap per unsettled sample, a fresh exact-duplicate index. */
  #begin(): void {
    this.#position = 0;
    this.#heaps.clear();
    for (const [group, rows] of this.#hold) {
      if (this.#done.has(group)) continue;
      if (rows > 0) this.#heaps.set(group, new RowHeap(rows));
      else this.#done.set(group, { kept: [], dropped: [] });
    }
    this.#exact = this.#opts.dedupe === false
      ? undefined
      : { seen: new KeySet(), held: new KeyTable() };
  }

  /** Spools a held seed; returns its spool entry. */
  #spooled(seed: SeedPrompt): number {
    if (!this.#spool) {
      const dir = this.#opts.dir ?? (this.#tempDir = Deno.makeTempDirSync({ prefix: "j1kit-" }));
      this.#spool = Spool.open(dir, "seeds");
    }
    return this.#spool.append(seed);
  }

  /**
   * The held rows in key order, near duplicates dropped (when on) until `quota` are kept. The
   * held rows are read back once, in spool order, for their LSH band keys (one flat array: 8
   * bytes a band a row; no seed stays in memory); a dropped row and the row it matches are read
   * again for its reject.
   */
  #settle(heap: RowHeap, quota: number): Settled {
    const rows = heap.sorted();
    const { near } = this.#opts;
    if (this.#opts.dedupe === false || near === false) {
      return { kept: rows.slice(0, quota), dropped: [] };
    }
    const index = new NearDuplicateIndex(near === true ? {} : near);
    const width = index.bands;
    const bands = new Float64Array(rows.length * width);
    this.#spool?.scan(rows.map((row) => row.entry), (i, value) => {
      const seed = value as SeedPrompt;
      bands.set(index.keys(normalizeText(instructionText(seed.instruction))), i * width);
    });
    // dedupeSeeds's rule, over the rows in key order (no two share an exact key: see offer).
    const kept: Held[] = [];
    const dropped: Held[] = [];
    for (let i = 0; i < rows.length && kept.length < quota; i++) {
      const keys = bands.subarray(i * width, (i + 1) * width);
      const similar = index.find(keys);
      if (similar === undefined) {
        index.insert(i, keys);
        kept.push(rows[i]);
      } else {
        const read = (row: Held) => this.#spool!.read(row.entry) as SeedPrompt;
        const of = read(rows[similar]).id;
        dropped.push({ ...rows[i], reject: duplicateReject(read(rows[i]), "near_duplicate", of) });
      }
    }
    return { kept, dropped };
  }
}

/** A held row: its sampling key (two 32-bit halves), input position and spool entry. */
interface Held {
  high: number;
  low: number;
  position: number;
  entry: number;
  /** Set when de-duplication dropped it. */
  reject?: Reject;
}

/** One sample's outcome: its kept rows, and the rows dropped before its last kept one. */
interface Settled {
  kept: Held[];
  dropped: Held[];
}

/** Orders rows by sampling key, then input position. */
function byKey(a: Held, b: Held): number {
  return a.high - b.high || a.low - b.low || a.position - b.position;
}

/**
 * The `capacity` rows with the smallest keys offered so far: a bounded max-heap in typed
 * arrays (no object per row).
 */
class RowHeap {
  /** Whether a row was ever let go (so the held rows are not all the rows). */
  overflowed = false;
  #size = 0;
  #high: Uint32Array;
  #low: Uint32Array;
  #position: Float64Array;
  #entry: Float64Array;

  /** Holds up to `capacity` rows; its arrays grow as rows come (a quota may exceed the input). */
  constructor(readonly capacity: number) {
    const room = Math.min(capacity, 1024);
    this.#high = new Uint32Array(room);
    this.#low = new Uint32Array(room);
    this.#position = new Float64Array(room);
    this.#entry = new Float64Array(room);
  }

  /** Whether a row with this key would be held (otherwise it is let go). */
  admits(high: number, low: number, position: number): boolean {
    if (this.#size < this.capacity) return true;
    this.overflowed = true;
    return this.#compare(high, low, position, 0) < 0;
  }

  /** Holds a row {@linkcode admits} let in, letting the largest go when full. */
  push(high: number, low: number, position: number, entry: number): void {
    let i: number;
    if (this.#size < this.capacity) {
      if (this.#size === this.#high.length) this.#grow();
      i = this.#size++;
      // Up: the new row rises past smaller parents.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.#compare(high, low, position, parent) <= 0) break;
        this.#move(parent, i);
        i = parent;
      }
    } else {
      i = 0;
      // Down: the new root sinks below larger children.
      for (;;) {
        let child = 2 * i + 1;
        if (child >= this.#size) break;
        if (child + 1 < this.#size && this.#order(child + 1, child) > 0) child++;
        if (this.#compare(high, low, position, child) >= 0) break;
        this.#move(child, i);
        i = child;
      }
    }
    this.#high[i] = high;
    this.#low[i] = low;
    this.#position[i] = position;
    this.#entry[i] = entry;
  }

  /** The held rows, in key order. */
  sorted(): Held[] {
    return Array.from({ length: this.#size }, (_, i) => ({
      high: this.#high[i],
      low: this.#low[i],
      position: this.#position[i],
      entry: this.#entry[i],
    })).sort(byKey);
  }

  /** Doubles the arrays' room, up to the capacity. */
  #grow(): void {
    const room = Math.min(this.capacity, 2 * this.#high.length);
    const grown = <T extends Uint32Array | Float64Array>(a: T, b: T) => (b.set(a), b);
    this.#high = grown(this.#high, new Uint32Array(room));
    this.#low = grown(this.#low, new Uint32Array(room));
    this.#position = grown(this.#position, new Float64Array(room));
    this.#entry = grown(this.#entry, new Float64Array(room));
  }

  /** A key against slot `i`'s: negative, zero or positive. */
  #compare(high: number, low: number, position: number, i: number): number {
    return high - this.#high[i] || low - this.#low[i] || position - this.#position[i];
  }

  #order(i: number, j: number): number {
    return this.#compare(this.#high[i], this.#low[i], this.#position[i], j);
  }

  #move(from: number, to: number): void {
    this.#high[to] = this.#high[from];
    this.#low[to] = this.#low[from];
    this.#position[to] = this.#position[from];
    this.#entry[to] = this.#entry[from];
  }
}
