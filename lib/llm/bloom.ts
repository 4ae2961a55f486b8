/**
 * A Bloom filter of cache keys: "certainly absent" or "maybe present". The response cache keeps
 * one of the keys it holds so that a lookup of new prompts (every lookup of a fresh run) is
 * answered without asking SQLite.
 * @module
 */
import { fmix32, fnv1a } from "../hash32.ts";

/** Bits per key at the planned capacity: about 1% false positives with 7 probes. */
const BITS_PER_KEY = 10;
const PROBES = 7;

/** A Bloom filter over strings; its bits can be moved between threads. */
export class Bloom {
  readonly bits: Uint32Array<ArrayBuffer>;
  #mask: number;

  /** A filter for `capacity` keys (past it, more lookups are "maybe"; never a wrong "absent"). */
  static forCapacity(capacity: number): Bloom {
    const wanted = Math.max(1024, capacity * BITS_PER_KEY);
    return new Bloom(new Uint32Array(2 ** Math.ceil(Math.log2(wanted)) / 32));
  }

  /** A filter over existing bits (a power-of-two count of them). */
  constructor(bits: Uint32Array<ArrayBuffer>) {
    this.bits = bits;
    this.#mask = bits.length * 32 - 1;
  }

  add(key: string): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) & this.#mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  /** False when `key` was certainly never added. */
  mayHave(key: string): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) & this.#mask;
      if (!(this.bits[bit >>> 5] & (1 << (bit & 31)))) return false;
    }
    return true;
  }
}

/** Two 32-bit hashes of `key` (FNV-1a with two bases, then mixed); double hashing gives the probes. */
function hashes(key: string): [number, number] {
  return [fmix32(fnv1a(key)), fmix32(fnv1a(key, 0x2e1b2138)) | 1];
}
