/**
 * Starts a local server for an endpoint declared with an empty `baseUrl` and a `start`
 * command (the demo's simulator, or a user's own `vllm serve`), and reads its URL from stdout.
 *
 * The server never outlives the pipeline where the OS allows it to be stopped:
 * - on a normal end or an error, `stop()` (the pipeline runner calls it);
 * - on SIGTERM, SIGINT or SIGHUP (`timeout`, Ctrl-C, a job cancel), through `onTermination`;
 * - on Linux, if the pipeline dies without a chance to clean up (`kill -9`, OOM killer), the
 *   command runs under `setpriv --pdeathsig TERM` (util-linux ≥ 2.33), so the kernel sends it
 *   SIGTERM when the pipeline's main thread (the one that spawns) ends. Without such a
 *   `setpriv` (macOS, minimal images) a `kill -9` of the pipeline leaves the server running:
 *   stop it by hand.
 * The server runs in a process group of its own, and stopping signals the whole group, so
 * worker processes it forks (vLLM's engine, tensor-parallel ranks) stop with it.
 * @module
 */
import { UserError } from "../errors.ts";
import { readLines } from "../io/jsonl.ts";
import type { EndpointStart } from "./config.ts";
import { onTermination } from "./on_termination.ts";

/** A started server. */
export interface Launched {
  /** The base URL it printed. */
  url: string;
  /** Stops it (SIGTERM to its process group; SIGKILL after `graceMs`) and waits for it. */
  stop(): Promise<void>;
}

/** Options of {@linkcode launchEndpoint}. */
export interface LaunchOptions {
  /** How long to wait for the URL on stdout (default 60 s). */
  timeoutMs?: number;
  /** How long a stopped server may take before SIGKILL (default 10 s). */
  graceMs?: number;
}

/** Starts the command and waits (up to `timeoutMs`) for a stdout line matching `urlPattern`. */
export async function launchEndpoint(
  name: string,
  start: EndpointStart,
  opts: LaunchOptions = {},
): Promise<Launched> {
  const { timeoutMs = 60_000, graceMs = 10_000 } = opts;
  const what = `endpoint "${name}"`;
  let pattern: RegExp;
  try {
    pattern = new RegExp(start.urlPattern);
  } catch (err) {
    throw new UserError(
      `${what}: start.urlPattern: expected a regex, found ${(err as Error).message}`,
    );
  }
  const [cmd, ...args] = start.command;
  if (!findExecutable(cmd)) {
    throw new UserError(
      `${what}: cannot start ${start.command.join(" ")}: "${cmd}" is not a program on PATH`,
    );
  }
  const setpriv = pdeathsigWrapper();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(setpriv ?? cmd, {
      args: setpriv ? ["--pdeathsig", "TERM", "--", cmd, ...args] : args,
      stdout: "piped",
      stderr: "inherit",
      stdin: "null",
      detached: Deno.build.os !== "windows",
    }).spawn();
  } catch (err) {
    throw new UserError(
      `${what}: cannot start ${start.command.join(" ")}: ${(err as Error).message}`,
    );
  }
  let exited = false;
  child.status.then(() => exited = true);
  const signal = (sig: Deno.Signal) => {
    if (exited) return;
    try {
      // The negative pid names the process group the detached child leads.
      Deno.kill(Deno.build.os === "windows" ? child.pid : -child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      signal("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        child.status,
        new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs)),
      ]);
      clearTimeout(timer);
      signal("SIGKILL");
      await child.status;
      unregister();
    })();
  const unregister = onTermination(stop);

  const lines = readLines(child.stdout, { name: `stdout of ${cmd}` })[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`${what}: no URL on stdout after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const url = await Promise.race([
      (async () => {
        while (true) {
          const next = await lines.next();
          if (next.done) {
            throw new UserError(
              `${what}: ${start.command.join(" ")} exited without printing a URL`,
            );
          }
          const m = next.value.match(pattern);
          if (m) return m[1] ?? m[0];
        }
      })(),
      timeout,
    ]);
    // Keep draining stdout so the child never blocks on a full pipe.
    (async () => {
      while (!(await lines.next()).done) { /* discard */ }
    })().catch(() => {});
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

let wrapper: string | undefined | null = null;

/**
 * `setpriv`, if this is Linux and it has `--pdeathsig` (util-linux 2.33, 2018, and later; an
 * older one would refuse the option and the server would not start). Asked once.
 */
function pdeathsigWrapper(): string | undefined {
  if (wrapper !== null) return wrapper;
  wrapper = undefined;
  const path = Deno.build.os === "linux" ? findExecutable("setpriv") : undefined;
  if (path) {
    try {
      const help = new Deno.Command(path, { args: ["--help"], stdout: "piped", stderr: "null" })
        .outputSync();
      if (new TextDecoder().decode(help.stdout).includes("--pdeathsig")) wrapper = path;
    } catch {
      // Not runnable: start the command directly.
    }
  }
  return wrapper;
}

/** Whether `cmd` can be run: a path to a file, or a name found on PATH. */
function findExecutable(cmd: string): string | undefined {
  const isFile = (path: string) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  };
  if (cmd.includes("/") || cmd.includes("\\")) return isFile(cmd) ? cmd : undefined;
  const sep = Deno.build.os === "windows" ? ";" : ":";
  const exts = Deno.build.os === "windows" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const dir of (Deno.env.get("PATH") ?? "").split(sep)) {
    for (const ext of exts) {
      const path = `${dir || "."}/${cmd}${ext}`;
      if (isFile(path)) return path;
    }
  }
  return undefined;
}
