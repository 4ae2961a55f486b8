/**
 * Bearer-token check for the reward server.
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HttpError } from "./http_error.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** RFC 6750 §3: a 401 names the scheme the client should use. */
const CHALLENGE = { "www-authenticate": 'Bearer realm="j1kit"' };

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, { headers: CHALLENGE });
}

/**
 * Throws {@linkcode HttpError} 401 (with `WWW-Authenticate: Bearer`) unless `request` carries `Authorization: Bearer <token>`.
 * Does nothing when `token` is undefined (no auth configured). The comparison takes the same
 * time whatever the guess, so the token cannot be found byte by byte.
 *
 * @example
 * ```ts
 * import { checkBearer } from "./check_bearer.ts";
 * import assert from "node:assert/strict";
 * const req = new Request("http://x/", { headers: { authorization: "Bearer s3cret" } });
 * checkBearer(req, "s3cret");
 * assert.throws(() => checkBearer(req, "other"), { status: 401 });
 * ```
 */
export function checkBearer(request: Request, token: string | undefined): void {
  if (token === undefined) return;
  const header = request.headers.get("authorization");
  if (header === null) {
    throw unauthorized("expected an `Authorization: Bearer <token>` header, found none");
  }
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) {
    throw unauthorized("expected an `Authorization: Bearer <token>` header, found another scheme");
  }
  if (!timingSafeEqual(digest(match[1]), digest(token))) {
    throw unauthorized("expected the server's bearer token, found a different one");
  }
}
