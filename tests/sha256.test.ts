import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256, sha256Prefix } from "../lib/sha256.ts";

const native = (s: string) => createHash("sha256").update(s).digest("hex");

Deno.test("sha256: FIPS 180-4 vectors", () => {
  assert.equal(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256: equals node:crypto on every padding boundary, Unicode and lone surrogates", () => {
  const texts = ["é漢字🙂", "\ud800 lone", "tail \udc00", "y".repeat(5000)];
  for (let len = 0; len < 200; len++) {
    texts.push(
      Array.from({ length: len }, (_, j) => String.fromCharCode(32 + (j * 7919 + len) % 0x2fff))
        .join(""),
    );
  }
  for (const text of texts) {
    assert.equal(sha256(text), native(text), `length ${text.length}`);
    for (const cut of [0, 1, 63, 64, 65, Math.floor(text.length / 2), text.length]) {
      if (cut > text.length) continue;
      const head = text.slice(0, cut);
      assert.equal(
        sha256Prefix(head)(text.slice(cut)),
        native(text),
        `cut ${cut} of ${text.length}`,
      );
    }
  }
});

Deno.test("sha256: a prefix hashes many tails, each independent of the others", () => {
  const hashed = sha256Prefix("x".repeat(100));
  const tails = ["a", "b".repeat(300), "", "a"];
  const digests = tails.map(hashed);
  assert.deepEqual(digests, tails.map((t) => native("x".repeat(100) + t)));
  assert.equal(digests[0], digests[3]);
});
