/**
 * Loads and validates a JSONC pipeline file: endpoints, defaults and an ordered list of stages.
 * Every problem is reported at once, each as `file:line:col: expected …, found …`, before
 * anything runs.
 * @module
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { type Location, UserError, UserErrors } from "../errors.ts";
import type { EndpointConfig } from "../llm/types.ts";
import { endpointDefaults } from "../llm/endpoint.ts";
import {
  describeValue,
  type OptionProblem,
  type OptionSpec,
  type OptionsSpec,
} from "../options.ts";
import type { StageRunner } from "./stage.ts";
import { interpolate } from "./interpolate.ts";
import { pathExists } from "../io/path_exists.ts";

/** How to start a local server for an endpoint whose `baseUrl` is empty (e.g. the simulator). */
export interface EndpointStart {
  /** Command and arguments. */
  command: string[];
  /** A regex whose first group captures the base URL in the command's stdout. */
  urlPattern: string;
}

/** An endpoint as declared in the pipeline file. */
export interface EndpointDecl extends EndpointConfig {
  /** How to start a local server when `baseUrl` is empty; not used when it is set. */
  start?: EndpointStart;
  /** Send the stages' requests through the OpenAI Batch API of `baseUrl` (half price, ≤ 24 h). */
  batchApi?: boolean;
  /** Seconds between two polls of a batch (default 60). */
  batchPollSeconds?: number;
}

/** One stage as declared. */
export interface StageConfig {
  /** Unique within the pipeline: names the stage's files and its output as an input. */
  id: string;
  /** The runner's name in the stage registry, e.g. `rollout`. */
  task: string;
  /** Other stage ids, file paths or URLs. */
  inputs: string[];
  /** Options with defaults filled in. */
  options: Record<string, unknown>;
  /** Where the stage is declared in the pipeline file, for error messages. */
  loc: Location;
}

/** A validated pipeline. */
export interface PipelineConfig {
  /** The pipeline file's path. */
  file: string;
  /** The run's name (the default run directory's last part). */
  name: string;
  /** Run directory (default `runs/<name>`). */
  runDir: string;
  /** Response cache file (default `<runDir>/cache.sqlite`), or null for none. */
  cache: string | null;
  /** The declared endpoints, by name. */
  endpoints: Record<string, EndpointDecl>;
  /** The stages, in the order they run. */
  stages: StageConfig[];
}

export { describeValue };

/** The stage runners a pipeline file may name, by stage name. */
// deno-lint-ignore no-explicit-any
export type Registry = Record<string, StageRunner<any, any, any>>;

/** The keys of an endpoint declaration, checked the same way in a pipeline file and as flags. */
export const ENDPOINT_KEYS: Record<string, OptionSpec> = {
  baseUrl: { type: "string", description: "base URL", required: true },
  model: { type: "string", description: "model", required: true },
  apiKeyEnv: { type: "string", description: "env var of the API key" },
  concurrency: { type: "integer", description: "requests in flight", min: 1 },
  rpm: { type: "integer", description: "requests per minute", min: 0 },
  timeoutMs: { type: "integer", description: "per-attempt timeout", min: 1 },
  maxRetries: { type: "integer", description: "retries", min: 0 },
  nSampling: { type: "string", description: "n sampling", enum: ["native", "separate"] },
  start: { type: "object", description: "how to start a local server" },
  batchApi: { type: "boolean", description: "use the OpenAI Batch API" },
  batchPollSeconds: { type: "number", description: "seconds between batch polls", min: 0 },
};

/** `baseUrl` as a list: the replicas of one model. */
const REPLICA_URLS: OptionSpec = { type: "string[]", description: "replica base URLs" };

/** Collects errors with their locations while walking the syntax tree. */
class Checker {
  errors: UserError[] = [];
  constructor(readonly file: string, readonly text: string) {}

  /** The environment, read once for all `${VAR}`s (a copy per string cost ~60 µs each). */
  #env?: Record<string, string>;
  /** Offsets where lines start, found once: a file with thousands of errors stays linear. */
  #lineStarts?: number[];

  loc(node: Node | undefined): Location {
    const offset = node?.offset ?? 0;
    const starts = this.#lineStarts ??= lineStarts(this.text);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - starts[lo] + 1 };
  }

  fail(node: Node | undefined, expected: string, found?: string): void {
    const what = found ?? describe(node);
    this.errors.push(new UserError(`expected ${expected}, found ${what}`, { loc: this.loc(node) }));
  }

  /** The properties of an object node (reporting unknown keys), or undefined if not an object. */
  object(node: Node | undefined, what: string, known?: string[]): Map<string, Node> | undefined {
    if (!node || node.type !== "object") {
      this.fail(node, what);
      return undefined;
    }
    const props = new Map<string, Node>();
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      const key = String(keyNode?.value);
      if (known && !known.includes(key)) {
        this.fail(keyNode, `one of ${known.join(", ")}`, `unknown key "${key}"`);
        continue;
      }
      if (valueNode) props.set(key, valueNode);
    }
    return props;
  }

  /** A JSON value of a node, with `${VAR}` interpolated in strings. */
  value(node: Node): unknown {
    switch (node.type) {
      case "object":
        return Object.fromEntries(
          (node.children ?? []).map((
            p,
          ) => [String(p.children![0].value), this.value(p.children![1])]),
        );
      case "array":
        return (node.children ?? []).map((c) => this.value(c));
      case "string":
        try {
          return interpolate(node.value as string, this.#env ??= Deno.env.toObject());
        } catch (err) {
          this.errors.push(new UserError((err as Error).message, { loc: this.loc(node) }));
          return node.value;
        }
      default:
        return node.value;
    }
  }

  /** Checks a value against an option spec; returns it, or undefined after an error. */
  option(node: Node, spec: OptionSpec, endpoints: string[] | undefined): unknown {
    const value = this.value(node);
    const problem = optionProblem(value, spec, endpoints);
    if (problem) {
      this.fail(node, problem.expected, problem.found);
      return undefined;
    }
    return value;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * What a value should have been and what it is, if it does not fit its option spec (else
 * undefined). Shared by pipeline-file validation and CLI flags.
 */
export function optionProblem(
  value: unknown,
  spec: OptionSpec,
  endpoints?: string[],
): OptionProblem | undefined {
  const fits = (v: unknown, type = spec.type): boolean => {
    switch (type) {
      case "string":
      case "endpoint":
        return typeof v === "string" && (!spec.enum || spec.enum.includes(v)) &&
          (type !== "endpoint" || !endpoints || endpoints.includes(v) ||
            (v === "" && spec.default === ""));
      case "number":
        return typeof v === "number" && inRange(v, spec);
      case "integer":
        return Number.isSafeInteger(v) && inRange(v as number, spec);
      case "boolean":
        return typeof v === "boolean";
      case "string[]":
        return Array.isArray(v) && v.every((e) => fits(e, "string"));
      case "object":
        return typeof v === "object" && v !== null && !Array.isArray(v);
    }
  };
  if (!fits(value)) return { expected: expectedOf(spec, endpoints), found: describeValue(value) };
  return undefined;
}

function inRange(v: number, spec: OptionSpec): boolean {
  return (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
}

function expectedOf(spec: OptionSpec, endpoints?: string[]): string {
  const range = [
    spec.min !== undefined ? `>= ${spec.min}` : "",
    spec.max !== undefined ? `<= ${spec.max}` : "",
  ].filter(Boolean).join(" and ");
  const names = spec.type === "endpoint" ? endpoints : spec.enum;
  const base = {
    string: "a string",
    endpoint: "the name of a declared endpoint",
    number: "a number",
    integer: "an integer",
    boolean: "true or false",
    "string[]": "a list of strings",
    object: "an object",
  }[spec.type];
  return [base, names ? `(one of ${names.map((n) => `"${n}"`).join(", ")})` : "", range]
    .filter(Boolean).join(" ");
}

function describe(node: Node | undefined): string {
  if (!node) return "nothing";
  if (node.type === "object" || node.type === "array") return `an ${node.type}`;
  return describeValue(node.value);
}

function isRegex(pattern: unknown): pattern is string {
  try {
    return typeof pattern === "string" && !!new RegExp(pattern);
  } catch {
    return false;
  }
}

/** What a pipeline or stage name may be: it names files and folders inside the run folder. */
const NAME_RULE = "a name of letters, digits, '.', '_' or '-' (not '.' or '..')";

function isName(name: unknown): name is string {
  return typeof name === "string" && /^[\w.-]+$/.test(name) && name !== "." && name !== "..";
}

/**
 * What a run folder should have been, if `dir` cannot be one (else undefined): an empty path
 * would put every file at the root (`/<stage>.jsonl`), and so would the root itself.
 */
export function runDirProblem(dir: unknown): string | undefined {
  if (typeof dir !== "string" || !dir.trim() || /^\/+$/.test(dir)) {
    return "a folder path (not empty, not the root folder)";
  }
  return undefined;
}

/** Whether an input reference names a URL (anything else that is not a stage id is a path). */
export function isUrl(ref: string): boolean {
  return /^(https?|hf):\/\//.test(ref);
}

/**
 * Parses and validates a pipeline file's text against the stage registry. Throws
 * {@linkcode UserErrors} listing every problem.
 */
export function parsePipeline(
  text: string,
  file: string,
  registry: Registry,
  exists: (path: string) => boolean = pathExists,
): PipelineConfig {
  const c = new Checker(file, text);
  const syntax: ParseError[] = [];
  const root = parseTree(text, syntax, { allowTrailingComma: true, disallowComments: false });
  for (const e of syntax) {
    c.fail({ offset: e.offset } as Node, "valid JSONC", printParseErrorCode(e.error));
  }
  if (syntax.length || !root) throw new UserErrors(c.errors);
  const top = c.object(root, "an object with name, endpoints, defaults and stages", [
    "$schema",
    "name",
    "runDir",
    "cache",
    "endpoints",
    "defaults",
    "stages",
  ]);
  if (!top) throw new UserErrors(c.errors);

  const nameNode = top.get("name");
  const name = nameNode ? c.value(nameNode) : baseName(file);
  if (!isName(name)) c.fail(nameNode, NAME_RULE, describeValue(name));
  const runDirNode = top.get("runDir");
  const runDir = runDirNode ? c.value(runDirNode) : `runs/${name}`;
  const runDirIssue = runDirProblem(runDir);
  if (runDirIssue) c.fail(runDirNode, runDirIssue, describeValue(runDir));
  const cacheNode = top.get("cache");
  const cache = cacheNode ? c.value(cacheNode) : `${runDir}/cache.sqlite`;
  if (cache !== null && (typeof cache !== "string" || !cache)) {
    c.fail(cacheNode, "a file path or null");
  }

  const endpoints = parseEndpoints(c, top.get("endpoints"));
  const endpointNames = Object.keys(endpoints);
  const defaults = parseDefaults(c, top.get("defaults"), registry);
  const stages = parseStages(c, top.get("stages"), registry, endpointNames, defaults, exists);
  if (c.errors.length) throw new UserErrors(c.errors);
  return {
    file,
    name: name as string,
    runDir: runDir as string,
    cache: cache as string | null,
    endpoints,
    stages,
  };
}

function parseEndpoints(c: Checker, node: Node | undefined): Record<string, EndpointDecl> {
  const out: Record<string, EndpointDecl> = {};
  if (!node) return out;
  const props = c.object(node, "an object of named endpoints");
  for (const [name, decl] of props ?? []) {
    const fields = c.object(decl, `endpoint "${name}": an object`, Object.keys(ENDPOINT_KEYS));
    if (!fields) continue;
    const values: Record<string, unknown> = { name };
    for (const [key, spec] of Object.entries(ENDPOINT_KEYS)) {
      const v = fields.get(key);
      if (!v) {
        if (spec.required) c.fail(decl, `endpoint "${name}" to have "${key}"`, "it missing");
        continue;
      }
      values[key] = key === "start"
        ? parseStart(c, v)
        : key === "baseUrl" && v.type === "array"
        ? replicaUrls(c, v)
        : c.option(v, spec, undefined);
    }
    out[name] = endpointDefaults(values as unknown as EndpointDecl) as EndpointDecl;
  }
  return out;
}

function replicaUrls(c: Checker, node: Node): string[] | undefined {
  const urls = c.option(node, REPLICA_URLS, undefined) as string[] | undefined;
  if (urls && (!urls.length || !urls.every(Boolean))) {
    c.fail(node, "a non-empty list of base URLs (one per replica)");
    return undefined;
  }
  return urls;
}

function parseStart(c: Checker, node: Node): EndpointStart | undefined {
  const fields = c.object(node, "an object {command, urlPattern}", ["command", "urlPattern"]);
  const command = fields?.get("command");
  const pattern = fields?.get("urlPattern");
  const cmd = command ? c.value(command) : undefined;
  if (!Array.isArray(cmd) || !cmd.length || !cmd.every((x) => typeof x === "string")) {
    c.fail(command ?? node, "start.command: a non-empty list of strings");
    return undefined;
  }
  const urlPattern = pattern ? c.value(pattern) : "(https?://\\S+)";
  if (!isRegex(urlPattern)) c.fail(pattern, "a valid regular expression string");
  return { command: cmd, urlPattern: urlPattern as string };
}

function parseDefaults(c: Checker, node: Node | undefined, registry: Registry): Map<string, Node> {
  if (!node) return new Map();
  const known = [...new Set(Object.values(registry).flatMap((r) => Object.keys(r.options)))];
  return c.object(node, "an object of option defaults", known) ?? new Map();
}

function parseStages(
  c: Checker,
  node: Node | undefined,
  registry: Registry,
  endpoints: string[],
  defaults: Map<string, Node>,
  exists: (path: string) => boolean,
): StageConfig[] {
  if (!node || node.type !== "array") {
    c.fail(node ?? { offset: 0 } as Node, '"stages": a list of stages');
    return [];
  }
  const stages: StageConfig[] = [];
  const ids = new Map<string, Node>();
  const inputNodes: Node[][] = [];
  for (const stageNode of node.children ?? []) {
    const fields = c.object(stageNode, "a stage {id, task, inputs, options}", [
      "id",
      "task",
      "inputs",
      "options",
    ]);
    if (!fields) continue;
    const idNode = fields.get("id");
    const id = idNode ? c.value(idNode) : undefined;
    if (!isName(id)) {
      c.fail(idNode ?? stageNode, `"id": ${NAME_RULE}`, describeValue(id));
      continue;
    }
    if (ids.has(id)) c.fail(idNode, "a stage id not used before", `duplicate id "${id}"`);
    ids.set(id, idNode!);
    const taskNode = fields.get("task");
    const task = taskNode ? c.value(taskNode) : undefined;
    const runner = typeof task === "string" ? registry[task] : undefined;
    if (!runner) {
      c.fail(
        taskNode ?? stageNode,
        `"task": one of ${Object.keys(registry).map((t) => `"${t}"`).join(", ")}`,
        task === undefined ? "no task" : describeValue(task),
      );
    }
    const inputsNode = fields.get("inputs");
    const inputs: string[] = [];
    const nodes: Node[] = [];
    if (inputsNode) {
      if (inputsNode.type !== "array") c.fail(inputsNode, '"inputs": a list of strings');
      for (const child of inputsNode.children ?? []) {
        const v = c.value(child);
        if (typeof v !== "string" || !v) c.fail(child, "a stage id, a file path or a URL");
        else {
          inputs.push(v);
          nodes.push(child);
        }
      }
    }
    inputNodes.push(nodes);
    const options = runner
      ? parseOptions(c, fields.get("options"), stageNode, runner.options, endpoints, defaults)
      : {};
    stages.push({ id, task: task as string, inputs, options, loc: c.loc(stageNode) });
  }
  stages.forEach((stage, i) =>
    stage.inputs.forEach((ref, j) => {
      if (ids.has(ref) || isUrl(ref) || exists(ref)) return;
      c.fail(inputNodes[i][j], "a stage id, an existing file or a URL", `"${ref}"`);
    })
  );
  const cycle = findCycle(stages);
  if (cycle) {
    const at = stages.find((s) => s.id === cycle[0])!;
    c.errors.push(
      new UserError(`expected stages without a cycle, found ${cycle.join(" -> ")}`, {
        loc: at.loc,
      }),
    );
  }
  return stages;
}

function parseOptions(
  c: Checker,
  node: Node | undefined,
  stageNode: Node,
  spec: OptionsSpec,
  endpoints: string[],
  defaults: Map<string, Node>,
): Record<string, unknown> {
  const given = node ? c.object(node, '"options": an object', Object.keys(spec)) : new Map();
  const out: Record<string, unknown> = {};
  const nodes = new Map<string, Node>();
  for (const [key, s] of Object.entries(spec)) {
    const v = given?.get(key) ?? defaults.get(key);
    if (v) {
      out[key] = c.option(v, s, endpoints);
      nodes.set(key, v);
    } else if (s.default !== undefined) {
      out[key] = s.default;
      if (s.type === "endpoint" && s.default !== "" && !endpoints.includes(s.default as string)) {
        c.fail(stageNode, `option "${key}": ${expectedOf(s, endpoints)}`, "nothing");
      }
    } else if (s.required) {
      c.fail(node ?? stageNode, `option "${key}" (${s.description})`, "nothing");
    }
  }
  // Checks of values (files named, keys of objects) see every option, so they run last.
  for (const [key, s] of Object.entries(spec)) {
    if (!s.check || out[key] === undefined) continue;
    const issue = s.check(out[key], out);
    if (!issue) continue;
    const at = nodes.get(key);
    const keyNode = issue.key === undefined
      ? undefined
      : at?.children?.find((p) => p.children?.[0]?.value === issue.key);
    c.fail(keyNode ?? at ?? stageNode, `option "${key}": ${issue.expected}`, issue.found);
  }
  return out;
}

/** A cycle among stage inputs, as a list of ids, or undefined. */
export function findCycle(stages: Pick<StageConfig, "id" | "inputs">[]): string[] | undefined {
  const byId = new Map(stages.map((s) => [s.id, s]));
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "open") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "open");
    path.push(id);
    for (const ref of byId.get(id)?.inputs ?? []) {
      if (!byId.has(ref)) continue;
      const found = visit(ref);
      if (found) return found;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const s of stages) {
    const found = visit(s.id);
    if (found) return found;
  }
  return undefined;
}

/** Reads and validates a pipeline file. */
export async function loadPipeline(file: string, registry: Registry): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new UserError(`cannot read the pipeline file: ${(err as Error).message}`, {
      loc: { file },
    });
  }
  return parsePipeline(text, file, registry);
}

function baseName(file: string): string {
  return file.split("/").pop()!.replace(/\.jsonc?$/, "").replace(/[^\w.-]/g, "_");
}
