import assert from "node:assert/strict";
import { createProgress, type Every } from "../lib/pipeline/progress.ts";
import type { Activity } from "../lib/llm/types.ts";
import { countRecords } from "../lib/io/records.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { stages } from "../lib/stages/mod.ts";
import { type EvaluateOptions, evaluateStage } from "../lib/stages/evaluate.ts";
import { memoryInput, testContext } from "./helpers/stage.ts";

/** A clock and a timer the test moves by hand: no waiting, no wall clock. */
function fakeTime() {
  let t = 0;
  const timers = new Set<{ ms: number; next: number; fn: () => void }>();
  const every: Every = (ms, fn) => {
    const timer = { ms, next: t + ms, fn };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  const advance = (ms: number) => {
    const end = t + ms;
    while (true) {
      const due = [...timers].filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      t = due.next;
      due.next += due.ms;
      due.fn();
    }
    t = end;
  };
  return { now: () => t, every, advance, timers };
}

/** A progress display on fake time; `out` collects what it writes. */
function fakeProgress(tty: boolean, write?: (text: string) => void) {
  const time = fakeTime();
  const out: string[] = [];
  const progress = createProgress({
    tty,
    write: write ?? ((text) => out.push(text)),
    now: time.now,
    every: time.every,
  });
  return { time, out, progress };
}

Deno.test("progress: in a log, a stage whose requests hang still prints a line every 10 s", () => {
  const { time, out: lines, progress } = fakeProgress(false);
  const activity: Activity = { inFlight: 64, retrying: 0 };
  progress.start("rollout", 100, 0, () => activity);
  progress.update("rollout", 1, 0);
  time.advance(35_000); // no unit completes: every request is hanging
  const quiet = lines.slice(1);
  assert.equal(quiet.length, 3, lines.join(""));
  for (const line of quiet) {
    assert.match(line, /^rollout \[\.+\] 1\/100 units, .* 64 requests in flight \(\d+\.?\d*s\)\n$/);
  }
  activity.inFlight = 0;
  activity.retrying = 3;
  time.advance(10_000);
  assert.match(lines.at(-1)!, /0 requests in flight, 3 retrying/);
  progress.end("rollout", "rollout: done");
  assert.equal(time.timers.size, 0, "the timer stops with the stage");
});

Deno.test("progress: the gap between lines never exceeds the interval, units or not", () => {
  const at: number[] = [];
  const { time, progress } = fakeProgress(false, () => at.push(time.now()));
  progress.start("s", undefined, 0);
  for (let i = 1; i <= 60; i++) {
    time.advance(i % 7 === 0 ? 4_300 : 700);
    if (i % 3) progress.update("s", i, 0);
  }
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(gaps.length > 4);
  assert.ok(gaps.every((g) => g <= 10_000), gaps.join(" "));
});

Deno.test("progress: on a TTY, a bar with the total and an ETA", () => {
  const { time, out, progress } = fakeProgress(true);
  progress.start("synth", 10, 0);
  time.advance(5_000);
  progress.update("synth", 5, 1);
  assert.equal(
    out.at(-1),
    "\r\x1b[2Ksynth [##########..........] 5/10 units, 1.0/s ETA 5.0s, 1 rejected",
  );
  progress.end("synth", "synth: 10 records");
  assert.equal(time.timers.size, 0);
});

Deno.test("progress: a stage with one unit per input record knows its total", async () => {
  const dir = await Deno.makeTempDir();
  const prefs = `${dir}/prefs.jsonl`;
  const rows = await Deno.readTextFile(new URL("../fixtures/seeds/prefs.jsonl", import.meta.url));
  // Blank lines and CRLF endings are no records.
  await Deno.writeTextFile(prefs, `\n${rows.trim().split("\n").join("\r\n\r\n")}`);
  const table: [file: string, count: number | undefined][] = [
    [prefs, 6],
    [new URL("../fixtures/seeds/chat.parquet", import.meta.url).pathname, 10],
    [new URL("../fixtures/seeds/math.json", import.meta.url).pathname, undefined],
  ];
  for (const [file, count] of table) assert.equal(await countRecords(file), count, file);

  const config = parsePipeline(
    JSON.stringify({
      name: "totals",
      runDir: `${dir}/run`,
      stages: [{ id: "pairs", task: "pairs", inputs: [prefs] }],
    }),
    "p.jsonc",
    stages,
  );
  const totals: (number | undefined)[] = [];
  const progress = { ...createProgress({ tty: false, write: () => {} }) };
  const start = progress.start;
  progress.start = (id, total, from, activity) => {
    totals.push(total);
    start(id, total, from, activity);
  };
  await runPipeline(config, stages, { progress });
  assert.deepEqual(totals, [6]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("progress: evaluate counts a local benchmark's items (up to --limit), not a remote one", async () => {
  const llmbar = new URL("../fixtures/bench/llmbar/", import.meta.url).pathname;
  const table: [data: string, limit: number, total: number | undefined][] = [
    [llmbar, 0, 5],
    [llmbar, 3, 3],
    ["hf://org/remote-benchmark", 0, undefined],
  ];
  for (const [data, limit, total] of table) {
    const options = { benchmark: "llmbar", data, limit, mapping: {} } as unknown as EvaluateOptions;
    assert.equal(await evaluateStage.total!(testContext(options, [])), total, `${data} ${limit}`);
  }
  const viaInput = testContext({ benchmark: "llmbar", limit: 0 } as unknown as EvaluateOptions, [
    memoryInput(llmbar, []),
  ]);
  assert.equal(await evaluateStage.total!(viaInput), 5);
});
