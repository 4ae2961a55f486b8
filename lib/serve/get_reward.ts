/**
 * OpenRLHF's remote reward protocol (`--reward.remote_url`, route `POST /get_reward`):
 * `{query, prompts, labels}` in, `{rewards, scores, extra_logs}` out, as OpenRLHF sends and reads
 * them (`openrlhf/utils/agent.py`, `SingleTurnAgentExecutor._fetch_rewards_via_http`, read at
 * commit 04655bc; it sends no `Authorization` header, so keep this server's token unset for it).
 * @module
 */
import type { LabelledResponse } from "../judge/label.ts";
import { expectArray, expectLabel, expectObject, expectString } from "./expect.ts";
import { HttpError } from "./http_error.ts";
import type { PartnerRendezvous } from "./partners.ts";
import { responseText } from "./response_text.ts";

/** What OpenRLHF reads back: one entry per query in every list (written as floats). */
export interface GetRewardResponse {
  /** The weighted J1 reward. */
  rewards: number[];
  /** `rewards` clipped to [0, 1] (OpenRLHF's dynamic filtering reads these). */
  scores: number[];
  /**
   * The unweighted components, logged by OpenRLHF (0 for `consistent` in pointwise mode), and
   * `alone`: 1 for a sample whose reward needed a partner that did not arrive in time.
   */
  extra_logs: { correct: number[]; format: number[]; consistent: number[]; alone: number[] };
}

/**
 * Scores one OpenRLHF request. The response is `query[i]` minus `prompts[i]`, without trailing
 * special tokens. A sample whose reward needs its pair's other sample is scored with it: from
 * the same request (OpenRLHF < 0.9.1 posts a batch), or from another one (OpenRLHF ≥ 0.9.1 posts
 * one sample per request) through `partners`. Throws {@linkcode HttpError} on a bad body.
 *
 * @example
 * ```ts
 * import { getReward } from "./get_reward.ts";
 * import { PartnerRendezvous } from "./partners.ts";
 * import assert from "node:assert/strict";
 * const label = { taskId: "t", pairId: "p", mode: "pairwise", template: "thinking", order: "AB", label: "A" };
 * const out = await getReward(
 *   { query: ["Q<think>x</think>[[A]]<|im_end|>"], prompts: ["Q"], labels: [label] },
 *   new PartnerRendezvous({ weights: { correct: 1 }, consistency: "by-sample" }),
 * );
 * assert.deepEqual(out.rewards, [1]);
 * ```
 */
export async function getReward(
  body: unknown,
  partners: PartnerRendezvous,
): Promise<GetRewardResponse> {
  const req = expectObject(body, "body {query, prompts, labels}");
  const query = expectArray(req.query, "query");
  const prompts = expectArray(req.prompts, "prompts");
  const labels = expectArray(req.labels, "labels");
  if (query.length !== prompts.length || query.length !== labels.length) {
    throw new HttpError(
      400,
      `expected query, prompts and labels of the same length, found ${query.length}, ` +
        `${prompts.length} and ${labels.length}`,
      { index: Math.min(query.length, prompts.length, labels.length) },
    );
  }
  const responses: LabelledResponse[] = query.map((q, i) => ({
    text: responseText(
      expectString(q, `query[${i}]`, i),
      expectString(prompts[i], `prompts[${i}]`, i),
    ),
    label: expectLabel(labels[i], `labels[${i}]`, i),
  }));
  const scored = await partners.score(responses);
  const rewards = scored.map((s) => s.reward);
  const component = (key: string) => scored.map((s) => s.rewards[key] ?? 0);
  return {
    rewards,
    scores: rewards.map((r) => Math.min(1, Math.max(0, r))),
    extra_logs: {
      correct: component("correct"),
      format: component("format"),
      consistent: component("consistent"),
      alone: scored.map((s) => Number(s.alone)),
    },
  };
}
