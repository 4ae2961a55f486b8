/**
 * Clean-up on termination signals. A pipeline killed by SIGTERM (`timeout`, a CI or cluster job
 * cancel), SIGINT (Ctrl-C) or SIGHUP (a closed terminal) first runs the registered clean-ups,
 * e.g. stopping the servers it started, then exits as the signal would have (128 + its number).
 * Stages need nothing here: their files are durable at every point (journal, atomic manifest).
 * @module
 */

const SIGNALS: Partial<Record<Deno.Signal, number>> = Deno.build.os === "windows"
  ? { SIGINT: 2 }
  : { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

// Signals are process-wide, so the registrations are too: one listener per signal, installed
// while something is registered.
const cleanups = new Set<() => Promise<void>>();
let exiting = false;

function onSignal(signal: Deno.Signal): void {
  if (exiting) return;
  exiting = true;
  console.error(`\n${signal}: stopping…`);
  Promise.allSettled([...cleanups].map((c) => c())).finally(() =>
    Deno.exit(128 + SIGNALS[signal]!)
  );
}

const listeners = new Map<Deno.Signal, () => void>();

/**
 * Runs `cleanup` if the process is asked to terminate (SIGINT, SIGTERM, SIGHUP; SIGINT only on
 * Windows) before the returned function is called, then exits with 128 + the signal's number.
 * SIGKILL cannot be caught: see `launchEndpoint` for what still stops a started server then.
 */
export function onTermination(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  if (listeners.size === 0) {
    for (const signal of Object.keys(SIGNALS) as Deno.Signal[]) {
      const listener = () => onSignal(signal);
      Deno.addSignalListener(signal, listener);
      listeners.set(signal, listener);
    }
  }
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size > 0) return;
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    listeners.clear();
  };
}
