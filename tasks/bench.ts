/**
 * `deno task bench [--quick] [--only a,b] [--out runs/bench.json]`: performance and reliability
 * figures, printed as a table and written as JSON. `--quick` uses small sizes (CI); `--only` runs
 * the named measurements (written to `runs/bench.<names>.json` unless `--out` says otherwise, so
 * the last full run's file stays).
 * @module
 */
import { dirname } from "node:path";
import { toolFlags } from "../lib/pipeline/cli.ts";
import * as m from "../lib/perf/measure.ts";
import { longLine, manyErrors } from "../lib/perf/inputs.ts";
import * as scaling from "../lib/perf/scaling.ts";
import { cpuModel } from "../lib/perf/host.ts";
import { mathEquivalence } from "../lib/perf/math.ts";
import { viewer } from "../lib/perf/view.ts";

/** One measurement: its figures, given a scratch folder and whether `--quick` was asked. */
type Measure = (dir: string, quick: boolean) => Promise<m.Figure[]> | m.Figure[];

/** The measurements, in run order. */
const MEASUREMENTS: Record<string, Measure> = {
  throughput: (dir, q) => m.throughput(dir, q ? 200 : 10_000, q ? 1 : 3),
  // A slower endpoint (capacity 256 req/s) for context: where the client's CPU stops mattering.
  "throughput-250ms": (dir, q) => m.throughput(dir, q ? 100 : 2_500, 1, 250),
  tokens: () => m.tokensPerSample(5),
  scoring: (_, q) => m.scoring(q ? 100_000 : 1_000_000),
  memory: (dir, q) => m.streamingMemory(dir, q ? 100_000 : 1_000_000),
  seeds: (dir, q) => q ? m.seedsScale(dir, 10_000, 1_700) : m.seedsScale(dir, 250_000, 17_000),
  cache: (dir, q) => m.cacheRerun(dir, q ? 100 : 1000),
  faults: (dir, q) => m.faultSoak(dir, q ? 100 : 500),
  crash: (_, q) => m.crash(q ? 5 : 20, q ? 60 : 200),
  inputs: async (dir, q) => [...await longLine(dir, q ? 2 : 20), ...manyErrors(q ? 3_200 : 32_000)],
  math: (_, q) => mathEquivalence(q ? 1 : 5),
  view: (dir, q) => viewer(dir, q ? 100_000 : 1_000_000),
  replicas: (dir, q) => scaling.replicas(dir, q ? 100 : 1_000),
  batch: (dir, q) => scaling.batchFiles(dir, q ? 5_000 : 50_000),
};
const NAMES = Object.keys(MEASUREMENTS);
const USAGE = `usage: deno task bench [--quick] [--only ${NAMES.join(",")}] [--out FILE]`;
let parsed;
try {
  parsed = toolFlags(Deno.args, {
    quick: { type: "boolean" },
    only: { type: "string" },
    out: { type: "string" },
  }, USAGE);
} catch (err) {
  console.error((err as Error).message);
  Deno.exit(2);
}
if (!parsed) Deno.exit(0);
const values = parsed;
const only = values.only?.split(",").map((name) => name.trim()).filter(Boolean);
const unknown = only?.filter((name) => !NAMES.includes(name)) ?? [];
if (only && (!only.length || unknown.length)) {
  console.error(
    `--only: ${unknown.length ? `unknown "${unknown.join(",")}"` : "no name given"}; ` +
      `expected a comma-separated list of ${NAMES.join(", ")}`,
  );
  Deno.exit(2);
}
const out = values.out ?? (only ? `runs/bench.${only.join("+")}.json` : "runs/bench.json");
// Checked before minutes of measuring, not after: the file is opened for writing (and removed
// again if it did not exist), so a folder, a read-only place or an empty name stop here.
try {
  if (!out) throw new Error("no file name");
  await Deno.mkdir(dirname(out), { recursive: true });
  const existed = await Deno.stat(out).then(() => true, () => false);
  (await Deno.open(out, { write: true, create: true })).close();
  if (!existed) await Deno.remove(out);
} catch (err) {
  console.error(`--out ${out}: cannot write the figures there (${(err as Error).message})`);
  Deno.exit(2);
}
const q = values.quick === true;
const dir = await Deno.makeTempDir({ prefix: "j1kit-bench-" });
const figures: m.Figure[] = [];
for (const [name, measure] of Object.entries(MEASUREMENTS)) {
  if (only && !only.includes(name)) continue;
  console.error(`bench: ${name}…`);
  figures.push(...await measure(dir, q));
}
await Deno.remove(dir, { recursive: true });
const machine = [
  `${Deno.build.os}/${Deno.build.arch}`,
  cpuModel(),
  `${navigator.hardwareConcurrency} cores`,
  `deno ${Deno.version.deno}`,
].filter(Boolean).join(", ");
const width = Math.max(...figures.map((f) => f.name.length));
console.log(`machine: ${machine}`);
for (const f of figures) {
  const value = Number.isInteger(f.value) || f.value >= 1000
    ? f.value.toFixed(0)
    : f.value.toFixed(3);
  const mark = f.ok === undefined ? " " : f.ok ? "✓" : "✗";
  console.log(
    `${mark} ${f.name.padEnd(width)}  ${value.padStart(10)} ${f.unit.padEnd(10)} ${f.reference}`,
  );
}
try {
  await Deno.writeTextFile(
    out,
    JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2) + "\n",
  );
} catch (err) {
  console.error(`${out}: the figures above were not written (${(err as Error).message})`);
  Deno.exit(1);
}
console.log(`written ${out}`);
