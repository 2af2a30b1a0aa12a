// Headless Debian Chromium for the page checks (playwright-core, no browser download): a persistent context on a
// fresh profile folder; close() closes it and removes the folder. Used by inspect_pages.mjs and inspect_prebrief.mjs.
import {chromium} from "playwright-core";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";

export async function launchChromium(viewport) {
  const profile = mkdtempSync(join(tmpdir(), "callqa-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  });
  const close = async () => {
    await context.close();
    rmSync(profile, {recursive: true, force: true});
  };
  return {context, close};
}
