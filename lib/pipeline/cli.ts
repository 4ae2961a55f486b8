/**
 * The command lines: `deno task pipeline [file] [--only id] [--from id] [--force id] [--dry-run]
 * [--batch-export FILE] [--batch-import FILE...]` and one per stage (`deno task <stage> --input … --base-url … --model … --out … --<option> …`).
 * A stage's CLI builds a one-stage pipeline and runs it with the same runner, so a stage run
 * alone is as durable as in a pipeline. Errors print a clear message and set the exit code.
 * @module
 */
import { parseArgs } from "node:util";
import { EndpointError, UserError } from "../errors.ts";
import { endpointDefaults } from "../llm/endpoint.ts";
import { pathExists } from "../io/path_exists.ts";
import type { OptionSpec } from "../options.ts";
import {
  describeValue,
  ENDPOINT_KEYS,
  isUrl,
  loadPipeline,
  optionProblem,
  type PipelineConfig,
  type Registry,
  runDirProblem,
} from "./config.ts";
import { StageStopped } from "./execute.ts";
import { createProgress, type Progress } from "./progress.ts";
import { runPipeline, type StageOutcome } from "./run.ts";
import type { StageRunner } from "./stage.ts";

/** The progress display for this terminal. */
export function terminalProgress(): Progress {
  const enc = new TextEncoder();
  return createProgress({
    tty: Deno.stderr.isTerminal(),
    write: (text) => Deno.stderr.writeSync(enc.encode(text)),
  });
}

/** Option specs of a tool's flags (`node:util` `parseArgs`). */
type FlagOptions = Record<string, { type: "string" | "boolean"; default?: string | boolean }>;

/** The values of parsed flags: strings (set when they have a default) and booleans. */
type FlagValues<O extends FlagOptions> = {
  [K in keyof O]: O[K] extends { default: string } ? string
    : O[K]["type"] extends "boolean" ? boolean | undefined
    : string | undefined;
};

/**
 * A tool's flags (strict, plus `--help`): the values, or undefined when `--help` printed
 * `usage`. An unknown or malformed flag is a `UserError` followed by the usage.
 */
export function toolFlags<const O extends FlagOptions>(
  args: string[],
  options: O,
  usage: string,
): FlagValues<O> | undefined {
  let values: Record<string, unknown>;
  try {
    const withHelp: FlagOptions = { ...options, help: { type: "boolean" } };
    ({ values } = parseArgs({ args, options: withHelp, strict: true }));
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n${usage}`);
  }
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  return values as FlagValues<O>;
}

const FILE_SYSTEM_ERRORS = [
  Deno.errors.PermissionDenied,
  Deno.errors.NotFound,
  Deno.errors.AlreadyExists,
  Deno.errors.NotADirectory,
  Deno.errors.IsADirectory,
];

/** Runs `fn`; prints user-facing errors without a stack trace and returns the exit code. */
export async function guard(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError) {
      console.error(err.message);
      return err.exitCode;
    }
    if (err instanceof StageStopped || err instanceof EndpointError) {
      console.error(err.message);
      return 1;
    }
    // A file or folder the system refused (permissions, a full disk, a file where a folder
    // should be): the message says which, a stack trace would not help.
    if (FILE_SYSTEM_ERRORS.some((type) => err instanceof type)) {
      console.error(`error: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

/** Resolves on the first SIGINT (or SIGTERM where the OS has it): how a server task waits. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, resolve);
  });
}

/** `deno task pipeline`. */
export function runPipelineCli(args: string[], registry: Registry): Promise<number> {
  return guard(async () => {
    const { values, positionals } = parseFlags(args, {
      only: { type: "string" },
      from: { type: "string" },
      force: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      ...BATCH_FLAGS,
      help: { type: "boolean" },
    }, true);
    if (values.help) {
      console.log(
        "usage: deno task pipeline [file.jsonc] [--only id] [--from id] [--force id]... [--dry-run]\n" +
          "  [--batch-export FILE] [--batch-import FILE]...",
      );
      return 0;
    }
    if (positionals.length > 1) {
      throw new UserError(`expected at most one pipeline file, found ${positionals.join(" ")}`);
    }
    const config = await loadPipeline(positionals[0] ?? "pipeline.jsonc", registry);
    const outcomes = await runPipeline(config, registry, {
      only: values.only as string | undefined,
      from: values.from as string | undefined,
      force: values.force as string[] | undefined,
      dryRun: values["dry-run"] as boolean | undefined,
      progress: terminalProgress(),
      ...batchOptions(values),
    });
    if (!values["dry-run"]) printOutputs(config, outcomes);
    return gateFailed(outcomes) ? 1 : 0;
  });
}

/** Prints where each stage's records and artifacts are. */
function printOutputs(config: PipelineConfig, outcomes: StageOutcome[]): void {
  console.log(`\nrun directory: ${config.runDir}`);
  for (const o of outcomes) {
    if (o.status === "pending") console.log(`  ${o.id}: pending (waits for batch output)`);
    if (!o.manifest) continue;
    const artifacts = (o.manifest.summary.artifacts ?? {}) as Record<string, string>;
    console.log(`  ${o.id}: ${o.paths.output} (${o.manifest.counts.records} records)`);
    for (const [name, path] of Object.entries(artifacts)) console.log(`    ${name}: ${path}`);
  }
}

/** A stage's `finish` may report a failed gate (e.g. a regression against a baseline). */
function gateFailed(outcomes: StageOutcome[]): boolean {
  let failed = false;
  for (const o of outcomes) {
    const gate = o.manifest?.summary.gate as { passed: boolean; message: string } | undefined;
    if (gate && !gate.passed && o.status !== "not-selected") {
      console.error(`${o.id}: ${gate.message}`);
      failed = true;
    }
  }
  return failed;
}

/** Batch files: requests out instead of sent, batch output in (`docs/scaling.md`). */
const BATCH_FLAGS = {
  "batch-export": { type: "string" },
  "batch-import": { type: "string", multiple: true },
} as const;

function batchOptions(values: Record<string, unknown>) {
  return {
    batchExport: values["batch-export"] as string | undefined,
    batchImport: values["batch-import"] as string[] | undefined,
  };
}

const COMMON_FLAGS = {
  input: { type: "string", multiple: true },
  out: { type: "string" },
  "base-url": { type: "string", multiple: true },
  model: { type: "string" },
  "api-key-env": { type: "string" },
  concurrency: { type: "string" },
  rpm: { type: "string" },
  "timeout-ms": { type: "string" },
  "n-sampling": { type: "string" },
  cache: { type: "string" },
  "no-cache": { type: "boolean" },
  "batch-api": { type: "boolean" },
  force: { type: "boolean" },
  ...BATCH_FLAGS,
  help: { type: "boolean" },
} as const;

/**
 * `deno task <stage>`: common flags (`--input` repeatable, `--out <dir>`, the endpoint's
 * `--base-url --model --api-key-env --concurrency --rpm --timeout-ms --n-sampling`, `--cache`,
 * `--no-cache`, `--force`) plus one `--kebab-case` flag per stage option. Records, rejects and
 * the manifest go to `<out>/<task>.jsonl` etc.; artifacts straight into `<out>/`.
 */
// deno-lint-ignore no-explicit-any
export function runStageCli(runner: StageRunner<any, any, any>, args: string[]): Promise<number> {
  return guard(async () => {
    const optionFlags = Object.fromEntries(
      Object.keys(runner.options).map((k) => [kebab(k), { type: "string" as const }]),
    );
    const { values } = parseFlags(args, { ...optionFlags, ...COMMON_FLAGS }, false);
    if (values.help) {
      console.log(stageUsage(runner));
      return 0;
    }
    const options: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(runner.options)) {
      const raw = values[kebab(key)] as string | undefined;
      if (raw === undefined) {
        // An optional endpoint (default "") stays unset unless its flag names the endpoint.
        if (spec.type === "endpoint") options[key] = spec.default === "" ? "" : "default";
        else if (spec.default !== undefined) options[key] = spec.default;
        else if (spec.required) {
          throw new UserError(`--${kebab(key)}: expected ${spec.description}, found nothing`);
        }
        continue;
      }
      options[key] = flagValue(kebab(key), raw, spec);
    }
    for (const [key, spec] of Object.entries(runner.options)) {
      const issue = options[key] === undefined ? undefined : spec.check?.(options[key], options);
      if (issue) {
        throw new UserError(`--${kebab(key)}: expected ${issue.expected}, found ${issue.found}`);
      }
    }
    const usesEndpoint = Object.entries(runner.options).some(([key, s]) =>
      s.type === "endpoint" && options[key] !== ""
    );
    const endpoints: PipelineConfig["endpoints"] = {};
    if (usesEndpoint) {
      // The same rules as an endpoint in a pipeline file (e.g. a timeout of at least 1 ms).
      const endpointFlag = (flag: string, key: string) => {
        const raw = values[flag] as string | undefined;
        return raw === undefined ? undefined : flagValue(flag, raw, ENDPOINT_KEYS[key]);
      };
      const urls = (values["base-url"] as string[] | undefined) ?? [];
      // A batch export sends nothing, so it needs no server.
      const noUrl = !urls.length && !values["batch-export"];
      const model = values.model as string | undefined;
      if (noUrl || !model) {
        throw new UserError(
          `--base-url and --model: expected the judge/generator endpoint (e.g. --base-url http://127.0.0.1:8000/v1 --model my-model), found ${
            noUrl ? "no --base-url" : "no --model"
          }`,
        );
      }
      endpoints.default = endpointDefaults({
        name: "default",
        baseUrl: urls.length === 1 ? urls[0] : urls,
        model,
        apiKeyEnv: (values["api-key-env"] as string | undefined) ?? "OPENAI_API_KEY",
        concurrency: endpointFlag("concurrency", "concurrency") as number | undefined,
        rpm: endpointFlag("rpm", "rpm") as number | undefined,
        timeoutMs: endpointFlag("timeout-ms", "timeoutMs") as number | undefined,
        nSampling: endpointFlag("n-sampling", "nSampling") as "native" | "separate" | undefined,
      });
      if (values["batch-api"]) endpoints.default.batchApi = true;
    }
    const inputs = (values.input as string[] | undefined) ?? [];
    for (const ref of inputs) {
      if (!isUrl(ref) && !pathExists(ref)) {
        throw new UserError(`--input: expected an existing file or a URL, found "${ref}"`);
      }
    }
    const out = (values.out as string | undefined) ?? `runs/${runner.task}`;
    const outProblem = runDirProblem(out);
    if (outProblem) {
      throw new UserError(`--out: expected ${outProblem}, found ${describeValue(out)}`);
    }
    if (values.cache === "") throw new UserError(`--cache: expected a file path, found string ""`);
    const config: PipelineConfig = {
      file: "(command line)",
      name: runner.task,
      runDir: out,
      cache: values["no-cache"]
        ? null
        : (values.cache as string | undefined) ?? `${out}/cache.sqlite`,
      endpoints,
      stages: [{
        id: runner.task,
        task: runner.task,
        inputs,
        options,
        loc: { file: "(command line)" },
      }],
    };
    const outcomes = await runPipeline(config, { [runner.task]: runner }, {
      force: values.force ? [runner.task] : [],
      progress: terminalProgress(),
      artifactDir: () => out,
      ...batchOptions(values),
    });
    printOutputs(config, outcomes);
    return gateFailed(outcomes) ? 1 : 0;
  });
}

function stageUsage(runner: StageRunner): string {
  const lines = [
    `deno task ${runner.task}: ${runner.description}`,
    "",
    "common flags: --input <file|url|hf://org/ds>... --out <dir> --base-url <url>... (one per",
    "  replica) --model <name> --api-key-env <VAR> (default OPENAI_API_KEY) --concurrency N (per",
    "  replica) --rpm N --timeout-ms N --n-sampling native|separate --cache <file> --no-cache",
    "  --force --batch-export <file> --batch-import <file>... --batch-api",
    "",
    "options:",
  ];
  for (const [key, spec] of Object.entries(runner.options)) {
    const def = spec.default !== undefined ? ` (default ${JSON.stringify(spec.default)})` : "";
    const choices = spec.enum ? ` [${spec.enum.join("|")}]` : "";
    lines.push(`  --${kebab(key)} <${spec.type}>${choices}: ${spec.description}${def}`);
  }
  return lines.join("\n");
}

/** Parses a flag's text by the option's type, then checks it against the spec. */
function flagValue(flag: string, raw: string, spec: OptionSpec): unknown {
  let value: unknown = raw;
  switch (spec.type) {
    case "number":
    case "integer":
      value = raw.trim() === "" ? NaN : Number(raw);
      break;
    case "boolean":
      value = raw === "true" ? true : raw === "false" ? false : raw;
      break;
    case "string[]":
      value = raw.split(",").map((s) => s.trim()).filter(Boolean);
      break;
    case "object":
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UserError(`--${flag}: expected a JSON object, found ${JSON.stringify(raw)}`);
      }
  }
  const problem = optionProblem(value, spec);
  if (problem) {
    throw new UserError(`--${flag}: expected ${problem.expected}, found ${problem.found}`);
  }
  return value;
}

/** A whole-number flag (`undefined` when not given), or a `UserError` naming it. */
export function intFlag(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new UserError(`--${flag}: expected a whole number, found ${JSON.stringify(raw)}`);
  }
  return n;
}

function parseFlags(
  args: string[],
  // deno-lint-ignore no-explicit-any
  options: any,
  allowPositionals: boolean,
): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message} (see --help)`);
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
