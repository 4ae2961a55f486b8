/**
 * The run viewer in a real browser: playwright-core driving Debian's Chromium (`.ci/run`
 * installs it), started by the test with a fresh profile, against demo pipeline runs.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import type { Rollout } from "../lib/records.ts";
import { startViewer } from "../lib/view/server.ts";
import { demoRuns } from "./helpers/demo_runs.ts";

const CHROMIUM = "/usr/bin/chromium";
const found = await Deno.stat(CHROMIUM).then((s) => s.isFile, () => false);

Deno.test({
  name: found
    ? "view in Chromium: run page, a filter, an item, a comparison"
    : `view in Chromium: SKIPPED, no browser at ${CHROMIUM} (apt-get install chromium)`,
  ignore: !found,
  fn: async () => {
    const root = await demoRuns();
    const viewer = await startViewer({ paths: [root], port: 0 });
    const profile = await Deno.makeTempDir({ prefix: "j1kit-chromium-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));

      // The run page: the graph and the table show every stage with its status.
      await page.goto(`${viewer.url}#/run/demo`);
      await page.locator("#stages tr[data-stage=rollout]").waitFor();
      // Every stage of the demo pipeline (seeds … scoreboard).
      assert.equal(await page.locator(".graph svg a[data-stage]").count(), 10);
      assert.equal(await page.locator("#stages [data-status=complete]").count(), 10);
      const manifest = JSON.parse(await Deno.readTextFile(`${root}/demo/rollout.manifest.json`));
      const row = page.locator("#stages tr[data-stage=rollout] td");
      assert.equal(await row.nth(3).textContent(), String(manifest.counts.records));
      assert.equal(await row.nth(5).textContent(), String(manifest.usage.requests));

      // A filter: rollouts with one parse error code, as many as the manifest counts.
      await row.first().locator("a").click();
      await page.locator("#filters").waitFor();
      const [code, count] = Object.entries(manifest.summary.stats.parseErrors)[0] as [
        string,
        number,
      ];
      await page.locator('#filters select[name="cat.parse error"]').selectOption(code);
      await page.locator("#filters button[type=submit]").click();
      await page.locator("#matched", { hasText: ` ${count} of ${manifest.counts.records} ` })
        .waitFor();
      const codes = await page.locator("table.records tr[data-line] td:nth-child(10)")
        .allTextContents();
      assert.ok(codes.length > 0 && codes.every((c) => c === code), codes.join(","));

      // An item: the pair's instruction and responses, and every judgment of it.
      const line = Number(
        await page.locator("table.records tr[data-line]").first().getAttribute(
          "data-line",
        ),
      );
      await page.locator("table.records tr[data-line]").first().click();
      await page.locator("#instruction").waitFor();
      const rollouts = (await Deno.readTextFile(`${root}/demo/rollout.jsonl`)).trim().split("\n")
        .map((l) => JSON.parse(l) as Rollout);
      const picked = rollouts[line];
      const pair = (await Deno.readTextFile(`${root}/demo/synth.jsonl`) +
        await Deno.readTextFile(`${root}/demo/given.jsonl`)).trim().split("\n").map((l) =>
          JSON.parse(l)
        ).find((p) => p.id === picked.pairId);
      assert.equal(await page.locator("#chosen pre").textContent(), pair.chosen);
      assert.equal(await page.locator("#rejected pre").textContent(), pair.rejected);
      const thoughts = await page.locator("pre.thought").allTextContents();
      const ofPair = rollouts.filter((r) => r.pairId === picked.pairId);
      assert.equal(thoughts.length, ofPair.length);
      assert.ok(thoughts.includes(picked.thought));

      // A comparison of two judges' JudgeBench runs, picked on the runs page.
      await page.goto(viewer.url);
      await page.locator('input[data-compare="demo/eval-judgebench"]').check();
      await page.locator('input[data-compare="other/eval-judgebench"]').check();
      await page.locator("#compare").click();
      await page.locator("#headline").waitFor();
      const score = async (run: string) =>
        JSON.parse(await Deno.readTextFile(`${root}/${run}/eval-judgebench/summary.json`))
          .official.judgebench_score.toFixed(2);
      const cells = await page.locator("#headline tr").evaluateAll((rows) =>
        rows.slice(1).map((r) => [...r.children].map((c) => c.textContent))
      );
      assert.deepEqual(cells.map((c) => [c[0], c[1]]), [
        ["demo", await score("demo")],
        ["other", await score("other")],
      ]);
      assert.match(
        await page.locator("p.paired").textContent() ?? "",
        /95% paired bootstrap interval \[/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await viewer.close();
      await Deno.remove(profile, { recursive: true });
      await Deno.remove(root, { recursive: true });
    }
  },
});
