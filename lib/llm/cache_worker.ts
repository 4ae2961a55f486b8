/**
 * The response cache's SQLite connection, run in a worker so that lookups, inserts and commits
 * never hold up the main thread (where responses arrive and requests leave). Requests are
 * handled in the order sent, so a lookup sees every sample stored before it; each stored batch
 * is one transaction (a response is cached whole or not at all).
 * @module
 */
/// <reference lib="deno.worker" />
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Bloom } from "./bloom.ts";

/** A request to the worker. */
export type CacheRequest =
  | { open: string }
  | { store?: [string, unknown][]; lookup?: { id: number; keys: string[] } }
  | { close: true };

/** A reply: opened, a lookup's samples (null = absent), a failure, or closed. */
export type CacheReply =
  /** `keys`: a Bloom filter of the keys held (absent when the cache is too large to scan). */
  | { opened: true; keys?: Uint32Array<ArrayBuffer> }
  | { id: number; samples: (unknown | null)[] }
  | { failed: string }
  | { closed: true };

let db: DatabaseSync | undefined;
let upsert: StatementSync | undefined;
/** SELECT statements by number of keys. */
const selects = new Map<number, StatementSync>();

const reply = (message: CacheReply) => self.postMessage(message);

self.onmessage = (event: MessageEvent<CacheRequest>) => {
  const request = event.data;
  try {
    if ("open" in request) {
      db = open(request.open);
      upsert = db.prepare("INSERT OR REPLACE INTO samples (key, sample) VALUES (?, ?)");
      const keys = keyFilter(db);
      self.postMessage({ opened: true, keys: keys?.bits }, keys ? [keys.bits.buffer] : []);
    } else if ("close" in request) {
      db?.close();
      reply({ closed: true });
    } else {
      // Stored first: a lookup sent with samples sees them.
      if (request.store) store(db!, upsert!, request.store);
      if (request.lookup) {
        reply({ id: request.lookup.id, samples: lookup(db!, request.lookup.keys) });
      }
    }
  } catch (err) {
    reply({ failed: (err as Error).message });
  }
};

function open(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL sync survives a killed process (the crash tests); only a power cut can
  // lose the last transactions, which are then simply asked again.
  db.exec("PRAGMA synchronous = NORMAL");
  // Several processes may share one cache: wait for a writer instead of failing.
  db.exec("PRAGMA busy_timeout = 10000");
  // Checkpoint every ~40 MB of WAL instead of every 4 MB: keys are hashes, so every commit
  // dirties index pages all over the file, and copying them back less often cut the cost of a
  // stored sample from 45 to 33 µs (200,000 samples, 10 per transaction). The WAL is folded
  // back into the file when the last connection closes.
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  db.exec("CREATE TABLE IF NOT EXISTS samples (key TEXT PRIMARY KEY, sample TEXT NOT NULL)");
  return db;
}

/** Caches up to this many samples get a key filter at open (a scan of ~1 s per million). */
const FILTER_MAX_ROWS = 2_000_000;

/** A Bloom filter of the keys held, with room for as many again (at least two million). */
function keyFilter(db: DatabaseSync): Bloom | undefined {
  const { rows } = db.prepare("SELECT count(*) AS rows FROM samples").get() as { rows: number };
  if (rows > FILTER_MAX_ROWS) return undefined;
  const filter = Bloom.forCapacity(Math.max(2_000_000, 2 * rows));
  for (const row of db.prepare("SELECT key FROM samples").iterate()) {
    filter.add((row as { key: string }).key);
  }
  return filter;
}

function store(db: DatabaseSync, upsert: StatementSync, entries: [string, unknown][]) {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const [key, sample] of entries) upsert.run(key, JSON.stringify(sample));
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

function lookup(db: DatabaseSync, keys: string[]): (unknown | null)[] {
  let select = selects.get(keys.length);
  if (!select) {
    const marks = keys.map(() => "?").join(", ");
    select = db.prepare(`SELECT key, sample FROM samples WHERE key IN (${marks})`);
    selects.set(keys.length, select);
  }
  const found = new Map<string, unknown>();
  for (const row of select.all(...keys)) {
    const { key, sample } = row as { key: string; sample: string };
    found.set(key, JSON.parse(sample));
  }
  return keys.map((key) => found.get(key) ?? null);
}
