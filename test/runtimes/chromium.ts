// Shared by the Chromium suites: Debian's chromium driven by playwright-core, and the repository
// served on 127.0.0.1. Without /usr/bin/chromium the suites are skipped (visibly, with the install
// hint) unless REQUIRE_BROWSER=1, which .ci/run sets: then they fail.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe } from "vitest";
import { serve } from "../../scripts/serve.mjs";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const HINT = `install it with: apt-get install -y chromium`;
const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));

export interface Session {
  browser: Browser;
  /** where the repository root is served */
  url: string;
}

/**
 * A describe() block with a Chromium (new empty profile) and a static server of the repository;
 * `headers(url)` adds response headers such as a CSP.
 */
export function describeInChromium(name: string, headers: (url: URL) => Record<string, string>, body: (session: () => Session) => void): void {
  const available = existsSync(CHROMIUM);
  const required = process.env.REQUIRE_BROWSER === "1";
  if (!available && !required) {
    console.warn(`SKIPPED: ${name}: ${CHROMIUM} not found; ${HINT} (REQUIRE_BROWSER=1 makes this a failure)`);
    describe.skip(`${name} (skipped: ${CHROMIUM} not found; ${HINT})`, () => body(() => ({}) as Session));
    return;
  }
  describe(name, () => {
    let session: Session | null = null;
    let close: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      if (!available) throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing; ${HINT}`);
      const server = await serve({ root: REPOSITORY, headers });
      close = server.close;
      // launch() runs Chromium on a new, empty, temporary user-data-dir
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
      session = { browser, url: server.url };
    });
    afterAll(async () => {
      await session?.browser.close();
      await close?.();
    });
    body(() => {
      if (session === null) throw new Error("Chromium did not start");
      return session;
    });
  });
}
