/**
 * The simulated OpenAI-compatible server: real HTTP on 127.0.0.1, deterministic answers, and
 * injected faults for testing clients.
 * @module
 */
import { sha256 } from "../ids.ts";
import type { Message } from "../records.ts";
import { type ResolvedSimOptions, resolveSimOptions, type SimOptions } from "./options.ts";
import { simulateReply } from "./reply.ts";
import { draw } from "./rng.ts";

/** Kinds of injected faults, as counted in {@linkcode SimStats}. */
export type FaultKind = "error500" | "rateLimit429" | "hang" | "cut" | "malformed" | "overCap";

/** What the simulator has seen and done. */
export interface SimStats {
  /** Requests by `"METHOD /path"`. */
  requests: Record<string, number>;
  /** Chat requests being handled now. */
  inFlight: number;
  /** The most chat requests handled at once. */
  maxInFlight: number;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  /** Choices served. */
  completions: number;
}

/** A running simulator. */
export interface SimServer {
  /** Base URL ending in `/v1`. */
  url: string;
  /** Stops the server (ending hangs and waits at once). */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): SimStats;
}

const RANDOM_FAULTS = ["error500", "rateLimit429", "hang", "cut", "malformed"] as const;

/**
 * Starts the simulator.
 *
 * @example
 * ```ts ignore
 * const sim = await startSim({ seed: 1, faults: { rateLimit429: 0.2 } });
 * // ... point an LLM client at sim.url ...
 * await sim.close();
 * ```
 */
export function startSim(options: SimOptions = {}): Promise<SimServer> {
  const opts = resolveSimOptions(options);
  const closing = new AbortController();
  const stats: SimStats = {
    requests: {},
    inFlight: 0,
    maxInFlight: 0,
    faults: { error500: 0, rateLimit429: 0, hang: 0, cut: 0, malformed: 0, overCap: 0 },
    completions: 0,
  };
  const attempts = new Map<string, number>();
  // Attempts matter only to faults and latency ranges: without them, a long-running simulator
  // keeps no per-request memory.
  const countAttempts = RANDOM_FAULTS.some((kind) => (opts.faults[kind] ?? 0) > 0) ||
    typeof opts.latencyMs !== "number";
  const cap = capacity(opts.concurrencyCap);

  async function chat(request: Request): Promise<Response> {
    const raw = await request.text();
    // Faults and latency ranges are drawn per (body, attempt); without them nothing needs it.
    const bodyId = countAttempts ? sha256(raw) : "";
    const attempt = attempts.get(bodyId) ?? 0;
    if (countAttempts) attempts.set(bodyId, attempt + 1);

    if (!cap.tryAcquire()) {
      if (opts.overCap === "reject") {
        stats.faults.overCap++;
        return errorResponse(503, "server busy, please try again", "server_overloaded");
      }
      await cap.acquire();
    }
    try {
      // A normal reply is built before the wait and the wait counts from the slot's start, so
      // the latency is the service time: C slots serve C/latency requests/s for as long as
      // building a reply takes less than the latency (otherwise the reply is simply late).
      const started = performance.now();
      const fault = countAttempts ? pickFault(opts, bodyId, attempt) : undefined;
      const reply = fault ? undefined : completionResponse(raw);
      await pause(latency(opts, bodyId, attempt) - (performance.now() - started), closing.signal);
      if (fault) stats.faults[fault]++;
      switch (fault) {
        case "error500":
          return errorResponse(500, "simulated internal server error", "internal_error");
        case "rateLimit429":
          return errorResponse(429, "simulated rate limit", "rate_limit_exceeded", {
            ...(opts.faults.retryAfterMs !== undefined
              ? { "retry-after-ms": String(opts.faults.retryAfterMs) }
              : { "retry-after": String(opts.faults.retryAfterSeconds ?? 1) }),
          });
        case "hang":
          // Not ended by the client's disconnect: watching `request.signal` makes Deno print a
          // legacy-abort warning. A hung server worker holds its slot until the cap anyway.
          await pause(opts.faults.hangCapMs ?? 30_000, closing.signal);
          return errorResponse(504, "simulated hang ended", "timeout");
        case "cut":
          return cutConnection();
        case "malformed":
          return new Response('{"id": "chatcmpl-sim", "choices": [{"index": 0, "mess', {
            headers: { "content-type": "application/json" },
          });
      }
      return reply!;
    } finally {
      cap.release();
    }
  }

  /** The answer to a well-formed request, or a 400 naming what is wrong with it. */
  function completionResponse(raw: string): Response {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return errorResponse(400, "request body is not valid JSON", "invalid_json");
    }
    const result = completion(body, opts);
    if (typeof result === "string") return errorResponse(400, result, "invalid_request");
    stats.completions += result.choices.length;
    return Response.json(result);
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: opts.port,
    signal: closing.signal,
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    const route = `${request.method} ${path}`;
    stats.requests[route] = (stats.requests[route] ?? 0) + 1;
    if (route === "POST /v1/chat/completions") {
      options.onChatRequest?.(stats.requests[route]);
      stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
      try {
        return await chat(request);
      } finally {
        stats.inFlight--;
      }
    }
    if (route === "GET /v1/models") {
      return Response.json({
        object: "list",
        data: [{ id: opts.model, object: "model", created: 0, owned_by: "j1kit-sim" }],
      });
    }
    return errorResponse(404, `no route ${route}`, "not_found");
  });

  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    async close() {
      closing.abort();
      await server.finished;
    },
    stats: () => structuredClone(stats),
  });
}

/** Completions served by this process (their ids; nothing else depends on them). */
let completionIds = 0;

/** The chat completion for a parsed request body, or what is wrong with it. */
function completion(body: unknown, opts: ResolvedSimOptions) {
  if (!body || typeof body !== "object") return "expected a JSON object";
  const req = body as Record<string, unknown>;
  const messages = req.messages;
  if (
    !Array.isArray(messages) || messages.length === 0 ||
    !messages.every((m) => m && typeof m.content === "string" && typeof m.role === "string")
  ) {
    return "`messages` must be a non-empty array of {role, content} with string content";
  }
  const n = req.n ?? 1;
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 128) {
    return "`n` must be an integer between 1 and 128";
  }
  const seed = typeof req.seed === "number" ? req.seed : undefined;
  const greedy = req.temperature === 0;
  const maxTokens = typeof req.max_tokens === "number" ? req.max_tokens : undefined;
  const stop = typeof req.stop === "string" ? [req.stop] : Array.isArray(req.stop) ? req.stop : [];
  const promptTokens = tokens(messages.map((m: Message) => m.content).join("\n"));
  // Without a seed, sampling is still deterministic: the choice index acts as the seed.
  const choices = Array.from({ length: n as number }, (_, index) => {
    const reply = simulateReply(messages, opts, greedy ? "greedy" : (seed ?? 0) + index);
    return { index, ...finish(reply, maxTokens, stop as string[], opts.reasoningField) };
  });
  const completionTokens = choices.reduce((sum, c) => sum + c.tokens, 0);
  return {
    id: `chatcmpl-sim-${opts.seed}-${++completionIds}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof req.model === "string" ? req.model : opts.model,
    choices: choices.map(({ tokens: _, ...choice }) => choice),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/** ~4 characters per token. */
const tokens = (text: string) => Math.ceil(text.length / 4);

/** Applies `stop` and `max_tokens` (reasoning spends the budget first) and builds the message. */
function finish(
  reply: { content: string; reasoning?: string },
  maxTokens: number | undefined,
  stop: string[],
  reasoningField: ResolvedSimOptions["reasoningField"],
) {
  let { content, reasoning } = reply;
  let finishReason = "stop";
  const stopAt = Math.min(...stop.map((s) => content.indexOf(s)).filter((i) => i >= 0));
  if (Number.isFinite(stopAt)) content = content.slice(0, stopAt);
  if (maxTokens !== undefined) {
    let budget = maxTokens * 4;
    if (reasoning !== undefined) {
      if (reasoning.length > budget) {
        [reasoning, finishReason] = [reasoning.slice(0, budget), "length"];
      }
      budget -= reasoning.length;
    }
    if (content.length > budget) [content, finishReason] = [content.slice(0, budget), "length"];
  }
  const message: Record<string, string> = { role: "assistant", content };
  if (reasoning !== undefined && reasoningField) message[reasoningField] = reasoning;
  return {
    message,
    finish_reason: finishReason,
    tokens: tokens(content) + tokens(reasoning ?? ""),
  };
}

/** The fault of attempt `attempt` of a request body, if any (deterministic). */
function pickFault(opts: ResolvedSimOptions, bodyId: string, attempt: number) {
  if (attempt >= (opts.faults.maxPerRequest ?? Infinity)) return undefined;
  let u = draw(opts.seed, bodyId, attempt, "fault");
  for (const kind of RANDOM_FAULTS) {
    const p = opts.faults[kind] ?? 0;
    if (u < p) return kind;
    u -= p;
  }
  return undefined;
}

function latency(opts: ResolvedSimOptions, bodyId: string, attempt: number): number {
  const l = opts.latencyMs;
  return typeof l === "number"
    ? l
    : l.min + (l.max - l.min) * draw(opts.seed, bodyId, attempt, "latency");
}

/** An OpenAI-shaped error. */
function errorResponse(
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): Response {
  const type = status >= 500
    ? "server_error"
    : status === 429
    ? "rate_limit_error"
    : "invalid_request_error";
  return Response.json({ error: { message, type, code } }, { status, headers });
}

/** Headers, then a body that fails: the client sees the connection drop mid-response. */
function cutConnection(): Response {
  const body = new ReadableStream({
    start(controller) {
      // Deno logs this reason once on stderr; keep it a one-liner.
      controller.error("j1kit sim: connection cut (injected fault)");
    },
  });
  return new Response(body, { headers: { "content-type": "application/json" } });
}

/**
 * Deno's timers fire about a millisecond after the delay asked for (measured: `setTimeout(50)`
 * resolves after 51.4 ms at the median); pauses ask for that much less, so a simulated latency
 * of 50 ms is 50 ms (±0.5 ms) and the capacity C/latency is what the server really serves.
 */
const TIMER_LATE_MS = 1;

/** Waits `ms`, or less if `signal` aborts (the timer never outlives the wait). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  ms -= TIMER_LATE_MS;
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** An optional concurrency cap: a semaphore that also answers "is a slot free right now?". */
function capacity(size: number | undefined) {
  let free = size ?? Infinity;
  const waiting: (() => void)[] = [];
  return {
    tryAcquire(): boolean {
      if (free <= 0) return false;
      free--;
      return true;
    },
    acquire(): Promise<void> {
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
