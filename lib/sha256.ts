/**
 * SHA-256 of strings, in plain TypeScript (FIPS 180-4), hex output.
 *
 * Why not `node:crypto`: in Deno every `createHash` is a native object that only a major GC
 * frees, so hashing one id per record of a million-record stream held ~130 MB of native memory
 * until the next full collection (the one-shot `crypto.hash` likewise: 234 MB of RSS after a
 * million 3 KB texts, against 123 MB here). This version allocates nothing but its result, is
 * as fast as the native call for the short texts hashed per record, and can hash a shared prefix
 * once (`sha256Prefix`), which the keys of the response cache's earlier layout use for the G
 * samples of one prompt. Streams (file hashes) still use `node:crypto`: one object per file is
 * harmless.
 * @module
 */

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const W = new Int32Array(64);
const encoder = new TextEncoder();
/** Reused input buffer (grown on demand): text is encoded straight into it. */
let buffer = new Uint8Array(1 << 12);

/** SHA-256 of the UTF-8 encoding of `text`, as 64 hex digits. */
export function sha256(text: string): string {
  return hex(sha256Words(text));
}

/**
 * SHA-256 of `text` as its eight 32-bit words: one shared array, overwritten by the next digest
 * (for callers that need a few bits, not the hex).
 */
export function sha256Words(text: string): Int32Array {
  return digest(INITIAL, EMPTY, 0, text);
}

const EMPTY = new Uint8Array(0);

/**
 * Hashes `head` once; the returned function gives the SHA-256 of `head + tail` for any `tail`
 * (the same digest as `sha256(head + tail)` unless `head` ends inside a surrogate pair, whose
 * halves are then encoded apart), processing only the tail's bytes.
 */
export function sha256Prefix(head: string): (tail: string) => string {
  const bytes = encoder.encode(head);
  const state = INITIAL.slice();
  const whole = bytes.length - (bytes.length % 64);
  compress(state, bytes, 0, whole);
  const rest = bytes.subarray(whole);
  return (tail) => hex(digest(state, rest, whole, tail));
}

function hex(words: Int32Array): string {
  let out = "";
  for (let i = 0; i < 8; i++) {
    const w = words[i];
    out += HEX[(w >>> 24) & 255] + HEX[(w >>> 16) & 255] + HEX[(w >>> 8) & 255] + HEX[w & 255];
  }
  return out;
}

/** The digest of a message: `state` after `done` bytes, then `rest` and `tail`. */
function digest(state: Int32Array, rest: Uint8Array, done: number, tail: string): Int32Array {
  const room = rest.length + tail.length * 3 + 72;
  if (buffer.length < room) buffer = new Uint8Array(room * 2);
  buffer.set(rest);
  const used = rest.length + encode(tail, rest.length);
  // Padding: 0x80, zeros, then the message length in bits as a 64-bit big-endian number.
  const padded = Math.ceil((used + 9) / 64) * 64;
  buffer.fill(0, used, padded);
  buffer[used] = 0x80;
  const bits = (done + used) * 8;
  writeUint32(buffer, padded - 8, Math.floor(bits / 2 ** 32));
  writeUint32(buffer, padded - 4, bits >>> 0);
  OUT.set(state);
  compress(OUT, buffer, 0, padded);
  return OUT;
}

/** UTF-8 of `text` into `buffer` at `at`; short ASCII is copied by hand (cheaper than an op). */
function encode(text: string, at: number): number {
  if (text.length <= 256) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      buffer[at + i] = c;
    }
    if (i === text.length) return i;
  }
  return encoder.encodeInto(text, buffer.subarray(at)).written;
}

const OUT = new Int32Array(8);

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** Runs the compression function over the 64-byte blocks of `bytes[from, to)`. */
function compress(state: Int32Array, bytes: Uint8Array, from: number, to: number): void {
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let p = from; p < to; p += 64) {
    for (let i = 0; i < 16; i++) {
      const q = p + i * 4;
      W[i] = (bytes[q] << 24) | (bytes[q + 1] << 16) | (bytes[q + 2] << 8) | bytes[q + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let A = a, B = b, C = c, D = d, E = e, F = f, G = g, H = h;
    for (let i = 0; i < 64; i++) {
      const S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
      const t1 = (H + S1 + ((E & F) ^ (~E & G)) + K[i] + W[i]) | 0;
      const S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
      const t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0;
      H = G;
      G = F;
      F = E;
      E = (D + t1) | 0;
      D = C;
      C = B;
      B = A;
      A = (t1 + t2) | 0;
    }
    a = (a + A) | 0;
    b = (b + B) | 0;
    c = (c + C) | 0;
    d = (d + D) | 0;
    e = (e + E) | 0;
    f = (f + F) | 0;
    g = (g + G) | 0;
    h = (h + H) | 0;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  state[4] = e;
  state[5] = f;
  state[6] = g;
  state[7] = h;
}
