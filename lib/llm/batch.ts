/**
 * Batch files in the OpenAI Batch API's line format, which vLLM's offline runner
 * (`vllm run-batch`, `python -m vllm.entrypoints.openai.run_batch`) reads and writes too:
 * request lines `{custom_id, method, url, body}` out, output lines
 * `{custom_id, response: {status_code, body}, error}` back into the response cache.
 *
 * A request's `custom_id` is its response-cache key: the prompt key (base64url) and the seed of
 * its first sample, so the output of any engine lands where the client looks, and exporting or
 * importing again changes nothing.
 * @module
 */
import { jsonLine, readJsonlNumbered } from "../io/jsonl.ts";
import type { ResponseCache } from "./cache.ts";
import { readChoices } from "./choices.ts";

/** The route every exported request names. */
export const BATCH_URL = "/v1/chat/completions";

/**
 * The `custom_id` of the request for samples of prompt key `key` (sha256 hex) from seed `seed`:
 * `<key as base64url>.<seed>`, at most 61 characters (OpenAI is said to allow 64).
 *
 * @example
 * ```ts
 * import { batchCustomId, parseCustomId } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const key = "ab".repeat(32);
 * assert.deepEqual(parseCustomId(batchCustomId(key, -7)), { key, seed: -7 });
 * assert.equal(parseCustomId("request-1"), undefined);
 * ```
 */
export function batchCustomId(key: string, seed: number): string {
  const bytes = Uint8Array.from(key.match(/../g)!, (h) => parseInt(h, 16));
  const b64 = btoa(String.fromCharCode(...bytes));
  return `${b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}.${seed}`;
}

/** The prompt key and seed of a `custom_id` written by {@linkcode batchCustomId}, else undefined. */
export function parseCustomId(id: unknown): { key: string; seed: number } | undefined {
  const m = typeof id === "string" ? /^([\w-]{43})\.(-?\d{1,16})$/.exec(id) : null;
  if (!m) return undefined;
  const seed = Number(m[2]);
  if (!Number.isSafeInteger(seed)) return undefined;
  const bin = atob(m[1].replaceAll("-", "+").replaceAll("_", "/") + "=");
  const key = Array.from(bin, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  return { key, seed };
}

/**
 * Thrown by a client that defers its requests (batch export): the request was written to the
 * batch file instead of being sent, so the unit that needs it waits for the batch's output.
 */
export class RequestDeferred extends Error {
  /** The error's name. */
  override name = "RequestDeferred";
  /** The deferred request's `custom_id`. */
  readonly customId: string;
  /** An error for the request `customId`. */
  constructor(customId: string) {
    super(`request ${customId} is deferred to a batch`);
    this.customId = customId;
  }
}

/** Where deferred requests go. */
export interface BatchSink {
  /** Records one request (a second request with the same `custom_id` is dropped). */
  add(customId: string, body: Record<string, unknown>): void;
}

/** A batch input file being written: once per `custom_id`, streamed, renamed into place on close. */
export interface BatchWriter extends BatchSink {
  /** Finishes the file; returns how many requests it holds. */
  close(): Promise<number>;
}

/**
 * Opens a batch input file (replaced atomically on `close`). Lines are serialised as they are
 * added and written a megabyte at a time, so the requests' objects are not held until written.
 */
export async function openBatchWriter(path: string): Promise<BatchWriter> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  const enc = new TextEncoder();
  const seen = new Set<string>();
  let pending = "";
  let writing = Promise.resolve();
  const write = () => {
    const chunk = enc.encode(pending);
    pending = "";
    writing = writing.then(() => writer.write(chunk));
  };
  return {
    add(customId, body) {
      if (seen.has(customId)) return;
      seen.add(customId);
      pending += jsonLine({ custom_id: customId, method: "POST", url: BATCH_URL, body });
      if (pending.length >= 1 << 20) write();
    },
    async close() {
      write();
      await writing;
      await writer.close();
      await Deno.rename(tmp, path);
      return seen.size;
    },
  };
}

/** A batch output line that brought no response. */
export interface BatchFailure {
  /** `file:line`. */
  at: string;
  /** The line's `custom_id`, if it had one. */
  customId?: string;
  /** What the line said instead of a response. */
  reason: string;
}

/** What an import did. */
export interface BatchImport {
  /** Output lines read. */
  lines: number;
  /** Responses stored in the cache. */
  stored: number;
  /** Lines that brought no response: their requests stay pending. */
  failed: BatchFailure[];
}

/** One output line as written by OpenAI's Batch API and vLLM's batch runner. */
interface BatchOutputLine {
  custom_id?: unknown;
  response?: { status_code?: number; body?: unknown } | null;
  /** OpenAI: `{code, message}`; vLLM's runner: a string, or its error body. */
  error?: unknown;
}

/**
 * Reads batch output files into the response cache. A line whose request failed (an `error`, a
 * status other than 200, no usable choices) or whose `custom_id` is not one of ours is reported
 * and stored nothing; a line that is not JSON stops the import with its `file:line`.
 */
export async function importBatchOutput(
  files: string[],
  cache: ResponseCache,
): Promise<BatchImport> {
  const result: BatchImport = { lines: 0, stored: 0, failed: [] };
  for (const file of files) {
    for await (const { value, line } of readJsonlNumbered<BatchOutputLine>(file)) {
      result.lines++;
      const fail = (reason: string, customId?: string) =>
        result.failed.push({ at: `${file}:${line}`, reason, ...(customId ? { customId } : {}) });
      const id = parseCustomId(value?.custom_id);
      if (!id) {
        fail(`expected a custom_id written by j1kit, found ${JSON.stringify(value?.custom_id)}`);
        continue;
      }
      const customId = value.custom_id as string;
      const { response, error } = value;
      if (error) {
        fail(`error: ${errorMessage(error)}`, customId);
        continue;
      }
      if (response?.status_code !== 200) {
        fail(`HTTP ${response?.status_code ?? "none"}: ${errorMessage(response?.body)}`, customId);
        continue;
      }
      let samples;
      try {
        samples = readChoices(response.body).samples;
      } catch (err) {
        fail(`malformed response (${(err as Error).message})`, customId);
        continue;
      }
      cache.storeKey(id.key, id.seed, samples);
      // Let the cache send what it holds (it does so on a timer): reading is faster than writing.
      if (++result.stored % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return result;
}

/**
 * The message of an error: a string, `{code, message}` (OpenAI's batch lines), or an error body,
 * nested (`{error: {message}}`) or flat (`{message}`); else the value itself, shortened.
 */
function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  const e = error as { error?: unknown; message?: unknown; code?: unknown } | undefined | null;
  if (e && typeof e.error === "object" && e.error !== null) return errorMessage(e.error);
  if (e && typeof e.error === "string") return e.error;
  if (e && typeof e.message === "string") {
    return typeof e.code === "string" ? `${e.code}: ${e.message}` : e.message;
  }
  return JSON.stringify(error ?? null).slice(0, 200);
}
