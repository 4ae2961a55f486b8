/**
 * The response cache's SQLite connection, run in a worker so that lookups, inserts and commits
 * never hold up the main thread (where responses arrive and requests leave). Requests are
 * handled in the order sent, so a lookup sees every response stored before it; each stored
 * batch is one transaction, each response one row (cached whole or not at all).
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Bloom } from "./bloom.ts";

/**
 * One response to store: its prompt key, the seeds of its first and last samples, and its
 * samples as JSON (a string crosses to the worker as one copy; an array of objects would be
 * serialised and rebuilt only to be turned into JSON here).
 */
export type StoredResponse = [prompt: string, seed: number, last: number, samples: string];

/**
 * A lookup of the samples of `prompt` with seeds `first .. first + count - 1`; `legacy`: the
 * same samples' keys in the earlier layout, sent when the file holds it.
 */
export interface Lookup {
  id: number;
  prompt: string;
  first: number;
  count: number;
  legacy?: string[];
}

/** A request to the worker. */
export type CacheRequest =
  | { open: string }
  | { store?: StoredResponse[]; lookup?: Lookup }
  | { close: true };

/** A reply: opened, a lookup's samples (null = absent), a failure (what failed, why), or closed. */
export type CacheReply =
  /**
   * `keys`: a Bloom filter of the keys held (absent when the cache is too large to scan);
   * `legacy`: whether the file holds samples of the earlier layout.
   */
  | { opened: true; keys?: Uint32Array<ArrayBuffer>; legacy: boolean }
  | { id: number; samples: (unknown | null)[] }
  | { failed: string }
  | { closed: true };

/** The open connection and its statements. */
interface Connection {
  db: DatabaseSync;
  insert: StatementSync;
  /** The responses of a prompt that hold a seed of a range, lowest first seed first. */
  select: StatementSync;
  /** Whether the earlier layout's `samples` table exists. */
  legacy: boolean;
}

let connection: Connection | undefined;
/** SELECTs of the earlier layout by number of keys. */
const legacySelects = new Map<number, StatementSync>();

/**
 * The worker's global scope, typed here rather than with `/// <reference lib="deno.worker" />`,
 * which would change the global types of every program importing the package.
 */
const scope = self as unknown as {
  postMessage(message: CacheReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<CacheRequest>) => void) | null;
};

const reply = (message: CacheReply) => scope.postMessage(message);

scope.onmessage = (event: MessageEvent<CacheRequest>) => {
  const request = event.data;
  /** What was being done, for the failure's message. */
  let doing = "";
  try {
    if ("open" in request) {
      connection = open(request.open);
      const keys = keyFilter(connection);
      scope.postMessage(
        { opened: true, keys: keys?.bits, legacy: connection.legacy },
        keys ? [keys.bits.buffer] : [],
      );
    } else if ("close" in request) {
      connection?.db.close();
      reply({ closed: true });
    } else {
      // Stored first: a lookup sent with responses sees them.
      doing = "a write failed: ";
      if (request.store) store(connection!, request.store);
      doing = "a read failed: ";
      if (request.lookup) {
        reply({ id: request.lookup.id, samples: lookup(connection!, request.lookup) });
      }
    }
  } catch (err) {
    reply({ failed: `${doing}${(err as Error).message}` });
  }
};

function open(path: string): Connection {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL sync survives a killed process (the crash tests); only a power cut can
  // lose the last transactions, which are then simply asked again.
  db.exec("PRAGMA synchronous = NORMAL");
  // Several processes may share one cache: wait for a writer instead of failing.
  db.exec("PRAGMA busy_timeout = 10000");
  // Checkpoint every ~40 MB of WAL instead of every 4 MB: keys are hashes, so every commit
  // dirties index pages all over the file, and copying them back less often cut the cost of a
  // stored sample from 45 to 33 µs (200,000 samples, 10 per transaction, in the earlier
  // one-row-per-sample layout). The WAL is folded back into the file when the last connection
  // closes.
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  db.exec(
    "CREATE TABLE IF NOT EXISTS responses (prompt TEXT NOT NULL, seed INTEGER NOT NULL, " +
      "last INTEGER NOT NULL, samples TEXT NOT NULL, PRIMARY KEY (prompt, seed))",
  );
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samples'")
    .get() !== undefined;
  return {
    db,
    // Two processes sharing a file may store responses of one seed with different `n`: the
    // row with more samples is kept, so neither loses the other's.
    insert: db.prepare(
      "INSERT INTO responses (prompt, seed, last, samples) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (prompt, seed) DO UPDATE SET last = excluded.last, samples = excluded.samples " +
        "WHERE excluded.last >= last",
    ),
    select: db.prepare(
      "SELECT seed, samples FROM responses WHERE prompt = ? AND seed <= ? AND last >= ? " +
        "ORDER BY seed",
    ),
    legacy,
  };
}

/** Caches up to this many rows get a key filter at open (a scan of ~1 s per million). */
const FILTER_MAX_ROWS = 2_000_000;

/** A Bloom filter of the keys held, with room for as many again (at least two million). */
function keyFilter({ db, legacy }: Connection): Bloom | undefined {
  const scans = ["SELECT prompt AS key FROM responses"];
  if (legacy) scans.push("SELECT key FROM samples");
  const rows = scans.reduce((sum, scan) => {
    const count = db.prepare(`SELECT count(*) AS n FROM (${scan})`).get() as { n: number };
    return sum + count.n;
  }, 0);
  if (rows > FILTER_MAX_ROWS) return undefined;
  const filter = Bloom.forCapacity(Math.max(2_000_000, 2 * rows));
  let added = 0;
  for (const scan of scans) {
    for (const row of db.prepare(scan).iterate()) {
      filter.add((row as { key: string }).key);
      added++;
    }
  }
  // `iterate()` ends without an error when SQLite fails mid-scan: a filter missing keys would
  // send their prompts to the server again, so an incomplete scan gives no filter at all.
  return added === rows ? filter : undefined;
}

function store({ db, insert }: Connection, responses: StoredResponse[]) {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const [prompt, seed, last, samples] of responses) insert.run(prompt, seed, last, samples);
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

/** The samples of a lookup's seeds (null = absent): the lowest-seeded row holding one wins. */
function lookup(connection: Connection, { prompt, first, count, legacy }: Lookup) {
  const found: (unknown | null)[] = Array.from({ length: count }, () => null);
  // `all()`, not `iterate()`: the latter ends quietly on a read error, which would pass for a miss.
  for (const row of connection.select.all(prompt, first + count - 1, first)) {
    const { seed, samples } = row as { seed: number; samples: string };
    (JSON.parse(samples) as unknown[]).forEach((sample, j) => {
      const i = seed + j - first;
      if (i >= 0 && i < count) found[i] ??= sample;
    });
  }
  if (legacy && found.includes(null)) {
    const older = legacySamples(connection.db, legacy);
    legacy.forEach((key, i) => found[i] ??= older.get(key) ?? null);
  }
  return found;
}

/** The samples stored under `keys` in the earlier layout (one row per sample). */
function legacySamples(db: DatabaseSync, keys: string[]): Map<string, unknown> {
  let select = legacySelects.get(keys.length);
  if (!select) {
    const marks = keys.map(() => "?").join(", ");
    select = db.prepare(`SELECT key, sample FROM samples WHERE key IN (${marks})`);
    legacySelects.set(keys.length, select);
  }
  const found = new Map<string, unknown>();
  for (const row of select.all(...keys)) {
    const { key, sample } = row as { key: string; sample: string };
    found.set(key, JSON.parse(sample));
  }
  return found;
}
