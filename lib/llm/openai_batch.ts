/**
 * The OpenAI Batch API, end to end: a batch input file (see `batch.ts`) is uploaded in parts
 * of at most 50,000 requests (the API's limit), one batch is created per part, polled until it
 * ends, and its output and error files are downloaded and read into the response cache.
 *
 * Every step is written to a state file first, so a run killed at any point picks its batches
 * up again instead of paying for them twice: an uploaded part is not uploaded again, a created
 * batch is polled, not created again, and a part uploaded but not yet known to have a batch is
 * looked up among the account's batches by its input file before one is created.
 * @module
 */
import { basename, dirname } from "node:path";
import OpenAI, { toFile } from "openai";
import { EndpointError, UserError } from "../errors.ts";
import { readLines, writeFileAtomic } from "../io/jsonl.ts";
import { BATCH_URL, type BatchImport, importBatchOutput } from "./batch.ts";
import type { ResponseCache } from "./cache.ts";
import { realSleep, type Sleep } from "./limits.ts";
import { classifyFailure } from "./retry.ts";
import { endpointApiKey } from "./endpoint.ts";
import { type EndpointConfig, replicaUrls } from "./types.ts";

/** Requests per uploaded part (the Batch API's limit per input file). */
export const MAX_BATCH_REQUESTS = 50_000;
/** Bytes per uploaded part (under the API's 200 MB limit per input file). */
const MAX_BATCH_BYTES = 190_000_000;
/** Statuses after which a batch changes no more. */
const ENDED = new Set(["completed", "failed", "expired", "cancelled"]);

/** One uploaded part of the requests and its batch. */
interface BatchPart {
  inputFileId: string;
  batchId?: string;
  /** Set once its output and error files are read into the cache. */
  imported?: boolean;
}

/** The state file: the parts of one requests file. */
interface BatchState {
  requests: string;
  parts: BatchPart[];
  /** Set once every part is uploaded. */
  uploaded?: boolean;
}

/** Options of {@linkcode runOpenAiBatch}. */
export interface OpenAiBatchOptions {
  /** The response cache the output goes into. */
  cache: ResponseCache;
  /** Where the job's progress is kept (a run folder's file). */
  stateFile: string;
  /** Time between two polls of a batch. */
  pollMs: number;
  /** A line of progress for the user. */
  log(line: string): void;
  /** API key (default: the env var the endpoint names). */
  apiKey?: string;
  /** Waits between polls (tests pass one that does not wait). */
  sleep?: Sleep;
}

/**
 * Runs the requests of `requests` (a batch input file) through the Batch API of `endpoint`
 * (its first base URL) and imports the results. Resumes the job recorded in `stateFile`, if
 * any; the state file is removed once every part is imported.
 */
export async function runOpenAiBatch(
  endpoint: EndpointConfig,
  requests: string,
  opts: OpenAiBatchOptions,
): Promise<BatchImport> {
  const baseURL = replicaUrls(endpoint)[0];
  try {
    return await runJob(baseURL, endpoint, requests, opts);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const { answer, status } = classifyFailure(err, endpoint.timeoutMs);
    throw new EndpointError(
      baseURL,
      `the Batch API answered ${answer}; the job is kept in ${opts.stateFile}: run again to resume it`,
      { status },
    );
  }
}

async function runJob(
  baseURL: string,
  endpoint: EndpointConfig,
  requests: string,
  opts: OpenAiBatchOptions,
): Promise<BatchImport> {
  const sdk = new OpenAI({
    baseURL,
    apiKey: opts.apiKey ?? endpointApiKey(endpoint),
    maxRetries: endpoint.maxRetries,
    timeout: endpoint.timeoutMs,
  });
  const sleep = opts.sleep ?? realSleep;
  const state = await readState(opts.stateFile) ?? { requests, parts: [] };
  const save = () => writeFileAtomic(opts.stateFile, JSON.stringify(state, null, 2) + "\n");
  if (!state.uploaded) {
    let index = 0;
    for await (const part of parts(state.requests)) {
      // A resumed upload skips the parts uploaded before (the split is deterministic).
      if (index++ < state.parts.length) continue;
      const name = `${basename(state.requests, ".jsonl")}.part${index}.jsonl`;
      const file = await sdk.files.create({ file: await toFile(part, name), purpose: "batch" });
      state.parts.push({ inputFileId: file.id });
      await save();
    }
    state.uploaded = true;
    await save();
    opts.log(`batch api: ${state.parts.length} part(s) of ${state.requests} uploaded`);
  }
  const result: BatchImport = { lines: 0, stored: 0, failed: [] };
  for (const part of state.parts) {
    if (part.imported) continue;
    part.batchId ??= await existingBatch(sdk, part.inputFileId) ?? (await sdk.batches.create({
      input_file_id: part.inputFileId,
      endpoint: BATCH_URL,
      completion_window: "24h",
    })).id;
    await save();
    let batch = await sdk.batches.retrieve(part.batchId);
    while (!ENDED.has(batch.status)) {
      const counts = batch.request_counts;
      opts.log(
        `batch api: ${batch.id} ${batch.status}` +
          (counts ? ` (${counts.completed}/${counts.total} done, ${counts.failed} failed)` : ""),
      );
      await sleep(opts.pollMs);
      batch = await sdk.batches.retrieve(part.batchId);
    }
    opts.log(`batch api: ${batch.id} ${batch.status}`);
    const files = [];
    for (const id of [batch.output_file_id, batch.error_file_id]) {
      if (!id) continue;
      const path = `${dirname(opts.stateFile)}/${id}.jsonl`;
      await writeFileAtomic(path, await (await sdk.files.content(id)).text());
      files.push(path);
    }
    if (!files.length && batch.status === "failed") {
      const why = batch.errors?.data?.map((e) => `line ${e.line}: ${e.message}`).join("; ");
      throw new UserError(`batch ${batch.id} failed: ${why || "no reason given"}`, {
        loc: { file: opts.stateFile },
        exitCode: 1,
      });
    }
    const imported = await importBatchOutput(files, opts.cache);
    result.lines += imported.lines;
    result.stored += imported.stored;
    result.failed.push(...imported.failed);
    part.imported = true;
    await save();
  }
  await Deno.remove(opts.stateFile);
  return result;
}

/** The batch already created from `inputFileId` (a run killed right after creating it). */
async function existingBatch(sdk: OpenAI, inputFileId: string): Promise<string | undefined> {
  for await (const batch of sdk.batches.list({ limit: 100 })) {
    if (batch.input_file_id === inputFileId && batch.status !== "cancelled") return batch.id;
  }
  return undefined;
}

/** The lines of a requests file in parts the API accepts. */
async function* parts(path: string): AsyncGenerator<Blob> {
  const file = await Deno.open(path);
  let lines: string[] = [];
  let bytes = 0;
  for await (const line of readLines(file.readable)) {
    if (!line) continue;
    if (lines.length >= MAX_BATCH_REQUESTS || bytes + line.length + 1 > MAX_BATCH_BYTES) {
      yield new Blob(lines);
      [lines, bytes] = [[], 0];
    }
    lines.push(line + "\n");
    bytes += line.length + 1;
  }
  if (lines.length) yield new Blob(lines);
}

async function readState(path: string): Promise<BatchState | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as BatchState;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new UserError(`expected a batch state file, found ${(err as Error).message}`, {
      loc: { file: path },
    });
  }
}
