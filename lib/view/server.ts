/**
 * The run viewer's HTTP server: a JSON API over run folders and the page's own assets (HTML,
 * CSS, JS, served from `lib/view/assets/`; no build step, nothing fetched from elsewhere).
 * Only files of the runs it was given are ever read.
 *
 * Routes: `GET /api/runs`, `/api/run?run=`, `/api/stage?run=&stage=`,
 * `/api/records?run=&stage=&file=output|rejects&page=&size=&q=&cat.<name>=&flag=&min.<name>=&max.<name>=`,
 * `/api/item?run=&stage=&line=`, `/api/compare?e=<run>/<stage>&e=…`.
 * @module
 */
import { UserError } from "../errors.ts";
import type { Summary } from "../bench/metrics.ts";
import type { RolloutStatsSummary } from "../judge/stats.ts";
import type { EvalItem, Rollout } from "../records.ts";
import { buildColumns, type Columns, type FileKind, filterRecords, itemLines } from "./columns.ts";
import { compareJudges, type JudgeEvaluation } from "./compare.ts";
import { stageGraph } from "./graph.ts";
import { benchItemOf } from "./bench_item.ts";
import {
  forEachRecord,
  indexLines,
  isStale,
  type LineIndex,
  readHead,
  readRecords,
  searchRecords,
} from "./lines.ts";
import { artifactPath, findRuns, readRun, type RunView, type StageView } from "./runs.ts";
import { evaluateCharts, rolloutCharts } from "./stage_charts.ts";

/** How to run the viewer. */
export interface ViewerOptions {
  /** Run folders, or folders of run folders (default `runs`). */
  paths: string[];
  /** Interface to listen on (default `127.0.0.1`: this machine only). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /**
   * Records files up to this size (default 64 MB) are indexed before a page answers; larger
   * ones are indexed in the background while their first pages are read from the start.
   */
  waitBytes?: number;
}

/** A running viewer. */
export interface Viewer {
  /** The page's address, e.g. `http://127.0.0.1:7777/`. */
  url: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/** An indexed file: where its records are, and (once asked for) its columns. */
interface Indexed {
  index: LineIndex;
  kind: FileKind;
  columns?: Columns;
  /** The columns being built. */
  building?: Promise<Columns>;
  /** `id` → position, for files of records with ids (pairs), built when first needed. */
  ids?: Map<string, number>;
}

const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const MAX_DIFFS = 200;
/** Records files up to this size are indexed before a page answers; larger ones meanwhile. */
const WAIT_BYTES = 64 << 20;
/** Records a page may read from a file's start while its offsets are being indexed. */
const HEAD_RECORDS = 10_000;

class NotFound extends Error {}

/** The viewer's state: the runs it was given and the files it has indexed. */
class Catalog {
  #files = new Map<string, Indexed>();
  #indexing = new Map<string, Promise<Indexed>>();
  constructor(readonly paths: string[], readonly waitBytes: number) {}

  async runs(): Promise<RunView[]> {
    const found = await findRuns(this.paths);
    return await Promise.all(found.map((r) => readRun(r.name, r.dir)));
  }

  async run(name: string | null): Promise<RunView> {
    const run = (await this.runs()).find((r) => r.name === name);
    if (!run) throw new NotFound(`no run named ${JSON.stringify(name)}`);
    return run;
  }

  async stage(runName: string | null, id: string | null) {
    const run = await this.run(runName);
    const stage = run.stages.find((s) => s.id === id);
    if (!stage) throw new NotFound(`run ${run.name} has no stage ${JSON.stringify(id)}`);
    return { run, stage };
  }

  /** The indexed file (re-indexed when it changed on disk; one indexing of a file at a time). */
  async file(path: string, rejects = false): Promise<Indexed> {
    const known = this.#files.get(path);
    if (known && !(await isStale(known.index))) return known;
    let indexing = this.#indexing.get(path);
    if (!indexing) {
      indexing = (async () => {
        const index = await indexLines(path).catch(() => {
          throw new NotFound(`no records file ${path}`);
        });
        const kind = rejects ? "rejects" : await sniffKind(path);
        const indexed: Indexed = { index, kind };
        this.#files.set(path, indexed);
        return indexed;
      })().finally(() => this.#indexing.delete(path));
      this.#indexing.set(path, indexing);
    }
    return await indexing;
  }

  async columns(path: string, rejects = false): Promise<Indexed & { columns: Columns }> {
    const f = this.#startColumns(await this.file(path, rejects));
    await f.building;
    return f as Indexed & { columns: Columns };
  }

  /**
   * A file of at most `waitBytes` with its offsets and columns; a larger one as far as it is
   * ready (`undefined` while its offsets are indexed, then without columns while they are
   * built), the rest going on in the background.
   */
  async ready(path: string, rejects = false): Promise<Indexed | undefined> {
    const stat = await Deno.stat(path).catch(() => null);
    if (!stat) throw new NotFound(`no records file ${path}`);
    const small = stat.size <= this.waitBytes;
    const known = this.#files.get(path);
    const fresh = known && !(await isStale(known.index));
    if (!fresh && !small) {
      this.file(path, rejects).then((f) => this.#startColumns(f), () => {});
      return undefined;
    }
    const f = this.#startColumns(await this.file(path, rejects));
    if (small) await f.building;
    return f;
  }

  #startColumns(f: Indexed): Indexed {
    if (!f.building) {
      f.building = buildColumns(f.index, f.kind).then((columns) => f.columns = columns);
      // Built in the background: a bad record is reported to whoever awaits the columns.
      f.building.catch(() => {});
    }
    return f;
  }

  /** Finds the record with `id` among the outputs of `stages`. */
  async findById(stages: StageView[], id: string): Promise<unknown> {
    for (const stage of stages) {
      const f = await this.file(stage.paths.output).catch(() => undefined);
      if (!f) continue;
      if (!f.ids) {
        const ids = new Map<string, number>();
        await forEachRecord(f.index, (r, line) => {
          const key = (r as { id?: unknown })?.id;
          if (typeof key === "string") ids.set(key, line);
        });
        f.ids = ids;
      }
      const line = f.ids.get(id);
      if (line !== undefined) return (await readRecords(f.index, [line]))[0];
    }
    return undefined;
  }

  async items(stage: StageView): Promise<EvalItem[]> {
    const f = await this.file(stage.paths.output);
    const items: EvalItem[] = [];
    await forEachRecord(f.index, (r) => items.push(r as EvalItem));
    return items;
  }
}

/** The kind of a stage's records, from its first record's fields. */
async function sniffKind(path: string): Promise<FileKind> {
  const [first] = await readHead(path, 0, 1) as Record<string, unknown>[];
  if (first && typeof first === "object") {
    if ("taskId" in first && "sample" in first && "reward" in first) return "rollout";
    if ("benchmark" in first && "results" in first && "itemId" in first) return "evaluate";
  }
  return "records";
}

/** A stage as the run page lists it (the manifest stays on the stage page). */
function stageSummary(stage: StageView) {
  const m = stage.manifest;
  return {
    id: stage.id,
    task: stage.task,
    status: stage.status,
    reason: stage.reason,
    inputs: stage.inputs,
    counts: m?.counts ?? stage.progress,
    usage: m?.usage,
    timings: m?.timings,
  };
}

async function readSummaryFile(run: RunView, stage: StageView): Promise<Summary | undefined> {
  const artifacts = stage.manifest?.summary?.artifacts as Record<string, string> | undefined;
  if (!artifacts?.summary) return undefined;
  try {
    return JSON.parse(await Deno.readTextFile(artifactPath(run, stage, artifacts.summary)));
  } catch {
    return undefined;
  }
}

type Handler = (q: URLSearchParams, catalog: Catalog) => Promise<unknown>;

const API: Record<string, Handler> = {
  "/api/runs": async (_q, catalog) =>
    (await catalog.runs()).map((run) => ({
      name: run.name,
      dir: run.dir,
      stages: run.stages.map(stageSummary),
    })),

  "/api/run": async (q, catalog) => {
    const run = await catalog.run(q.get("run"));
    return {
      name: run.name,
      dir: run.dir,
      stages: run.stages.map(stageSummary),
      graph: stageGraph(run.stages.map((s) => ({
        id: s.id,
        task: s.task,
        status: s.status,
        inputs: s.inputs,
        href: `#/stage/${encodeURIComponent(run.name)}/${encodeURIComponent(s.id)}`,
      }))),
    };
  },

  "/api/stage": async (q, catalog) => {
    const { run, stage } = await catalog.stage(q.get("run"), q.get("stage"));
    const files: Record<string, unknown> = {};
    let charts: string[] = [];
    let kind: FileKind = "records";
    let summary: Summary | undefined;
    for (
      const [name, path, rejects] of [
        ["output", stage.paths.output, false],
        ["rejects", stage.paths.rejects, true],
      ] as const
    ) {
      if (!(await Deno.stat(path).catch(() => null))) continue;
      const f = await catalog.ready(path, rejects);
      if (!f?.columns) {
        // Still indexing: the count so far is the manifest's (the file's when indexed).
        const count = f?.index.count ?? (rejects ? stage.manifest?.counts?.rejects : undefined) ??
          stage.manifest?.counts?.records ?? null;
        const kind = f?.kind ?? (rejects ? "rejects" : await sniffKind(path));
        files[name] = { count, kind, pending: true };
        continue;
      }
      files[name] = {
        count: f.index.count,
        kind: f.kind,
        categories: Object.fromEntries(
          Object.entries(f.columns.categories).map(([n, c]) => [n, c.values]),
        ),
        flags: Object.keys(f.columns.flags),
        numbers: Object.keys(f.columns.numbers),
      };
      if (name !== "output") continue;
      kind = f.kind;
      if (f.kind === "rollout") {
        const stats = stage.manifest?.summary?.stats as RolloutStatsSummary | undefined;
        charts = rolloutCharts(stats, f.columns);
      } else if (f.kind === "evaluate") {
        summary = await readSummaryFile(run, stage);
        if (summary) charts = evaluateCharts(summary, await catalog.items(stage));
      }
    }
    return {
      run: run.name,
      ...stageSummary(stage),
      kind,
      manifest: stage.manifest,
      failure: stage.failure,
      summary,
      files,
      charts,
    };
  },

  "/api/records": async (q, catalog) => {
    const { stage } = await catalog.stage(q.get("run"), q.get("stage"));
    const rejects = q.get("file") === "rejects";
    const path = rejects ? stage.paths.rejects : stage.paths.output;
    const filtered = [...q.keys()].some((k) => /^(cat|min|max)\.|^(flag|q)$/.test(k) && q.get(k));
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(q.get("size")) || PAGE_SIZE));
    const page = Math.max(0, Math.floor(Number(q.get("page")) || 0));
    if (!filtered && (page + 1) * size <= HEAD_RECORDS && !(await catalog.ready(path, rejects))) {
      // The first pages of a file whose offsets are still being indexed: read from its start.
      const records = await readHead(path, page * size, (page + 1) * size);
      const kind = rejects ? "rejects" : await sniffKind(path);
      return {
        total: null,
        matched: null,
        page,
        size,
        kind,
        rows: records.map((record, i) => ({ line: page * size + i, record })),
      };
    }
    // An unfiltered page needs only the offsets: no waiting for a large file's columns.
    const f = filtered ? await catalog.columns(path, rejects) : await catalog.file(path, rejects);
    const categories: Record<string, string> = {};
    const ranges: Record<string, { min?: number; max?: number }> = {};
    for (const [key, value] of q) {
      if (value === "") continue;
      if (key.startsWith("cat.")) categories[key.slice(4)] = value;
      for (const bound of ["min", "max"] as const) {
        if (key.startsWith(`${bound}.`) && Number.isFinite(Number(value))) {
          (ranges[key.slice(bound.length + 1)] ??= {})[bound] = Number(value);
        }
      }
    }
    const search = q.get("q") ?? "";
    let matched = f.index.count;
    let shown: number[];
    if (f.columns) {
      const lines = filterRecords(f.columns, {
        categories,
        ranges,
        flags: q.getAll("flag"),
        mask: search ? await searchRecords(f.index, search) : undefined,
      });
      matched = lines.length;
      shown = lines.slice(page * size, (page + 1) * size);
    } else {
      const first = page * size;
      shown = Array.from(
        { length: Math.max(0, Math.min(size, matched - first)) },
        (_, i) => first + i,
      );
    }
    const records = await readRecords(f.index, shown);
    return {
      total: f.index.count,
      matched,
      page,
      size,
      kind: f.kind,
      rows: shown.map((line, i) => ({ line, record: records[i] })),
    };
  },

  "/api/item": async (q, catalog) => {
    const { run, stage } = await catalog.stage(q.get("run"), q.get("stage"));
    const f = await catalog.columns(stage.paths.output);
    const line = Number(q.get("line"));
    if (!Number.isInteger(line) || line < 0 || line >= f.index.count) {
      throw new NotFound(`no record at line ${q.get("line")}`);
    }
    const lines = itemLines(f.columns, line);
    const records = await readRecords(f.index, lines);
    if (f.kind === "evaluate") {
      const bench = await benchItemOf(stage.manifest, records[0] as EvalItem);
      return { kind: f.kind, line, record: records[0], ...bench };
    }
    if (f.kind !== "rollout") return { kind: f.kind, line, record: records[0] };
    const pairId = (records[0] as Rollout).pairId;
    const inputs = run.stages.filter((s) => stage.inputs.includes(s.id));
    const pair = await catalog.findById(inputs.length ? inputs : run.stages, pairId);
    return {
      kind: f.kind,
      line,
      pair,
      rollouts: records.map((record, i) => ({ line: lines[i], record })),
    };
  },

  "/api/compare": async (q, catalog) => {
    const picked: { run: RunView; stage: StageView }[] = [];
    for (const e of q.getAll("e")) {
      const at = e.lastIndexOf("/");
      picked.push(await catalog.stage(e.slice(0, at), e.slice(at + 1)));
    }
    const evaluations: JudgeEvaluation[] = [];
    for (const { run, stage } of picked) {
      const summary = await readSummaryFile(run, stage);
      if (!summary) throw new NotFound(`${run.name}/${stage.id} has no summary.json`);
      const items = await catalog.items(stage);
      evaluations.push({
        judge: run.name,
        run: run.name,
        stage: stage.id,
        benchmark: items[0]?.benchmark ?? stage.id,
        summary,
        items,
      });
    }
    // Two stages of one run on the same benchmark are two judges: name them by stage.
    for (const e of evaluations) {
      if (
        evaluations.some((o) => o !== e && o.run === e.run && o.benchmark === e.benchmark)
      ) e.judge = `${e.run}/${e.stage}`;
    }
    const result = compareJudges(evaluations);
    const who = (e: JudgeEvaluation) => ({ judge: e.judge, run: e.run, stage: e.stage });
    return {
      columns: result.columns,
      rows: result.rows,
      pairs: result.pairs.map((p) => ({
        ...p,
        baseline: who(p.baseline),
        other: who(p.other),
        fixedCount: p.fixed.length,
        brokenCount: p.broken.length,
        fixed: p.fixed.slice(0, MAX_DIFFS),
        broken: p.broken.slice(0, MAX_DIFFS),
      })),
    };
  },
};

const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

async function asset(name: string): Promise<string> {
  const res = await fetch(new URL(`./assets/${name}`, import.meta.url));
  return await res.text();
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });

/** Answers one request. */
async function handleRequest(catalog: Catalog, req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (req.method !== "GET") return json(405, { error: "only GET" });
  const page = ASSETS[url.pathname];
  if (page) {
    return new Response(await asset(page.file), {
      headers: { "content-type": page.type, "cache-control": "no-store" },
    });
  }
  const handler = API[url.pathname];
  if (!handler) return json(404, { error: `no route ${url.pathname}` });
  try {
    return json(200, await handler(url.searchParams, catalog));
  } catch (err) {
    if (err instanceof NotFound) return json(404, { error: err.message });
    if (err instanceof UserError) return json(400, { error: err.message });
    return json(500, { error: (err as Error)?.message ?? String(err) });
  }
}

/**
 * Starts the viewer. Throws a {@linkcode UserError} when a path is not a folder or holds no
 * run, or the port is taken.
 */
export async function startViewer(opts: ViewerOptions): Promise<Viewer> {
  const paths = opts.paths.length ? opts.paths : ["runs"];
  for (const path of paths) {
    const stat = await Deno.stat(path).catch(() => null);
    if (!stat?.isDirectory) {
      throw new UserError(
        `expected a run folder, found ${path} (${stat ? "not a folder" : "no such folder"})`,
      );
    }
  }
  if ((await findRuns(paths)).length === 0) {
    throw new UserError(
      `expected a run folder (one holding <stage>.manifest.json files) or a folder of them, found none in ${
        paths.join(", ")
      }`,
    );
  }
  const catalog = new Catalog(paths, opts.waitBytes ?? WAIT_BYTES);
  const host = opts.host ?? "127.0.0.1";
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: host, port: opts.port ?? 0, onListen: () => {} },
      (req) => handleRequest(catalog, req),
    );
  } catch (err) {
    throw new UserError(`cannot listen on ${host}:${opts.port}: ${(err as Error).message}`);
  }
  const { port } = server.addr;
  const shown = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shown}:${port}/`, close: () => server.shutdown() };
}
