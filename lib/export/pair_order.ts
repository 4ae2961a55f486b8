/**
 * The order of a trainer's rows. Trainers batch rows in file order once their own shuffle is off
 * (verl `data.shuffle=False`, TRL `shuffle_dataset=False`), so the file itself is shuffled, at
 * the level of pairs: every row of one pair (both orders, or the chosen and the rejected
 * response, of every mode and template) stays adjacent, and a batch whose size is a multiple of
 * the rows per pair holds every pair whole, as J1's position-agnostic batches need. The first
 * pairs of the shuffled order form the validation split, so train and validation never share a
 * pair. Streams: the pairs are spooled to a file and read back by offset in the new order, so
 * memory holds an index entry per pair.
 * @module
 */
import { contentId } from "../ids.ts";
import type { SeedKind } from "../records.ts";
import { UserError } from "../errors.ts";
import { Spool } from "../io/spool.ts";

/** One pair's rows, kept together. */
export interface PairBlock<T> {
  /** The pair's id. */
  pairId: string;
  /** The pair's kind (validation quotas may be per kind). */
  kind: SeedKind;
  /** Its rows (judge tasks, with their rollouts when sampled). */
  items: T[];
}

/** Which part of the data a pair went to. */
export type Split = "train" | "val";

/** A number of validation pairs, in all or per kind (`{"chat": 150, "verifiable": 150}`). */
export type ValidationSize = number | Partial<Record<SeedKind, number>>;

/** Options of {@linkcode shufflePairs}. */
export interface ShuffleOptions {
  /** Seed of the order (the same seed and pair ids give the same order, whatever the input). */
  seed: number;
  /** Pairs held out for validation, the first of the shuffled order (default none). */
  validation?: ValidationSize;
  /** A folder for the spool file (removed afterwards). */
  dir: string;
}

/** The sort key of a pair: a hash of (seed, pair id). */
export function shuffleKey(seed: number, pairId: string): string {
  return contentId("shuffle", seed, pairId);
}

interface Entry {
  key: string;
  kind: SeedKind;
  /** Its block's index in the spool. */
  index: number;
}

/**
 * The blocks in a seeded random order, each with its split. Throws a `UserError` when a pair id
 * comes twice (its rows could not stay together).
 *
 * @example
 * ```ts
 * import { shufflePairs } from "./pair_order.ts";
 * import assert from "node:assert/strict";
 * const blocks = ["p1", "p2", "p3"].map((pairId) => ({ pairId, kind: "chat" as const, items: [pairId + "-AB", pairId + "-BA"] }));
 * const out = [];
 * for await (const { block, split } of shufflePairs(blocks, { seed: 0, validation: 1, dir: await Deno.makeTempDir() })) {
 *   out.push([split, ...block.items]);
 * }
 * assert.equal(out.length, 3);
 * assert.deepEqual(out.map((o) => o[0]), ["val", "train", "train"]);
 * assert.ok(out.every((o) => o[1].replace("-AB", "-BA") === o[2]));
 * ```
 */
export async function* shufflePairs<T>(
  blocks: AsyncIterable<PairBlock<T>> | Iterable<PairBlock<T>>,
  opts: ShuffleOptions,
): AsyncGenerator<{ block: PairBlock<T>; split: Split }> {
  const spool = Spool.open(opts.dir, "pairs");
  try {
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for await (const block of blocks) {
      if (seen.has(block.pairId)) {
        throw new UserError(
          `expected each pair once in the trainer files, found pair ${block.pairId} twice ` +
            `(are two input files holding the same pairs?)`,
        );
      }
      seen.add(block.pairId);
      entries.push({
        key: shuffleKey(opts.seed, block.pairId),
        kind: block.kind,
        index: spool.append(block),
      });
    }
    seen.clear();
    entries.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const isVal = validationPicker(opts.validation ?? 0);
    for (const entry of entries) {
      const block = spool.read(entry.index) as PairBlock<T>;
      yield { block, split: isVal(entry.kind) ? "val" : "train" };
    }
  } finally {
    spool.close();
  }
}

/** Called once per pair in shuffled order: whether it goes to validation. */
function validationPicker(size: ValidationSize): (kind: SeedKind) => boolean {
  if (typeof size === "number") {
    let left = size;
    return () => left-- > 0;
  }
  const left = { ...size };
  return (kind) => (left[kind] ?? 0) > 0 && left[kind]!-- > 0;
}
