/**
 * Per-record columns of a stage's records, built in one pass over the file, so filters and
 * distributions over a million records read a few typed arrays instead of the file: categories
 * (mode, template, order, parse error, subset, reject reason…) as small codes, numbers
 * (reward, advantage, thought length, score) and yes/no flags (flipped between orders, wrong,
 * inconsistent, tied). What a flag means is decided by the same functions the metrics use.
 * @module
 */
import {
  correctness,
  isPointwise,
  orderOutcome,
  ORDERS,
  ordersAgree,
  parseFailures,
  pointwiseOutcome,
} from "../bench/decisions.ts";
import { flipKey } from "../judge/stats.ts";
import type { EvalItem, Rollout } from "../records.ts";
import { forEachRecord, type LineIndex } from "./lines.ts";

/** A category column: the distinct values, and each record's value as an index into them. */
export interface Category {
  /** Distinct values in first-seen order (`""` = the record has none). */
  values: string[];
  /** Per record, its value's index in `values`. */
  codes: Uint32Array;
}

/** The columns of one file. */
export interface Columns {
  /** Number of records. */
  count: number;
  /** Category columns by name. */
  categories: Record<string, Category>;
  /** Number columns by name (`NaN` = the record has none). */
  numbers: Record<string, Float64Array>;
  /** Flag columns by name (1 = yes). */
  flags: Record<string, Uint8Array>;
  /** Per record, the key of the item it belongs to (a rollout's pair); absent: the record itself. */
  itemOf?: Category;
}

/** What the columns of a kind of record hold, as functions of one record. */
interface Spec {
  categories: Record<string, (r: never) => string | undefined>;
  numbers: Record<string, (r: never) => number | undefined>;
  flags: Record<string, (r: never) => boolean>;
  item?: (r: never) => string;
}

/** The kinds of files the viewer knows the fields of; anything else is `records`. */
export type FileKind = "rollout" | "evaluate" | "rejects" | "records";

const TIED = (r: EvalItem["results"][number]) =>
  isPointwise(r) ? pointwiseOutcome(r) === 0 : ORDERS.some((o) => orderOutcome(r, o) === 0);

const SPECS: Record<Exclude<FileKind, "records">, Spec> = {
  rollout: {
    categories: {
      mode: (r: Rollout) => r.mode,
      template: (r: Rollout) => r.template,
      order: (r: Rollout) => r.order ?? r.target,
      "parse error": (r: Rollout) => r.parseError ?? "none",
    },
    numbers: {
      reward: (r: Rollout) => r.reward,
      advantage: (r: Rollout) => r.advantage,
      "thought length": (r: Rollout) => r.thought.length,
      "completion tokens": (r: Rollout) => r.usage?.completionTokens,
      score: (r: Rollout) => r.target ? r.scores?.score : undefined,
    },
    // Filled after the pass (it needs the rollout's twin in the other order).
    flags: {},
    item: (r: Rollout) => r.pairId,
  },
  evaluate: {
    categories: { subset: (r: EvalItem) => r.subset },
    numbers: {
      correctness: (r: EvalItem) =>
        r.results.reduce((a, c) => a + correctness(c), 0) / Math.max(1, r.results.length),
    },
    flags: {
      wrong: (r: EvalItem) => r.results.some((c) => correctness(c) < 1),
      inconsistent: (r: EvalItem) => r.results.some((c) => ordersAgree(c) === false),
      tied: (r: EvalItem) => r.results.some(TIED),
      "parse failure": (r: EvalItem) => r.results.some((c) => parseFailures(c).failed > 0),
    },
  },
  rejects: {
    categories: { reason: (r: { reason: string }) => r.reason },
    numbers: {},
    flags: {},
  },
};

/** Most distinct values a field of unknown records may have to be offered as a filter. */
const MAX_AUTO_VALUES = 64;

class CategoryBuilder {
  values: string[] = [];
  #index = new Map<string, number>();
  codes: Uint32Array;
  constructor(count: number) {
    this.codes = new Uint32Array(count);
  }
  set(line: number, value: string): void {
    let code = this.#index.get(value);
    if (code === undefined) {
      code = this.values.push(value) - 1;
      this.#index.set(value, code);
    }
    this.codes[line] = code;
  }
  done(): Category {
    return { values: this.values, codes: this.codes };
  }
}

/**
 * Builds the columns of a file of `kind`. Records of an unknown kind get a category column
 * for each top-level string field with at most 64 distinct values (e.g. a seed's `source` and
 * `kind`, a pair's `method`).
 */
export async function buildColumns(index: LineIndex, kind: FileKind): Promise<Columns> {
  const count = index.count;
  const spec = kind === "records" ? undefined : SPECS[kind];
  const categories = new Map<string, CategoryBuilder>();
  const dropped = new Set<string>();
  const numbers = new Map<string, Float64Array>();
  const flags = new Map<string, Uint8Array>();
  for (const name of Object.keys(spec?.categories ?? {})) {
    categories.set(name, new CategoryBuilder(count));
  }
  for (const name of Object.keys(spec?.numbers ?? {})) {
    numbers.set(name, new Float64Array(count).fill(NaN));
  }
  for (const name of Object.keys(spec?.flags ?? {})) flags.set(name, new Uint8Array(count));
  const item = spec?.item ? new CategoryBuilder(count) : undefined;
  const flips = kind === "rollout" ? new FlipMarker(count) : undefined;

  // Column and getter side by side, looked up once rather than per record.
  const cats = Object.entries(spec?.categories ?? {}).map(([n, get]) =>
    [categories.get(n)!, get] as const
  );
  const nums = Object.entries(spec?.numbers ?? {}).map(([n, get]) =>
    [numbers.get(n)!, get] as const
  );
  const flagged = Object.entries(spec?.flags ?? {}).map(([n, get]) =>
    [flags.get(n)!, get] as const
  );
  await forEachRecord(index, (record, line) => {
    if (!spec) {
      autoCategories(record, line, count, categories, dropped);
      return;
    }
    const r = record as never;
    for (const [column, get] of cats) column.set(line, get(r) ?? "");
    for (const [column, get] of nums) {
      const v = get(r);
      if (typeof v === "number") column[line] = v;
    }
    for (const [column, get] of flagged) if (get(r)) column[line] = 1;
    item?.set(line, spec.item!(r));
    flips?.add(record as Rollout, line);
  });
  if (flips) flags.set("flipped between orders", flips.flags);
  return {
    count,
    categories: Object.fromEntries(
      [...categories].filter(([name]) => !dropped.has(name)).map(([n, b]) => [n, b.done()]),
    ),
    numbers: Object.fromEntries(numbers),
    flags: Object.fromEntries(flags),
    ...(item ? { itemOf: item.done() } : {}),
  };
}

function autoCategories(
  record: unknown,
  line: number,
  count: number,
  categories: Map<string, CategoryBuilder>,
  dropped: Set<string>,
): void {
  if (!record || typeof record !== "object" || Array.isArray(record)) return;
  const fields = record as Record<string, unknown>;
  if (line === 0) {
    // The first record's string fields are the candidates.
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === "string") categories.set(key, new CategoryBuilder(count));
    }
  }
  for (const [key, builder] of categories) {
    if (dropped.has(key)) continue;
    const value = fields[key];
    builder.set(line, typeof value === "string" ? value : "");
    if (builder.values.length > MAX_AUTO_VALUES) dropped.add(key);
  }
}

/**
 * Marks both rollouts of a (pair, mode, template, sample) judged in both orders when the
 * verdict named the same letter in both: the pick followed the position (the rollout stats'
 * flip). Only unmatched halves are held.
 */
class FlipMarker {
  flags: Uint8Array;
  #pending = new Map<string, { order: string; verdict: string; line: number }>();
  constructor(count: number) {
    this.flags = new Uint8Array(count);
  }
  add(r: Rollout, line: number): void {
    if (!r.verdict || !r.order) return;
    const key = flipKey(r);
    const other = this.#pending.get(key);
    if (other && other.order !== r.order) {
      this.#pending.delete(key);
      if (other.verdict === r.verdict) this.flags[line] = this.flags[other.line] = 1;
    } else this.#pending.set(key, { order: r.order, verdict: r.verdict, line });
  }
}

/** A filter over columns: every condition must hold. */
export interface Filter {
  /** Category name → the value the record must have. */
  categories?: Record<string, string>;
  /** Flag names that must be set. */
  flags?: string[];
  /** Number name → inclusive bounds (either may be left out). */
  ranges?: Record<string, { min?: number; max?: number }>;
  /** A 0/1 mask the record must have set (e.g. a text search's hits). */
  mask?: Uint8Array;
}

/**
 * The positions of the records passing `filter`, in file order. An unknown category value or
 * flag matches nothing; an unknown column name is ignored.
 *
 * @example
 * ```ts
 * import { filterRecords, type Columns } from "./columns.ts";
 * import assert from "node:assert/strict";
 * const columns: Columns = {
 *   count: 3,
 *   categories: { mode: { values: ["pairwise", "pointwise"], codes: new Uint32Array([0, 1, 0]) } },
 *   numbers: { reward: new Float64Array([1, 0, 0]) },
 *   flags: {},
 * };
 * assert.deepEqual(filterRecords(columns, { categories: { mode: "pairwise" } }), [0, 2]);
 * assert.deepEqual(filterRecords(columns, { ranges: { reward: { max: 0 } } }), [1, 2]);
 * ```
 */
export function filterRecords(columns: Columns, filter: Filter): number[] {
  const tests: ((line: number) => boolean)[] = [];
  for (const [name, value] of Object.entries(filter.categories ?? {})) {
    const column = columns.categories[name];
    if (!column) continue;
    const code = column.values.indexOf(value);
    if (code < 0) return [];
    tests.push((line) => column.codes[line] === code);
  }
  for (const name of filter.flags ?? []) {
    const column = columns.flags[name];
    if (!column) return [];
    tests.push((line) => column[line] === 1);
  }
  for (const [name, { min, max }] of Object.entries(filter.ranges ?? {})) {
    const column = columns.numbers[name];
    if (!column) continue;
    if (min !== undefined) tests.push((line) => column[line] >= min);
    if (max !== undefined) tests.push((line) => column[line] <= max);
  }
  const mask = filter.mask;
  if (mask) tests.push((line) => mask[line] === 1);
  const out: number[] = [];
  for (let line = 0; line < columns.count; line++) {
    if (tests.every((t) => t(line))) out.push(line);
  }
  return out;
}

/** The positions of the records of the same item as `line` (a rollout's pair; else itself). */
export function itemLines(columns: Columns, line: number): number[] {
  const item = columns.itemOf;
  if (!item) return [line];
  const code = item.codes[line];
  const out: number[] = [];
  for (let i = 0; i < columns.count; i++) if (item.codes[i] === code) out.push(i);
  return out;
}
