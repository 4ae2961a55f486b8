/**
 * Typed errors a user can act on. Library code throws these; only `tasks/` print them and set
 * the exit code.
 * @module
 */

/** Where in a file something went wrong (1-based line and column). */
export interface Location {
  file: string;
  line?: number;
  col?: number;
}

/** Formats a location as `file:line:col` (parts that are unknown are left out). */
export function formatLocation(loc: Location): string {
  return [loc.file, loc.line, loc.line !== undefined ? loc.col : undefined]
    .filter((p) => p !== undefined).join(":");
}

/** An error caused by the user's input (config, data, flags): exit code 2 by default. */
export class UserError extends Error {
  override name = "UserError";
  /** Exit code a CLI should use. */
  exitCode: number;
  loc?: Location;
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
  override name = "UserErrors";
  errors: UserError[];
  constructor(errors: UserError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
  }
}

/** An endpoint failed for good (after retries): names the URL and what it answered. */
export class EndpointError extends Error {
  override name = "EndpointError";
  endpoint: string;
  status?: number;
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
