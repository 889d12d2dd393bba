/** Headless Chromium for the browser tests: found where installed, else the test is skipped with the reason printed. */
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import type { Browser } from "puppeteer-core";

/** The first candidate path that exists. */
export function find(candidates: (string | undefined)[]): string | null {
  for (const c of candidates) if (c !== undefined && c !== "" && existsSync(c)) return c;
  return null;
}

/**
 * A headless Chromium (CHROMIUM_PATH, or Debian's `chromium`), or null after skipping `t` with the
 * reason printed when none is installed.
 */
export async function launchChromium(t: TestContext): Promise<Browser | null> {
  const chromium = find([
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ]);
  if (chromium === null) {
    const reason = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)";
    console.log(`# browser test skipped: ${reason}`);
    t.skip(reason);
    return null;
  }
  const { default: puppeteer } = await import("puppeteer-core");
  return puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}
