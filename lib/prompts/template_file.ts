/**
 * Reads a template's text: a built-in file shipped under `templates/`, or a user's file.
 * @module
 */
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";
import type { OptionIssue } from "../options.ts";

/**
 * Where a template is: the file (or, for a module imported by URL, the URL) of a built-in when
 * `nameOrPath` is one of `builtins` (`builtinPath` is relative to the repo's `templates/`
 * folder), else `nameOrPath` itself, a path.
 */
export function templateLocation(
  nameOrPath: string,
  builtins: readonly string[],
  builtinPath: string,
): { location: string; url?: URL; builtin: boolean } {
  if (!builtins.includes(nameOrPath)) return { location: nameOrPath, builtin: false };
  const url = new URL(`../../templates/${builtinPath}`, import.meta.url);
  return { location: url.protocol === "file:" ? fileURLToPath(url) : url.href, url, builtin: true };
}

/** The text of a template and the name to report it by (see {@linkcode templateLocation}). */
export async function readTemplateFile(
  nameOrPath: string,
  builtins: readonly string[],
  builtinPath: string,
  what: string,
): Promise<{ text: string; source: string; builtin: boolean }> {
  const { location, url, builtin } = templateLocation(nameOrPath, builtins, builtinPath);
  try {
    // A remote module (e.g. imported by URL) reads its built-ins over HTTP.
    const text = url && url.protocol !== "file:"
      ? await (await fetch(url)).text()
      : await Deno.readTextFile(location);
    return { text, source: location, builtin };
  } catch (cause) {
    const { expected, found } = unreadable(nameOrPath, builtins, what);
    throw new UserError(`expected ${expected}, found ${found}`, { cause });
  }
}

/**
 * The issue with a template a user's option names, checked when the options are loaded: a file
 * that cannot be read, or that `parse` refuses (built-ins ship with the code and are not read).
 */
export function templateFileIssue(
  nameOrPath: string,
  builtins: readonly string[],
  what: string,
  parse: (text: string, source: string) => void,
): OptionIssue | undefined {
  if (builtins.includes(nameOrPath)) return undefined;
  let text: string;
  try {
    text = Deno.readTextFileSync(nameOrPath);
  } catch {
    return unreadable(nameOrPath, builtins, what);
  }
  try {
    parse(text, nameOrPath);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { expected: `a valid ${what}`, found: `${JSON.stringify(nameOrPath)}: ${err.message}` };
  }
  return undefined;
}

function unreadable(nameOrPath: string, builtins: readonly string[], what: string): OptionIssue {
  return {
    expected: `a ${what} file or a built-in name (${builtins.join(", ")})`,
    found: `${JSON.stringify(nameOrPath)}, which cannot be read`,
  };
}
