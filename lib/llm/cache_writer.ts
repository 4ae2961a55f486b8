/**
 * The response cache's writer, run in a worker so that SQLite inserts and commits never hold
 * up the main thread: each batch it receives is one transaction (a response is cached whole or
 * not at all), committed in the order received.
 * @module
 */
/// <reference lib="deno.worker" />
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openCacheDb, type WriterReply, type WriterRequest } from "./cache_db.ts";

let db: DatabaseSync | undefined;
let upsert: StatementSync | undefined;

const reply = (message: WriterReply) => self.postMessage(message);

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const request = event.data;
  if ("open" in request) {
    try {
      db = openCacheDb(request.open);
      upsert = db.prepare("INSERT OR REPLACE INTO samples (key, sample) VALUES (?, ?)");
    } catch (err) {
      reply({ failed: 0, message: (err as Error).message });
    }
  } else if ("entries" in request) {
    try {
      if (!db || !upsert) throw new Error("the cache file could not be opened");
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const [key, sample] of request.entries) upsert.run(key, JSON.stringify(sample));
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
      reply({ done: request.id });
    } catch (err) {
      reply({ failed: request.id, message: (err as Error).message });
    }
  } else {
    db?.close();
    reply({ closed: true });
  }
};
