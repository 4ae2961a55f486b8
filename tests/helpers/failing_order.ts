/**
 * Test helper: a judged pair and an endpoint that fails its AB order while the BA order is still
 * on its way, then recovers; for checking that a stage caches the response it paid for before it
 * stops, so a re-run asks again only for what failed.
 */
import assert from "node:assert/strict";
import { parsePipeline } from "../../lib/pipeline/config.ts";
import { StageStopped } from "../../lib/pipeline/execute.ts";
import { createProgress } from "../../lib/pipeline/progress.ts";
import { runPipeline } from "../../lib/pipeline/run.ts";
import { stages } from "../../lib/stages/mod.ts";

/** A preference row whose order is visible in a rendered judge prompt. */
export const ORDERED_PAIR = {
  prompt: "Which is right?",
  chosen: "CHOSEN-TEXT",
  rejected: "REJECTED-TEXT",
};

const quiet = createProgress({ tty: false, write: () => {} });

/**
 * Runs the pipeline made by `stagesOf(dir)` (endpoint `judge`, no retries) against an endpoint
 * that fails the AB order at once and answers BA 100 ms later: the run must stop after both
 * requests; once the endpoint recovers, the re-run must ask only for AB and take BA from the cache.
 */
export async function assertFailedOrderAskedAlone(
  stagesOf: (dir: string) => Promise<unknown[]>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  let asked = 0;
  let healthy = false;
  const failed = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    asked++;
    const prompt: string = (await req.json()).messages.at(-1).content;
    const ab = prompt.indexOf(ORDERED_PAIR.chosen) < prompt.indexOf(ORDERED_PAIR.rejected);
    if (ab && !healthy) {
      failed.resolve();
      return Response.json({ error: { message: "down" } }, { status: 500 });
    }
    if (!ab && !healthy) await failed.promise.then(() => new Promise((r) => setTimeout(r, 100)));
    const content = "<think>B answers the question.</think>\n<answer>[[B]]</answer>";
    return Response.json({ choices: [{ index: 0, message: { role: "assistant", content } }] });
  });
  try {
    const text = JSON.stringify({
      name: "t",
      runDir: `${dir}/run`,
      cache: `${dir}/cache.sqlite`,
      endpoints: {
        judge: { baseUrl: `http://127.0.0.1:${server.addr.port}/v1`, model: "m", maxRetries: 0 },
      },
      stages: await stagesOf(dir),
    });
    const run = () => runPipeline(parsePipeline(text, "p", stages), stages, { progress: quiet });
    await assert.rejects(run(), StageStopped);
    assert.equal(asked, 2, "both orders were asked");
    healthy = true;
    const outcomes = await run();
    assert.equal(outcomes.at(-1)!.manifest!.usage.cacheHits, 1, "BA came from the cache");
    assert.equal(asked, 3, "only AB was asked again");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `ORDERED_PAIR` as a one-row JSONL file in `dir`; its path. */
export async function orderedPairFile(dir: string): Promise<string> {
  const path = `${dir}/pairs.jsonl`;
  await Deno.writeTextFile(path, JSON.stringify(ORDERED_PAIR) + "\n");
  return path;
}
