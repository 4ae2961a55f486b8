import assert from "node:assert/strict";
import { captured } from "./helpers/captured.ts";
import { runStageCli } from "../lib/pipeline/cli.ts";
import { seedsStage } from "../lib/stages/seeds.ts";
import { evaluateStage } from "../lib/stages/evaluate.ts";
import { StageStopped } from "../lib/pipeline/execute.ts";
import { EndpointError, UserError } from "../lib/errors.ts";

Deno.test("stage CLI: an empty or root --out is refused before anything is written", async () => {
  for (const out of ["", "/"]) {
    const { code, stderr: err } = await captured(() =>
      runStageCli(seedsStage, ["--input", "fixtures/seeds/chat.jsonl", "--out", out])
    );
    assert.equal(code, 2);
    assert.match(err, /^--out: expected a folder path \(not empty, not the root folder\)/);
  }
  const { code, stderr: err } = await captured(() =>
    runStageCli(seedsStage, ["--input", "fixtures/seeds/chat.jsonl", "--cache", ""])
  );
  assert.equal(code, 2);
  assert.match(err, /^--cache: expected a file path, found string ""/);
});

Deno.test("stage CLI: a bad --baseline is refused before the first request", async () => {
  const { code, stderr: err } = await captured(() =>
    runStageCli(evaluateStage, [
      ...["--benchmark", "llmbar", "--data", "fixtures/bench/llmbar"],
      ...["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--baseline", "README.md"],
      ...["--out", Deno.makeTempDirSync()],
    ])
  );
  assert.equal(code, 2);
  assert.match(
    err,
    /^--baseline: expected a summary\.json written by evaluate, found "README\.md"/,
  );
});

Deno.test("a stopped stage suggests running again only when that may help", () => {
  const endpointDown = new StageStopped("s", 3, new EndpointError("http://h/v1", "unreachable"));
  assert.match(endpointDown.message, /3 unit\(s\) are written and kept; run again to resume\.$/);
  const mistake = new StageStopped("s", 3, new UserError("expected a Pair, found a string"));
  assert.doesNotMatch(mistake.message, /run again/);
});
