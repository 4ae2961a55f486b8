/**
 * What a run folder holds, read from the files the pipeline writes: per stage its manifest
 * (complete), journal (stopped part-way, resumable) or failure note, and from the manifests'
 * inputs the pipeline's graph and whether a completed stage is stale (an input stage has
 * changed since). Nothing is recomputed: counts, usage and timings are the manifest's.
 * @module
 */
import { readJournal, type StagePaths, stagePaths } from "../pipeline/execute.ts";
import { type Manifest, readManifest, stageOutputHash } from "../pipeline/run.ts";
import { pathExists } from "../io/path_exists.ts";

/** How far a stage got. */
export type StageStatus = "complete" | "stale" | "partial" | "failed";

/** One stage of a run, as its files tell. */
export interface StageView {
  /** Stage id (the files' base name). */
  id: string;
  /** Task name (from the manifest; `undefined` until a stage completes). */
  task?: string;
  status: StageStatus;
  /** Why the status is not `complete`, in a sentence. */
  reason?: string;
  /** Stage ids and file paths this stage read (from its manifest). */
  inputs: string[];
  /** The manifest, when the stage completed. */
  manifest?: Manifest;
  /** Records and rejects written so far, from the journal, when the stage has not completed. */
  progress?: {
    units: number;
    records: number;
    rejects: number;
    rejectReasons: Record<string, number>;
  };
  /** The failure note the runner left, when the stage stopped on an error. */
  failure?: { message: string; at: string };
  /** The stage's files in this run folder. */
  paths: StagePaths;
}

/** A run folder and its stages, in the pipeline's order (inputs before the stages reading them). */
export interface RunView {
  /** Short unique name used in URLs. */
  name: string;
  /** The folder. */
  dir: string;
  stages: StageView[];
}

const SUFFIXES = [".manifest.json", ".journal", ".failed.json"];

/** The stage ids whose files sit in `dir` (empty when it is not a run folder). */
async function stageIds(dir: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const suffix = SUFFIXES.find((s) => entry.name.endsWith(s));
    if (suffix) ids.add(entry.name.slice(0, -suffix.length));
  }
  return [...ids].sort();
}

/**
 * The run folders named: a folder holding stage files is a run; otherwise each folder directly
 * inside it that is one (so `runs/` lists every run). Names are the folders' base names, made
 * unique with the parent folder when two collide.
 */
export async function findRuns(paths: readonly string[]): Promise<{ name: string; dir: string }[]> {
  const dirs: string[] = [];
  for (const raw of paths) {
    const path = raw.replace(/\/+$/, "") || "/";
    if ((await stageIds(path)).length > 0) {
      dirs.push(path);
      continue;
    }
    const children: string[] = [];
    for await (const entry of Deno.readDir(path)) {
      if (entry.isDirectory && (await stageIds(`${path}/${entry.name}`)).length > 0) {
        children.push(`${path}/${entry.name}`);
      }
    }
    dirs.push(...children.sort());
  }
  const unique = [...new Set(dirs)];
  const base = (d: string) => d.split("/").pop()!;
  return unique.map((dir) => {
    const clash = unique.filter((d) => base(d) === base(dir)).length > 1;
    return { name: clash ? dir.split("/").slice(-2).join("/") : base(dir), dir };
  });
}

/** Reads a run folder's stages and decides each one's status. */
export async function readRun(name: string, dir: string): Promise<RunView> {
  const views = new Map<string, StageView>();
  for (const id of await stageIds(dir)) {
    const paths = stagePaths(dir, id);
    const manifest = await readManifest(paths.manifest);
    const view: StageView = {
      id,
      task: manifest?.task,
      status: "complete",
      inputs: manifest?.inputs?.map((i) => i.ref) ?? [],
      manifest,
      paths,
    };
    const failure = await readFailure(`${dir}/${id}.failed.json`);
    if (!manifest) {
      const journal = await readJournalAnyKey(paths.journal);
      if (journal) {
        view.progress = {
          units: journal.units,
          records: journal.records,
          rejects: journal.rejects,
          rejectReasons: journal.reasons,
        };
      }
      if (failure) {
        view.status = "failed";
        view.failure = failure;
        view.reason = failure.message;
      } else {
        view.status = "partial";
        view.reason = `stopped or still running after ${journal?.units ?? 0} units; ` +
          "run the pipeline again to resume";
      }
    } else if (gateFailed(manifest)) {
      view.status = "failed";
      view.reason = (manifest.summary.gate as { message: string }).message;
    }
    views.set(id, view);
  }
  markStale(views);
  return { name, dir, stages: pipelineOrder([...views.values()]) };
}

function gateFailed(manifest: Manifest): boolean {
  const gate = manifest.summary?.gate as { passed?: boolean } | undefined;
  return gate?.passed === false;
}

/**
 * A completed stage is stale when an input stage in the same run is missing, not complete, or
 * has written a different output than the one this stage read (the pipeline's own
 * `stageOutputHash`). Staleness flows downstream.
 */
function markStale(views: Map<string, StageView>): void {
  const visiting = new Set<string>();
  const check = (view: StageView): boolean => {
    if (view.status !== "complete") return view.status === "stale";
    if (visiting.has(view.id)) return false;
    visiting.add(view.id);
    for (const input of view.manifest!.inputs ?? []) {
      const upstream = views.get(input.ref);
      if (!upstream) continue; // a file or URL
      const m = upstream.manifest;
      let reason: string | undefined;
      if (!m) reason = `input stage "${input.ref}" has not completed`;
      else if (stageOutputHash(m) !== input.hash) {
        reason = `input stage "${input.ref}" has changed since this stage ran`;
      } else if (check(upstream)) reason = `input stage "${input.ref}" is stale`;
      if (reason) {
        view.status = "stale";
        view.reason = reason;
        return true;
      }
    }
    return false;
  };
  for (const view of views.values()) check(view);
}

/**
 * Stages ordered so every stage comes after its input stages; otherwise in the order they last
 * started (the pipeline's order, as far as the files tell), unfinished ones last.
 */
function pipelineOrder(stages: StageView[]): StageView[] {
  const started = (s: StageView) => s.manifest?.timings?.startedAt ?? "~";
  stages = stages.toSorted((a, b) =>
    started(a) < started(b) ? -1 : started(a) > started(b) ? 1 : 0
  );
  const ids = new Set(stages.map((s) => s.id));
  const placed = new Set<string>();
  const out: StageView[] = [];
  while (out.length < stages.length) {
    const next = stages.find((s) =>
      !placed.has(s.id) && s.inputs.every((r) =>
        !ids.has(r) || placed.has(r) || r === s.id
      )
    ) ?? stages.find((s) => !placed.has(s.id))!;
    placed.add(next.id);
    out.push(next);
  }
  return out;
}

/** A journal read whatever key it was written for (the viewer does not know the stage's key). */
async function readJournalAnyKey(path: string) {
  const first = await Deno.open(path).then(async (f) => {
    try {
      const buf = new Uint8Array(128);
      const n = await f.read(buf);
      return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\n")[0];
    } finally {
      f.close();
    }
  }).catch(() => null);
  return first === null ? null : await readJournal(path, first);
}

async function readFailure(path: string): Promise<StageView["failure"] | undefined> {
  if (!pathExists(path)) return undefined;
  try {
    const note = JSON.parse(await Deno.readTextFile(path));
    return { message: String(note.message), at: String(note.at) };
  } catch {
    return undefined;
  }
}

/**
 * Where an artifact the manifest names is now: manifests hold paths as the pipeline saw them
 * (relative to where it ran), so a run folder viewed from elsewhere, or moved, maps them by
 * their place inside the run folder.
 */
export function artifactPath(run: RunView, stage: StageView, path: string): string {
  const m = stage.manifest;
  if (!m) return path;
  const oldDir = m.output.slice(0, m.output.lastIndexOf("/"));
  return path.startsWith(`${oldDir}/`) ? `${run.dir}/${path.slice(oldDir.length + 1)}` : path;
}
