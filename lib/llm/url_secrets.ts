/**
 * Secrets a base URL may carry (`https://user:token@host/v1`, `?api-key=…`), kept out of
 * everything the toolkit writes or prints: error messages, rejects, logs.
 * @module
 */

/**
 * The secret parts of a URL: its user name and password, and its query values.
 *
 * @example
 * ```ts
 * import { urlSecrets } from "./url_secrets.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(urlSecrets("https://me:s3cret@host/v1?key=abcd"), ["me", "s3cret", "abcd"]);
 * ```
 */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const parts = [u.username, u.password, ...u.searchParams.values()].filter(Boolean);
  // Both spellings: a message may quote the URL as written or decoded.
  return [...new Set(parts.flatMap((p) => [p, safeDecode(p)]))];
}

/**
 * `text` with every secret of `url` replaced by `***`.
 *
 * @example
 * ```ts
 * import { withoutUrlSecrets } from "./url_secrets.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   withoutUrlSecrets("error sending request for url (http://me:s3cret@h/v1/chat)", "http://me:s3cret@h/v1"),
 *   "error sending request for url (http://***:***@h/v1/chat)",
 * );
 * ```
 */
export function withoutUrlSecrets(text: string, url: string): string {
  // Longest first, so a secret that contains another is replaced whole.
  const secrets = urlSecrets(url).sort((a, b) => b.length - a.length);
  return secrets.reduce((t, secret) => t.replaceAll(secret, "***"), text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
