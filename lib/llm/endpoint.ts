/**
 * Endpoint defaults: a pipeline file or CLI gives name, URL and model; the rest has safe values.
 * @module
 */
import type { EndpointConfig } from "./types.ts";

/** What an endpoint declaration must give; everything else has a default. */
export type EndpointInput =
  & Pick<EndpointConfig, "name" | "baseUrl" | "model">
  & Partial<EndpointConfig>;

/**
 * Fills the optional endpoint settings: concurrency 8, rpm 0 (unlimited), timeoutMs 120000,
 * maxRetries 4, nSampling "native".
 *
 * @example
 * ```ts
 * import { endpointDefaults } from "./endpoint.ts";
 * import assert from "node:assert/strict";
 * const e = endpointDefaults({ name: "judge", baseUrl: "http://127.0.0.1:8000/v1", model: "m" });
 * assert.equal(e.concurrency, 8);
 * assert.equal(e.nSampling, "native");
 * ```
 */
export function endpointDefaults(partial: EndpointInput): EndpointConfig {
  return {
    concurrency: 8,
    rpm: 0,
    timeoutMs: 120_000,
    maxRetries: 4,
    nSampling: "native",
    ...stripUndefined(partial),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The API key of an endpoint: the environment variable it names, else "EMPTY" (local servers
 * need none, the `openai` package needs one). Read here, never stored.
 */
export function endpointApiKey(endpoint: Pick<EndpointConfig, "apiKeyEnv">): string {
  if (!endpoint.apiKeyEnv) return "EMPTY";
  try {
    return Deno.env.get(endpoint.apiKeyEnv) ?? "EMPTY";
  } catch {
    // Without --allow-env the variable is just invisible.
    return "EMPTY";
  }
}
