/**
 * A spool: JSON values appended to a temporary file and read back by index in any order, so a
 * stage that must see its whole input before choosing (a sample, a shuffle) holds a few bytes an
 * entry in memory instead of the entries themselves.
 * @module
 */

import { Offsets } from "./offsets.ts";

/** Bytes gathered before a write. */
const CHUNK = 1 << 20;

/**
 * Values appended to `<dir>/.<name>.spool-<pid>` and read back by index; {@linkcode close}
 * removes the file. Memory: 8 bytes an entry and a 1 MB write buffer.
 *
 * @example
 * ```ts
 * import { Spool } from "./spool.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const spool = Spool.open(dir, "example");
 * const a = spool.append({ id: "a" });
 * const b = spool.append(["é", 2]);
 * assert.deepEqual([spool.read(b), spool.read(a), spool.length], [["é", 2], { id: "a" }, 2]);
 * spool.close();
 * assert.deepEqual([...Deno.readDirSync(dir)], []);
 * ```
 */
export class Spool {
  #file: Deno.FsFile;
  #path: string;
  /** Where each entry starts; entry `i` ends where `i + 1` starts (or at `#size`). */
  #starts = new Offsets();
  /** Bytes appended (written or still in the buffer). */
  #size = 0;
  /** Bytes written to the file. */
  #written = 0;
  #buffer = new Uint8Array(CHUNK);
  #buffered = 0;
  static #encoder = new TextEncoder();
  static #decoder = new TextDecoder();

  private constructor(file: Deno.FsFile, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /**
   * Creates the spool file in `dir` (made if missing), first removing the spools of this name
   * that a killed process left there (on Linux, where `/proc` says which processes live).
   */
  static open(dir: string, name: string): Spool {
    Deno.mkdirSync(dir, { recursive: true });
    removeOrphans(dir, name);
    const path = `${dir}/.${name}.spool-${Deno.pid}`;
    const file = Deno.openSync(path, { read: true, write: true, create: true, truncate: true });
    return new Spool(file, path);
  }

  /** How many values were appended. */
  get length(): number {
    return this.#starts.length;
  }

  /** Appends `value` (JSON-serialisable); returns its index. */
  append(value: unknown): number {
    const text = JSON.stringify(value);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.#buffered + text.length * 3 > this.#buffer.length) this.#flush();
    let bytes: number;
    if (text.length * 3 > this.#buffer.length) {
      const encoded = Spool.#encoder.encode(text);
      this.#writeAll(encoded);
      bytes = encoded.length;
    } else {
      bytes = Spool.#encoder.encodeInto(text, this.#buffer.subarray(this.#buffered)).written;
      this.#buffered += bytes;
    }
    this.#starts.push(this.#size);
    this.#size += bytes;
    return this.#starts.length - 1;
  }

  /** The value appended as entry `index` (one read of its bytes). */
  read(index: number): unknown {
    this.#check(index);
    this.#flush();
    const start = this.#starts.data[index];
    const length = this.#end(index) - start;
    if (length > this.#buffer.length) this.#buffer = new Uint8Array(length);
    this.#readAt(start, this.#buffer.subarray(0, length));
    return JSON.parse(Spool.#decoder.decode(this.#buffer.subarray(0, length)));
  }

  /**
   * Calls `visit(i, value)` for the entry `indices[i]` of each `i`, in file order, reading a
   * block of a megabyte (or one entry, if longer) at a time: many entries cost few reads.
   */
  scan(indices: readonly number[], visit: (i: number, value: unknown) => void): void {
    for (const index of indices) this.#check(index);
    this.#flush();
    const order = indices.map((_, i) => i).sort((a, b) => indices[a] - indices[b]);
    // The write buffer (flushed above) holds the block, grown only for a longer entry.
    let blockStart = 0;
    let blockEnd = 0;
    for (const i of order) {
      const start = this.#starts.data[indices[i]];
      const end = this.#end(indices[i]);
      if (start < blockStart || end > blockEnd) {
        if (end - start > this.#buffer.length) this.#buffer = new Uint8Array(end - start);
        const length = Math.min(this.#buffer.length, this.#size - start);
        blockStart = start;
        blockEnd = start + this.#readAt(start, this.#buffer.subarray(0, length));
      }
      const bytes = this.#buffer.subarray(start - blockStart, end - blockStart);
      visit(i, JSON.parse(Spool.#decoder.decode(bytes)));
    }
  }

  #check(index: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.#starts.length)) {
      throw new RangeError(`no spool entry ${index} of ${this.#starts.length}`);
    }
  }

  /** Where entry `index` ends. */
  #end(index: number): number {
    return index + 1 < this.#starts.length ? this.#starts.data[index + 1] : this.#size;
  }

  /** Fills `bytes` from the file at `start`; returns how many were read. */
  #readAt(start: number, bytes: Uint8Array): number {
    this.#file.seekSync(start, Deno.SeekMode.Start);
    let done = 0;
    while (done < bytes.length) {
      const n = this.#file.readSync(bytes.subarray(done));
      if (n === null) throw new Error(`${this.#path}: ended at byte ${start + done}`);
      done += n;
    }
    return done;
  }

  /** Closes and removes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // Already closed.
    }
    try {
      Deno.removeSync(this.#path);
    } catch {
      // Already removed.
    }
  }

  #flush(): void {
    if (!this.#buffered) return;
    this.#writeAll(this.#buffer.subarray(0, this.#buffered));
    this.#buffered = 0;
  }

  #writeAll(bytes: Uint8Array): void {
    this.#file.seekSync(this.#written, Deno.SeekMode.Start);
    for (let done = 0; done < bytes.length;) done += this.#file.writeSync(bytes.subarray(done));
    this.#written += bytes.length;
  }
}

/** Removes `<dir>/.<name>.spool-<pid>` files whose process is gone (only where `/proc` exists). */
function removeOrphans(dir: string, name: string): void {
  const alive = (pid: string) => {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive("self")) return;
  const prefix = `.${name}.spool-`;
  for (const entry of Deno.readDirSync(dir)) {
    const pid = entry.name.startsWith(prefix) ? entry.name.slice(prefix.length) : "";
    if (/^\d+$/.test(pid) && !alive(pid)) Deno.removeSync(`${dir}/${entry.name}`);
  }
}
