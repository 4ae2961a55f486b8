/**
 * Per-endpoint limits: how fast new requests may start (how many may be in flight is the
 * replica pool's job, `replicas.ts`).
 * @module
 */

/** Waits `ms` milliseconds (injectable so tests record delays instead of waiting). */
export type Sleep = (ms: number) => Promise<void>;

/** The real sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spaces request starts evenly so no more than `rpm` start in any minute (0 = no limit).
 * Starts are reserved in call order, so concurrent callers never share a start time.
 */
export class RatePacer {
  #next = 0;
  #rpm: number;
  #now: () => number;
  #sleep: Sleep;

  constructor(rpm: number, now: () => number, sleep: Sleep) {
    this.#rpm = rpm;
    this.#now = now;
    this.#sleep = sleep;
  }

  /** Resolves when the caller may start its request. */
  async wait(): Promise<void> {
    if (!this.#rpm) return;
    const now = this.#now();
    const start = Math.max(now, this.#next);
    this.#next = start + 60_000 / this.#rpm;
    if (start > now) await this.#sleep(start - now);
  }
}
