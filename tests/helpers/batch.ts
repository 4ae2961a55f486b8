/** Test helper: an offline batch runner (like vLLM's `run_batch`) over a simulator. */
import { readJsonl, writeJsonl } from "../../lib/io/jsonl.ts";

/** A batch input line. */
export interface BatchLine {
  custom_id: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

/**
 * Answers every request line of `input` with the server at `baseUrl` (ending in `/v1`) and
 * writes output lines in reverse order (the format does not keep order); the lines `fail`
 * picks get an `error` instead, as an expired request does.
 */
export async function runBatch(
  input: string,
  baseUrl: string,
  output: string,
  fail: (line: BatchLine) => boolean = () => false,
): Promise<BatchLine[]> {
  const lines = await Array.fromAsync(readJsonl<BatchLine>(input));
  const out = [];
  for (const [i, line] of lines.entries()) {
    if (fail(line)) {
      out.push({
        id: `batch_req_${i}`,
        custom_id: line.custom_id,
        response: null,
        error: {
          code: "batch_expired",
          message: "This request could not be executed before the completion window expired.",
        },
      });
      continue;
    }
    const response = await fetch(`${baseUrl}${line.url.replace(/^\/v1/, "")}`, {
      method: line.method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(line.body),
    });
    out.push({
      id: `batch_req_${i}`,
      custom_id: line.custom_id,
      response: {
        status_code: response.status,
        request_id: `req_${i}`,
        body: await response.json(),
      },
      error: null,
    });
  }
  await writeJsonl(output, out.reverse());
  return lines;
}
