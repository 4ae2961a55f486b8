/**
 * One run at a time per run folder: a lock file naming its holder (pid, host, start time). Two
 * runs writing the same stage files would interleave records and journals. A lock left by a
 * process that died (kill -9, a crash) on this host is taken over; one held from another host
 * cannot be checked and is reported.
 * @module
 */
import process from "node:process";
import { UserError } from "../errors.ts";

/** Who holds a run folder. */
export interface LockHolder {
  /** The holder's process id. */
  pid: number;
  /** The host it runs on. */
  host: string;
  /** When it took the lock (ISO 8601). */
  startedAt: string;
  /**
   * The process's start time as Linux counts it (`/proc/<pid>/stat`), when known: a live process
   * with the same pid but another start time is not the holder (pids are reused, e.g. after a
   * container restarts).
   */
  processStart?: string;
}

/** A held lock. */
export interface RunLock {
  /** The lock file. */
  path: string;
  /** Removes the lock file, if it is still this process's. */
  release(): Promise<void>;
}

/** The lock file of a run folder. */
export function lockPath(runDir: string): string {
  return `${runDir}/run.lock`;
}

/**
 * Takes the lock of `runDir` (which must exist), or throws a {@linkcode UserError} naming the
 * run that holds it.
 */
export async function lockRunDir(runDir: string): Promise<RunLock> {
  const path = lockPath(runDir);
  const start = processStart(Deno.pid);
  const me: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    startedAt: new Date().toISOString(),
    ...(start ? { processStart: start } : {}),
  };
  const text = JSON.stringify(me) + "\n";
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createWith(path, text)) {
      return { path, release: () => removeIf(path, text) };
    }
    const held = await Deno.readTextFile(path).catch(() => undefined);
    if (held === undefined) continue; // released meanwhile
    const holder = parseHolder(held);
    if (holder && (holder.host !== me.host || runs(holder))) {
      const where = holder.host === me.host
        ? ""
        : " (another host: whether it still runs cannot be checked here)";
      throw new UserError(
        `run folder ${runDir} is in use by another run: pid ${holder.pid} on ${holder.host}${where}, ` +
          `since ${holder.startedAt}. Wait for it to end; if it is gone, remove ${path}.`,
      );
    }
    await takeOver(path, held);
  }
  throw new UserError(`could not take the lock ${path}: other runs keep taking it`);
}

/**
 * Creates `path` with `text` only if it does not exist. A hard link of a written file makes the
 * content be there from the start; where the file system has no hard links, the file is created
 * exclusively and then written.
 */
async function createWith(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(temp, text);
  try {
    await Deno.link(temp, path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    return await Deno.writeTextFile(path, text, { createNew: true }).then(() => true, (e) => {
      if (e instanceof Deno.errors.AlreadyExists) return false;
      throw e;
    });
  } finally {
    await Deno.remove(temp);
  }
}

/**
 * Removes a stale lock, unless another run replaced it meanwhile: the file is moved aside first
 * and put back if it is not the one found stale.
 */
async function takeOver(path: string, stale: string): Promise<void> {
  const aside = `${path}.stale.${Deno.pid}`;
  try {
    await Deno.rename(path, aside);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  if (await Deno.readTextFile(aside) !== stale) await Deno.link(aside, path).catch(() => {});
  await Deno.remove(aside);
}

async function removeIf(path: string, text: string): Promise<void> {
  if (await Deno.readTextFile(path).catch(() => undefined) === text) {
    await Deno.remove(path).catch(() => {});
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text);
    return Number.isSafeInteger(h?.pid) && typeof h.host === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder still runs on this host: its pid answers a signal, is not a zombie (dead,
 * not yet reaped), and, where Linux tells, started when the holder did.
 */
function runs(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
  const stat = procStat(holder.pid);
  if (!stat) return true; // no /proc (macOS): the signal's answer stands
  if (stat[0] === "Z") return false;
  return holder.processStart === undefined || stat[19] === holder.processStart;
}

/** The fields of `/proc/<pid>/stat` after the command name (state first), or undefined. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}
