import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { lockPath, lockRunDir } from "../lib/pipeline/lock.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { stages } from "../lib/stages/mod.ts";

Deno.test("lock: a second run on the same folder is refused and told who holds it", async () => {
  const dir = await Deno.makeTempDir();
  const text = JSON.stringify({
    runDir: dir,
    cache: null,
    stages: [{ id: "pairs", task: "pairs", inputs: ["fixtures/seeds/prefs.jsonl"] }],
  });
  const config = parsePipeline(text, "p.jsonc", stages);
  const progress = createProgress({ tty: false, write: () => {} });
  const held = await lockRunDir(dir);
  try {
    await assert.rejects(
      runPipeline(config, stages, { progress }),
      (err: unknown) =>
        err instanceof UserError &&
        new RegExp(
          `run folder ${dir} is in use by another run: pid ${Deno.pid} on ${Deno.hostname()}, since 20\\d\\d-`,
        ).test(err.message) && err.message.includes(lockPath(dir)),
    );
    await assert.rejects(Deno.stat(`${dir}/pairs.jsonl`));
  } finally {
    await held.release();
  }
  // Released: the run goes ahead, and lets go of the lock when it ends.
  const [outcome] = await runPipeline(config, stages, { progress });
  assert.equal(outcome.status, "ran");
  await assert.rejects(Deno.stat(lockPath(dir)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lock: a lock left by a process that died is taken over", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", ""] }).spawn();
  await child.status; // its pid is now free
  const stale = { pid: child.pid, host: Deno.hostname(), startedAt: "2026-01-01T00:00:00Z" };
  await Deno.writeTextFile(lockPath(dir), JSON.stringify(stale));
  const lock = await lockRunDir(dir);
  assert.equal(JSON.parse(await Deno.readTextFile(lockPath(dir))).pid, Deno.pid);
  await lock.release();
  await assert.rejects(Deno.stat(lockPath(dir)));

  // A live process that took the pid over later is not the holder (Linux tells start times).
  if (Deno.build.os === "linux") {
    const reused = { pid: Deno.pid, host: Deno.hostname(), startedAt: "", processStart: "1" };
    await Deno.writeTextFile(lockPath(dir), JSON.stringify(reused));
    await (await lockRunDir(dir)).release();
  }

  // One from another host cannot be checked: it is reported, not taken.
  const remote = { pid: 1, host: "elsewhere.example", startedAt: "2026-01-01T00:00:00Z" };
  await Deno.writeTextFile(lockPath(dir), JSON.stringify(remote));
  await assert.rejects(lockRunDir(dir), /pid 1 on elsewhere\.example \(another host/);
  await Deno.remove(dir, { recursive: true });
});
