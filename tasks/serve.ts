/**
 * `deno task serve`: serves the J1 reward over HTTP to a trainer (OpenRLHF `--reward.remote_url
 * http://HOST:PORT/get_reward`, or verl through `examples/verl_compute_score.py`) until
 * interrupted. The first stdout line names the URL (other tools parse it).
 *
 * Flags: `--port 8787 --host 127.0.0.1 --token-env J1KIT_REWARD_TOKEN --max-body-bytes 10000000
 * --weights '{"correct":1}' --consistency by-sample|by-majority`.
 * @module
 */
import { UserError } from "../lib/errors.ts";
import { guard, toolFlags, untilInterrupted } from "../lib/pipeline/cli.ts";
import { rewardConfigFromFlags } from "../lib/serve/reward_config_from_flags.ts";
import { startRewardServer } from "../lib/serve/server.ts";

const USAGE = "usage: deno task serve [--port 8787] [--host 127.0.0.1] " +
  "[--token-env J1KIT_REWARD_TOKEN] [--max-body-bytes 10000000] " +
  `[--weights '{"correct":1}'] [--consistency by-sample|by-majority]`;

/** A non-negative integer flag, or a `UserError` naming it. */
function integer(flag: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > max) {
    throw new UserError(
      `--${flag}: expected an integer from 0 to ${max}, found ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

Deno.exit(
  await guard(async () => {
    const values = toolFlags(Deno.args, {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      "token-env": { type: "string", default: "J1KIT_REWARD_TOKEN" },
      "max-body-bytes": { type: "string", default: "10000000" },
      weights: { type: "string" },
      consistency: { type: "string" },
    }, USAGE);
    if (!values) return 0;
    const tokenEnv = values["token-env"];
    const token = Deno.env.get(tokenEnv);
    if (token === "") throw new UserError(`${tokenEnv}: expected a token, found an empty string`);
    const server = await startRewardServer({
      host: values.host,
      port: integer("port", values.port, 65535),
      token,
      maxBodyBytes: integer("max-body-bytes", values["max-body-bytes"]),
      reward: rewardConfigFromFlags(values),
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
