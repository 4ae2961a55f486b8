/**
 * Compact storage for the duplicate indexes that grow with the input: hash sets and tables of
 * integer keys in typed arrays, and a list of ids in one byte buffer. No object or string is held per
 * entry, so a million entries cost megabytes, not the ~100 bytes each of a `Map` with number
 * keys above 2^31 (each one a heap number) and string values.
 * @module
 */
import { fmix32 } from "../hash32.ts";

/** Entries at which a table doubles, per slot (a load factor of 3/4). */
const MAX_LOAD = 0.75;
/** The key of an empty slot (keys are integers >= 0). */
const EMPTY = -1;

/**
 * A set of integer keys (0 ≤ key < 2^53), by open addressing with linear probing: 8 bytes a
 * slot, 11–21 bytes a key.
 *
 * @example
 * ```ts
 * import { KeySet } from "./table.ts";
 * import assert from "node:assert/strict";
 * const set = new KeySet();
 * set.add(2 ** 52 + 1);
 * assert.deepEqual([set.has(2 ** 52 + 1), set.has(1), set.size], [true, false, 1]);
 * ```
 */
export class KeySet {
  #keys = emptySlots(16);
  #size = 0;

  /** How many keys are held. */
  get size(): number {
    return this.#size;
  }

  /** Whether `key` was added. */
  has(key: number): boolean {
    return this.#keys[findSlot(this.#keys, key)] === key;
  }

  /** Adds `key`. */
  add(key: number): void {
    checkKey(key);
    if (this.#size + 1 > this.#keys.length * MAX_LOAD) {
      const old = this.#keys;
      this.#keys = emptySlots(old.length * 2);
      for (const k of old) if (k !== EMPTY) this.#keys[findSlot(this.#keys, k)] = k;
    }
    const i = findSlot(this.#keys, key);
    if (this.#keys[i] !== key) this.#size++;
    this.#keys[i] = key;
  }
}

/**
 * A map from integer keys (0 ≤ key < 2^53) to 32-bit unsigned values, by open addressing with
 * linear probing: 12 bytes a slot, 16–32 bytes an entry.
 *
 * @example
 * ```ts
 * import { KeyTable } from "./table.ts";
 * import assert from "node:assert/strict";
 * const table = new KeyTable();
 * table.set(2 ** 52 + 1, 7);
 * assert.equal(table.get(2 ** 52 + 1), 7);
 * assert.equal(table.get(1), undefined);
 * ```
 */
export class KeyTable {
  #keys: Float64Array;
  #values: Uint32Array;
  #size = 0;

  /** An empty table with room for `capacity` entries before it grows. */
  constructor(capacity = 16) {
    this.#keys = emptySlots(2 ** Math.ceil(Math.log2(Math.max(16, capacity / MAX_LOAD))));
    this.#values = new Uint32Array(this.#keys.length);
  }

  /** How many keys are held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.#keys.byteLength + this.#values.byteLength;
  }

  /** The value of `key`, or undefined. */
  get(key: number): number | undefined {
    const i = findSlot(this.#keys, key);
    return this.#keys[i] === key ? this.#values[i] : undefined;
  }

  /** Sets `key` to `value` (replacing an earlier value). */
  set(key: number, value: number): void {
    checkKey(key);
    if (this.#size + 1 > this.#keys.length * MAX_LOAD) this.#grow();
    const i = findSlot(this.#keys, key);
    if (this.#keys[i] !== key) this.#size++;
    this.#keys[i] = key;
    this.#values[i] = value;
  }

  #grow(): void {
    const [keys, values] = [this.#keys, this.#values];
    this.#keys = emptySlots(keys.length * 2);
    this.#values = new Uint32Array(keys.length * 2);
    keys.forEach((k, i) => {
      if (k === EMPTY) return;
      const slot = findSlot(this.#keys, k);
      this.#keys[slot] = k;
      this.#values[slot] = values[i];
    });
  }
}

/** `slots` empty slots (a power of two). */
function emptySlots(slots: number): Float64Array {
  return new Float64Array(slots).fill(EMPTY);
}

/** Throws unless `key` is an integer in [0, 2^53). */
function checkKey(key: number): void {
  if (!(Number.isInteger(key) && key >= 0 && key < 2 ** 53)) {
    throw new RangeError(`a key must be an integer in [0, 2^53), found ${key}`);
  }
}

/** The home slot of a key: its low and high bits mixed, masked to the table. */
function slotOf(key: number, mask: number): number {
  const lo = key >>> 0;
  return fmix32(lo ^ Math.imul((key - lo) / 2 ** 32, 0x9e3779b1)) & mask;
}

/** The slot holding `key`, or the empty slot where it goes (linear probing from its home). */
function findSlot(keys: Float64Array, key: number): number {
  const mask = keys.length - 1;
  let i = slotOf(key, mask);
  while (keys[i] !== EMPTY && keys[i] !== key) i = (i + 1) & mask;
  return i;
}

/**
 * A growing list of strings (ids) in one UTF-8 buffer with offsets: about the strings' bytes
 * plus 4 a string, where an array of strings costs ~40 bytes each.
 *
 * @example
 * ```ts
 * import { StringList } from "./table.ts";
 * import assert from "node:assert/strict";
 * const ids = new StringList();
 * assert.equal(ids.push("a1"), 0);
 * assert.equal(ids.push("é"), 1);
 * assert.deepEqual([ids.get(0), ids.get(1), ids.length], ["a1", "é", 2]);
 * ```
 */
export class StringList {
  #bytes = new Uint8Array(1024);
  #ends = new Uint32Array(64);
  #length = 0;
  static #encoder = new TextEncoder();
  static #decoder = new TextDecoder();

  /** How many strings are held. */
  get length(): number {
    return this.#length;
  }

  /** Appends `text`; returns its index. */
  push(text: string): number {
    const start = this.#length ? this.#ends[this.#length - 1] : 0;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (start + text.length * 3 > this.#bytes.length) {
      const bytes = new Uint8Array(Math.max(this.#bytes.length * 2, start + text.length * 3));
      bytes.set(this.#bytes.subarray(0, start));
      this.#bytes = bytes;
    }
    if (this.#length === this.#ends.length) {
      const ends = new Uint32Array(this.#ends.length * 2);
      ends.set(this.#ends);
      this.#ends = ends;
    }
    const { written } = StringList.#encoder.encodeInto(text, this.#bytes.subarray(start));
    this.#ends[this.#length] = start + written;
    return this.#length++;
  }

  /** The string at `index`. */
  get(index: number): string {
    if (!(index >= 0 && index < this.#length)) {
      throw new RangeError(`no string ${index} of ${this.#length}`);
    }
    const start = index ? this.#ends[index - 1] : 0;
    return StringList.#decoder.decode(this.#bytes.subarray(start, this.#ends[index]));
  }
}
