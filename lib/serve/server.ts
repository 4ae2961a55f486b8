/**
 * The J1 reward over HTTP, for trainers that score in another process: OpenRLHF's remote reward
 * protocol (`POST /get_reward`), a plain JSON route for verl's and TRL's Python glue
 * (`POST /score`, see `examples/`), `GET /health` and `GET /stats`. Scoring is the rollout
 * stage's, with a pair's samples brought together (`partners.ts`), so a trainer gets the reward
 * the rollout stage computes. Scores are written as floats (`float_json.ts`).
 * @module
 */
import { UserError } from "../errors.ts";
import {
  DEFAULT_REWARD_CONFIG,
  type RewardConfig,
  validateRewardConfig,
} from "../judge/rewards.ts";
import { checkBearer } from "./check_bearer.ts";
import { floatJson } from "./float_json.ts";
import { getReward } from "./get_reward.ts";
import { errorResponse, HttpError } from "./http_error.ts";
import { type PartnerOptions, PartnerRendezvous } from "./partners.ts";
import { readJsonBody } from "./read_json_body.ts";
import { scoreItems } from "./score_items.ts";

/** How to run the reward server. */
export interface RewardServerOptions {
  /** Interface to listen on (default `127.0.0.1`: reachable from this machine only). */
  host?: string;
  /** Port (default 8787; 0 picks a free one). */
  port?: number;
  /** When set, scoring routes require `Authorization: Bearer <token>` (`/health` stays open). */
  token?: string;
  /** Largest request body accepted, in bytes (default 10 MB); larger ones get 413. */
  maxBodyBytes?: number;
  /** How rewards are combined (default: J1's correctness only). */
  reward?: RewardConfig;
  /** How a sample waits for its pair's other sample (see `PartnerRendezvous`). */
  partners?: PartnerOptions;
  /** Called with an unexpected handler error (the client gets a 500 with its message). */
  onError?: (err: unknown) => void;
}

/** A running reward server. */
export interface RewardServer {
  /** Base URL, e.g. `http://127.0.0.1:8787` (routes are `${url}/get_reward` etc.). */
  url: string;
  /** Stops listening and waits for requests in flight. */
  close(): Promise<void>;
}

interface Route {
  method: "GET" | "POST";
  /** Whether the route needs the bearer token. */
  auth: boolean;
  /** The JSON body of the answer (scores as floats). */
  handle(body: unknown, partners: PartnerRendezvous): Promise<string> | string;
}

const ROUTES: Record<string, Route> = {
  "/get_reward": {
    method: "POST",
    auth: true,
    handle: async (body, partners) => floatJson(await getReward(body, partners)),
  },
  "/score": {
    method: "POST",
    auth: true,
    handle: async (body, partners) => floatJson(await scoreItems(body, partners)),
  },
  "/health": { method: "GET", auth: false, handle: () => JSON.stringify({ ok: true }) },
  "/stats": {
    method: "GET",
    auth: false,
    handle: (_body, partners) => JSON.stringify(partners.stats()),
  },
};

const ROUTE_LIST = Object.entries(ROUTES).map(([path, r]) => `${r.method} ${path}`).join(", ");

/**
 * Starts the reward server. Throws a `UserError` on a bad reward config or a port in use.
 *
 * @example
 * ```ts
 * import { startRewardServer } from "./server.ts";
 * import assert from "node:assert/strict";
 * const server = await startRewardServer({ port: 0 });
 * const res = await fetch(`${server.url}/health`);
 * assert.deepEqual(await res.json(), { ok: true });
 * await server.close();
 * ```
 */
export function startRewardServer(options: RewardServerOptions = {}): Promise<RewardServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 8787;
  const maxBodyBytes = options.maxBodyBytes ?? 10_000_000;
  const config = options.reward ?? DEFAULT_REWARD_CONFIG;
  const partners = new PartnerRendezvous(config, options.partners);

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const route = ROUTES[pathname];
    if (!route) {
      throw new HttpError(
        404,
        `expected one of ${ROUTE_LIST}, found ${request.method} ${pathname}`,
      );
    }
    if (request.method !== route.method) {
      throw new HttpError(
        405,
        `expected ${route.method} ${pathname}, found ${request.method} ${pathname}`,
        {
          headers: { allow: route.method },
        },
      );
    }
    if (route.auth) checkBearer(request, options.token);
    const body = route.method === "POST" ? await readJsonBody(request, maxBodyBytes) : undefined;
    return new Response(await route.handle(body, partners), {
      headers: { "content-type": "application/json" },
    });
  }

  function serve(request: Request): Promise<Response> {
    return handle(request).catch((err) => {
      if (err instanceof HttpError) return errorResponse(err);
      options.onError?.(err);
      const message = err instanceof Error ? err.message : String(err);
      return errorResponse(new HttpError(500, `internal error: ${message}`));
    });
  }

  // Inside the executor, a synchronous throw (bad config, port in use) becomes a rejection.
  return new Promise((resolve) => {
    validateRewardConfig(config);
    const closing = new AbortController();
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve(
        { hostname: host, port, signal: closing.signal, onListen: () => {} },
        serve,
      );
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse) {
        throw new UserError(`expected a free port on ${host}, found port ${port} in use`);
      }
      // An unknown name or an address of another machine: the user's flag, not a crash.
      throw new UserError(
        `--host: expected an address of this machine (e.g. 127.0.0.1 or 0.0.0.0), found ${
          JSON.stringify(host)
        } (${(err as Error).message})`,
      );
    }
    const { hostname, port: bound } = server.addr;
    resolve({
      url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${bound}`,
      async close() {
        closing.abort();
        partners.close();
        await server.finished;
      },
    });
  });
}
