/**
 * The one LLM client over the `openai` package: per-endpoint concurrency and rate limits, its
 * own retry loop (backoff honouring `Retry-After`), per-attempt timeouts, `n` samples natively
 * or as separate seeded requests, usage accounting and a response cache.
 * @module
 */
import OpenAI from "openai";
import { EndpointError } from "../errors.ts";
import type { Message } from "../records.ts";
import { batchCustomId, type BatchSink, RequestDeferred } from "./batch.ts";
import { type CachedSample, type PromptKey, promptKey, type ResponseCache } from "./cache.ts";
import { readChoices } from "./choices.ts";
import { endpointApiKey } from "./endpoint.ts";
import { RatePacer, realSleep, type Sleep } from "./limits.ts";
import { type ReplicaHealth, ReplicaPool } from "./replicas.ts";
import { checkSampleSeeds } from "./request_seed.ts";
import { settleAll } from "./settle.ts";
import { withoutUrlSecrets } from "./url_secrets.ts";
import {
  type Backoff,
  backoffDelay,
  classifyFailure,
  DEFAULT_BACKOFF,
  type Failure,
} from "./retry.ts";
import {
  type Activity,
  type Completion,
  emptyStats,
  type EndpointConfig,
  type LlmClient,
  type LlmStats,
  replicaUrls,
  type SampleParams,
} from "./types.ts";

/** Options of {@linkcode createLlmClient}. */
export interface LlmClientOptions {
  /** Response cache (see `openCache`). */
  cache?: ResponseCache;
  /** API key; default: the env var named by `endpoint.apiKeyEnv`, else "EMPTY". Never stored. */
  apiKey?: string;
  /** Retry backoff bounds (default 500 ms doubling up to 8 s). */
  backoff?: Backoff;
  /** Waits between attempts and for the rate limit (tests record the delays instead). */
  sleep?: Sleep;
  /** Clock for the rate limit, in milliseconds. */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /**
   * Batch export: every request the cache cannot answer is added here instead of being sent,
   * and the call rejects with `RequestDeferred`. Needs no base URL.
   */
  defer?: BatchSink;
}

/**
 * Creates the client of one endpoint.
 *
 * Sampling rule: sample i of a call with base seed s is the sample with seed `s + i`. Native
 * sampling sends one request with `n` (and seed s), separate sampling sends request i with seed
 * `s + i`, which is what vLLM does with the children of an `n` request, so both give the same
 * samples. Cached samples are served from the cache and only the missing ones are requested:
 * natively, each contiguous run of missing indices `a..b` is one request with `n = b - a + 1`
 * and seed `s + a`. A server that returns fewer choices than asked (Ollama ignores `n`) is asked
 * again for the rest. Without a seed, none is sent and the key uses base 0.
 *
 * Replicas: each attempt goes to the least-loaded healthy replica (see `ReplicaPool`); a retry
 * after a replica failed goes to another one without waiting when one is healthy. The replica
 * is no part of a request, so the samples and their cache keys do not depend on it.
 *
 * @example
 * ```ts ignore
 * const llm = createLlmClient(endpointDefaults({ name: "judge", baseUrl, model: "qwen" }));
 * const [sample] = await llm.complete([{ role: "user", content: "Hi" }], { seed: 1 });
 * ```
 */
export function createLlmClient(endpoint: EndpointConfig, opts: LlmClientOptions = {}): LlmClient {
  const apiKey = opts.apiKey ?? endpointApiKey(endpoint);
  const urls = replicaUrls(endpoint);
  if (!urls.length && !opts.defer) {
    throw new RangeError(`endpoint "${endpoint.name}": expected a base URL, found none`);
  }
  const sdks = urls.map((baseURL) =>
    new OpenAI({
      baseURL,
      apiKey,
      maxRetries: 0,
      timeout: endpoint.timeoutMs,
      defaultHeaders: WITHOUT_PLATFORM_HEADERS,
    })
  );
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const now = opts.now ?? Date.now;
  const pool = new ReplicaPool(
    urls,
    endpoint.concurrency,
    (err) => replicaHealth(classifyFailure(err, endpoint.timeoutMs)),
    now,
  );
  const pacer = new RatePacer(endpoint.rpm, now, sleep);
  const stats: LlmStats = emptyStats();
  const activity: Activity = { inFlight: 0, retrying: 0 };

  /** One request, retried; returns its choices (sorted by index) with usage shared out. */
  async function send(body: Record<string, unknown>): Promise<CachedSample[]> {
    for (let attempt = 0;; attempt++) {
      let failure;
      let replica = 0;
      try {
        const response = await pool.run(async (index) => {
          replica = index;
          await pacer.wait();
          stats.requests++;
          if (attempt > 0) stats.retries++;
          activity.inFlight++;
          try {
            // deno-lint-ignore no-explicit-any -- extra body keys are the caller's business
            const response = await sdks[index].chat.completions.create(body as any);
            // Read inside the attempt: a malformed answer counts against the replica.
            return readChoices(response);
          } finally {
            activity.inFlight--;
          }
        });
        stats.promptTokens += response.promptTokens;
        stats.completionTokens += response.completionTokens;
        return response.samples;
      } catch (err) {
        failure = classifyFailure(err, endpoint.timeoutMs);
      }
      if (!failure.retryable || attempt >= endpoint.maxRetries) {
        stats.failures++;
        const attempts = attempt + 1;
        const detail = `model "${endpoint.model}" answered ${failure.answer}` +
          (attempts > 1 ? ` (after ${attempts} attempts)` : "");
        const url = pool.url(replica);
        throw new EndpointError(
          withoutUrlSecrets(url, url),
          scrub(withoutUrlSecrets(detail, url), apiKey),
          { status: failure.status },
        );
      }
      // Another replica can take the retry at once; waiting is for a server that is busy.
      if (replicaHealth(failure) !== "ok" && pool.healthyBesides(replica)) continue;
      activity.retrying++;
      try {
        await sleep(failure.retryAfterMs ?? backoffDelay(attempt, backoff, random));
      } finally {
        activity.retrying--;
      }
    }
  }

  async function complete(messages: Message[], params: SampleParams = {}): Promise<Completion[]> {
    const n = params.n ?? 1;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`n must be an integer >= 1, found ${n}`);
    }
    const base = params.seed ?? 0;
    checkSampleSeeds(base, n);
    // Hashed only when there is a cache to ask (a 3 KB judge prompt costs ~30 µs).
    const prompt: PromptKey = {
      model: endpoint.model,
      messages,
      temperature: params.temperature,
      topP: params.topP,
      maxTokens: params.maxTokens,
      stop: params.stop,
      extra: params.extra,
    };
    const cached = opts.cache && await opts.cache.lookup(prompt, base, n);
    const samples: (Completion | undefined)[] = Array.from({ length: n }, (_, i) => {
      const hit = cached?.samples[i];
      return hit ? { ...hit, cached: true } : undefined;
    });
    stats.cacheHits += samples.filter(Boolean).length;

    /** Requests samples `start .. start + count - 1` until all are filled. */
    async function fill(start: number, count: number): Promise<void> {
      while (count > 0) {
        const body: Record<string, unknown> = {
          ...params.extra,
          model: endpoint.model,
          messages,
          temperature: params.temperature,
          top_p: params.topP,
          max_tokens: params.maxTokens,
          stop: params.stop,
          seed: params.seed === undefined ? undefined : base + start,
          n: count > 1 ? count : undefined,
        };
        if (opts.defer) {
          const id = batchCustomId(promptKey(prompt), base + start);
          opts.defer.add(id, body);
          throw new RequestDeferred(id);
        }
        const got = (await send(body)).slice(0, count);
        stats.samples += got.length;
        // One row per response: a crash never leaves a request half cached, so a resumed run
        // re-asks whole requests and splits their usage the same way.
        cached?.store(base + start, got);
        // The slot went to the next request waiting, which is now ready to leave: a timer lets
        // the runtime send it before the caller's work on this response (parsing, scoring,
        // writing) runs. A timer, not `setImmediate`: immediates run before Deno hands control
        // to its I/O tasks, and the request then left after the caller's work (measured); the
        // timer costs ~0.5–2 ms of latency per response, not throughput. On the bench: 1–2
        // points of the rollout stage's throughput at equal CPU (10 paired rounds), 0.8 more of
        // 64 slots busy. Stored first, so a kill in that moment does not lose the response.
        await realSleep(0);
        got.forEach((sample, j) => samples[start + j] = { ...sample, cached: false });
        start += got.length;
        count -= got.length;
      }
    }

    const runs = missingRuns(samples, endpoint.nSampling === "native");
    await settleAll(runs.map(([start, count]) => fill(start, count)));
    return samples as Completion[];
  }

  return {
    endpoint,
    complete,
    stats: () => ({ ...stats }),
    activity: () => ({ ...activity }),
    replicas: () => pool.stats(),
  };
}

/**
 * The SDK's platform telemetry headers (language, package version, OS, architecture, runtime
 * and its version), unset: no server needs them to answer, they describe the user's machine to
 * every endpoint, and handling them was ~2–4 points of the rollout stage's throughput on the
 * bench's 2 cores (paired rounds). The retry count, which a server may act on, is still sent.
 */
const WITHOUT_PLATFORM_HEADERS = Object.fromEntries(
  ["Lang", "Package-Version", "OS", "Arch", "Runtime", "Runtime-Version"]
    .map((name) => [`X-Stainless-${name}`, null]),
);

/** What a failed attempt says about its replica: not there, failing, or fine. */
function replicaHealth(failure: Failure): ReplicaHealth {
  if (/^connection (refused|error|cut)/.test(failure.answer)) return "down";
  if (failure.status === undefined || failure.status >= 500) return "error";
  return "ok";
}

/** Runs `[start, count]` of missing samples: contiguous runs (native) or single samples. */
function missingRuns(samples: unknown[], native: boolean): [number, number][] {
  const runs: [number, number][] = [];
  samples.forEach((sample, i) => {
    if (sample) return;
    const last = runs.at(-1);
    if (native && last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  });
  return runs;
}

/** Never let the key reach a message, even if a server echoes it. */
function scrub(text: string, secret: string): string {
  return secret.length >= 4 && secret !== "EMPTY" ? text.replaceAll(secret, "***") : text;
}
