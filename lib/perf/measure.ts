/**
 * The performance and reliability measurements of `deno task bench`, each figure side by side
 * with its reference: throughput against the endpoint's capacity (and a plain `openai` loop),
 * prompt tokens per sample with `n` vs separate requests, scoring throughput and streaming
 * memory, cache re-runs, a fault soak, and crash-resume.
 * @module
 */
import OpenAI from "openai";
import { parsePipeline } from "../pipeline/config.ts";
import { createProgress } from "../pipeline/progress.ts";
import { runPipeline, type StageOutcome } from "../pipeline/run.ts";
import { createLlmClient, endpointDefaults } from "../llm/mod.ts";
import { grpoAdvantages, parseJudgment, scorePairGroups } from "../judge/mod.ts";
import type { JudgeTask, Pair } from "../records.ts";
import { readJsonl } from "../io/jsonl.ts";
import { requestSeed } from "../llm/request_seed.ts";
import { loadTemplate } from "../prompts/mod.ts";
import { judgeTasks } from "../stages/judge_tasks.ts";
import { type SimOptions, startSim } from "../sim/mod.ts";
import { stages } from "../stages/mod.ts";
import { median } from "../bench/bootstrap.ts";
import { crashResume } from "./crash.ts";
import { startHostMeter } from "./host.ts";
import { prefsFile } from "./prefs.ts";
import { wildchatFile } from "./wildchat.ts";
import { launchSim } from "./scaling.ts";
import { watchTask } from "./watch_task.ts";

/** One measured figure and what it is compared with. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  reference: string;
  ok?: boolean;
}

const quiet = createProgress({ tty: false, write: () => {} });

/** Sampling of the rollout runs (the stage's defaults, spelled out for the throughput baseline). */
const SAMPLING = { samples: 5, seed: 0, temperature: 1, topP: 1, maxTokens: 4096 };

/** Runs given pairs → rollout against `url`; returns the outcomes and the wall time. */
async function rolloutRun(
  dir: string,
  prefs: string,
  url: string,
  opts: { concurrency: number; samples: number; nSampling?: "native" | "separate"; name?: string },
): Promise<{ outcomes: StageOutcome[]; seconds: number }> {
  const text = JSON.stringify({
    name: opts.name ?? "bench",
    runDir: `${dir}/${opts.name ?? "bench"}`,
    endpoints: {
      judge: {
        baseUrl: url,
        model: "sim",
        concurrency: opts.concurrency,
        nSampling: opts.nSampling ?? "native",
        timeoutMs: 2000,
        maxRetries: 8,
      },
    },
    stages: [
      { id: "given", task: "pairs", inputs: [prefs] },
      {
        id: "rollout",
        task: "rollout",
        inputs: ["given"],
        options: {
          ...SAMPLING,
          judge: "judge",
          samples: opts.samples,
          exports: [],
        },
      },
    ],
  });
  const t0 = performance.now();
  const outcomes = await runPipeline(parsePipeline(text, "bench", stages), stages, {
    progress: quiet,
  });
  return { outcomes, seconds: (performance.now() - t0) / 1000 };
}

/**
 * 1. Achieved request rate of the rollout stage vs the simulator's capacity C/latency, and of a
 * plain `openai` loop sending the same requests. The two alternate for `rounds` rounds (each
 * stage run with a fresh run folder and cache) and the medians are reported with their range:
 * a shared 2-core VM drifts by several percent from one run to the next. `latency` (ms) sets the
 * simulator's; figure names carry it.
 */
export async function throughput(
  dir: string,
  pairs: number,
  rounds = 3,
  latency = 50,
): Promise<Figure[]> {
  const cap = 64;
  // The simulator runs in its own process, as a real server would (sharing the 2 cores here).
  const sim = await launchSim(latency, cap);
  try {
    // A short warm-up run first (its own run folder and cache): the figure is the steady
    // rate, not the JIT compiling the client on the first requests.
    const options = { concurrency: cap, samples: SAMPLING.samples };
    const run = (name: string) => ({ ...options, name: `${latency}ms-${name}` });
    await rolloutRun(dir, await prefsFile(dir, 100), sim.url, run("warm-up"));
    const prefs = await prefsFile(dir, pairs);
    let tasks: JudgeTask[] = [];
    const capacity = cap / (latency / 1000);
    const stage: { units: number; whole: number; finish: number; cpu: number }[] = [];
    const plain: { rate: number; cpu: number }[] = [];
    const steal: (number | undefined)[] = [];
    for (let round = 0; round < rounds; round++) {
      const meter = startHostMeter();
      const { outcomes } = await rolloutRun(dir, prefs, sim.url, run(`r${round}`));
      const m = outcomes[1].manifest!;
      const cpuSeconds = meter.cpuSeconds();
      if (round === 0) tasks = await promptsOf(outcomes[0].manifest!.output);
      // While requesting: from the stage's first unit to its last (the stage opening its
      // endpoint before, and its `finish` after — stats over the output — are reported apart).
      stage.push({
        units: m.usage.requests / m.timings.unitsSeconds,
        whole: m.usage.requests / m.timings.seconds,
        finish: m.timings.finishSeconds,
        cpu: cpuSeconds / m.usage.requests,
      });
      const loopMeter = startHostMeter();
      const rate = await plainLoop(sim.url, tasks, cap);
      plain.push({ rate, cpu: loopMeter.cpuSeconds() / tasks.length });
      steal.push(meter.stealShare());
    }
    const units = stage.map((s) => s.units), whole = stage.map((s) => s.whole);
    const share = (rates: number[]) =>
      `${rounds > 1 ? `median of ${rounds}, ${range(rates, capacity)}; ` : ""}${
        median(rates).toFixed(0)
      } req/s`;
    const stageCpu = Math.round(median(stage.map((s) => s.cpu)) * 1e6);
    const plainCpu = Math.round(median(plain.map((p) => p.cpu)) * 1e6);
    const steals = steal.filter((x) => x !== undefined);
    return [
      {
        name: `rollout requests/s vs capacity, ${latency} ms`,
        value: median(units) / capacity,
        unit: "share",
        reference: `goal >= 0.95; ${
          share(units)
        } of ${capacity} (C=${cap}, ${latency} ms, ${tasks.length} requests)`,
        ok: median(units) / capacity >= 0.95,
      },
      {
        name: `rollout stage incl. finish vs capacity, ${latency} ms`,
        value: median(whole) / capacity,
        unit: "share",
        reference: `${share(whole)}; finish (stats over the output) ${
          median(stage.map((s) => s.finish)).toFixed(2)
        } s`,
      },
      {
        name: `plain openai loop, same requests, vs capacity, ${latency} ms`,
        value: median(plain.map((p) => p.rate)) / capacity,
        unit: "share",
        reference: `baseline; ${share(plain.map((p) => p.rate))}`,
      },
      {
        name: `client CPU per request, rollout stage, ${latency} ms`,
        value: stageCpu,
        unit: "µs",
        reference: `plain loop ${plainCpu} µs; all threads of the process (cache worker, GC), ` +
          `whole run; one core drives ${(1e6 / stageCpu).toFixed(0)} requests/s`,
      },
      ...(steals.length
        ? [{
          name: `VM CPU steal during the throughput rounds, ${latency} ms`,
          value: median(steals) * 100,
          unit: "%",
          reference: `per round ${
            steals.map((x) => (x * 100).toFixed(1)).join(", ")
          }: CPU time the hypervisor gave to other guests; rates drop when it rises`,
        }]
        : []),
    ];
  } finally {
    await sim.stop();
  }
}

/** The judge prompts the rollout stage sends for the pairs of a Pair file, in order. */
async function promptsOf(pairs: string): Promise<JudgeTask[]> {
  const template = await loadTemplate("thinking", "pairwise");
  const tasks: JudgeTask[] = [];
  for await (const pair of readJsonl<Pair>(pairs)) tasks.push(...judgeTasks(pair, [template]));
  return tasks;
}

/**
 * Baseline: the stage's requests (prompts, n, seeds, sampling) through a plain `openai` client
 * loop with the same concurrency: what the SDK and this machine allow without the toolkit.
 * Returns requests/s.
 */
async function plainLoop(url: string, tasks: JudgeTask[], concurrency: number): Promise<number> {
  const client = new OpenAI({ baseURL: url, apiKey: "x", maxRetries: 0 });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await client.chat.completions.create({
        model: "sim",
        messages: task.messages,
        n: SAMPLING.samples,
        seed: requestSeed(SAMPLING.seed, SAMPLING.samples, task.id),
        temperature: SAMPLING.temperature,
        top_p: SAMPLING.topP,
        max_tokens: SAMPLING.maxTokens,
      });
    }
  }));
  return tasks.length / ((performance.now() - t0) / 1000);
}

/** `min–max` of rates as shares of `capacity`. */
function range(rates: number[], capacity: number): string {
  return `${(Math.min(...rates) / capacity).toFixed(3)}–${
    (Math.max(...rates) / capacity).toFixed(3)
  }`;
}

/** 2. Prompt tokens per judgment sample: one `n` request vs one request per sample. */
export async function tokensPerSample(g = 5): Promise<Figure[]> {
  const sim = await startSim({ seed: 1 });
  try {
    const messages = [{
      role: "user" as const,
      content: "Judge: which answer is better? ".repeat(40),
    }];
    const per = async (nSampling: "native" | "separate") => {
      const llm = createLlmClient(
        endpointDefaults({ name: "j", baseUrl: sim.url, model: "sim", nSampling }),
      );
      await llm.complete(messages, { n: g, seed: 1, temperature: 1 });
      return llm.stats().promptTokens / g;
    };
    const native = await per("native");
    const separate = await per("separate");
    return [{
      name: `prompt tokens per sample, n=${g} vs separate`,
      value: native / separate,
      unit: "ratio",
      reference: `goal 1/G = ${(1 / g).toFixed(2)}; ${native.toFixed(0)} vs ${
        separate.toFixed(0)
      } tokens`,
      ok: Math.abs(native / separate - 1 / g) < 0.01,
    }];
  } finally {
    await sim.close();
  }
}

/** 3a. Parse + reward + advantages on `n` synthetic rollouts, one core. */
export function scoring(n: number): Figure[] {
  const texts = [
    "<think>Criteria: accuracy. A is right, B is off.</think>\n<answer> [[A]] </answer>",
    "<think>B is better here, A misses the point.</think>\n<answer> [[B]] </answer>",
    "<think>Unsure, maybe [[A]]</think> final: <answer> [[B]] </answer>",
    "no thought, no verdict",
  ];
  const task = (order: "AB" | "BA"): JudgeTask => ({
    id: order,
    pairId: "p",
    mode: "pairwise",
    template: "thinking",
    order,
    messages: [],
    label: order === "AB" ? "A" : "B",
  });
  const g = 5;
  const t0 = performance.now();
  let done = 0;
  for (let i = 0; done < n; i++) {
    const groups = (["AB", "BA"] as const).map((o, k) => ({
      task: task(o),
      samples: Array.from({ length: g }, (_, s) => ({
        parsed: parseJudgment("pairwise", texts[(i + s + k) % texts.length]),
      })),
    }));
    const scored = scorePairGroups(groups, {
      weights: { correct: 1, consistent: 0.5 },
      consistency: "by-sample",
    });
    for (const group of scored) grpoAdvantages(group.map((s) => s.reward));
    done += 2 * g;
  }
  const rate = done / ((performance.now() - t0) / 1000);
  return [{
    name: `scoring ${n} rollouts (parse+reward+advantage)`,
    value: rate,
    unit: "records/s",
    reference: "one core",
  }];
}

/**
 * 3b. Peak RSS of a fresh process streaming an `n`-record JSONL through a stage (Linux), and of
 * the same run on `n/4` records.
 */
export async function streamingMemory(dir: string, n: number): Promise<Figure[]> {
  const quarter = await peakRss(dir, Math.floor(n / 4));
  return [memoryFigure(n, quarter, await peakRss(dir, n))];
}

/**
 * Judges peak RSS: under 200 MB, and flat (memory held per record would make the peak of `n`
 * records 4× that of `n/4`). Below about a million records V8's heap is still growing towards
 * its working size (100K records peak 20–30% above 25K), so smaller runs judge 200 MB only.
 */
export function memoryFigure(n: number, quarter: number, peak: number): Figure {
  const judgesFlat = n >= FLAT_FROM;
  return {
    name: `peak RSS streaming ${n} records through a stage`,
    value: peak,
    unit: "MB",
    reference: `goal < 200 MB, flat: ${quarter.toFixed(0)} MB for ${Math.floor(n / 4)} records` +
      (judgesFlat ? "" : ` (flatness judged from ${FLAT_FROM} records)`),
    ok: peak > 0 && peak < 200 && (!judgesFlat || peak <= quarter * 1.25),
  };
}

/** The smallest run whose peak RSS says whether memory is flat (past V8's heap warm-up). */
const FLAT_FROM = 1_000_000;

/** Peak RSS (MB) of `deno task pipeline` loading `n` generated pairs, sampled every 50 ms. */
async function peakRss(dir: string, n: number): Promise<number> {
  const prefs = await prefsFile(dir, n);
  const file = `${dir}/stream-${n}.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      name: "stream",
      runDir: `${dir}/stream-${n}`,
      stages: [{ id: "given", task: "pairs", inputs: [prefs] }],
    }),
  );
  return (await watchTask("pipeline.ts", [file])).peak;
}

/**
 * 3c. The seeds stage over a generated WildChat-like file (2% exact, 2% near duplicates, with
 * its defaults: both dedupes on): a 17,000 mix over `n` rows and over `4n` (memory of the
 * sample and an index of a few bytes a row, so flat), and no sampling over `4n` (a compact index). Each run is a fresh process
 * (`deno task seeds`); rows/s counts its whole wall time, start-up included.
 */
export async function seedsScale(dir: string, n: number, quota: number): Promise<Figure[]> {
  const run = async (rows: number, options: string[]) => {
    const input = `${dir}/wildchat-${rows}.jsonl`;
    if (!await Deno.stat(input).then(() => true, () => false)) await wildchatFile(dir, rows);
    const out = `${dir}/seeds-${rows}-${options.length}`;
    const r = await watchTask("seeds.ts", ["--input", input, "--out", out, ...options]);
    await Deno.remove(out, { recursive: true });
    return { ...r, rate: rows / r.seconds };
  };
  const mix = ["--mix", JSON.stringify({ chat: quota })];
  const small = await run(n, mix);
  const large = await run(4 * n, mix);
  const all = await run(4 * n, []);
  const full = n >= 250_000;
  const mb = (peak: number) => `${peak.toFixed(0)} MB`;
  // Peak RSS (MiB) added per row from n to 4n rows.
  const growth = (large.peak - small.peak) * 2 ** 20 / (3 * n);
  // The CPU time alongside: on a shared machine the wall time also counts other processes' turns.
  const took = (r: typeof small, rows: number) =>
    `${r.seconds.toFixed(1)} s, ${r.cpu.toFixed(1)} s CPU (${
      (rows / r.cpu).toFixed(0)
    } rows/CPU-s)`;
  return [
    {
      name: `seeds, ${quota} mix over ${n} WildChat-like rows: rows/s`,
      value: small.rate,
      unit: "rows/s",
      reference: `goal >= 20,000 rows/s; ${took(small, n)}`,
      ok: full ? small.rate >= 20_000 : undefined,
    },
    {
      name: `seeds, ${quota} mix over ${n} WildChat-like rows: peak RSS`,
      value: small.peak,
      unit: "MB",
      reference: "goal <= 300 MB",
      ok: full ? small.peak <= 300 : undefined,
    },
    {
      name: `seeds, ${quota} mix over ${4 * n} WildChat-like rows: peak RSS`,
      value: large.peak,
      unit: "MB",
      reference: `goal <= 300 MB, flat: ${mb(small.peak)} for ${n} rows, +${
        growth.toFixed(0)
      } bytes a row since (at most ${FLAT_BYTES_PER_ROW}); ${
        (4 * n / large.seconds).toFixed(0)
      } rows/s, ${took(large, 4 * n)}`,
      ok: full ? large.peak <= 300 && growth <= FLAT_BYTES_PER_ROW : undefined,
    },
    {
      name: `seeds, no sampling, ${4 * n} WildChat-like rows: peak RSS`,
      value: all.peak,
      unit: "MB",
      reference: `goal <= 1 GB; ${(4 * n / all.seconds).toFixed(0)} rows/s, ${took(all, 4 * n)}`,
      ok: full ? all.peak <= 1024 : undefined,
    },
  ];
}

/**
 * What "flat" allows a sampled seeds run per row read: the exact-duplicate index keeps 11–21 bytes
 * of every distinct row (first seen kept, as without sampling), and V8 sizes its heap with some
 * play; holding the rows themselves would cost ~1,800 bytes each (WildChat-like rows).
 */
const FLAT_BYTES_PER_ROW = 64;

/** 4. A re-run of a finished pipeline: requests made and wall time. */
export async function cacheRerun(dir: string, pairs: number): Promise<Figure[]> {
  const sim = await startSim({ seed: 1 });
  try {
    const prefs = await prefsFile(dir, pairs);
    const first = await rolloutRun(dir, prefs, sim.url, {
      concurrency: 16,
      samples: 5,
      name: "cache",
    });
    const before = sim.stats().requests["POST /v1/chat/completions"];
    const again = await rolloutRun(dir, prefs, sim.url, {
      concurrency: 16,
      samples: 5,
      name: "cache",
    });
    const made = sim.stats().requests["POST /v1/chat/completions"] - before;
    return [
      {
        name: "re-run of a finished pipeline: requests",
        value: made,
        unit: "requests",
        reference: "goal 0",
        ok: made === 0,
      },
      {
        name: "re-run wall time",
        value: again.seconds,
        unit: "s",
        reference: `first run ${first.seconds.toFixed(2)} s`,
      },
    ];
  } finally {
    await sim.close();
  }
}

/** 5. Soak under faults: records in = records out, none duplicated. */
export async function faultSoak(dir: string, pairs: number): Promise<Figure[]> {
  const faults: SimOptions["faults"] = {
    error500: 0.1,
    rateLimit429: 0.05,
    retryAfterMs: 20,
    hang: 0.02,
    hangCapMs: 3000,
    cut: 0.01,
    malformed: 0.01,
  };
  const sim = await startSim({ seed: 9, faults });
  try {
    const prefs = await prefsFile(dir, pairs);
    const { outcomes } = await rolloutRun(dir, prefs, sim.url, {
      concurrency: 32,
      samples: 2,
      name: "soak",
    });
    const m = outcomes[1].manifest!;
    const lines = (await Deno.readTextFile(m.output)).split("\n").filter(Boolean);
    const keys = new Set(lines.map((l) => {
      const r = JSON.parse(l);
      return `${r.taskId}:${r.sample}`;
    }));
    const expected = pairs * 2 * 2;
    const injected = Object.values(sim.stats().faults).reduce((a, b) => a + b, 0);
    return [{
      name: "fault soak: records out / expected, duplicates",
      value: lines.length / expected,
      unit: "share",
      reference: `${lines.length}/${expected} records, ${
        lines.length - keys.size
      } duplicated, ${injected} faults injected, ${m.usage.retries} retries, ${m.counts.rejects} rejects`,
      ok: lines.length === expected && keys.size === lines.length,
    }];
  } finally {
    await sim.close();
  }
}

/** 6. kill -9 at random points and resume: byte-identical output. */
export async function crash(kills: number, pairs: number): Promise<Figure[]> {
  const r = await crashResume({ kills, pairs, seed: 20 });
  return [{
    name: `crash: ${r.kills} kills -9, resumed`,
    value: r.identical ? 1 : 0,
    unit: "identical",
    reference:
      `${r.records} records; ${r.repeated} in-flight requests re-asked (clean run ${r.cleanRequests})`,
    ok: r.identical,
  }];
}
