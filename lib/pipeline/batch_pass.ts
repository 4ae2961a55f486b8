/**
 * The batch-export pass of a stage: every unit is processed with clients that defer their
 * requests (the cache answers what it can, the rest goes to the batch file), nothing is
 * written, and the units that wait for a deferred request are counted. A stage with none
 * pending then runs for real, served from the cache.
 * @module
 */
import { RequestDeferred } from "../llm/batch.ts";
import type { StageContext, StageRunner } from "./stage.ts";

/** What the pass found. */
export interface PendingUnits {
  /** Units processed (after the ones a journal says are written). */
  units: number;
  /** Units that need a deferred request. */
  pending: number;
}

/**
 * Processes the units of `runner` after the first `skip` (already written by an earlier run)
 * as the stage would, `runner.concurrency` at a time, and counts the ones whose requests were
 * deferred. Any other failure stops the pass, as it would stop the stage.
 */
export async function pendingUnits<O, U, R>(
  runner: StageRunner<O, U, R>,
  ctx: StageContext<O>,
  skip: number,
): Promise<PendingUnits> {
  const iterator = runner.units(ctx)[Symbol.asyncIterator]();
  for (let i = 0; i < skip; i++) if ((await iterator.next()).done) break;
  const found: PendingUnits = { units: 0, pending: 0 };
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined) {
      const next = await iterator.next();
      if (next.done) return;
      found.units++;
      try {
        await runner.process(next.value, ctx);
      } catch (err) {
        if (err instanceof RequestDeferred) found.pending++;
        else failure ??= err;
      }
    }
  };
  const concurrency = Math.max(1, runner.concurrency?.(ctx) ?? 1);
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    // The units generator's clean-up (a spool file, an open input) runs on failure too.
    await iterator.return?.(undefined).catch(() => {});
  }
  if (failure !== undefined) throw failure;
  return found;
}
