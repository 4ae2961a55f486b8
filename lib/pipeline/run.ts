/**
 * Runs a validated pipeline: decides per stage whether it is up to date, resumes or re-runs,
 * starts declared local endpoints, gives each stage its LLM clients (one shared client per
 * endpoint, one shared response cache), and writes each stage's manifest atomically last.
 * @module
 */
import { createHash } from "node:crypto";
import { UserError } from "../errors.ts";
import { canonicalJson, sha256 } from "../ids.ts";
import { writeFileAtomic } from "../io/jsonl.ts";
import { readRecords } from "../io/records.ts";
import { createLlmClient, openCache, type ResponseCache } from "../llm/mod.ts";
import { emptyStats, type LlmClient, type LlmStats } from "../llm/types.ts";
import { VERSION } from "../version.ts";
import { isUrl, type PipelineConfig, type StageConfig } from "./config.ts";
import {
  type ExecuteResult,
  executeStage,
  readJournal,
  type StagePaths,
  stagePaths,
} from "./execute.ts";
import { type Launched, launchEndpoint } from "./launch.ts";
import { formatSeconds, type Progress } from "./progress.ts";
import type { StageContext, StageInput, StageRunner } from "./stage.ts";

// deno-lint-ignore no-explicit-any
type Registry = Record<string, StageRunner<any, any, any>>;

/** A stage's manifest: written atomically once the stage is complete. */
export interface Manifest {
  tool: "j1kit";
  version: string;
  stage: string;
  task: string;
  configHash: string;
  /** The stage's options as configured (endpoint names, never keys). */
  options?: Record<string, unknown>;
  inputs: { ref: string; hash: string }[];
  /** sha256 of the output JSONL. */
  outputHash: string;
  output: string;
  rejects: string;
  dir: string;
  counts: {
    units: number;
    records: number;
    rejects: number;
    rejectReasons: Record<string, number>;
  };
  /** LLM usage of this execution (a resumed stage counts only what the last execution did). */
  usage: LlmStats;
  /**
   * `seconds` in all: opening endpoints and inputs, then `unitsSeconds` from the first unit to
   * the last one written, then `finishSeconds` (summaries, exports).
   */
  timings: {
    startedAt: string;
    seconds: number;
    unitsSeconds: number;
    finishSeconds: number;
    resumedAfterUnits: number;
  };
  summary: Record<string, unknown>;
}

/** What happened to one stage. */
export interface StageOutcome {
  id: string;
  status: "up-to-date" | "ran" | "resumed" | "not-selected";
  manifest?: Manifest;
  paths: StagePaths;
}

/** Options of {@linkcode runPipeline}. */
export interface RunOptions {
  /** Run only this stage (its stage inputs must be complete). */
  only?: string;
  /** Re-run this stage and every stage after it. */
  from?: string;
  /** Re-run these stages (and, through their outputs, what depends on them). */
  force?: string[];
  /** Print the plan and run nothing. */
  dryRun?: boolean;
  progress: Progress;
  /** Artifact folder of a stage (default `<runDir>/<stageId>`). */
  artifactDir?: (stageId: string) => string;
}

/** Runs the pipeline. Returns what happened to each stage. */
export async function runPipeline(
  config: PipelineConfig,
  registry: Registry,
  opts: RunOptions,
): Promise<StageOutcome[]> {
  for (const id of [...opts.force ?? [], opts.only, opts.from].filter((x) => x !== undefined)) {
    if (!config.stages.some((s) => s.id === id)) {
      throw new UserError(
        `expected a stage id (${config.stages.map((s) => s.id).join(", ")}), found "${id}"`,
      );
    }
  }
  const selected = selectStages(config, opts);
  const forced = new Set(opts.force ?? []);
  if (opts.from) {
    const at = config.stages.findIndex((s) => s.id === opts.from);
    config.stages.slice(at).forEach((s) => forced.add(s.id));
  }
  await Deno.mkdir(config.runDir, { recursive: true });
  const paths = (id: string) => stagePaths(config.runDir, id, opts.artifactDir?.(id));
  const order = topological(config.stages);

  if (opts.dryRun) {
    await printPlan(config, registry, order, selected, forced, paths, opts.progress);
    return order.map((s) => ({ id: s.id, status: "not-selected", paths: paths(s.id) }));
  }

  const endpoints = new Endpoints(config);
  const outcomes = new Map<string, StageOutcome>();
  try {
    for (const stage of order) {
      const p = paths(stage.id);
      if (!selected.has(stage.id)) {
        const manifest = await readManifest(p.manifest);
        outcomes.set(stage.id, { id: stage.id, status: "not-selected", manifest, paths: p });
        continue;
      }
      const runner = registry[stage.task];
      const inputs = await resolveInputs(stage, config, outcomes, paths);
      const configHash = stageConfigHash(stage, runner, config);
      const key = sha256(canonicalJson({ configHash, inputs: inputs.map((i) => i.hash) }));
      const existing = await readManifest(p.manifest);
      if (
        existing && !forced.has(stage.id) && existing.configHash === configHash &&
        canonicalJson(existing.inputs) ===
          canonicalJson(inputs.map(({ ref, hash }) => ({ ref, hash })))
      ) {
        opts.progress.info(`${stage.id}: up to date (${existing.counts.records} records)`);
        outcomes.set(stage.id, {
          id: stage.id,
          status: "up-to-date",
          manifest: existing,
          paths: p,
        });
        continue;
      }
      const journal = runner.resumable === false || forced.has(stage.id)
        ? null
        : await readJournal(p.journal, key);
      const manifest = await runStage(
        { stage, runner, inputs, endpoints, paths: p, configHash, key, journal },
        opts,
      );
      outcomes.set(stage.id, {
        id: stage.id,
        status: journal && journal.units > 0 ? "resumed" : "ran",
        manifest,
        paths: p,
      });
    }
  } finally {
    await endpoints.close();
  }
  return order.map((s) => outcomes.get(s.id)!);
}

interface StageJob {
  stage: StageConfig;
  runner: StageRunner;
  inputs: ResolvedInput[];
  endpoints: Endpoints;
  paths: StagePaths;
  configHash: string;
  /** The journal key: config and input hashes. */
  key: string;
  journal: Awaited<ReturnType<typeof readJournal>>;
}

async function runStage(job: StageJob, opts: RunOptions): Promise<Manifest> {
  const { stage, runner, inputs, endpoints, paths: p, configHash, key, journal } = job;
  await removeIfExists(p.manifest);
  const startedAt = new Date();
  const used = new Map<string, LlmClient>();
  const before = new Map<string, LlmStats>();
  const ctx: StageContext<Record<string, unknown>> = {
    stageId: stage.id,
    options: stage.options,
    inputs: inputs.map((i) => i.input),
    llm: (name) => {
      const client = used.get(name);
      if (!client) {
        throw new UserError(`stage "${stage.id}": endpoint "${name}" was not prepared`);
      }
      return client;
    },
    dir: p.dir,
    log: (line) => opts.progress.info(`${stage.id}: ${line}`),
  };
  for (const name of endpointNames(stage, runner)) {
    const client = await endpoints.get(name);
    used.set(name, client);
    before.set(name, { ...client.stats() });
  }
  await Deno.mkdir(p.dir, { recursive: true });
  const total = await runner.total?.(ctx);
  opts.progress.start(stage.id, total, journal?.units ?? 0);
  await removeIfExists(p.failed);
  const result: ExecuteResult = await executeStage(runner, ctx, p, key, journal, {
    onUnit: (done, rejects) => opts.progress.update(stage.id, done, rejects),
  }).catch(async (err) => {
    // The viewer tells a stage that failed from one that was killed (which leaves no note).
    const note = { message: (err as Error)?.message ?? String(err), at: new Date().toISOString() };
    await writeFileAtomic(p.failed, JSON.stringify(note) + "\n");
    throw err;
  });
  const usage = sumUsage([...used].map(([name, c]) => diffStats(c.stats(), before.get(name)!)));
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const manifest: Manifest = {
    tool: "j1kit",
    version: VERSION,
    stage: stage.id,
    task: stage.task,
    configHash,
    options: stage.options,
    inputs: inputs.map(({ ref, hash }) => ({ ref, hash })),
    outputHash: await hashFile(p.output),
    output: p.output,
    rejects: p.rejects,
    dir: p.dir,
    counts: {
      units: result.units,
      records: result.records,
      rejects: result.rejects,
      rejectReasons: result.rejectReasons,
    },
    usage,
    timings: {
      startedAt: startedAt.toISOString(),
      seconds,
      unitsSeconds: result.unitsSeconds,
      finishSeconds: result.finishSeconds,
      resumedAfterUnits: result.resumedUnits,
    },
    summary: result.summary,
  };
  await writeFileAtomic(p.manifest, JSON.stringify(manifest, null, 2) + "\n");
  await removeIfExists(p.journal);
  const reasons = Object.entries(result.rejectReasons).map(([r, n]) => `${r} ${n}`).join(", ");
  opts.progress.end(
    stage.id,
    `${stage.id}: ${result.records} records, ${result.rejects} rejected${
      reasons ? ` (${reasons})` : ""
    }, ${usage.requests} requests, ${usage.cacheHits} cache hits, ${formatSeconds(seconds)}`,
  );
  return manifest;
}

/** The stages to run, as selected by `--only`. */
function selectStages(config: PipelineConfig, opts: RunOptions): Set<string> {
  if (opts.only) return new Set([opts.only]);
  return new Set(config.stages.map((s) => s.id));
}

/** Stages in an order where every stage comes after its stage inputs (declared order kept). */
function topological(stages: StageConfig[]): StageConfig[] {
  const ids = new Set(stages.map((s) => s.id));
  const placed = new Set<string>();
  const out: StageConfig[] = [];
  while (out.length < stages.length) {
    const next = stages.find((s) =>
      !placed.has(s.id) && s.inputs.every((r) => !ids.has(r) || placed.has(r))
    )!;
    placed.add(next.id);
    out.push(next);
  }
  return out;
}

interface ResolvedInput {
  ref: string;
  hash: string;
  input: StageInput;
}

async function resolveInputs(
  stage: StageConfig,
  config: PipelineConfig,
  outcomes: Map<string, StageOutcome>,
  paths: (id: string) => StagePaths,
): Promise<ResolvedInput[]> {
  const out: ResolvedInput[] = [];
  for (const ref of stage.inputs) {
    if (config.stages.some((s) => s.id === ref)) {
      const manifest = outcomes.get(ref)?.manifest ?? await readManifest(paths(ref).manifest);
      if (!manifest) {
        throw new UserError(
          `stage "${stage.id}" needs the output of stage "${ref}", which has not completed: run it first`,
          { loc: stage.loc },
        );
      }
      out.push({
        ref,
        hash: stageOutputHash(manifest),
        input: recordsInput(ref, "stage", manifest.output),
      });
    } else {
      const url = isUrl(ref);
      const hash = url ? sha256(ref) : await hashFile(ref);
      out.push({ ref, hash, input: recordsInput(ref, url ? "url" : "file", ref) });
    }
  }
  return out;
}

/** What a stage input stands for: the upstream stage's config and output. */
function stageOutputHash(manifest: Manifest): string {
  return sha256(`${manifest.configHash}:${manifest.outputHash}`);
}

/** An input read with `readRecords` (a stage's output is JSON Lines like any other file). */
function recordsInput(ref: string, kind: StageInput["kind"], location: string): StageInput {
  return {
    ref,
    kind,
    location,
    records: async function* () {
      for await (const { record } of readRecords(location)) yield record;
    },
    sourced: () => readRecords(location),
  };
}

/** Endpoint names a stage uses: the values of its `endpoint`-typed options. */
function endpointNames(stage: StageConfig, runner: StageRunner): string[] {
  return Object.entries(runner.options)
    .filter(([, spec]) => spec.type === "endpoint")
    .map(([key]) => stage.options[key] as string)
    .filter((name) => typeof name === "string");
}

/**
 * What decides a stage's output: task, options, the models of its endpoints and the tool
 * version, not the endpoint URLs, concurrency or keys, nor `runtime` options such as how many
 * units run at once (those change nothing in the records).
 */
function stageConfigHash(stage: StageConfig, runner: StageRunner, config: PipelineConfig): string {
  const decls = config.endpoints;
  const models = Object.fromEntries(
    endpointNames(stage, runner).map((name) => [name, decls[name]?.model]),
  );
  const options = Object.fromEntries(
    Object.entries(stage.options).filter(([key]) => !runner.options[key]?.runtime),
  );
  return sha256(canonicalJson({ version: VERSION, task: stage.task, options, models }));
}

/** One shared client per endpoint (so concurrency limits hold across stages), started lazily. */
class Endpoints {
  #clients = new Map<string, LlmClient>();
  #launched: Launched[] = [];
  #cache: ResponseCache | undefined;
  constructor(readonly pipeline: PipelineConfig) {}

  async get(name: string): Promise<LlmClient> {
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const decl = this.pipeline.endpoints[name];
    if (!decl) throw new UserError(`expected a declared endpoint, found "${name}"`);
    let baseUrl = decl.baseUrl;
    if (!baseUrl) {
      if (!decl.start) {
        throw new UserError(
          `endpoint "${name}": expected a baseUrl (or a "start" command), found an empty baseUrl`,
        );
      }
      const launched = await launchEndpoint(name, decl.start);
      this.#launched.push(launched);
      baseUrl = launched.url;
    }
    if (this.pipeline.cache && !this.#cache) {
      await Deno.mkdir(dirOf(this.pipeline.cache), { recursive: true });
      this.#cache = await openCache(this.pipeline.cache);
    }
    const client = createLlmClient({ ...decl, baseUrl }, { cache: this.#cache });
    this.#clients.set(name, client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.#launched.map((l) => l.stop()));
    await this.#cache?.close();
  }
}

async function printPlan(
  config: PipelineConfig,
  registry: Registry,
  order: StageConfig[],
  selected: Set<string>,
  forced: Set<string>,
  paths: (id: string) => StagePaths,
  progress: Progress,
): Promise<void> {
  progress.info(`pipeline ${config.name} (${config.file}) → ${config.runDir}`);
  for (const [name, e] of Object.entries(config.endpoints)) {
    const where = e.baseUrl || `started by: ${e.start?.command.join(" ")}`;
    progress.info(`  endpoint ${name}: ${e.model} @ ${where} (concurrency ${e.concurrency})`);
  }
  const stale = new Set<string>();
  for (const stage of order) {
    const runner = registry[stage.task];
    const p = paths(stage.id);
    const manifest = await readManifest(p.manifest);
    let status: string;
    if (!selected.has(stage.id)) status = "not selected";
    else if (forced.has(stage.id)) status = "run (forced)";
    else if (!manifest) {
      const journal = await Deno.stat(p.journal).catch(() => null);
      status = journal && runner.resumable !== false ? "resume (journal found)" : "run";
    } else if (manifest.configHash !== stageConfigHash(stage, runner, config)) {
      status = "run (config changed)";
    } else if (stage.inputs.some((r) => stale.has(r))) status = "run (an input will change)";
    else status = `up to date (${manifest.counts.records} records)`;
    if (status.startsWith("run") || status.startsWith("resume")) stale.add(stage.id);
    const eps = endpointNames(stage, runner);
    progress.info(
      `  ${stage.id} [${stage.task}] inputs: ${stage.inputs.join(", ") || "none"}${
        eps.length ? `; endpoints: ${eps.join(", ")}` : ""
      } → ${status}`,
    );
  }
}

// The run viewer judges staleness with the runner's own definition.
export { stageOutputHash };

/** Reads a manifest, or undefined when the stage has not completed. */
export async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Manifest;
  } catch {
    return undefined;
  }
}

/** sha256 of a file, streamed. */
async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    using file = await Deno.open(path);
    // One reused buffer: a stream's fresh chunk per read would leave the whole file's worth of
    // buffers to the garbage collector (RSS grew by ~70 MB hashing a 150 MB input).
    const buffer = new Uint8Array(1 << 20);
    for (let n; (n = await file.read(buffer)) !== null;) hash.update(buffer.subarray(0, n));
  } catch (err) {
    throw new UserError(`cannot read input: ${(err as Error).message}`, { loc: { file: path } });
  }
  return hash.digest("hex");
}

function diffStats(after: LlmStats, before: LlmStats): LlmStats {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as keyof LlmStats]]),
  ) as unknown as LlmStats;
}

function sumUsage(all: LlmStats[]): LlmStats {
  const sum = emptyStats();
  for (const s of all) {
    for (const k of Object.keys(sum) as (keyof LlmStats)[]) sum[k] += s[k];
  }
  return sum;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : ".";
}

async function removeIfExists(path: string): Promise<void> {
  await Deno.remove(path).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}
