import assert from "node:assert/strict";
import { runStageCli } from "../lib/pipeline/cli.ts";
import { seedsStage } from "../lib/stages/seeds.ts";

/** Runs `fn` with `console.error` captured; returns its result and what it printed. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    return { code: await fn(), err: lines.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test("stage CLI: an empty or root --out is refused before anything is written", async () => {
  for (const out of ["", "/"]) {
    const { code, err } = await captured(() =>
      runStageCli(seedsStage, ["--input", "fixtures/seeds/chat.jsonl", "--out", out])
    );
    assert.equal(code, 2);
    assert.match(err, /^--out: expected a folder path \(not empty, not the root folder\)/);
  }
});
