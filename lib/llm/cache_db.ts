/**
 * The response cache's SQLite file: opened the same way by the reading connection (the main
 * thread) and the writing one (the cache's worker).
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** Opens (creating if needed) a response cache file in WAL mode. */
export function openCacheDb(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL sync survives a killed process (the crash tests); only a power cut can
  // lose the last transactions, which are then simply asked again.
  db.exec("PRAGMA synchronous = NORMAL");
  // Several processes (and each process's reader and writer) share one file: wait for a
  // writer instead of failing.
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("CREATE TABLE IF NOT EXISTS samples (key TEXT PRIMARY KEY, sample TEXT NOT NULL)");
  return db;
}

/** A message to the writer. */
export type WriterRequest =
  | { open: string }
  | { id: number; entries: [string, unknown][] }
  | { close: true };

/** A message from the writer: a batch committed, a failure, or closed. */
export type WriterReply = { done: number } | { failed: number; message: string } | {
  closed: true;
};
