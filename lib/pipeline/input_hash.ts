/**
 * What decides whether a stage's inputs changed: the content hash of a file, of every file
 * below a folder, and for an `http(s)://` URL the server's `ETag` / `Last-Modified` (asked with a
 * HEAD request). An `hf://` dataset, or a URL whose server gives neither, is hashed by its name:
 * a changed remote dataset is then noticed only with `--force`.
 * @module
 */
import { createHash } from "node:crypto";
import { UserError } from "../errors.ts";
import { sha256 } from "../ids.ts";

/** How long a HEAD request for a URL's validators may take before the URL counts as unknown. */
const HEAD_TIMEOUT_MS = 10_000;

/**
 * The hash of an input reference's content. `previous` is the hash a completed run recorded for
 * it: kept when a URL's server cannot be asked now, so an offline re-run stays up to date.
 */
export async function refHash(ref: string, previous?: string): Promise<string> {
  if (/^https?:\/\//.test(ref)) return await urlHash(ref) ?? previous ?? sha256(ref);
  if (/^hf:\/\//.test(ref)) return sha256(ref);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(ref);
  } catch (err) {
    throw new UserError(`cannot read input: ${(err as Error).message}`, { loc: { file: ref } });
  }
  return info.isDirectory ? await hashFolder(ref) : await hashFile(ref);
}

/** sha256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    using file = await Deno.open(path);
    // One reused buffer: a stream's fresh chunk per read would leave the whole file's worth of
    // buffers to the garbage collector (RSS grew by ~70 MB hashing a 150 MB input).
    const buffer = new Uint8Array(1 << 20);
    for (let n; (n = await file.read(buffer)) !== null;) hash.update(buffer.subarray(0, n));
  } catch (err) {
    throw new UserError(`cannot read input: ${(err as Error).message}`, { loc: { file: path } });
  }
  return hash.digest("hex");
}

/** sha256 over every file below a folder: relative paths (sorted) and content hashes. */
async function hashFolder(dir: string): Promise<string> {
  const entries: string[] = [];
  const walk = async (sub: string) => {
    const names = [];
    for await (const e of Deno.readDir(`${dir}${sub}`)) names.push(e);
    for (const e of names.sort((a, b) => a.name < b.name ? -1 : 1)) {
      const rel = `${sub}/${e.name}`;
      if (e.isDirectory) await walk(rel);
      else entries.push(`${rel}\t${await hashFile(`${dir}${rel}`)}`);
    }
  };
  await walk("");
  return sha256(entries.join("\n"));
}

/** A hash of a URL's `ETag` and `Last-Modified`, or undefined when the server gives neither. */
async function urlHash(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "HEAD",
      signal: AbortSignal.timeout(HEAD_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const etag = response.headers.get("etag");
    const modified = response.headers.get("last-modified");
    if (!response.ok || (!etag && !modified)) return undefined;
    return sha256(`${url}\n${etag ?? ""}\n${modified ?? ""}`);
  } catch {
    return undefined;
  }
}
