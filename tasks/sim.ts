/**
 * `deno task sim`: starts the simulated OpenAI-compatible server and runs until killed. The
 * first stdout line names the URL (other tools parse it).
 * @module
 */
import { UserError } from "../lib/errors.ts";
import { guard, toolFlags } from "../lib/pipeline/cli.ts";
import { type JudgePolicy, startSim } from "../lib/sim/mod.ts";

const NUMERIC = [
  "port",
  "seed",
  "noise",
  "position-bias",
  "format-error-rate",
  "math-error-rate",
  "latency-ms",
  "concurrency-cap",
  "fault-500",
  "fault-429",
  "fault-hang",
  "fault-cut",
  "fault-malformed",
  "retry-after-ms",
] as const;
const TEXT = ["policy", "reasoning-field", "model", "over-cap"] as const;

const USAGE =
  "usage: deno task sim [--port 0] [--seed 0] [--policy overlap|longer|always-A|random] " +
  "[--noise P] [--position-bias P] [--format-error-rate P] [--math-error-rate P] " +
  "[--reasoning-field reasoning|reasoning_content] [--model NAME] [--latency-ms MS] " +
  "[--concurrency-cap C] [--over-cap queue|reject] [--fault-500 P] [--fault-429 P] " +
  "[--fault-hang P] [--fault-cut P] [--fault-malformed P] [--retry-after-ms MS]";

Deno.exit(
  await guard(async () => {
    const values: Record<string, string | boolean | undefined> | undefined = toolFlags(
      Deno.args,
      Object.fromEntries([...NUMERIC, ...TEXT].map((flag) => [flag, { type: "string" as const }])),
      USAGE,
    );
    if (!values) return 0;
    /** A numeric flag, or a `UserError` naming the flag and what was found. */
    const num = (flag: typeof NUMERIC[number]): number | undefined => {
      const raw = values[flag];
      if (raw === undefined) return undefined;
      const value = Number(raw);
      if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
        throw new UserError(`--${flag}: expected a number, found ${JSON.stringify(raw)}`);
      }
      return value;
    };
    /** A flag with a fixed set of values, or a `UserError` listing them. */
    const choice = <T extends string>(flag: typeof TEXT[number], allowed: readonly T[]) => {
      const raw = values[flag] as string | undefined;
      if (raw !== undefined && !allowed.includes(raw as T)) {
        throw new UserError(
          `--${flag}: expected one of ${allowed.join(", ")}, found ${JSON.stringify(raw)}`,
        );
      }
      return raw as T | undefined;
    };
    const port = num("port") ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UserError(`--port: expected a port from 0 to 65535, found ${port}`);
    }
    const sim = await startSim({
      port,
      seed: num("seed") ?? 0,
      policy: choice<JudgePolicy>("policy", ["overlap", "longer", "always-A", "random"]),
      noise: num("noise"),
      positionBias: num("position-bias"),
      formatErrorRate: num("format-error-rate"),
      mathErrorRate: num("math-error-rate"),
      reasoningField: choice("reasoning-field", ["reasoning", "reasoning_content"] as const),
      model: values.model as string | undefined,
      latencyMs: num("latency-ms"),
      concurrencyCap: num("concurrency-cap"),
      overCap: choice("over-cap", ["queue", "reject"] as const),
      faults: {
        error500: num("fault-500"),
        rateLimit429: num("fault-429"),
        hang: num("fault-hang"),
        cut: num("fault-cut"),
        malformed: num("fault-malformed"),
        retryAfterMs: num("retry-after-ms"),
      },
    });
    console.log(`j1kit simulator listening on ${sim.url}`);
    // Serves until the process is killed.
    await new Promise(() => {});
    return 0;
  }),
);
