/**
 * Mixing: a quota of seeds per kind (the J1 mix is about 17K chat and 5K verifiable), each
 * chosen with the same bottom-k rule as sampling, with shortfalls reported.
 * @module
 */
import type { SeedKind, SeedPrompt } from "../records.ts";
import { BottomK, sampleKey } from "./sample.ts";

/** How one kind fared against its quota. */
export interface KindReport {
  /** Seeds asked for. */
  quota: number;
  /** Seeds of this kind in the input (for `distinctSample`: before de-duplication). */
  available: number;
  /** Seeds kept (at most the quota). */
  kept: number;
  /** `quota - kept` (0 when the quota was met). */
  shortfall: number;
}

/** Options of {@linkcode mixSeeds}. */
export interface MixOptions {
  /** Seeds to keep per kind; a kind without a quota is dropped. */
  quotas: Partial<Record<SeedKind, number>>;
  /** Sampling seed (see `sampleKey`). */
  seed: number | string;
  /** Called once, after the input is exhausted, with every kind seen or given a quota. */
  onReport?: (report: Partial<Record<SeedKind, KindReport>>) => void;
}

/**
 * Keeps up to `quotas[kind]` seeds of each kind, chosen by hash; yields them all in order of
 * that hash (kinds interleaved, deterministically). Memory: the sum of the quotas.
 *
 * @example
 * ```ts
 * import { mixSeeds } from "./mix.ts";
 * import assert from "node:assert/strict";
 * const seeds = [
 *   { id: "a", source: "s", kind: "chat" as const, instruction: "Hi" },
 *   { id: "b", source: "s", kind: "chat" as const, instruction: "Yo" },
 *   { id: "c", source: "s", kind: "verifiable" as const, instruction: "2+2?", reference: "4" },
 * ];
 * const reports: object[] = [];
 * const kept = await Array.fromAsync(
 *   mixSeeds(seeds, { quotas: { chat: 1, verifiable: 2 }, seed: 0, onReport: (r) => reports.push(r) }),
 * );
 * assert.equal(kept.length, 2);
 * assert.deepEqual(reports, [{
 *   chat: { quota: 1, available: 2, kept: 1, shortfall: 0 },
 *   verifiable: { quota: 2, available: 1, kept: 1, shortfall: 1 },
 * }]);
 * ```
 */
export async function* mixSeeds(
  seeds: AsyncIterable<SeedPrompt> | Iterable<SeedPrompt>,
  opts: MixOptions,
): AsyncGenerator<SeedPrompt> {
  const kinds = new Map<SeedKind, { bottom: BottomK<SeedPrompt>; available: number }>();
  const slot = (kind: SeedKind) => {
    let s = kinds.get(kind);
    if (!s) kinds.set(kind, s = { bottom: new BottomK(opts.quotas[kind] ?? 0), available: 0 });
    return s;
  };
  for (const kind of Object.keys(opts.quotas) as SeedKind[]) slot(kind);
  for await (const seed of seeds) {
    const s = slot(seed.kind);
    s.available++;
    s.bottom.offer(sampleKey(opts.seed, seed.id), seed);
  }
  const report: Partial<Record<SeedKind, KindReport>> = {};
  for (const [kind, { bottom, available }] of kinds) {
    report[kind] = {
      quota: bottom.k,
      available,
      kept: bottom.size,
      shortfall: bottom.k - bottom.size,
    };
  }
  opts.onReport?.(report);
  const all = [...kinds.values()].flatMap(({ bottom }) => bottom.entries());
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  yield* all.map((e) => e.value);
}
