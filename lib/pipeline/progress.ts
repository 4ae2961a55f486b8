/**
 * Progress of running stages: a redrawn bar per stage on a TTY, plain periodic lines otherwise
 * (CI logs). Drawing is throttled so a fast stage is never slowed by its display, and a timer
 * keeps it going while no unit completes: a stage waiting on a slow or hanging endpoint still
 * prints a line at least every `intervalMs` (10 s) in a log, with its requests in flight and
 * retrying, instead of falling silent.
 * @module
 */

import type { Activity } from "../llm/types.ts";

/** Receives progress events. */
export interface Progress {
  /**
   * A stage starts: its total units when known (for the bar and ETA), the units already done
   * by an earlier run, and where to read its endpoints' activity from.
   */
  start(
    stageId: string,
    total: number | undefined,
    resumedFrom: number,
    activity?: () => Activity,
  ): void;
  /** Units done so far and units rejected. */
  update(stageId: string, done: number, rejects: number): void;
  /** The stage ended (or stopped): its last line. */
  end(stageId: string, line: string): void;
  /** A line of information. */
  info(line: string): void;
}

/** A repeating timer: calls `fn` every `ms` until the returned function is called. */
export type Every = (ms: number, fn: () => void) => () => void;

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Draw a bar (TTY) or print periodic lines. */
  tty: boolean;
  /** Writes text to the display. */
  write: (text: string) => void;
  /** Milliseconds between plain lines (default 10000) or redraws (default 100). */
  intervalMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
  /** The timer that keeps the display going between units (tests pass their own). */
  every?: Every;
}

const realEvery: Every = (ms, fn) => {
  const id = setInterval(fn, ms);
  // A display never keeps the process alive on its own.
  Deno.unrefTimer(id);
  return () => clearInterval(id);
};

/** Creates the progress display. */
export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const every = opts.every ?? realEvery;
  const interval = opts.intervalMs ?? (opts.tty ? 100 : 10_000);
  // Without units completing: a redraw each second on a TTY, a line each interval in a log.
  const quiet = opts.tty ? Math.max(interval, 1000) : interval;
  const tick = quiet / 10;
  let current:
    | {
      id: string;
      total?: number;
      from: number;
      t0: number;
      last: number;
      done: number;
      rej: number;
      activity?: () => Activity;
      stopTimer: () => void;
    }
    | undefined;
  const line = () => {
    const c = current!;
    const seconds = Math.max((now() - c.t0) / 1000, 1e-3);
    const rate = (c.done - c.from) / seconds;
    const of = c.total !== undefined ? `/${c.total}` : "";
    const eta = c.total !== undefined && rate > 0
      ? ` ETA ${formatSeconds((c.total - c.done) / rate)}`
      : "";
    const bar = c.total ? `${barOf(c.done / c.total)} ` : "";
    const a = c.activity?.();
    const busy = a && (a.inFlight || a.retrying)
      ? `, ${a.inFlight} requests in flight${a.retrying ? `, ${a.retrying} retrying` : ""}`
      : "";
    return `${c.id} ${bar}${c.done}${of} units, ${
      rate.toFixed(1)
    }/s${eta}, ${c.rej} rejected${busy}` +
      (opts.tty ? "" : ` (${formatSeconds(seconds)})`);
  };
  const clear = opts.tty ? "\r\x1b[2K" : "";
  const draw = () => {
    current!.last = now();
    opts.write(opts.tty ? `${clear}${line()}` : `${line()}\n`);
  };
  return {
    start(id, total, from, activity) {
      current?.stopTimer();
      const t0 = now();
      const stopTimer = every(tick, () => {
        // Drawn a tick early rather than late, so the gap never exceeds `quiet`.
        if (current && now() - current.last >= quiet - tick) draw();
      });
      current = { id, total, from, t0, last: t0, done: from, rej: 0, activity, stopTimer };
      if (!opts.tty) opts.write(`${id}: started${from ? ` (resuming after ${from} units)` : ""}\n`);
    },
    update(id, done, rej) {
      if (!current || current.id !== id) return;
      current.done = done;
      current.rej = rej;
      if (now() - current.last < interval) return;
      draw();
    },
    end(_id, text) {
      current?.stopTimer();
      opts.write(`${clear}${text}\n`);
      current = undefined;
    },
    info(text) {
      opts.write(`${clear}${text}\n`);
    },
  };
}

function barOf(share: number): string {
  const width = 20;
  const full = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

/** `75s` → `1m15s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
