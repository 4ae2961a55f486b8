/**
 * The contract of the one LLM client. Every LLM call in the toolkit goes through a
 * {@linkcode LlmClient}; stages never talk to HTTP directly.
 * @module
 */
import type { Message, Usage } from "../records.ts";
import type { ReplicaStats } from "./replicas.ts";

/** A named OpenAI-compatible endpoint, as declared in a pipeline file or built from CLI flags. */
export interface EndpointConfig {
  /** The name stages refer to it by (the pipeline file's `endpoints` key). */
  name: string;
  /**
   * e.g. `http://127.0.0.1:8000/v1`, or a list of replicas of the same model (each request
   * goes to the least-loaded healthy one).
   */
  baseUrl: string | string[];
  /** The model name sent with every request. */
  model: string;
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv?: string;
  /** Max requests in flight (per replica). */
  concurrency: number;
  /** Max requests started per minute (0 = unlimited). */
  rpm: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, on 408/409/429/5xx, timeouts and connection errors. */
  maxRetries: number;
  /** `native`: one request with `n`; `separate`: n requests with seeds `seed + i`. */
  nSampling: "native" | "separate";
}

/** Sampling parameters of one call. Sent explicitly so server defaults never leak in. */
export interface SampleParams {
  /** Number of samples wanted (default 1). */
  n?: number;
  /** Sampling temperature (`temperature`). */
  temperature?: number;
  /** Nucleus sampling mass (`top_p`). */
  topP?: number;
  /** Completion token cap (`max_tokens`). */
  maxTokens?: number;
  /** Base seed; sample i uses `seed + i` (vLLM's rule for children of an `n` request). */
  seed?: number;
  /** Stop strings (`stop`). */
  stop?: string[];
  /** Extra body keys sent as-is (e.g. `top_k`, `chat_template_kwargs`). */
  extra?: Record<string, unknown>;
}

/** One sampled completion. */
export interface Completion {
  /** Message content (reasoning excluded when the server splits it out). */
  text: string;
  /** Server-split reasoning (`reasoning` or `reasoning_content`), if any. */
  reasoning?: string;
  /** Why generation ended, as the server says (`stop`, `length`, …). */
  finishReason?: string;
  /** This sample's share of the request's usage. */
  usage: Usage;
  /** True when served from the response cache. */
  cached: boolean;
}

/** Counters of a client, summed into the stage manifest. */
export interface LlmStats {
  /** HTTP requests sent (retries included; one request may ask for `n` samples). */
  requests: number;
  /** Samples the endpoint answered (the unit of `cacheHits`). */
  samples: number;
  /** Samples answered from the response cache instead. */
  cacheHits: number;
  /** Requests retried (each retry also counts in `requests`). */
  retries: number;
  /** Requests that failed for good, after their retries. */
  failures: number;
  /** Prompt tokens, summed over requests. */
  promptTokens: number;
  /** Completion tokens, summed over samples. */
  completionTokens: number;
}

/** Counters at zero. */
export function emptyStats(): LlmStats {
  return {
    requests: 0,
    samples: 0,
    cacheHits: 0,
    retries: 0,
    failures: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
}

/** What a client is busy with right now (a gauge, not a counter: not summed into manifests). */
export interface Activity {
  /** Requests sent and not yet answered. */
  inFlight: number;
  /** Requests waiting to be sent again after a failure (backoff or `Retry-After`). */
  retrying: number;
}

/** The one LLM client. */
export interface LlmClient {
  /** The endpoint this client sends to. */
  readonly endpoint: EndpointConfig;
  /** Returns `params.n` (default 1) completions for one prompt; element i is sample i. */
  complete(messages: Message[], params?: SampleParams): Promise<Completion[]>;
  /** The counters so far. */
  stats(): LlmStats;
  /** Requests in flight and waiting to retry, for progress lines. */
  activity(): Activity;
  /** Counters of each replica (one per base URL; none when requests are deferred to a batch). */
  replicas(): ReplicaStats[];
}

/** The base URLs of an endpoint (its replicas). */
export function replicaUrls(endpoint: Pick<EndpointConfig, "baseUrl">): string[] {
  return typeof endpoint.baseUrl === "string" ? [endpoint.baseUrl] : endpoint.baseUrl;
}

/**
 * Requests an endpoint takes at once: its concurrency on each replica (at least one replica's
 * worth when requests are deferred to a batch and there is none).
 */
export function endpointSlots(endpoint: Pick<EndpointConfig, "baseUrl" | "concurrency">): number {
  return endpoint.concurrency * Math.max(1, replicaUrls(endpoint).length);
}
