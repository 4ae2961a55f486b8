# The J1 reward for Python trainers, through the j1kit reward server (`deno task serve`), so the
# trainer trains on the reward the toolkit computes. Standard library only.
#
# verl (the handoff stage's verl/train.parquet; ground_truth is the JSON task label):
#   custom_reward_function.path=examples/j1kit_reward.py
#   custom_reward_function.name=compute_score         per sample (verl's default reward loop)
#   custom_reward_function.name=compute_score_batch   reward_model.reward_manager=batch
#                                                     (+ reward_model.use_reward_loop=False, verl >= 0.7)
# TRL GRPOTrainer (the handoff stage's trl/prompts.jsonl):
#   from j1kit_reward import trl_reward; GRPOTrainer(..., reward_funcs=trl_reward)
#
# A sample whose reward needs its pair's other sample (pointwise; consistency when weighted) is
# scored with it by the server, whichever call brings it (see the README, "Train with ...").
# Env: J1KIT_REWARD_URL (default http://127.0.0.1:8787), J1KIT_REWARD_TOKEN (if the server has one).
import json
import os
import urllib.request

URL = os.environ.get("J1KIT_REWARD_URL", "http://127.0.0.1:8787") + "/score"
TOKEN = os.environ.get("J1KIT_REWARD_TOKEN")
# The same keys for every sample: verl's legacy managers collect them per sample.
KEYS = ("correct", "consistent", "format")


def _post(body):
    headers = {"Content-Type": "application/json"}
    if TOKEN:
        headers["Authorization"] = "Bearer " + TOKEN
    req = urllib.request.Request(URL, json.dumps(body).encode(), headers)
    # Longer than the server's default partner wait (120 s), so a lone sample gets its answer.
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.load(r)


def _verl_result(result):
    out = {"score": result["reward"], "alone": 1.0 if result.get("alone") else 0.0}
    out.update({k: result["rewards"].get(k, 0.0) for k in KEYS})
    return out


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return _verl_result(_post({"response": solution_str, "label": ground_truth}))


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    items = [{"response": s, "label": g} for s, g in zip(solution_strs, ground_truths)]
    return [_verl_result(r) for r in _post({"items": items})["results"]]


def trl_reward(prompts, completions, j1_label, **kwargs):
    """TRL reward function: one float per completion. With a response schema TRL moves the
    thought into `reasoning_content`; it is forwarded, so the thought still counts."""
    items = []
    for completion, label in zip(completions, j1_label):
        if isinstance(completion, list):  # conversational: [{"role": "assistant", ...}]
            message = completion[-1] if completion else {}
            text = message.get("content") or ""
            reasoning = message.get("reasoning_content") or message.get("reasoning")
        else:
            text, reasoning = completion, None
        item = {"response": text, "label": label}
        if reasoning:
            item["reasoning"] = reasoning
        items.append(item)
    return [r["reward"] for r in _post({"items": items})["results"]]
