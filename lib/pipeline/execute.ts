/**
 * Runs one stage durably: units are processed concurrently but written in unit order, and a
 * journal records, after each write of finished units (at most every 200 ms), how many units
 * are done and how many bytes each output file holds. A killed stage resumes by truncating its files to the last journal entry and
 * skipping the units already written, so the final output equals an uninterrupted run. A
 * stage with a quota stops after the unit that meets it, decided in unit order as units are
 * written (a resumed stage recounts the records it had written).
 * @module
 */
import { EndpointError, UserError } from "../errors.ts";
import { jsonLine, readJsonl } from "../io/jsonl.ts";
import type { Reject, StageContext, StageRunner, UnitResult } from "./stage.ts";

const NOTHING: UnitResult<never> = { records: [], rejects: [] };

/** Where a stage's files live. */
export interface StagePaths {
  /** `<stage>.jsonl`: the records, in unit order. */
  output: string;
  /** `<stage>.rejects.jsonl`: the dropped records with their reasons. */
  rejects: string;
  /** `<stage>.journal`: units done and file sizes, for resuming after a kill. */
  journal: string;
  /** `<stage>.manifest.json`: written once the stage is complete. */
  manifest: string;
  /** A note `{message, at}` written when the stage stopped on an error (removed on success). */
  failed: string;
  /** The stage's artifact folder. */
  dir: string;
}

/** The stage files of `stageId` in `runDir`. */
export function stagePaths(runDir: string, stageId: string, dir?: string): StagePaths {
  const base = `${runDir}/${stageId}`;
  return {
    output: `${base}.jsonl`,
    rejects: `${base}.rejects.jsonl`,
    journal: `${base}.journal`,
    manifest: `${base}.manifest.json`,
    failed: `${base}.failed.json`,
    dir: dir ?? base,
  };
}

/** Counts of one stage execution. */
export interface ExecuteResult {
  units: number;
  records: number;
  rejects: number;
  rejectReasons: Record<string, number>;
  /** Units found already written (0 for a fresh start). */
  resumedUnits: number;
  summary: Record<string, unknown>;
  /** Time from the first unit to the last one written (the units' work, e.g. the requests). */
  unitsSeconds: number;
  /** Time spent in the runner's `finish` (summaries, exports), after the last unit. */
  finishSeconds: number;
}

/** Hooks for progress display, and the stage's limits. */
export interface ExecuteHooks {
  onUnit?(done: number, rejects: number): void;
  /**
   * The share of units the endpoint may refuse (`endpoint_rejected`); past it the stage fails
   * with {@linkcode StageRefused} instead of completing (undefined: no limit).
   */
  maxRejectedShare?: number;
}

interface JournalEntry {
  units: number;
  out: number;
  rej: number;
  records: number;
  rejects: number;
  reasons: Record<string, number>;
}

/** The key a journal is valid for: the stage's config and input hashes. */
export type JournalKey = string;

/**
 * Reads the journal: the last complete entry, if the journal was written for `key`.
 * A torn last line (the process died mid-write) is ignored.
 */
export async function readJournal(path: string, key: JournalKey): Promise<JournalEntry | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null;
  }
  const lines = text.split("\n");
  if (lines[0] !== key) return null;
  let last: JournalEntry = { units: 0, out: 0, rej: 0, records: 0, rejects: 0, reasons: {} };
  for (const line of lines.slice(1)) {
    if (!line.endsWith("}")) continue;
    try {
      last = JSON.parse(line);
    } catch {
      // A torn write: the entry before it stands.
    }
  }
  return last;
}

/**
 * A fatal failure of a stage, after the units before it were kept. Running again is suggested
 * only when it may help (an endpoint down, a disk full), not for a mistake in the user's input,
 * which a re-run would meet again.
 */
export class StageStopped extends Error {
  override name = "StageStopped";
  constructor(readonly stageId: string, readonly unitsKept: number, cause: unknown) {
    const next = cause instanceof UserError
      ? "a re-run resumes from them once this is fixed"
      : "run again to resume";
    super(
      `stage "${stageId}" stopped: ${(cause as Error)?.message ?? cause}\n` +
        `${unitsKept} unit(s) are written and kept; ${next}.`,
      { cause },
    );
  }
}

/**
 * A stage whose endpoint refused too many of its units: a wrong base URL or model answers every
 * request with 404, which must not pass for a finished, empty stage. The journal is removed, so
 * the next run asks the refused units again (the answers received are cached).
 */
export class StageRefused extends UserError {
  override name = "StageRefused";
  constructor(stageId: string, refused: number, units: number, share: number, answer: string) {
    super(
      `stage "${stageId}" failed: the endpoint refused ${refused} of ${units} unit(s), more than ` +
        `maxRejectedShare ${share}; it answered: ${answer}\n` +
        "No manifest was written. Check the endpoint's baseUrl (often ending in /v1), its model " +
        "name and the requests' size, then run again: answers already received are cached.",
      { exitCode: 1 },
    );
  }
}

/**
 * Largest gap between flushes of finished units, and the most bytes held before one. 64 KB
 * keeps the pending text young enough for the scavenger: with 1 MB, streaming a million records
 * promoted it to the old generation and peak RSS rose by ~35 MB, for no measurable speed-up.
 */
const FLUSH_MS = 200;
const FLUSH_BYTES = 1 << 16;

/**
 * Executes a stage into its files. `resume` = a journal entry to continue from (null: fresh).
 * The caller writes the manifest afterwards.
 */
export async function executeStage<O, U, R>(
  runner: StageRunner<O, U, R>,
  ctx: StageContext<O>,
  paths: StagePaths,
  key: JournalKey,
  resume: JournalEntry | null,
  hooks: ExecuteHooks = {},
): Promise<ExecuteResult> {
  const state: JournalEntry = resume ?? {
    units: 0,
    out: 0,
    rej: 0,
    records: 0,
    rejects: 0,
    reasons: {},
  };
  const resumedUnits = state.units;
  const out = await openAt(paths.output, state.out);
  const rej = await openAt(paths.rejects, state.rej);
  const journal = await Deno.open(paths.journal, {
    write: true,
    create: true,
    append: !!resume,
    truncate: !resume,
  });
  const enc = new TextEncoder();
  if (!resume) await writeAll(journal, enc.encode(`${key}\n`));

  const unitsStart = performance.now();
  const concurrency = Math.max(1, runner.concurrency?.(ctx) ?? 1);
  const windowSize = concurrency * 4;
  const iterator = runner.units(ctx)[Symbol.asyncIterator]();
  const done = new Map<number, { unit: U; result: UnitResult<R> }>();
  const quota = runner.quota?.(ctx);
  if (quota && resume) {
    for await (const record of readJsonl<R>(paths.output)) {
      quota.count(record);
    }
  }
  /** Set once the quota is met in unit order: nothing more is started or written. */
  let stopped = quota?.met() ?? false;
  let running = 0;
  /** Resolved when a unit settles (one promise per wait, not a race over every unit). */
  let settled = Promise.withResolvers<void>();
  let started = 0;
  let exhausted = stopped;
  let failure: unknown;
  /** What the endpoint answered to the first unit it refused in this execution. */
  let refusal: string | undefined;

  // Skip the units already written: unit order is deterministic.
  while (started < resumedUnits) {
    const next = await iterator.next();
    if (next.done) break;
    started++;
  }

  // Finished units are gathered and written together (at most every FLUSH_MS or FLUSH_BYTES),
  // then journaled: a kill loses only units not yet flushed, whose requests the response cache
  // answers again for free.
  let pendingOut = "";
  let pendingRej = "";
  let journaled = state.units;
  let lastFlush = Date.now();
  const flush = async () => {
    if (state.units === journaled) return;
    const recordBytes = enc.encode(pendingOut);
    const rejectBytes = enc.encode(pendingRej);
    await writeAll(out, recordBytes);
    await writeAll(rej, rejectBytes);
    state.out += recordBytes.length;
    state.rej += rejectBytes.length;
    await writeAll(journal, enc.encode(JSON.stringify(state) + "\n"));
    pendingOut = pendingRej = "";
    journaled = state.units;
    lastFlush = Date.now();
  };
  const writeReady = async () => {
    while (!stopped && done.has(state.units)) {
      const { unit, result: produced } = done.get(state.units)!;
      done.delete(state.units);
      const result = !quota || quota.wants(unit) ? produced : NOTHING;
      for (const record of result.records) quota?.count(record);
      pendingOut += result.records.map(jsonLine).join("");
      pendingRej += result.rejects.map(jsonLine).join("");
      state.units++;
      state.records += result.records.length;
      state.rejects += result.rejects.length;
      for (const r of result.rejects) {
        state.reasons[r.reason] = (state.reasons[r.reason] ?? 0) + 1;
        if (r.reason === REFUSED) refusal ??= r.detail;
      }
      hooks.onUnit?.(state.units, state.rejects);
      if (quota?.met()) stopped = exhausted = true;
    }
    if (
      pendingOut.length + pendingRej.length >= FLUSH_BYTES || Date.now() - lastFlush >= FLUSH_MS
    ) await flush();
  };

  try {
    while (true) {
      while (
        !exhausted && failure === undefined && running < concurrency &&
        started - state.units < windowSize
      ) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const index = started++;
        const unit = next.value;
        if (quota && !quota.wants(unit)) {
          done.set(index, { unit, result: NOTHING });
          continue;
        }
        running++;
        processUnit(runner, unit, ctx).then(
          (result) => done.set(index, { unit, result }),
          (err) => failure ??= err,
        ).finally(() => {
          running--;
          settled.resolve();
        });
        // Units that finished while this one was drawn are written now: a stage whose units
        // finish at once (rejects found while reading) would otherwise hold a window of them.
        if (done.has(state.units)) await writeReady();
      }
      if (running === 0) {
        // Only skipped units may be waiting: write them, then draw more.
        await writeReady();
        if (exhausted || failure !== undefined) break;
        continue;
      }
      await settled.promise;
      settled = Promise.withResolvers();
      await writeReady();
    }
    await writeReady();
    // A unit that failed after the quota was met would not have been written anyway.
    if (failure !== undefined && !stopped) {
      throw new StageStopped(ctx.stageId, state.units, failure);
    }
  } finally {
    // The units generator's own clean-up runs (a spool file, an open input) however the stage
    // stopped; its errors do not hide the stage's.
    await iterator.return?.(undefined).catch(() => {});
    // Whatever stopped the stage, the units already finished are written and journaled.
    await flush().finally(() => {
      out.close();
      rej.close();
      journal.close();
    });
  }

  const refused = state.reasons[REFUSED] ?? 0;
  if (hooks.maxRejectedShare !== undefined && refused > hooks.maxRejectedShare * state.units) {
    await Deno.remove(paths.journal);
    throw new StageRefused(
      ctx.stageId,
      refused,
      state.units,
      hooks.maxRejectedShare,
      refusal ?? `see ${paths.rejects}`,
    );
  }

  const finishing = performance.now();
  const unitsSeconds = (finishing - unitsStart) / 1000;
  const summary = runner.finish ? await runner.finish(ctx, () => readJsonl<R>(paths.output)) : {};
  const finishSeconds = (performance.now() - finishing) / 1000;
  return {
    units: state.units,
    records: state.records,
    rejects: state.rejects,
    rejectReasons: state.reasons,
    resumedUnits,
    summary,
    unitsSeconds,
    finishSeconds,
  };
}

/** The reject reason of a unit whose request the endpoint refused. */
const REFUSED = "endpoint_rejected";

async function processUnit<O, U, R>(
  runner: StageRunner<O, U, R>,
  unit: U,
  ctx: StageContext<O>,
): Promise<UnitResult<R>> {
  try {
    return await runner.process(unit, ctx);
  } catch (err) {
    if (err instanceof EndpointError && err.refusesRequest) {
      const reject: Reject = { reason: REFUSED, detail: err.message, record: unit };
      return { records: [], rejects: [reject] };
    }
    throw err;
  }
}

async function openAt(path: string, size: number): Promise<Deno.FsFile> {
  const file = await Deno.open(path, { write: true, create: true });
  await file.truncate(size);
  await file.seek(size, Deno.SeekMode.Start);
  return file;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
