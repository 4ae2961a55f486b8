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
import { UserError } from "../errors.ts";
import { canonicalJson } from "../ids.ts";
import { sha256Prefix } from "../sha256.ts";
import type { Message } from "../records.ts";
import type { Completion } from "./types.ts";
import { Bloom } from "./bloom.ts";
import type { CacheReply, CacheRequest } from "./cache_worker.ts";

/** A cached sample: a completion without the `cached` flag. */
export type CachedSample = Omit<Completion, "cached">;

/** Stores samples by key. */
export interface ResponseCache {
  /** The samples stored under `keys`, in order (absent: undefined). */
  getMany(keys: string[]): Promise<(CachedSample | undefined)[]>;
  /**
   * Stores several samples atomically (all or none), in the background: a later `getMany` sees
   * them; they reach the disk within a turn of the event loop (a killed process loses at most
   * that moment's samples, which are then asked again).
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
  const hashed = sha256Prefix(head);
  return seeds.map((seed) => hashed(`${JSON.stringify(seed)}${tail}`));
}

/**
 * Opens (creating if needed) a response cache in a SQLite file (WAL mode). The connection lives
 * in a worker (`cache_worker.ts`): lookups and writes cost the main thread a message, so they
 * never delay the requests in flight; lookups of keys a Bloom filter of the cache's keys rules
 * out (every lookup of a fresh run) cost nothing. A key another process stores meanwhile is
 * not in the filter: that sample is asked again rather than shared.
 */
export async function openCache(path: string): Promise<ResponseCache> {
  const worker = new Worker(new URL("./cache_worker.ts", import.meta.url), { type: "module" });
  const lookups = new Map<number, (samples: (unknown | null)[]) => void>();
  let nextLookup = 1;
  /** Entries gathered for the next write: one message (one transaction) per event-loop turn. */
  let queued: [string, CachedSample][] = [];
  let failure: string | undefined;
  /** The keys held (at open, plus every key stored since): lookups of others need no message. */
  let keys: Bloom | undefined;
  const opened = Promise.withResolvers<void>();
  const closed = Promise.withResolvers<void>();
  // A failed write (disk full, file removed) stops the run with a message, not a stack trace;
  // the samples it held are simply asked again by the next run.
  const failed = () =>
    new UserError(`response cache: a write failed (${failure})`, {
      loc: { file: path },
      exitCode: 1,
    });
  const fail = (message: string) => {
    failure ??= message;
    opened.reject(
      new UserError(`cannot open the response cache: ${message}`, { loc: { file: path } }),
    );
    closed.resolve();
    for (const resolve of lookups.values()) resolve([]);
    lookups.clear();
  };
  opened.promise.catch(() => {});
  worker.onmessage = (event: MessageEvent<CacheReply>) => {
    const reply = event.data;
    if ("opened" in reply) {
      if (reply.keys) keys = new Bloom(reply.keys);
      opened.resolve();
    } else if ("closed" in reply) closed.resolve();
    else if ("failed" in reply) fail(reply.failed);
    else {
      lookups.get(reply.id)?.(reply.samples);
      lookups.delete(reply.id);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message);
  };
  const send = (request: CacheRequest) => worker.postMessage(request);
  /** Sends the queued samples, with a lookup if any: one message either way. */
  const sendQueued = (lookup?: { id: number; keys: string[] }) => {
    if (!queued.length && !lookup) return;
    send({ ...(queued.length ? { store: queued } : {}), ...(lookup ? { lookup } : {}) });
    queued = [];
  };
  send({ open: path });
  try {
    await opened.promise;
  } catch (err) {
    worker.terminate();
    throw err;
  }
  return {
    async getMany(wanted) {
      if (failure !== undefined) throw failed();
      if (keys && !wanted.some((key) => keys!.mayHave(key))) return wanted.map(() => undefined);
      const id = nextLookup++;
      const samples = new Promise<(unknown | null)[]>((resolve) => lookups.set(id, resolve));
      sendQueued({ id, keys: wanted });
      const found = await samples;
      if (failure !== undefined) throw failed();
      return wanted.map((_, i) => (found[i] ?? undefined) as CachedSample | undefined);
    },
    setMany(entries) {
      if (failure !== undefined) throw failed();
      if (!queued.length) setTimeout(() => sendQueued(), 0);
      queued.push(...entries);
      for (const [key] of entries) keys?.add(key);
    },
    async close() {
      sendQueued();
      send({ close: true });
      await closed.promise;
      worker.terminate();
      if (failure !== undefined) throw failed();
    },
  };
}
