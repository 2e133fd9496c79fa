// The smoke suite in Chromium, on the package's browser entry loaded as a plain module (no
// bundler), once as is and once under the strict CSP `script-src 'self' 'wasm-unsafe-eval'`.
import { beforeAll, expect, test } from "vitest";
import { SMOKE_CHECKS } from "./smoke.js";
import { describeInChromium } from "./chromium.js";

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

interface Report {
  beforeInit: string;
  results: { name: string; ok: boolean; detail: string }[];
  evalAllowed: boolean;
  violations: { directive: string; blocked: string }[];
  crashed?: string;
}

describeInChromium(
  "chromium",
  (url) => (url.searchParams.has("strict-csp") ? { "content-security-policy": STRICT_CSP } : {}),
  (session) => {
    for (const [label, query] of [["page", ""], ["page under a strict CSP", "?strict-csp"]]) {
      let report: Report;
      beforeAll(async () => {
        const page = await session().browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`${session().url}/test/runtimes/browser/smoke.html${query}`);
        await page.waitForFunction(() => "smokeReport" in window, null, { timeout: 60_000 });
        report = await page.evaluate(() => (window as unknown as { smokeReport: Report }).smokeReport);
        await page.close();
        expect(errors).toEqual([]);
        expect(report.crashed).toBeUndefined();
      });

      test(`${label}: ops before init() throw the "await init()" error`, () => {
        expect(report.beforeInit).toBe(
          "RuntimeError: tapegrad is not initialized: await init() before using tensors (in browsers and workers the WebAssembly core loads asynchronously).",
        );
      });

      test.each(SMOKE_CHECKS)(`${label}: %s`, (name) => {
        const result = report.results.find((r) => r.name === name);
        expect(result?.detail).toBe("");
        expect(result?.ok).toBe(true);
      });

      if (query !== "") {
        test(`${label}: the CSP is in force (eval refused) and nothing of tapegrad violates it`, () => {
          expect(report.evalAllowed).toBe(false);
          expect(report.violations).toEqual([]);
        });
      }
    }
  },
);
