import assert from "node:assert/strict";
import { captured } from "./helpers/captured.ts";
import { runPipelineCli, runStageCli } from "../lib/pipeline/cli.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { seedsStage } from "../lib/stages/seeds.ts";
import { stages } from "../lib/stages/mod.ts";

const CHAT = new URL("../fixtures/seeds/chat.jsonl", import.meta.url).pathname;

Deno.test("stage CLI: an --out that cannot be a folder is a message and exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/a-file`;
  await Deno.writeTextFile(file, "");
  let unwritable = "/sys/j1kit-test";
  if (Deno.uid() !== 0 || Deno.build.os !== "linux") {
    unwritable = `${dir}/read-only`;
    await Deno.mkdir(unwritable, { mode: 0o555 });
  }
  const table: [out: string, message: RegExp][] = [
    [
      file,
      /^run folder \(--out\): expected a folder that can be written, found the file ".*a-file"$/,
    ],
    [`${file}/below`, /found ".*a-file\/below" below the file ".*a-file"$/],
    [unwritable, /found ".*" \(permission denied\)$/],
  ];
  for (const [out, message] of table) {
    const { code, stderr } = await captured(() =>
      runStageCli(seedsStage, ["--input", CHAT, "--out", out])
    );
    assert.equal(code, 2, out);
    assert.match(stderr, message);
  }
  // The response cache's folder, checked when the first endpoint is prepared.
  const { code, stderr } = await captured(() =>
    runStageCli(rolloutStage, [
      ...["--input", CHAT, "--out", `${dir}/out`, "--cache", `${file}/cache.sqlite`],
      ...["--base-url", "http://127.0.0.1:9/v1", "--model", "m"],
    ])
  );
  assert.equal(code, 2);
  assert.match(stderr, /^response cache .*: expected a folder that can be written, found the file/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stage CLI: endpoint flags follow the pipeline file's rules", async () => {
  const endpoint = [
    "--base-url",
    "http://127.0.0.1:9/v1",
    "--model",
    "m",
    "--out",
    Deno.makeTempDirSync(),
  ];
  const table: [flags: string[], message: RegExp][] = [
    [["--timeout-ms", "0"], /^--timeout-ms: expected an integer >= 1, found number 0$/],
    [
      ["--n-sampling", "bogus"],
      /^--n-sampling: expected a string \(one of "native", "separate"\), found string "bogus"$/,
    ],
    [["--concurrency", "0"], /^--concurrency: expected an integer >= 1, found number 0$/],
    [["--rpm=-1"], /^--rpm: expected an integer >= 0, found number -1$/],
  ];
  for (const [flags, message] of table) {
    const { code, stderr } = await captured(() =>
      runStageCli(rolloutStage, ["--input", CHAT, ...endpoint, ...flags])
    );
    assert.equal(code, 2, flags.join(" "));
    assert.match(stderr, message);
  }
});

Deno.test("pipeline: a deleted output of a completed stage names it and hints --force", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/p.jsonc`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      name: "hint",
      runDir: `${dir}/run`,
      stages: [
        { id: "seeds", task: "seeds", inputs: [CHAT] },
        { id: "again", task: "seeds", inputs: ["seeds"] },
      ],
    }),
  );
  assert.equal((await captured(() => runPipelineCli([file, "--only", "seeds"], stages))).code, 0);
  await Deno.remove(`${dir}/run/seeds.jsonl`);
  const { code, stderr } = await captured(() => runPipelineCli([file, "--only", "again"], stages));
  assert.equal(code, 2);
  assert.match(
    stderr,
    /needs the output of stage "seeds", .*seeds\.jsonl, which is missing: run again with --force seeds$/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stage CLI: an empty dataset finishes with a warning, not silently", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/empty.jsonl`, "\n");
  const seeds = new URL("../tasks/seeds.ts", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", seeds, "--input", `${dir}/empty.jsonl`, "--out", `${dir}/out`],
    stdout: "null",
  }).output();
  assert.equal(code, 0);
  assert.match(
    new TextDecoder().decode(stderr),
    /seeds: warning: no records written \(its inputs held none: an empty dataset or benchmark\?\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
