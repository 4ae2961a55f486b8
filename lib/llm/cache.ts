/**
 * The response cache: one SQLite row per sample, so re-runs and shared prefixes are free.
 *
 * The key is what determines a sample — model, messages, sampling parameters and the sample's
 * seed — and nothing else: not the endpoint URL, the concurrency, the batch size or the API key,
 * so changing a harmless setting keeps the cache. Sample i of base seed s is keyed by seed
 * `s + i` (vLLM's rule for the children of an `n` request), so the G samples of one prompt are
 * G different rows.
 * @module
 */
import type { StatementSync } from "node:sqlite";
import { canonicalJson, sha256 } from "../ids.ts";
import type { Message } from "../records.ts";
import type { Completion } from "./types.ts";
import { openCacheDb, type WriterReply, type WriterRequest } from "./cache_db.ts";

/** A cached sample: a completion without the `cached` flag. */
export type CachedSample = Omit<Completion, "cached">;

/** Stores samples by key. */
export interface ResponseCache {
  /** The samples stored under `keys`, in order (including samples still being written). */
  getMany(keys: string[]): (CachedSample | undefined)[];
  /**
   * Stores several samples atomically (all or none). Readable at once; written to disk in the
   * background within a turn of the event loop (a killed process loses at most that moment's
   * samples, which are then asked again).
   */
  setMany(entries: [string, CachedSample][]): void;
  /** Waits until every stored sample is on disk, then closes; rejects if a write failed. */
  close(): Promise<void>;
}

/** What identifies one sample. */
export interface SampleKey {
  /** Model name sent to the server. */
  model: string;
  /** The prompt. */
  messages: Message[];
  /** Sampling temperature, if sent. */
  temperature?: number;
  /** Nucleus sampling, if sent. */
  topP?: number;
  /** Token cap, if sent. */
  maxTokens?: number;
  /** Stop strings, if sent. */
  stop?: string[];
  /** Extra body keys sent as-is. */
  extra?: Record<string, unknown>;
  /** The sample's own seed: base seed (0 when none is sent) plus sample index. */
  sampleSeed: number;
}

/**
 * The cache key of one sample (sha256 of its canonical JSON; undefined fields are left out).
 *
 * @example
 * ```ts
 * import { cacheKey } from "./cache.ts";
 * import assert from "node:assert/strict";
 * const k = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
 * assert.notEqual(cacheKey({ ...k, sampleSeed: 0 }), cacheKey({ ...k, sampleSeed: 1 }));
 * assert.equal(cacheKey({ ...k, sampleSeed: 0 }), cacheKey({ ...k, topP: undefined, sampleSeed: 0 }));
 * ```
 */
export function cacheKey(sample: SampleKey): string {
  return cacheKeys(sample, [sample.sampleSeed])[0];
}

/**
 * The cache keys of several samples of one prompt (`cacheKey` with each seed in turn), the
 * prompt serialised once.
 */
export function cacheKeys(prompt: Omit<SampleKey, "sampleSeed">, seeds: number[]): string[] {
  // Only `stop`, `temperature` and `topP` sort after `sampleSeed`, and none of them can hold
  // `"sampleSeed":0` unescaped: its last occurrence is the top-level key.
  const json = canonicalJson({ cacheVersion: 1, ...prompt, sampleSeed: 0 });
  const at = json.lastIndexOf(`"sampleSeed":0`) + `"sampleSeed":`.length;
  const [head, tail] = [json.slice(0, at), json.slice(at + 1)];
  return seeds.map((seed) => sha256(`${head}${JSON.stringify(seed)}${tail}`));
}

/**
 * Opens (creating if needed) a response cache in a SQLite file. Reads run on the calling
 * thread; writes go to a worker (`cache_writer.ts`), so that inserting and committing never
 * delay the requests in flight.
 */
export function openCache(path: string): ResponseCache {
  const db = openCacheDb(path);
  /** SELECT statements by number of keys. */
  const selects = new Map<number, StatementSync>();
  const select = (count: number) => {
    let statement = selects.get(count);
    if (!statement) {
      const marks = Array.from({ length: count }, () => "?").join(", ");
      statement = db.prepare(`SELECT key, sample FROM samples WHERE key IN (${marks})`);
      selects.set(count, statement);
    }
    return statement;
  };
  const writer = new Worker(new URL("./cache_writer.ts", import.meta.url), { type: "module" });
  /** Samples not yet committed by the writer, with the batch that holds them. */
  const unwritten = new Map<string, { batch: number; sample: CachedSample }>();
  const batches = new Map<number, string[]>();
  /** Entries gathered for the next batch: one message per turn of the event loop. */
  let queued: [string, CachedSample][] = [];
  let nextBatch = 1;
  let failure: string | undefined;
  const closed = Promise.withResolvers<void>();
  writer.onmessage = (event: MessageEvent<WriterReply>) => {
    const reply = event.data;
    if ("closed" in reply) return closed.resolve();
    const batch = "done" in reply ? reply.done : reply.failed;
    if ("failed" in reply) failure ??= reply.message;
    for (const key of batches.get(batch) ?? []) {
      if (unwritten.get(key)?.batch === batch) unwritten.delete(key);
    }
    batches.delete(batch);
  };
  writer.onerror = (event) => {
    event.preventDefault();
    failure ??= event.message;
    closed.resolve();
  };
  const send = (request: WriterRequest) => writer.postMessage(request);
  const sendQueued = () => {
    if (!queued.length) return;
    const batch = nextBatch++;
    batches.set(batch, queued.map(([key]) => key));
    for (const [key] of queued) unwritten.get(key)!.batch = batch;
    send({ id: batch, entries: queued });
    queued = [];
  };
  send({ open: path });
  const failed = () =>
    new Error(`response cache ${path}: a write failed (${failure}); those samples are re-asked`);
  return {
    getMany(keys) {
      const found = new Map<string, CachedSample>();
      const missing = keys.filter((key) => {
        const pending = unwritten.get(key);
        if (pending) found.set(key, pending.sample);
        return !pending;
      });
      if (missing.length) {
        for (const row of select(missing.length).all(...missing)) {
          const { key, sample } = row as { key: string; sample: string };
          found.set(key, JSON.parse(sample));
        }
      }
      return keys.map((key) => found.get(key));
    },
    setMany(entries) {
      if (failure !== undefined) throw failed();
      if (!queued.length) setTimeout(sendQueued, 0);
      // Batch 0 = queued; the batch id is set when the queue is sent.
      for (const [key, sample] of entries) unwritten.set(key, { batch: 0, sample });
      queued.push(...entries);
    },
    async close() {
      sendQueued();
      send({ close: true });
      await closed.promise;
      writer.terminate();
      db.close();
      if (failure !== undefined) throw failed();
    },
  };
}
