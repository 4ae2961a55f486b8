/**
 * Bringing a pair's samples together for trainers that score one sample per call. J1's
 * pointwise reward (score of the chosen response > score of the rejected one) and the
 * consistency reward (right in both orders) need the pair's other sample; OpenRLHF ≥ 0.9.1
 * posts every sample alone and verl's default reward loop scores samples one by one, so a
 * sample that needs a partner missing from its own request waits here, bounded, until the
 * partner arrives, and both are scored together as the rollout stage scores them.
 *
 * Sample numbering: the k-th sample of a task to reach the server (counting every request, in
 * arrival order; within one request, in request order) is its sample k. Sample k of one side
 * (order `AB`, or the chosen response) is paired with sample k of the other side, as the rollout
 * stage pairs sample i with sample i. With `consistency: "by-majority"` the partner is the other
 * order's whole group, so samples are gathered by rounds of `groupSize`.
 * @module
 */
import {
  type LabelledResponse,
  labelTask,
  scoreResponses,
  type TaskLabel,
} from "../judge/label.ts";
import { parseJudgment } from "../judge/parse.ts";
import type { RewardConfig, SampleGroup, ScoredSample } from "../judge/rewards.ts";
import { scorePairGroups } from "../judge/rewards.ts";
import { HttpError } from "./http_error.ts";

/** How the server waits for partners. */
export interface PartnerOptions {
  /** How long a sample waits for its partner before it is scored alone (default 120,000 ms). */
  waitMs?: number;
  /**
   * When no sample at all has arrived for this long, every waiting sample is scored alone
   * (default 30,000 ms): a trainer that sends a step's samples and waits for their rewards
   * sends no partner until they are answered, so waiting longer only stalls the step.
   */
  idleMs?: number;
  /** G, the samples per task, for `consistency: "by-majority"` (default 5, J1's). */
  groupSize?: number;
  /** Refuse (HTTP 409) a sample still alone after the wait instead of scoring it alone. */
  refuseAlone?: boolean;
}

/** One scored sample, and whether it was scored without its partner. */
export interface PartneredSample extends ScoredSample {
  /** True when the reward needed a partner that did not arrive within the wait. */
  alone: boolean;
}

/** Counts since the server started (the `/stats` route). */
export interface PartnerStats {
  /** Samples scored. */
  samples: number;
  /** Samples whose reward needed a partner, scored with it. */
  paired: number;
  /** Samples whose reward needed a partner, scored without it after the wait. */
  alone: number;
  /** Samples refused after the wait (`refuseAlone`). */
  refused: number;
  /** Samples waiting for their partner now. */
  waiting: number;
  /** The wait bound, in ms. */
  waitMs: number;
  /** The idle bound, in ms. */
  idleMs: number;
}

interface Waiter {
  parsed: ReturnType<typeof parseJudgment>;
  label: TaskLabel;
  resolve(s: PartneredSample): void;
  reject(err: Error): void;
}

/** The samples of one pair, judge, and round that are scored together. */
interface Slot {
  /** Per side (`AB`/`BA`, or `chosen`/`rejected`): the samples of the round, by index. */
  sides: Map<string, Waiter[]>;
  timer: ReturnType<typeof setTimeout>;
}

/** The rendezvous of a reward server: one per server, shared by every route. */
export class PartnerRendezvous {
  /** How rewards are combined and responses parsed. */
  readonly config: RewardConfig;
  readonly #waitMs: number;
  readonly #idleMs: number;
  #idle: ReturnType<typeof setTimeout> | undefined;
  readonly #groupSize: number;
  readonly #refuseAlone: boolean;
  /** Samples seen per task: the next sample's number. */
  readonly #seen = new Map<string, number>();
  readonly #slots = new Map<string, Slot>();
  readonly #stats = { samples: 0, paired: 0, alone: 0, refused: 0, waiting: 0 };

  /** A rendezvous for `config` (which rewards need partners) and `options`. */
  constructor(config: RewardConfig, options: PartnerOptions = {}) {
    this.config = config;
    this.#waitMs = options.waitMs ?? 120_000;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#groupSize = options.groupSize ?? 5;
    this.#refuseAlone = options.refuseAlone ?? false;
  }

  /** Counts since the start. */
  stats(): PartnerStats {
    return { ...this.#stats, waitMs: this.#waitMs, idleMs: this.#idleMs };
  }

  /**
   * Scores one request's samples (results in input order). Samples whose reward needs no
   * partner, and samples whose partners are in the same request, are scored at once; the
   * others wait for their partners. Rejects with a 409 `HttpError` for a sample still alone
   * after the wait when `refuseAlone` is set.
   */
  async score(responses: LabelledResponse[]): Promise<PartneredSample[]> {
    const out: Promise<PartneredSample>[] = new Array(responses.length);
    const alone: number[] = [];
    responses.forEach((r, i) => {
      if (needsPartner(r.label, this.config)) out[i] = this.#enter(r);
      else alone.push(i);
    });
    const scored = scoreResponses(alone.map((i) => responses[i]), this.config);
    alone.forEach((at, j) => out[at] = Promise.resolve({ ...scored[j], alone: false }));
    this.#stats.samples += responses.length;
    return await Promise.all(out);
  }

  /** Scores every waiting sample alone (idle, or the server is closing). */
  close(): void {
    clearTimeout(this.#idle);
    for (const key of [...this.#slots.keys()]) this.#finish(key, true);
  }

  #enter(r: LabelledResponse): Promise<PartneredSample> {
    const { label } = r;
    const k = this.#seen.get(label.taskId) ?? 0;
    this.#seen.set(label.taskId, k + 1);
    const size = label.mode !== "pointwise" && this.config.consistency === "by-majority"
      ? this.#groupSize
      : 1;
    const key = [label.pairId, label.mode, label.template, Math.floor(k / size)].join("\u0000");
    const slot = this.#slots.get(key) ??
      {
        sides: new Map<string, Waiter[]>(),
        timer: setTimeout(() => this.#finish(key, true), this.#waitMs),
      };
    this.#slots.set(key, slot);
    const side = sideOf(label);
    const samples = slot.sides.get(side) ?? [];
    slot.sides.set(side, samples);
    this.#stats.waiting++;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.close(), this.#idleMs);
    const result = new Promise<PartneredSample>((resolve, reject) => {
      samples[k % size] = {
        parsed: parseJudgment(label.mode, r.text, r.reasoning, this.config.parse),
        label,
        resolve,
        reject,
      };
    });
    const full = (s: Waiter[] | undefined) => s?.filter(Boolean).length === size;
    if (slot.sides.size === 2 && [...slot.sides.values()].every(full)) this.#finish(key, false);
    if (!this.#slots.size) clearTimeout(this.#idle);
    return result;
  }

  /** Scores the slot's samples together and answers their requests. */
  #finish(key: string, expired: boolean): void {
    const slot = this.#slots.get(key)!;
    this.#slots.delete(key);
    clearTimeout(slot.timer);
    const sides = [...slot.sides.values()].map((s) => s.filter(Boolean));
    const groups: SampleGroup[] = sides.map((s) => ({
      task: labelTask(s[0].label),
      samples: s.map((w) => ({ parsed: w.parsed })),
    }));
    const scored = scorePairGroups(groups, this.config);
    sides.forEach((side, g) =>
      side.forEach((w, i) => {
        this.#stats.waiting--;
        if (!expired) {
          this.#stats.paired++;
          return w.resolve({ ...scored[g][i], alone: false });
        }
        if (this.#refuseAlone) {
          this.#stats.refused++;
          return w.reject(
            new HttpError(
              409,
              `task ${w.label.taskId}: expected its partner sample (pair ${w.label.pairId}, ` +
                `the other ${w.label.mode === "pointwise" ? "response" : "order"}) within ` +
                `${this.#waitMs} ms, found none: keep a pair's rows in one batch, or raise the wait`,
            ),
          );
        }
        this.#stats.alone++;
        w.resolve({ ...scored[g][i], alone: true });
      })
    );
  }
}

/**
 * Whether a sample's weighted reward depends on its pair's other sample: pointwise correctness
 * and wrongness (distant supervision), and consistency, when they are weighted.
 */
export function needsPartner(label: TaskLabel, config: RewardConfig): boolean {
  const weighted = (key: string) => (config.weights[key] ?? 0) !== 0;
  return label.mode === "pointwise"
    ? weighted("correct") || weighted("wrong")
    : weighted("consistent");
}

function sideOf(label: TaskLabel): string {
  return label.mode === "pointwise" ? label.target ?? label.label : label.order ?? label.label;
}
