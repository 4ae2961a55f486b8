/**
 * Typed errors a user can act on. Library code throws these; only `tasks/` print them and set
 * the exit code.
 * @module
 */

/** Where in a file something went wrong (1-based line and column). */
export interface Location {
  /** The file's path (or URL) as the user gave it. */
  file: string;
  /** 1-based line; absent when the whole file is meant. */
  line?: number;
  /** 1-based column; shown only with a line. */
  col?: number;
}

/** Formats a location as `file:line:col` (parts that are unknown are left out). */
export function formatLocation(loc: Location): string {
  return [loc.file, loc.line, loc.line !== undefined ? loc.col : undefined]
    .filter((p) => p !== undefined).join(":");
}

/** An error caused by the user's input (config, data, flags): exit code 2 by default. */
export class UserError extends Error {
  /** The class name, shown before the message. */
  override name = "UserError";
  /** Exit code a CLI should use. */
  exitCode: number;
  /** Where in the user's input the mistake is, when known. */
  loc?: Location;
  /** Builds the error; with `loc`, the message starts with `file:line:col: `. */
  constructor(
    message: string,
    options: { loc?: Location; exitCode?: number; cause?: unknown } = {},
  ) {
    super(options.loc ? `${formatLocation(options.loc)}: ${message}` : message, {
      cause: options.cause,
    });
    this.loc = options.loc;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Several user errors found at once (e.g. every validation error of a pipeline file). */
export class UserErrors extends UserError {
  /** The class name, shown before the message. */
  override name = "UserErrors";
  /** Every error found, in file order. */
  errors: UserError[];
  /** Joins the errors' messages one a line. */
  constructor(errors: UserError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
  }
}

/** An endpoint failed for good (after retries): names the URL and what it answered. */
export class EndpointError extends Error {
  /** The class name, shown before the message. */
  override name = "EndpointError";
  /** The endpoint's URL. */
  endpoint: string;
  /** The HTTP status it answered with; absent when no response came (timeout, refused). */
  status?: number;
  /** Builds the error; the message starts with the endpoint's URL. */
  constructor(
    endpoint: string,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(`${endpoint}: ${message}`, { cause: options.cause });
    this.endpoint = endpoint;
    this.status = options.status;
  }

  /**
   * Whether the server refused this request itself (bad request, not found, too large,
   * unprocessable): retrying cannot help, so the unit that sent it is rejected and the stage
   * goes on, rather than stopping.
   */
  get refusesRequest(): boolean {
    return this.status !== undefined && REFUSING_STATUSES.has(this.status);
  }
}

const REFUSING_STATUSES = new Set([400, 404, 413, 422]);
