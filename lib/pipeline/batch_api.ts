/**
 * Stages whose endpoint uses the OpenAI Batch API (`batchApi: true`): their requests go out in
 * rounds of batches (see `runOpenAiBatch`) until a pass over their units finds none pending;
 * then the stage runs from the cache. Also the report of a batch import.
 * @module
 */
import { UserError } from "../errors.ts";
import { pathExists } from "../io/path_exists.ts";
import { type BatchImport, type BatchSink, openBatchWriter } from "../llm/batch.ts";
import type { ResponseCache } from "../llm/cache.ts";
import { runOpenAiBatch } from "../llm/openai_batch.ts";
import type { PendingUnits } from "./batch_pass.ts";
import type { EndpointDecl } from "./config.ts";
import type { Progress } from "./progress.ts";

/** A sink that passes requests on to its current target (none between rounds). */
export class RedirectSink implements BatchSink {
  /** Where requests go now. */
  target?: BatchSink;
  /** Passes the request on, if there is a target. */
  add(customId: string, body: Record<string, unknown>): void {
    this.target?.add(customId, body);
  }
}

/** An endpoint whose client defers its requests to `sink`, for the Batch API to answer. */
export interface BatchApiEndpoint {
  /** The endpoint's name. */
  name: string;
  /** Its declaration (base URL, key, poll interval). */
  decl: EndpointDecl;
  /** Where its client puts the requests the cache cannot answer. */
  sink: RedirectSink;
}

/**
 * Answers a stage's requests through the Batch API of `endpoints`, round after round (a request
 * may depend on an earlier answer), until `pass` finds no unit pending. A round's files and job
 * state are kept in `dir` (`<endpoint>.requests.jsonl`, `<endpoint>.state.json`), so a killed run
 * resumes its batches. A round that brings no answer at all stops with the first failure.
 */
export async function answerByBatchApi(
  dir: string,
  endpoints: BatchApiEndpoint[],
  cache: ResponseCache,
  pass: () => Promise<PendingUnits>,
  progress: Progress,
  stageId: string,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const requests = (name: string) => `${dir}/${name}.requests.jsonl`;
  const state = (name: string) => `${dir}/${name}.state.json`;
  while (true) {
    if (!endpoints.some(({ name }) => pathExists(state(name)))) {
      const writers = await Promise.all(
        endpoints.map(({ name }) => openBatchWriter(requests(name))),
      );
      endpoints.forEach(({ sink }, i) => sink.target = writers[i]);
      const { pending, units } = await pass();
      for (const [i, { sink }] of endpoints.entries()) {
        sink.target = undefined;
        await writers[i].close();
      }
      if (!pending) return;
      progress.info(`${stageId}: ${pending} of ${units} unit(s) wait for the Batch API`);
    }
    for (const { name, decl } of endpoints) {
      const imported = await runOpenAiBatch(decl, requests(name), {
        cache,
        stateFile: state(name),
        pollMs: (decl.batchPollSeconds ?? 60) * 1000,
        log: (line) => progress.info(`${stageId}: ${line}`),
      });
      reportImport(`${stageId}: batch api`, imported, progress);
      if (!imported.stored && imported.failed.length) {
        throw new UserError(
          `endpoint "${name}": the Batch API answered none of ${imported.failed.length} ` +
            `request(s): ${imported.failed[0].reason}`,
          { exitCode: 1 },
        );
      }
    }
  }
}

/** Reports an import: responses stored, and the first lines that brought none. */
export function reportImport(what: string, imported: BatchImport, progress: Progress): void {
  progress.info(
    `${what}: ${imported.stored} response(s) from ${imported.lines} line(s)` +
      (imported.failed.length ? `; ${imported.failed.length} failed and stay pending:` : ""),
  );
  for (const f of imported.failed.slice(0, 10)) progress.info(`  ${f.at}: ${f.reason}`);
  if (imported.failed.length > 10) progress.info(`  … and ${imported.failed.length - 10} more`);
}
