/**
 * `deno task serve`: serves the J1 reward over HTTP to a trainer (OpenRLHF `--reward.remote_url
 * http://HOST:PORT/get_reward`, or verl and TRL through `examples/j1kit_reward.py`) until
 * interrupted. The first stdout line names the URL (other tools parse it).
 *
 * Flags: `--port 8787 --host 127.0.0.1 --token-env NAME --max-body-bytes 10000000
 * --weights '{"correct":1}' --consistency by-sample|by-majority --parse lenient|strict
 * --partner-wait-ms 120000 --partner-idle-ms 30000 --group-size 5 --refuse-alone`. Without
 * `--token-env`, a set `J1KIT_REWARD_TOKEN` turns auth on; with it, the named variable must be set.
 * @module
 */
import { UserError } from "../lib/errors.ts";
import { guard, toolFlags, untilInterrupted } from "../lib/pipeline/cli.ts";
import { rewardConfigFromFlags } from "../lib/serve/reward_config_from_flags.ts";
import { startRewardServer } from "../lib/serve/server.ts";

/** Read when set; `--token-env NAME` makes the token required. */
const DEFAULT_TOKEN_ENV = "J1KIT_REWARD_TOKEN";

const USAGE = "usage: deno task serve [--port 8787] [--host 127.0.0.1] " +
  "[--token-env NAME (must be set)] [--max-body-bytes 10000000] " +
  `[--weights '{"correct":1}'] [--consistency by-sample|by-majority] [--parse lenient|strict] ` +
  "[--partner-wait-ms 120000] [--partner-idle-ms 30000] [--group-size 5] [--refuse-alone]";

/** An integer flag from `min` to `max`, or a `UserError` naming it. */
function integer(flag: string, raw: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > max || value < min) {
    throw new UserError(
      `--${flag}: expected an integer from ${min} to ${max}, found ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

Deno.exit(
  await guard(async () => {
    const values = toolFlags(Deno.args, {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      "token-env": { type: "string" },
      "max-body-bytes": { type: "string", default: "10000000" },
      weights: { type: "string" },
      consistency: { type: "string" },
      parse: { type: "string" },
      "partner-wait-ms": { type: "string", default: "120000" },
      "partner-idle-ms": { type: "string", default: "30000" },
      "group-size": { type: "string", default: "5" },
      "refuse-alone": { type: "boolean", default: false },
    }, USAGE);
    if (!values) return 0;
    // Naming a variable asks for auth: fail closed rather than serve without it.
    const tokenEnv = values["token-env"] ?? DEFAULT_TOKEN_ENV;
    const token = Deno.env.get(tokenEnv);
    if (token === undefined && values["token-env"] !== undefined) {
      throw new UserError(
        `--token-env: expected ${tokenEnv} to hold the bearer token, found it unset`,
      );
    }
    if (token === "") throw new UserError(`${tokenEnv}: expected a token, found an empty string`);
    const server = await startRewardServer({
      host: values.host,
      port: integer("port", values.port, 65535),
      token,
      maxBodyBytes: integer("max-body-bytes", values["max-body-bytes"]),
      reward: rewardConfigFromFlags(values),
      partners: {
        waitMs: integer("partner-wait-ms", values["partner-wait-ms"]),
        idleMs: integer("partner-idle-ms", values["partner-idle-ms"]),
        groupSize: integer("group-size", values["group-size"], 1000, 1),
        refuseAlone: values["refuse-alone"],
      },
      onError: (err) => console.error("reward server error:", err),
    });
    console.log(`j1kit reward server listening on ${server.url}`);
    console.error(
      token === undefined
        ? `auth: none (set ${tokenEnv} to require a bearer token)`
        : `auth: bearer token from ${tokenEnv}`,
    );
    await untilInterrupted();
    await server.close();
    return 0;
  }),
);
