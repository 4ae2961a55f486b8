/**
 * Runs a validated pipeline: decides per stage whether it is up to date, resumes or re-runs,
 * starts declared local endpoints, gives each stage its LLM clients (one shared client per
 * endpoint, one shared response cache), and writes each stage's manifest atomically last.
 * @module
 */
import { UserError } from "../errors.ts";
import { fileURLToPath } from "node:url";
import { canonicalJson, sha256 } from "../ids.ts";
import { writeFileAtomic } from "../io/jsonl.ts";
import { countRecords, readRecords } from "../io/records.ts";
import { pathExists } from "../io/path_exists.ts";
import { writableDir } from "../io/writable_dir.ts";
import { withoutUrlSecrets } from "../llm/url_secrets.ts";
import { createLlmClient, openCache, type ResponseCache } from "../llm/mod.ts";
import { type BatchWriter, importBatchOutput, openBatchWriter } from "../llm/batch.ts";
import { type ReplicaStats, type ReplicaUse, replicaUse } from "../llm/replicas.ts";
import { emptyStats, type LlmClient, type LlmStats } from "../llm/types.ts";
import {
  answerByBatchApi,
  type BatchApiEndpoint,
  RedirectSink,
  reportImport,
} from "./batch_api.ts";
import { pendingUnits } from "./batch_pass.ts";
import { VERSION } from "../version.ts";
import { isUrl, type PipelineConfig, type StageConfig } from "./config.ts";
import {
  type ExecuteResult,
  executeStage,
  readJournal,
  type StagePaths,
  stagePaths,
} from "./execute.ts";
import { hashFile, refHash } from "./input_hash.ts";
import { type Launched, launchEndpoint } from "./launch.ts";
import { lockRunDir } from "./lock.ts";
import { formatSeconds, type Progress } from "./progress.ts";
import type { StageContext, StageInput, StageRunner } from "./stage.ts";

import type { Registry } from "./config.ts";

/** A stage's manifest: written atomically once the stage is complete. */
export interface Manifest {
  /** Marks the file as a j1kit manifest. */
  tool: "j1kit";
  /** The j1kit version that wrote it; part of `configHash`, so an upgrade re-runs the stage. */
  version: string;
  /** The stage's id. */
  stage: string;
  /** The stage's runner name. */
  task: string;
  /** sha256 of the version, task, options and endpoint models: a change re-runs the stage. */
  configHash: string;
  /** The stage's options as configured (endpoint names, never keys). */
  options?: Record<string, unknown>;
  /** Each input as written in the pipeline file, with the sha256 of its content. */
  inputs: { ref: string; hash: string }[];
  /** sha256 of the output JSONL. */
  outputHash: string;
  /** The output JSONL's path. */
  output: string;
  /** The rejects JSONL's path. */
  rejects: string;
  /** The stage's artifact folder (exports, reports). */
  dir: string;
  /** Units processed, records written, records rejected (in all and by reason). */
  counts: {
    units: number;
    records: number;
    rejects: number;
    rejectReasons: Record<string, number>;
  };
  /** LLM usage of this execution (a resumed stage counts only what the last execution did). */
  usage: LlmStats;
  /** Per endpoint, what each of its replicas did in this execution. */
  replicas: Record<string, ReplicaUse[]>;
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
  /** What the runner's `finish` returned (e.g. metrics, export paths). */
  summary: Record<string, unknown>;
}

/** What happened to one stage. */
export interface StageOutcome {
  /** The stage's id. */
  id: string;
  /**
   * Skipped as complete, run, continued after a kill, not run (`only`, a dry run), or `pending`:
   * a batch export left units waiting for batch output (no manifest).
   */
  status: "up-to-date" | "ran" | "resumed" | "not-selected" | "pending";
  /** The stage's manifest, when it has one (absent for a dry run). */
  manifest?: Manifest;
  /** The stage's files. */
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
  /** Where stage starts, counts and end lines are reported (a terminal, or nothing). */
  progress: Progress;
  /** Artifact folder of a stage (default `<runDir>/<stageId>`). */
  artifactDir?: (stageId: string) => string;
  /** Batch output files read into the response cache before any stage runs. */
  batchImport?: string[];
  /**
   * A batch input file: the requests the stages still need are written there instead of being
   * sent, and the stages that need them end `pending` (with no manifest).
   */
  batchExport?: string;
}

/**
 * Runs the pipeline, holding the run folder's lock (`run.lock`) meanwhile. Returns what
 * happened to each stage.
 */
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
  await writableDir(
    config.runDir,
    `run folder (${config.file === "(command line)" ? "--out" : "runDir"})`,
  );
  const paths = (id: string) => stagePaths(config.runDir, id, opts.artifactDir?.(id));
  const order = topological(config.stages);

  if (opts.dryRun) {
    await printPlan(config, registry, order, selected, forced, paths, opts.progress);
    return order.map((s) => ({ id: s.id, status: "not-selected", paths: paths(s.id) }));
  }

  for (
    const [flag, used] of [["batchImport", opts.batchImport], ["batchExport", opts.batchExport]]
  ) {
    if (used && config.cache === null) {
      throw new UserError(
        `${flag}: expected a response cache (batch files go through it), found none`,
      );
    }
  }
  const lock = await lockRunDir(config.runDir);
  const batch = opts.batchExport ? await openBatchWriter(opts.batchExport) : undefined;
  const endpoints = new Endpoints(config, batch);
  const outcomes = new Map<string, StageOutcome>();
  try {
    if (opts.batchImport?.length) await endpoints.importBatch(opts.batchImport, opts.progress);
    for (const stage of order) {
      const p = paths(stage.id);
      if (!selected.has(stage.id)) {
        const manifest = await readManifest(p.manifest);
        outcomes.set(stage.id, { id: stage.id, status: "not-selected", manifest, paths: p });
        continue;
      }
      const runner = registry[stage.task];
      const waitsFor = stage.inputs.find((ref) => outcomes.get(ref)?.status === "pending");
      if (waitsFor) {
        opts.progress.info(`${stage.id}: waits for stage "${waitsFor}" (pending batch output)`);
        outcomes.set(stage.id, { id: stage.id, status: "pending", paths: p });
        continue;
      }
      const existing = await readManifest(p.manifest);
      const inputs = await resolveInputs(stage, config, outcomes, paths, existing);
      const hashes = [
        ...inputs.map(({ ref, hash }) => ({ ref, hash })),
        ...await optionFileHashes(stage, runner, existing),
      ];
      const configHash = stageConfigHash(stage, runner, config);
      const key = sha256(canonicalJson({ configHash, inputs: hashes.map((i) => i.hash) }));
      if (
        existing && !forced.has(stage.id) && existing.configHash === configHash &&
        canonicalJson(existing.inputs) === canonicalJson(hashes)
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
        { stage, runner, inputs, hashes, endpoints, paths: p, configHash, key, journal },
        opts,
      );
      outcomes.set(stage.id, {
        id: stage.id,
        status: !manifest ? "pending" : journal && journal.units > 0 ? "resumed" : "ran",
        manifest,
        paths: p,
      });
    }
    // Only a finished export takes the file's name: a failed run leaves its temporary file.
    const requests = await batch?.close();
    if (batch) opts.progress.info(`batch export: ${requests} request(s) in ${opts.batchExport}`);
  } finally {
    await endpoints.close().finally(() => lock.release());
  }
  return order.map((s) => outcomes.get(s.id)!);
}

interface StageJob {
  stage: StageConfig;
  runner: StageRunner;
  inputs: ResolvedInput[];
  /** The hashes of the inputs and of the files the options name, as the manifest lists them. */
  hashes: { ref: string; hash: string }[];
  endpoints: Endpoints;
  paths: StagePaths;
  configHash: string;
  /** The journal key: config and input hashes. */
  key: string;
  journal: Awaited<ReturnType<typeof readJournal>>;
}

/** Runs a stage; undefined when a batch export left some of its units pending. */
async function runStage(job: StageJob, opts: RunOptions): Promise<Manifest | undefined> {
  const { stage, runner, inputs, hashes, endpoints, paths: p, configHash, key, journal } = job;
  await removeIfExists(p.manifest);
  const startedAt = new Date();
  const used = new Map<string, LlmClient>();
  const before = new Map<string, LlmStats>();
  const replicasBefore = new Map<string, ReplicaStats[]>();
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
  for (const name of endpointNames(stage, runner)) used.set(name, await endpoints.get(name));
  await Deno.mkdir(p.dir, { recursive: true });
  const pass = () => pendingUnits(runner, ctx, journal?.units ?? 0);
  const viaApi = endpoints.viaBatchApi([...used.keys()]);
  if (viaApi.length) {
    const dir = `${endpoints.pipeline.runDir}/${stage.id}.batch`;
    await answerByBatchApi(dir, viaApi, await endpoints.cache(), pass, opts.progress, stage.id);
  } else if (endpoints.deferring && used.size) {
    const { units, pending } = await pass();
    if (pending) {
      opts.progress.info(`${stage.id}: ${pending} of ${units} unit(s) wait for batch output`);
      return undefined;
    }
  }
  for (const [name, client] of used) {
    before.set(name, { ...client.stats() });
    replicasBefore.set(name, client.replicas());
  }
  const total = await runner.total?.(ctx);
  const clients = [...used.values()];
  opts.progress.start(stage.id, total, journal?.units ?? 0, () => ({
    inFlight: clients.reduce((n, c) => n + c.activity().inFlight, 0),
    retrying: clients.reduce((n, c) => n + c.activity().retrying, 0),
  }));
  await removeIfExists(p.failed);
  let result: ExecuteResult;
  try {
    result = await executeStage(runner, ctx, p, key, journal, {
      onUnit: (done, rejects) => opts.progress.update(stage.id, done, rejects),
      maxRejectedShare: stage.options.maxRejectedShare as number | undefined,
    });
  } catch (err) {
    opts.progress.end(stage.id, `${stage.id}: stopped`);
    // The viewer tells a stage that failed from one that was killed (which leaves no note).
    const note = { message: (err as Error)?.message ?? String(err), at: new Date().toISOString() };
    await writeFileAtomic(p.failed, JSON.stringify(note) + "\n");
    throw err;
  }
  const usage = sumUsage([...used].map(([name, c]) => diffStats(c.stats(), before.get(name)!)));
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const manifest: Manifest = {
    tool: "j1kit",
    version: VERSION,
    stage: stage.id,
    task: stage.task,
    configHash,
    options: stage.options,
    inputs: hashes,
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
    replicas: Object.fromEntries(
      [...used].map(([name, c]) => [name, replicaUse(c.replicas(), replicasBefore.get(name)!)]),
    ),
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
    }, ${usage.requests} requests (${usage.samples} samples), ${usage.cacheHits} samples from the cache, ${
      formatSeconds(seconds)
    }`,
  );
  if (result.records === 0) {
    // Done, but most likely not what was meant: say so rather than finish quietly.
    opts.progress.info(
      `${stage.id}: warning: no records written (${
        result.units === 0
          ? "its inputs held none: an empty dataset or benchmark?"
          : `every one of its ${result.units} units was rejected`
      })`,
    );
  }
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
  previous: Manifest | undefined,
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
      if (!pathExists(manifest.output)) {
        throw new UserError(
          `stage "${stage.id}" needs the output of stage "${ref}", ${manifest.output}, which is missing: run again with --force ${ref}`,
          { loc: stage.loc },
        );
      }
      const records = manifest.counts.records;
      out.push({
        ref,
        hash: stageOutputHash(manifest),
        input: {
          ...recordsInput(ref, "stage", manifest.output, () => Promise.resolve(records)),
          summary: manifest.summary,
        },
      });
    } else {
      const url = isUrl(ref);
      const hash = await refHash(ref, previousHash(previous, ref));
      const count = () => url ? Promise.resolve(undefined) : countRecords(ref);
      out.push({ ref, hash, input: recordsInput(ref, url ? "url" : "file", ref, count) });
    }
  }
  return out;
}

/** What a stage input stands for: the upstream stage's config and output. */
function stageOutputHash(manifest: Manifest): string {
  return sha256(`${manifest.configHash}:${manifest.outputHash}`);
}

function previousHash(previous: Manifest | undefined, ref: string): string | undefined {
  return previous?.inputs.find((i) => i.ref === ref)?.hash;
}

/** The repository's root: files of its own (built-in templates) are listed relative to it. */
const REPO_ROOT = ((root) => root.protocol === "file:" ? fileURLToPath(root) : root.href)(
  new URL("../../", import.meta.url),
);

/**
 * The hashes of the files a stage's options name (templates, a data file, a baseline), listed
 * as `<option>: <file>`, so that editing one re-runs the stage like a changed input.
 */
async function optionFileHashes(
  stage: StageConfig,
  runner: StageRunner,
  previous: Manifest | undefined,
): Promise<{ ref: string; hash: string }[]> {
  const out: { ref: string; hash: string }[] = [];
  for (const [key, spec] of Object.entries(runner.options)) {
    const value = stage.options[key];
    if (!spec.files || value === undefined) continue;
    for (const location of new Set(spec.files(value, stage.options))) {
      const shown = location.startsWith(REPO_ROOT) ? location.slice(REPO_ROOT.length) : location;
      const ref = `${key}: ${shown}`;
      out.push({ ref, hash: await refHash(location, previousHash(previous, ref)) });
    }
  }
  return out;
}

/** An input read with `readRecords` (a stage's output is JSON Lines like any other file). */
function recordsInput(
  ref: string,
  kind: StageInput["kind"],
  location: string,
  count: StageInput["count"],
): StageInput {
  return {
    ref,
    kind,
    location,
    count,
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
    .filter((name) => typeof name === "string" && name !== "");
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

/**
 * One shared client per endpoint (so concurrency limits hold across stages), started lazily.
 * With a batch writer, the clients defer their requests to it and no server is started.
 */
class Endpoints {
  #clients = new Map<string, LlmClient>();
  #launched: Launched[] = [];
  #cache: ResponseCache | undefined;
  /** Where the clients of Batch API endpoints put their requests during a round. */
  #sinks = new Map<string, RedirectSink>();
  constructor(readonly pipeline: PipelineConfig, readonly batch?: BatchWriter) {}

  /** Whether requests go to a batch file instead of a server. */
  get deferring(): boolean {
    return this.batch !== undefined;
  }

  /** Reads batch output into the response cache, reporting the lines that brought nothing. */
  async importBatch(files: string[], progress: Progress): Promise<void> {
    reportImport("batch import", await importBatchOutput(files, await this.cache()), progress);
  }

  /** The stage's endpoints whose requests go to the Batch API (none while exporting). */
  viaBatchApi(names: string[]): BatchApiEndpoint[] {
    return names.flatMap((name) => {
      const sink = this.#sinks.get(name);
      return sink ? [{ name, decl: this.pipeline.endpoints[name], sink }] : [];
    });
  }

  /** The response cache, opened on first use. */
  async cache(): Promise<ResponseCache> {
    if (!this.#cache) {
      const file = this.pipeline.cache!;
      await writableDir(dirOf(file), `response cache ${file}`);
      this.#cache = await openCache(file);
    }
    return this.#cache;
  }

  async get(name: string): Promise<LlmClient> {
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const decl = this.pipeline.endpoints[name];
    if (!decl) throw new UserError(`expected a declared endpoint, found "${name}"`);
    const sink = !this.batch && decl.batchApi ? new RedirectSink() : undefined;
    if (sink) this.#sinks.set(name, sink);
    let baseUrl = this.batch || sink ? [] : decl.baseUrl;
    if (baseUrl === "") {
      if (!decl.start) {
        throw new UserError(
          `endpoint "${name}": expected a baseUrl (or a "start" command), found an empty baseUrl`,
        );
      }
      const launched = await launchEndpoint(name, decl.start);
      this.#launched.push(launched);
      baseUrl = launched.url;
    }
    const cache = this.pipeline.cache ? await this.cache() : undefined;
    const client = createLlmClient({ ...decl, baseUrl }, {
      cache,
      defer: this.batch ?? sink,
    });
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
    const where = [e.baseUrl].flat().map((url) => withoutUrlSecrets(url, url)).join(", ") ||
      `started by: ${e.start?.command.join(" ")}`;
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
    else {
      const changed = await changedInputs(stage, runner, config, paths, manifest);
      status = changed.length
        ? `run (input changed: ${changed.join(", ")})`
        : `up to date (${manifest.counts.records} records)`;
    }
    if (status.startsWith("run") || status.startsWith("resume")) stale.add(stage.id);
    const eps = endpointNames(stage, runner);
    progress.info(
      `  ${stage.id} [${stage.task}] inputs: ${stage.inputs.join(", ") || "none"}${
        eps.length ? `; endpoints: ${eps.join(", ")}` : ""
      } → ${status}`,
    );
  }
}

/** The inputs (and files named by options) whose hash differs from the manifest's. */
async function changedInputs(
  stage: StageConfig,
  runner: StageRunner,
  config: PipelineConfig,
  paths: (id: string) => StagePaths,
  manifest: Manifest,
): Promise<string[]> {
  const now: { ref: string; hash: string | undefined }[] = [];
  for (const ref of stage.inputs) {
    if (config.stages.some((s) => s.id === ref)) {
      const upstream = await readManifest(paths(ref).manifest);
      now.push({ ref, hash: upstream && stageOutputHash(upstream) });
    } else now.push({ ref, hash: await refHash(ref, previousHash(manifest, ref)) });
  }
  now.push(...await optionFileHashes(stage, runner, manifest));
  const changed = now.filter(({ ref, hash }) => hash !== previousHash(manifest, ref));
  const gone = manifest.inputs.filter((i) => !now.some((n) => n.ref === i.ref));
  return [...changed, ...gone].map((i) => i.ref);
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
