import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { launchEndpoint } from "../lib/pipeline/launch.ts";
import { readUntil } from "./helpers/read_until.ts";

const PIPELINE = new URL("./helpers/launch_and_wait.ts", import.meta.url).pathname;

const hasSetpriv = Deno.build.os === "linux" &&
  new Deno.Command("setpriv", { args: ["--help"], stdout: "null", stderr: "null" }).outputSync()
    .success;

/**
 * Starts the pipeline stand-in, kills it with `signal` once its server is up, and resolves when
 * every process that shares its stderr (itself, the server, the server's worker) has exited:
 * the pipe's end only comes when the last of them is gone, so no polling is needed. A server
 * left running would keep the pipe open: after 30 s the test fails (and cleans up).
 */
async function killPipeline(signal: Deno.Signal, serverArgs: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PIPELINE, ...serverArgs],
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.match(await readUntil(stdout, "ready"), /ready/);
  child.kill(signal);
  const status = await child.status;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const orphaned = new Promise<"orphaned">((resolve) => {
    timer = setTimeout(() => resolve("orphaned"), 30_000);
  });
  const closed = Promise.all([
    new Response(child.stderr).text(),
    (async () => {
      while (!(await stdout.read()).done) { /* drain */ }
    })(),
  ]).then(() => "closed" as const);
  const ended = await Promise.race([closed, orphaned]);
  clearTimeout(timer);
  if (ended === "orphaned") {
    Deno.kill(-child.pid, "SIGKILL");
    await closed;
  }
  return { status, ended };
}

const CATCHABLE: [Deno.Signal, number][] = [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]];

for (const [signal, code] of CATCHABLE) {
  Deno.test({
    name: `launch: ${signal} to the pipeline stops the started server and its workers`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      const { status, ended } = await killPipeline(signal, ["--fork"]);
      assert.equal(ended, "closed", "the server or its worker outlived the pipeline");
      assert.equal(status.code, code);
    },
  });
}

Deno.test({
  name: "launch: kill -9 of the pipeline still stops the server (setpriv --pdeathsig, Linux)",
  ignore: !hasSetpriv,
  fn: async () => {
    const { status, ended } = await killPipeline("SIGKILL", []);
    assert.equal(status.signal, "SIGKILL");
    assert.equal(ended, "closed", "the server outlived the pipeline");
  },
});

Deno.test("launch: a missing program or a bad urlPattern is a UserError", async () => {
  const table: [command: string[], urlPattern: string, message: RegExp][] = [
    [["no-such-program-j1kit"], "(\\S+)", /"no-such-program-j1kit" is not a program on PATH/],
    [["deno", "--version"], "(unclosed", /start\.urlPattern: expected a regex/],
  ];
  for (const [command, urlPattern, message] of table) {
    await assert.rejects(
      launchEndpoint("judge", { command, urlPattern }),
      (err) => err instanceof UserError && message.test(err.message),
    );
  }
});
