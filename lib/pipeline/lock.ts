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
  const me: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    startedAt: new Date().toISOString(),
  };
  const text = JSON.stringify(me) + "\n";
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createWith(path, text)) {
      return { path, release: () => removeIf(path, text) };
    }
    const held = await Deno.readTextFile(path).catch(() => undefined);
    if (held === undefined) continue; // released meanwhile
    const holder = parseHolder(held);
    if (holder && (holder.host !== me.host || isAlive(holder.pid))) {
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

/** Creates `path` with `text` only if it does not exist; the content is there from the start. */
async function createWith(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(temp, text);
  try {
    await Deno.link(temp, path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    throw err;
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

/** Whether a process of this host runs (a zombie, dead but not yet reaped, does not). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (macOS): the signal's answer stands
  }
}
