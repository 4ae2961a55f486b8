/**
 * The response cache: one SQLite row per response, so re-runs and shared prefixes are free.
 *
 * A row holds the samples of one response under its prompt key and the seed of its first
 * sample. The prompt key is what determines the samples apart from the seed — model, messages
 * and sampling parameters — and nothing else: not the endpoint URL, the concurrency, the batch
 * size or the API key, so changing a harmless setting keeps the cache. Sample i of base seed s
 * is the sample with seed `s + i` (vLLM's rule for the children of an `n` request), so a row of
 * n samples from seed s answers a later request for any of the seeds s .. s + n - 1, however it
 * is sampled. Caches written by j1kit 0.x before this layout (one row per sample, table
 * `samples`) keep answering: their rows are read, never rewritten.
 * @module
 */
import { UserError } from "../errors.ts";
import { canonicalJson } from "../ids.ts";
import { sha256, sha256Prefix } from "../sha256.ts";
import type { Message } from "../records.ts";
import type { Completion } from "./types.ts";
import { Bloom } from "./bloom.ts";
import type { CacheReply, CacheRequest, Lookup, StoredResponse } from "./cache_worker.ts";
import { checkSampleSeeds } from "./request_seed.ts";

/** A cached sample: a completion without the `cached` flag. */
export type CachedSample = Omit<Completion, "cached">;

/** What identifies the samples of one prompt, apart from their seeds. */
export interface PromptKey {
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
}

/** The cached samples of one prompt, looked up for a range of seeds. */
export interface CachedPrompt {
  /** Sample i of the range (seed `first + i`), or undefined when absent. */
  samples: (CachedSample | undefined)[];
  /**
   * Stores the samples of one response, the first with seed `seed`, as one row in the
   * background: a later lookup sees them; they reach the disk within a turn of the event loop
   * (a killed process loses at most that moment's responses, which are then asked again).
   */
  store(seed: number, samples: CachedSample[]): void;
}

/** Stores responses by prompt and seed. */
export interface ResponseCache {
  /** The cached samples of `prompt` with seeds `first .. first + count - 1`. */
  lookup(prompt: PromptKey, first: number, count: number): Promise<CachedPrompt>;
  /**
   * Stores the samples of one response under a prompt key (`promptKey`) and the seed of its
   * first sample, like `CachedPrompt.store` (batch output arrives with keys, not prompts).
   */
  storeKey(key: string, seed: number, samples: CachedSample[]): void;
  /** Waits until every stored response is on disk, then closes; rejects if a write or read failed. */
  close(): Promise<void>;
}

/**
 * The cache key of a prompt (sha256 of its canonical JSON; undefined fields are left out).
 *
 * @example
 * ```ts
 * import { promptKey } from "./cache.ts";
 * import assert from "node:assert/strict";
 * const k = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
 * assert.notEqual(promptKey(k), promptKey({ ...k, temperature: 0.5 }));
 * assert.equal(promptKey(k), promptKey({ ...k, topP: undefined }));
 * ```
 */
export function promptKey(prompt: PromptKey): string {
  return sha256(canonicalJson({ cacheVersion: 2, ...prompt }));
}

/**
 * The keys of samples in caches of the earlier layout (one row per sample): `promptKey`'s JSON
 * with `cacheVersion: 1` and the sample's seed as `sampleSeed`, the prompt serialised once.
 */
export function legacySampleKeys(prompt: PromptKey, seeds: number[]): string[] {
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
 * never delay the requests in flight; lookups of prompts a Bloom filter of the cache's keys
 * rules out (every lookup of a fresh run) cost nothing. A prompt another process stores
 * meanwhile is not in the filter: its samples are asked again rather than shared.
 */
export async function openCache(path: string): Promise<ResponseCache> {
  const worker = new Worker(new URL("./cache_worker.ts", import.meta.url), { type: "module" });
  const lookups = new Map<number, (samples: (unknown | null)[]) => void>();
  let nextLookup = 1;
  /** Responses gathered for the next write: one message (one transaction) per event-loop turn. */
  let queued: StoredResponse[] = [];
  let failure: string | undefined;
  /** The keys held (at open, plus every key stored since): lookups of others need no message. */
  let keys: Bloom | undefined;
  /** Whether the file also holds samples of the earlier layout. */
  let legacy = false;
  const opened = Promise.withResolvers<void>();
  const closed = Promise.withResolvers<void>();
  // A failed write (disk full, file removed) or read (a damaged file) stops the run with a
  // message, not a stack trace; the responses it held are simply asked again by the next run.
  const failed = () =>
    new UserError(`response cache: ${failure}`, {
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
      legacy = reply.legacy;
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
  /** Sends the queued responses, with a lookup if any: one message either way. */
  const sendQueued = (lookup?: Lookup) => {
    if (!queued.length && !lookup) return;
    send({ ...(queued.length ? { store: queued } : {}), ...(lookup ? { lookup } : {}) });
    queued = [];
  };
  /** Queues a response of the prompt with key `key` for the next write. */
  const storer = (key: string) => (seed: number, samples: CachedSample[]) => {
    if (failure !== undefined) throw failed();
    checkSampleSeeds(seed, samples.length);
    if (!queued.length) setTimeout(() => sendQueued(), 0);
    queued.push([key, seed, seed + samples.length - 1, JSON.stringify(samples)]);
    keys?.add(key);
  };
  send({ open: path });
  try {
    await opened.promise;
  } catch (err) {
    worker.terminate();
    throw err;
  }
  return {
    async lookup(prompt, first, count) {
      if (failure !== undefined) throw failed();
      checkSampleSeeds(first, count);
      const key = promptKey(prompt);
      const store = storer(key);
      const seeds = Array.from({ length: count }, (_, i) => first + i);
      const older = legacy ? legacySampleKeys(prompt, seeds) : undefined;
      if (keys && !keys.mayHave(key) && !older?.some((k) => keys!.mayHave(k))) {
        return { samples: seeds.map(() => undefined), store };
      }
      const id = nextLookup++;
      const found = new Promise<(unknown | null)[]>((resolve) => lookups.set(id, resolve));
      sendQueued({ id, prompt: key, first, count, ...(older ? { legacy: older } : {}) });
      const samples = await found;
      if (failure !== undefined) throw failed();
      return { samples: seeds.map((_, i) => (samples[i] ?? undefined) as CachedSample), store };
    },
    storeKey: (key, seed, samples) => storer(key)(seed, samples),
    async close() {
      sendQueued();
      send({ close: true });
      await closed.promise;
      worker.terminate();
      if (failure !== undefined) throw failed();
    },
  };
}
