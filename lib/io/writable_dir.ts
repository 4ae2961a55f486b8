/**
 * Creating an output folder, with the reasons it can fail said in words: a file where the
 * folder should be, a file above it, no permission, a read-only file system.
 * @module
 */
import { dirname } from "node:path";
import { UserError } from "../errors.ts";

/**
 * Creates `path` (and its parents) if needed and checks that a file can be written in it.
 * Throws a {@linkcode UserError} that starts with `what` (e.g. `--out` or `runDir`).
 *
 * @example
 * ```ts
 * import { writableDir } from "./writable_dir.ts";
 * import assert from "node:assert/strict";
 * const file = await Deno.makeTempFile();
 * await assert.rejects(writableDir(file, "--out"), /expected a folder that can be written, found the file/);
 * ```
 */
export async function writableDir(path: string, what: string): Promise<void> {
  const fail = (found: string, cause?: unknown): never => {
    throw new UserError(`${what}: expected a folder that can be written, found ${found}`, {
      cause,
    });
  };
  const isFile = (p: string) => {
    try {
      return !Deno.statSync(p).isDirectory;
    } catch {
      return false;
    }
  };
  if (isFile(path)) fail(`the file "${path}"`);
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (err) {
    for (let above = dirname(path); above !== dirname(above); above = dirname(above)) {
      if (isFile(above)) fail(`"${path}" below the file "${above}"`, err);
    }
    fail(`"${path}" (${reason(err)})`, err);
  }
  try {
    await Deno.remove(await Deno.makeTempFile({ dir: path, prefix: ".j1kit-probe-" }));
  } catch (err) {
    fail(`"${path}" (${reason(err)})`, err);
  }
}

function reason(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  return (err as Error).message.replace(/ \(os error \d+\).*$/, "");
}
