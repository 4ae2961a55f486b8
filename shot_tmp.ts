import { chromium } from "playwright-core";
const dir = await Deno.makeTempDir();
const context = await chromium.launchPersistentContext(dir, {
  executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1300, height: 1000 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await context.newPage();
page.on("console", (m) => console.log("console:", m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
for (const [name, hash] of Deno.args.map((a) => a.split("=", 2))) {
  await page.goto(`http://127.0.0.1:7777/${hash}`);
  await page.waitForTimeout(800);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
}
await context.close();
