/**
 * The scaling-out measurements of `deno task bench`: requests/s through 1, 2 and 4 simulator
 * replicas, and the time and peak RSS of a batch export and import of many requests.
 * @module
 */
import { watchTask } from "./watch_task.ts";
import { readJsonl, writeJsonl } from "../io/jsonl.ts";
import { type Launched, launchEndpoint } from "../pipeline/launch.ts";
import { parsePipeline } from "../pipeline/config.ts";
import { createProgress } from "../pipeline/progress.ts";
import { runPipeline } from "../pipeline/run.ts";
import { stages } from "../stages/mod.ts";
import type { Figure } from "./measure.ts";
import { startHostMeter } from "./host.ts";
import { prefsFile } from "./prefs.ts";

const quiet = createProgress({ tty: false, write: () => {} });

/** A rollout pipeline over `prefs` against the endpoint `baseUrl` (one URL per replica). */
function rolloutPipeline(
  dir: string,
  name: string,
  prefs: string,
  baseUrl: string | string[],
  concurrency = 8,
) {
  return {
    name,
    runDir: `${dir}/${name}`,
    endpoints: { judge: { baseUrl, model: "sim", concurrency, timeoutMs: 10_000, maxRetries: 8 } },
    stages: [
      { id: "given", task: "pairs", inputs: [prefs] },
      {
        id: "rollout",
        task: "rollout",
        inputs: ["given"],
        options: { judge: "judge", samples: 5, exports: [] },
      },
    ],
  };
}

/** A simulator in its own process, as a real server would be: `latency` ms, `cap` slots. */
export function launchSim(latency: number, cap: number): Promise<Launched> {
  return launchEndpoint("bench", {
    command: [
      Deno.execPath(),
      "run",
      "-A",
      new URL("../../tasks/sim.ts", import.meta.url).pathname,
      "--latency-ms",
      String(latency),
      "--concurrency-cap",
      String(cap),
    ],
    urlPattern: "listening on (\\S+)",
  });
}

/**
 * Requests/s of the rollout stage through 1, 2 and 4 replicas, each a simulator process with
 * `cap` slots and `latency` ms per request (so a replica serves at most cap/latency), and the
 * endpoint's concurrency `cap` per replica. Ideal scaling is 2× and 4×.
 */
export async function replicas(
  dir: string,
  pairs: number,
  latency = 200,
  cap = 16,
): Promise<Figure[]> {
  const sims = await Promise.all([0, 1, 2, 3].map(() => launchSim(latency, cap)));
  try {
    const prefs = await prefsFile(dir, pairs);
    const rates: number[] = [];
    const cpu: number[] = [];
    const load: number[] = [];
    for (const n of [1, 2, 4]) {
      const urls = sims.slice(0, n).map((s) => s.url);
      const text = JSON.stringify(rolloutPipeline(dir, `replicas-${n}`, prefs, urls, cap));
      const meter = startHostMeter();
      const [, rollout] = await runPipeline(parsePipeline(text, "bench", stages), stages, {
        progress: quiet,
      });
      const m = rollout.manifest!;
      rates.push(m.usage.requests / m.timings.unitsSeconds);
      cpu.push(meter.cpuSeconds() / m.usage.requests);
      load.push(Deno.loadavg()[0]);
    }
    const capacity = cap / (latency / 1000);
    return [1, 2, 4].map((n, i) => ({
      name: `rollout requests/s through ${n} replica(s)`,
      value: rates[i],
      unit: "req/s",
      reference: `${(rates[i] / rates[0]).toFixed(2)}× one replica (ideal ${n}×); each replica ` +
        `${capacity} req/s (C=${cap}, ${latency} ms), ${pairs * 2} requests; client CPU ` +
        `${Math.round(cpu[i] * 1e6)} µs/request; load average ${load[i].toFixed(1)} on ` +
        `${navigator.hardwareConcurrency} cores`,
      ok: rates[i] >= 0.9 * n * rates[0],
    }));
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
}

/**
 * A batch export of `pairs` × 2 judge requests (no server), then the import of their answers
 * with the stage completing from the cache: each as `deno task pipeline` in its own process,
 * with its wall time and peak RSS.
 */
export async function batchFiles(dir: string, pairs: number): Promise<Figure[]> {
  const prefs = await prefsFile(dir, pairs);
  const file = `${dir}/batch.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify(rolloutPipeline(dir, "batch", prefs, "http://127.0.0.1:9/v1")),
  );
  const requests = `${dir}/batch-requests.jsonl`;
  const exported = await pipelineProcess(file, ["--batch-export", requests]);
  const output = `${dir}/batch-output.jsonl`;
  let n = 0;
  await writeJsonl(output, answers(readJsonl<{ custom_id: string }>(requests), () => n++));
  const imported = await pipelineProcess(file, ["--batch-import", output]);
  const figure = (what: string, run: Run, reference: string): Figure[] => [
    { name: `batch ${what} of ${n} requests: time`, value: run.seconds, unit: "s", reference },
    {
      name: `batch ${what} of ${n} requests: peak RSS`,
      value: run.peakMb,
      unit: "MB",
      reference: "goal < 500 MB",
      ok: run.peakMb > 0 && run.peakMb < 500,
    },
  ];
  return [
    ...figure("export", exported, `${(n / exported.seconds).toFixed(0)} requests/s written`),
    ...figure(
      "import + stage from the cache",
      imported,
      `${(n / imported.seconds).toFixed(0)} responses/s`,
    ),
  ];
}

/** Output lines answering each request with 5 short judgments. */
async function* answers(requests: AsyncIterable<{ custom_id: string }>, count: () => void) {
  const choices = Array.from({ length: 5 }, (_, index) => ({
    index,
    message: {
      role: "assistant",
      content: `<think>Compared.</think> Verdict: [[${"AB"[index % 2]}]]`,
    },
    finish_reason: "stop",
  }));
  for await (const { custom_id } of requests) {
    count();
    yield {
      id: "batch_req",
      custom_id,
      response: {
        status_code: 200,
        body: { choices, usage: { prompt_tokens: 700, completion_tokens: 50 } },
      },
      error: null,
    };
  }
}

/** Wall time and peak RSS of one process. */
export interface Run {
  /** Wall seconds. */
  seconds: number;
  /** Peak resident memory, sampled every 50 ms. */
  peakMb: number;
}

/** Runs `deno task pipeline <file> <args>` in its own process; its time and peak RSS. */
export async function pipelineProcess(file: string, args: string[] = []): Promise<Run> {
  const { seconds, peak } = await watchTask("pipeline.ts", [file, ...args]);
  return { seconds, peakMb: peak };
}
