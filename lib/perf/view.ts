/**
 * The run viewer on a large rollout file: how long the first page, a filter and a text search
 * take, and what the offset index and columns cost in memory.
 * @module
 */
import process from "node:process";
import { median } from "../bench/bootstrap.ts";
import { openJsonlWriter } from "../io/jsonl.ts";
import type { Rollout } from "../records.ts";
import { buildColumns, filterRecords } from "../view/columns.ts";
import { indexLines, readHead, readRecordTexts, searchRecords } from "../view/lines.ts";
import type { Figure } from "./measure.ts";

/** A rollout of a realistic size (~1.3 KB of JSON: a 500-character thought, its full text). */
function syntheticRollout(i: number): Rollout {
  const sample = i % 5, slot = Math.floor(i / 5) % 8, pair = Math.floor(i / 40);
  const order = slot % 2 === 0 ? "AB" : "BA";
  const verdict = (i * 2654435761) % 7 < 4 ? "A" : "B";
  const thought = `Response ${verdict} addresses the question of item ${pair} more directly. `
    .repeat(8).slice(0, 500);
  const bad = i % 37 === 0;
  return {
    taskId: `task-${pair}-${slot}`,
    pairId: `pair-${pair}`,
    mode: slot < 4 ? "pairwise" : "pairwise-scores",
    template: slot % 4 < 2 ? "thinking" : "plan-execute",
    order,
    sample,
    text: `<think>\n${thought}\n</think>\n${bad ? "" : `[[${verdict}]]`}`.padEnd(620, " "),
    thought,
    ...(bad ? { parseError: "no_verdict" as const } : { verdict }),
    reward: !bad && verdict === (order === "AB" ? "A" : "B") ? 1 : 0,
    rewards: { correct: 0, format: 1, consistent: 0 },
    advantage: ((i % 11) - 5) / 5,
    usage: { promptTokens: 900, completionTokens: 180 },
  };
}

/** Wall and CPU seconds of `fn` (CPU: this process, all threads; on a shared VM the wall
 * time also holds what other guests took). */
async function seconds<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const t = performance.now(), cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return [value, (performance.now() - t) / 1000, (used.user + used.system) / 1e6];
}

/**
 * Writes `n` synthetic rollouts, then times what the viewer does on first use: index the
 * offsets (the first page), build the columns (the first filter), a later page, a filter, and
 * a text search over the raw file.
 */
export async function viewer(dir: string, n: number): Promise<Figure[]> {
  const path = `${dir}/view-rollouts.jsonl`;
  const writer = await openJsonlWriter(path);
  for (let i = 0; i < n; i++) await writer.write(syntheticRollout(i));
  await writer.close();
  const size = (await Deno.stat(path)).size;
  const before = Deno.memoryUsage().rss;
  const [, headSeconds] = await seconds(() => readHead(path, 0, 50));
  const [index, indexSeconds, indexCpu] = await seconds(() => indexLines(path));
  // A page's latency is milliseconds: the median of 21 pages spread over the file.
  const pageTimes: number[] = [];
  for (let k = 0; k <= 20; k++) {
    const at = Math.floor((k / 20) * (n - 50));
    pageTimes.push((await seconds(() => readRecordTexts(index, at, at + 50)))[1]);
  }
  const pageSeconds = median(pageTimes);
  const [columns, columnSeconds, columnCpu] = await seconds(() => buildColumns(index, "rollout"));
  const [matched, filterSeconds] = await seconds(() =>
    Promise.resolve(filterRecords(columns, {
      categories: { "parse error": "no_verdict", order: "BA" },
      ranges: { reward: { max: 0 } },
    }))
  );
  const [, searchSeconds, searchCpu] = await seconds(() => searchRecords(index, 'pair-12345"'));
  const arrays = [
    index.starts,
    index.ends,
    ...Object.values(columns.categories).map((c) => c.codes),
    ...Object.values(columns.numbers),
    ...Object.values(columns.flags),
    ...(columns.itemOf ? [columns.itemOf.codes] : []),
  ].reduce((sum, a) => sum + a.byteLength, 0) / 2 ** 20;
  const rss = (Deno.memoryUsage().rss - before) / 2 ** 20;
  await Deno.remove(path);
  const label = `${n.toLocaleString("en")} rollouts, ${(size / 2 ** 30).toFixed(2)} GiB`;
  return [
    figure(
      "viewer: the first page, read from the file's start",
      headSeconds,
      "s",
      "while the offsets are indexed",
    ),
    figure(
      `viewer: offset index of ${label}`,
      indexSeconds,
      "s",
      `once per file, in the background; CPU ${indexCpu.toFixed(2)} s`,
    ),
    figure(
      "viewer: a page of 50 records (median of 21 over the file)",
      pageSeconds,
      "s",
      "goal < 0.1",
    ),
    figure(
      `viewer: columns of ${label}`,
      columnSeconds,
      "s",
      `once per file, in the background; CPU ${columnCpu.toFixed(2)} s`,
    ),
    figure(
      `viewer: a filter over the columns (${matched.length} records match)`,
      filterSeconds,
      "s",
      "goal < 0.5",
    ),
    figure(
      "viewer: a text search over the raw file",
      searchSeconds,
      "s",
      `one read of the file; CPU ${searchCpu.toFixed(2)} s`,
    ),
    figure(
      "viewer: offsets and columns (typed arrays)",
      arrays,
      "MB",
      `RSS grew by ${rss.toFixed(0)} MB (GC-dependent); the file is never held`,
    ),
  ];
}

const figure = (name: string, value: number, unit: string, reference: string): Figure => ({
  name,
  value,
  unit,
  reference,
});
