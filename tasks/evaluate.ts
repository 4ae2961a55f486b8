/**
 * `deno task evaluate --benchmark <name> --data <file|folder|hf-name> --base-url <url>
 * --model <model> [--mode …] [--template …] [--samples k] [--top-p p]
 * [--orders both|ab|dataset|random] [--baseline summary.json --max-drop 1.0] --out <dir>`:
 * evaluate a judge on a benchmark.
 * The API key is read from the env var named by `--api-key-env` (default OPENAI_API_KEY).
 * @module
 */
import { runStageCli } from "../lib/pipeline/cli.ts";
import { evaluateStage } from "../lib/stages/evaluate.ts";

Deno.exit(await runStageCli(evaluateStage, Deno.args));
