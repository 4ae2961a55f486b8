/**
 * The one LLM client: every LLM call in the toolkit goes through {@linkcode createLlmClient}.
 * @module
 */
export {
  type Activity,
  type Completion,
  type EndpointConfig,
  type LlmClient,
  type LlmStats,
  replicaUrls,
  type SampleParams,
} from "./types.ts";
export {
  batchCustomId,
  type BatchFailure,
  type BatchImport,
  type BatchSink,
  type BatchWriter,
  importBatchOutput,
  openBatchWriter,
  parseCustomId,
  RequestDeferred,
} from "./batch.ts";
export { type OpenAiBatchOptions, runOpenAiBatch } from "./openai_batch.ts";
export type { ReplicaHealthRules, ReplicaStats, ReplicaUse } from "./replicas.ts";
export { createLlmClient, type LlmClientOptions } from "./client.ts";
export {
  type CachedPrompt,
  type CachedSample,
  openCache,
  type PromptKey,
  promptKey,
  type ResponseCache,
} from "./cache.ts";
export { requestSeed } from "./request_seed.ts";
export { settleAll } from "./settle.ts";
export { endpointDefaults, type EndpointInput } from "./endpoint.ts";
export { type Backoff, DEFAULT_BACKOFF } from "./retry.ts";
export type { Sleep } from "./limits.ts";
