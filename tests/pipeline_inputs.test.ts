import assert from "node:assert/strict";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import type { StageRunner } from "../lib/pipeline/stage.ts";
import { seedsStage } from "../lib/stages/seeds.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { synthStage } from "../lib/stages/synth.ts";
import { evaluateStage } from "../lib/stages/evaluate.ts";
import { refHash } from "../lib/pipeline/input_hash.ts";

/** A stage that copies its input's records, tagged with the text of a file an option names. */
const tagStage: StageRunner<{ tagFile: string }, { id: string }> = {
  task: "tag",
  description: "test stage",
  options: {
    tagFile: { type: "string", required: true, description: "a file", files: (f) => [f] },
  },
  async *units(ctx) {
    for (const input of ctx.inputs) yield* input.records() as AsyncIterable<{ id: string }>;
  },
  async process(seed, ctx) {
    const tag = await Deno.readTextFile(ctx.options.tagFile);
    return { records: [{ id: seed.id, tag }], rejects: [] };
  },
};
const registry = { seeds: seedsStage, tag: tagStage as unknown as StageRunner };

function plan(dir: string, input: string) {
  const text = JSON.stringify({
    name: "t",
    runDir: `${dir}/run`,
    cache: null,
    stages: [
      { id: "seeds", task: "seeds", inputs: [input] },
      { id: "tag", task: "tag", inputs: ["seeds"], options: { tagFile: `${dir}/tag.txt` } },
      { id: "again", task: "tag", inputs: ["tag"], options: { tagFile: `${dir}/other.txt` } },
    ],
  });
  return parsePipeline(text, "p.jsonc", registry, () => true);
}

/** Runs the pipeline (or its dry run) and returns the statuses, or the plan's lines. */
async function run(dir: string, input: string, dryRun = false) {
  const lines: string[] = [];
  const progress = createProgress({ tty: false, write: (t) => lines.push(t) });
  const outcomes = await runPipeline(plan(dir, input), registry, { progress, dryRun });
  return dryRun ? lines.join("") : outcomes.map((o) => o.status).join(" ");
}

Deno.test("inputs: a file an option names is hashed; editing it re-runs the stage and downstream", async () => {
  const dir = await Deno.makeTempDir();
  const input = `${dir}/seeds.jsonl`;
  await Deno.writeTextFile(input, '{"prompt": "What is 2 + 2?"}\n{"prompt": "Name a colour."}\n');
  await Deno.writeTextFile(`${dir}/tag.txt`, "v1");
  await Deno.writeTextFile(`${dir}/other.txt`, "x");
  assert.equal(await run(dir, input), "ran ran ran");
  assert.equal(await run(dir, input), "up-to-date up-to-date up-to-date");
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/run/tag.manifest.json`));
  assert.deepEqual(manifest.inputs.map((i: { ref: string }) => i.ref), [
    "seeds",
    `tagFile: ${dir}/tag.txt`,
  ]);

  await Deno.writeTextFile(`${dir}/tag.txt`, "v2");
  const dry = await run(dir, input, true);
  assert.match(dry, /seeds \[seeds\].* → up to date/);
  assert.match(
    dry,
    new RegExp(`tag \\[tag\\].* → run \\(input changed: tagFile: ${dir}/tag.txt\\)`),
  );
  assert.match(dry, /again \[tag\].* → run \(an input will change\)/);
  assert.equal(await run(dir, input), "up-to-date ran ran");
  const records = await Deno.readTextFile(`${dir}/run/tag.jsonl`);
  assert.match(records, /"tag":"v2"/);

  // A changed input file: --dry-run says so instead of "up to date".
  await Deno.writeTextFile(input, '{"prompt": "What is 3 + 3?"}\n', { append: true });
  assert.match(
    await run(dir, input, true),
    /seeds \[seeds\].* → run \(input changed: .*seeds\.jsonl\)/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("inputs: a URL is hashed by its ETag; an unreachable server keeps the recorded hash", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/tag.txt`, "v1");
  await Deno.writeTextFile(`${dir}/other.txt`, "x");
  let version = 1;
  const server = Deno.serve(
    { port: 0, onListen: () => {} },
    () =>
      new Response(`{"prompt": "Question version ${version}"}\n`, {
        headers: { etag: `"v${version}"` },
      }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/seeds.jsonl`;
  try {
    assert.equal(await run(dir, url), "ran ran ran");
    assert.equal(await run(dir, url), "up-to-date up-to-date up-to-date");
    version = 2;
    assert.match(await run(dir, url, true), /seeds \[seeds\].* → run \(input changed: http:/);
    assert.equal(await run(dir, url), "ran ran ran");
    assert.match(await Deno.readTextFile(`${dir}/run/seeds.jsonl`), /version 2/);
  } finally {
    await server.shutdown();
  }
  // Offline: the server cannot say, so what was recorded stands.
  assert.equal(await run(dir, url), "up-to-date up-to-date up-to-date");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("inputs: the stages list the files their options name, built-in templates included", () => {
  const rollout = rolloutStage.options.templates.files!(["thinking"], {
    modes: ["pairwise", "pointwise"],
  });
  assert.equal(rollout.length, 2);
  assert.match(rollout[0], /templates\/judge\/pairwise-thinking\.md$/);
  assert.match(rollout[1], /templates\/judge\/pointwise-thinking\.md$/);
  rollout.forEach((f) => Deno.statSync(f));
  assert.match(
    synthStage.options.mathTemplate.files!("solve-math", {})[0],
    /synth\/solve-math\.md$/,
  );
  assert.deepEqual(synthStage.options.mathTemplate.files!("my.md", {}), ["my.md"]);
  const o = { mode: "pairwise" };
  assert.deepEqual(evaluateStage.options.template.files!("mine.md", o), ["mine.md"]);
  assert.deepEqual(evaluateStage.options.data.files!("org/bench", o), ["hf://org/bench"]);
  assert.deepEqual(evaluateStage.options.data.files!("", o), []);
  assert.deepEqual(evaluateStage.options.baseline.files!("last/summary.json", o), [
    "last/summary.json",
  ]);
});

Deno.test("inputs: a folder is hashed over every file below it", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/a/b`, { recursive: true });
  await Deno.writeTextFile(`${dir}/a/b/dataset.json`, "[]");
  const before = await refHash(dir);
  assert.equal(await refHash(dir), before);
  await Deno.writeTextFile(`${dir}/a/b/dataset.json`, "[{}]");
  assert.notEqual(await refHash(dir), before);
  assert.equal(await refHash("hf://org/ds"), await refHash("hf://org/ds"));
  await Deno.remove(dir, { recursive: true });
});
