/**
 * The replicas of one endpoint: several servers of one model behind one name. Each request goes
 * to the least-loaded healthy replica with a free slot (each replica has the endpoint's
 * concurrency); a replica that refuses connections, or answers with a streak of 5xx or
 * timeouts, is set aside for a while and then tried again.
 * @module
 */

/** What a failed attempt says about the replica that answered it. */
export type ReplicaHealth =
  /** The replica is not there (connection refused or cut): set aside at once. */
  | "down"
  /** A 5xx, a timeout or a malformed answer: set aside after a streak of them. */
  | "error"
  /** The request's own problem or backpressure (4xx, 429): says nothing about the replica. */
  | "ok";

/** How long replicas are set aside, and after how many errors in a row. */
export interface ReplicaHealthRules {
  /** Errors in a row that set a replica aside. */
  streak: number;
  /** First set-aside time; doubled each time the replica fails again on its return. */
  setAsideMs: number;
  /** Longest set-aside time. */
  maxSetAsideMs: number;
}

/** The default rules: 3 errors in a row; 2 s, doubling up to 60 s. */
export const DEFAULT_HEALTH_RULES: ReplicaHealthRules = {
  streak: 3,
  setAsideMs: 2_000,
  maxSetAsideMs: 60_000,
};

/** Counters of one replica, written into the stage manifest. */
export interface ReplicaStats {
  /** The replica's base URL. */
  url: string;
  /** Attempts sent to it. */
  requests: number;
  /** Attempts that failed (any error, including the request's own). */
  failures: number;
  /** Times it was set aside. */
  setAside: number;
  /** Total milliseconds of its attempts that got an answer. */
  latencyMs: number;
}

interface Replica {
  stats: ReplicaStats;
  inFlight: number;
  streak: number;
  /** Set aside until this time (ms of the pool's clock). */
  until: number;
  /** The next set-aside time. */
  setAsideMs: number;
}

/**
 * Hands out the replicas of one endpoint. Callers wait in arrival order for a slot; a freed
 * slot goes straight to the first waiter, so no late arrival overtakes it.
 *
 * @example
 * ```ts
 * import { ReplicaPool } from "./replicas.ts";
 * import assert from "node:assert/strict";
 * const pool = new ReplicaPool(["http://a/v1", "http://b/v1"], 1, () => "ok");
 * const urls = await Promise.all([1, 2].map(() => pool.run((i) => Promise.resolve(pool.url(i)))));
 * assert.deepEqual(urls, ["http://a/v1", "http://b/v1"]);
 * ```
 */
export class ReplicaPool {
  #replicas: Replica[];
  #slots: number;
  #health: (err: unknown) => ReplicaHealth;
  #now: () => number;
  #rules: ReplicaHealthRules;
  #waiting: ((replica: number) => void)[] = [];

  /**
   * `slots`: concurrency of each replica; `health`: what a failed attempt says about its
   * replica; `now`: the clock of set-aside times.
   */
  constructor(
    urls: string[],
    slots: number,
    health: (err: unknown) => ReplicaHealth,
    now: () => number = Date.now,
    rules: ReplicaHealthRules = DEFAULT_HEALTH_RULES,
  ) {
    if (!Number.isInteger(slots) || slots < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, found ${slots}`);
    }
    this.#replicas = urls.map((url) => ({
      stats: { url, requests: 0, failures: 0, setAside: 0, latencyMs: 0 },
      inFlight: 0,
      streak: 0,
      until: 0,
      setAsideMs: rules.setAsideMs,
    }));
    this.#slots = slots;
    this.#health = health;
    this.#now = now;
    this.#rules = rules;
  }

  /** The URL of replica `index`. */
  url(index: number): string {
    return this.#replicas[index].stats.url;
  }

  /** Whether some replica other than `index` is healthy now (a retry need not wait). */
  healthyBesides(index: number): boolean {
    const now = this.#now();
    return this.#replicas.some((r, i) => i !== index && r.until <= now);
  }

  /** Runs `attempt` on a replica once one has a free slot; its outcome updates the replica. */
  async run<T>(attempt: (replica: number) => Promise<T>): Promise<T> {
    let index = this.#waiting.length ? undefined : this.#pick();
    if (index === undefined) {
      index = await new Promise<number>((resolve) => this.#waiting.push(resolve));
    } else this.#replicas[index].inFlight++;
    const replica = this.#replicas[index];
    replica.stats.requests++;
    const started = performance.now();
    try {
      const result = await attempt(index);
      replica.stats.latencyMs += performance.now() - started;
      replica.streak = 0;
      replica.setAsideMs = this.#rules.setAsideMs;
      return result;
    } catch (err) {
      replica.stats.failures++;
      this.#failed(replica, this.#health(err));
      throw err;
    } finally {
      replica.inFlight--;
      this.#handOver();
    }
  }

  /** Counters of every replica. */
  stats(): ReplicaStats[] {
    return this.#replicas.map((r) => ({ ...r.stats }));
  }

  #failed(replica: Replica, health: ReplicaHealth): void {
    if (health === "ok") return;
    replica.streak++;
    if (health === "down" || replica.streak >= this.#rules.streak) {
      replica.until = this.#now() + replica.setAsideMs;
      replica.setAsideMs = Math.min(this.#rules.maxSetAsideMs, 2 * replica.setAsideMs);
      replica.streak = 0;
      replica.stats.setAside++;
    }
  }

  /** Gives freed slots to the callers waiting, first come first served. */
  #handOver(): void {
    while (this.#waiting.length) {
      const index = this.#pick();
      if (index === undefined) return;
      this.#replicas[index].inFlight++;
      this.#waiting.shift()!(index);
    }
  }

  /**
   * The least-loaded healthy replica with a free slot (fewest requests so far on a tie). When
   * every replica is set aside they are all tried: a fleet that is down then fails requests
   * with the servers' own answers instead of waiting forever.
   */
  #pick(): number | undefined {
    const now = this.#now();
    const anyHealthy = this.#replicas.some((r) => r.until <= now);
    let best: number | undefined;
    this.#replicas.forEach((r, i) => {
      if (r.inFlight >= this.#slots || (anyHealthy && r.until > now)) return;
      const b = best === undefined ? undefined : this.#replicas[best];
      if (
        !b || r.inFlight < b.inFlight ||
        (r.inFlight === b.inFlight && r.stats.requests < b.stats.requests)
      ) best = i;
    });
    return best;
  }
}

/** What one replica did between two snapshots of its counters (a stage's execution). */
export interface ReplicaUse {
  /** The replica's base URL. */
  url: string;
  /** Attempts sent to it. */
  requests: number;
  /** Attempts that failed. */
  failures: number;
  /** Times it was set aside as failing. */
  setAside: number;
  /** Mean milliseconds of its answered attempts (null: none answered). */
  meanLatencyMs: number | null;
}

/** What each replica did between two snapshots of its counters. */
export function replicaUse(after: ReplicaStats[], before: ReplicaStats[]): ReplicaUse[] {
  return after.map((a, i) => {
    const b = before[i];
    const answered = a.requests - b.requests - (a.failures - b.failures);
    return {
      url: a.url,
      requests: a.requests - b.requests,
      failures: a.failures - b.failures,
      setAside: a.setAside - b.setAside,
      meanLatencyMs: answered > 0 ? Math.round((a.latencyMs - b.latencyMs) / answered) : null,
    };
  });
}
