/**
 * RM-Bench (THU-KEG/RM-Bench): loader for its JSON-array files and the official 3×3
 * style-matrix score (hard / normal / easy) per domain.
 * @module
 */
import { basename } from "node:path";
import type { BenchItem, ComparisonResult, EvalItem } from "../records.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import { bySubset, correctness, mean } from "./decisions.ts";
import { hasField, idField, instructionField, stringField, stringListField } from "./fields.ts";
import { isDataFile, listFiles, readRecords, recordError, type SourceRecord } from "./files.ts";

/** The four scored domains; `safety-refuse` and `safety-response` pool into `safety`. */
export const RMBENCH_DOMAINS = ["chat", "code", "math", "safety"] as const;

/** Known `subset` values of the per-domain files, for records with no other domain hint. */
const SUBSET_DOMAINS: Record<string, string> = {
  "alpacaeval": "chat",
  "bigcode/humanevalpack": "code",
  "xstest-should-refuse": "safety-refuse",
  "refusals-dangerous": "safety-refuse",
  "refusals-offensive": "safety-refuse",
  "xstest-should-respond": "safety-response",
};

/** The scored domain of a raw domain name (`safety-refuse` → `safety`), if any. */
export function rmbenchDomain(raw: string): string | undefined {
  return RMBENCH_DOMAINS.find((d) => raw.startsWith(d));
}

/** The raw domain: the `domain` field, else the file name (`chat.json`), else the subset. */
function rawDomain(rec: SourceRecord): string {
  if (hasField(rec, "domain")) return stringField(rec, "domain");
  const stem = basename(rec.loc.file).replace(/\.[^.]+$/, "");
  if (rmbenchDomain(stem)) return stem;
  const subset = rec.record.subset;
  if (typeof subset === "string" && subset in SUBSET_DOMAINS) return SUBSET_DOMAINS[subset];
  throw recordError(
    rec,
    `expected a "domain" field, a file named chat/code/math/safety-*.json, or a known "subset", found ${
      JSON.stringify(subset ?? null)
    } in ${basename(rec.loc.file)}`,
  );
}

function toItem(rec: SourceRecord): BenchItem {
  const raw = rawDomain(rec);
  const domain = rmbenchDomain(raw);
  if (domain === undefined) {
    throw recordError(rec, `field "domain": expected chat, code, math or safety-*, found "${raw}"`);
  }
  const chosen = stringListField(rec, "chosen", 3), rejected = stringListField(rec, "rejected", 3);
  return {
    benchmark: "rm-bench",
    subset: domain,
    // Ids restart per file, so the raw domain keeps them unique across files.
    itemId: `${raw}/${idField(rec, "id")}`,
    instruction: instructionField(rec, "prompt"),
    comparisons: chosen.flatMap((c, i) =>
      rejected.map((r, j) => ({ key: `${i},${j}`, chosen: c, rejected: r }))
    ),
    meta: { domain: raw, sourceSubset: rec.record.subset ?? null },
  };
}

/**
 * RM-Bench: JSON arrays of `{id, prompt, chosen[3], rejected[3], subset}` (+ `domain` in
 * `total_dataset.json`). Location: one file or a folder of them. 3 × 3 comparisons keyed
 * `i,j` (chosen style i vs rejected style j; styles = concise, detailed, detailed markdown);
 * subset = domain, safety pooled.
 */
export const rmbenchAdapter: BenchAdapter = {
  name: "rm-bench",
  description: "RM-Bench style-controlled pairs (chat, code, math, safety), hard/normal/easy",
  async *load(location) {
    for (const file of await listFiles(location, isDataFile, "RM-Bench .json files")) {
      for await (const rec of readRecords(file)) yield toItem(rec);
    }
  },
};

/** How right one comparison of an item is, in [0, 1]. */
export type ComparisonValue = (item: EvalItem, r: ComparisonResult) => number;

/**
 * The 3×3 matrix of one domain: cell [i][j] = mean over items of the comparison `i,j`'s
 * `value` (default: the official correctness, pairwise the share of judged orders right,
 * pointwise strict `>` of mean scores, ties wrong); `null` for a cell no item has.
 */
export function rmbenchMatrix(
  items: readonly EvalItem[],
  value: ComparisonValue = (_, r) => correctness(r),
): (number | null)[][] {
  return [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) =>
      mean(
        items.flatMap((item) =>
          item.results.filter((r) => r.key === `${i},${j}`).map((r) => value(item, r))
        ),
      )
    )
  );
}

/** hard = mean of the upper triangle (i<j), normal = the diagonal, easy = the lower triangle. */
export function matrixDifficulties(
  m: readonly (readonly (number | null)[])[],
): { hard: number | null; normal: number | null; easy: number | null } {
  const cells = (keep: (i: number, j: number) => boolean) =>
    mean(m.flatMap((row, i) => row.filter((v, j): v is number => v !== null && keep(i, j))));
  return {
    hard: cells((i, j) => i < j),
    normal: cells((i, j) => i === j),
    easy: cells((i, j) => i > j),
  };
}

/**
 * Official RM-Bench scores, in points (0–100):
 * - `rmbench/<domain>/hard|normal|easy`: {@linkcode matrixDifficulties} of the domain matrix;
 * - `rmbench/<domain>`: mean of the three (= mean of the 9 cells);
 * - `rmbench_hard`, `rmbench_normal`, `rmbench_easy`: unweighted means over the domains;
 * - `rmbench_score`: unweighted mean of the domain scores (4 when all are present).
 *
 * Headline first. `value` replaces the per-comparison correctness (J1's metric scores one
 * random order).
 */
export function rmbenchScores(
  items: readonly EvalItem[],
  value?: ComparisonValue,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const perDomain: { hard: number[]; normal: number[]; easy: number[]; score: number[] } = {
    hard: [],
    normal: [],
    easy: [],
    score: [],
  };
  for (const [domain, group] of bySubset(items)) {
    const d = matrixDifficulties(rmbenchMatrix(group, value));
    const score = mean([d.hard, d.normal, d.easy].filter((v): v is number => v !== null));
    out[`rmbench/${domain}`] = score === null ? null : 100 * score;
    if (score !== null) perDomain.score.push(100 * score);
    for (const k of ["hard", "normal", "easy"] as const) {
      out[`rmbench/${domain}/${k}`] = d[k] === null ? null : 100 * d[k]!;
      if (d[k] !== null) perDomain[k].push(100 * d[k]!);
    }
  }
  return {
    rmbench_score: mean(perDomain.score),
    rmbench_hard: mean(perDomain.hard),
    rmbench_normal: mean(perDomain.normal),
    rmbench_easy: mean(perDomain.easy),
    ...out,
  };
}
