// The playground in Chromium, served as `npm run playground` serves it (with its CSP): the seed
// example runs and shows the in-place error and the stale saved tensor; every example runs
// as its comments say; no CSP violation. Saves a screenshot to test/artifacts/playground.png.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { playgroundHeaders } from "../../scripts/playground.mjs";
import { EXAMPLES } from "../../playground/examples.js";
import { describeInChromium } from "./chromium.js";

const IN_PLACE_ERROR =
  "RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation: " +
  "[torch.FloatTensor [3]], which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead.";
const NO_GRAD_FN_ERROR = "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn";

/** What each example prints, line by line (PyTorch's values and messages; see test/runtimes/reference.py). */
const EXPECTED_OUTPUT: Record<string, (string | RegExp)[]> = {
  detach: [
    "tensor([0.7311, 0.8808, 0.9526], grad_fn=<SigmoidBackward0>)",
    "tensor([0.1966, 0.1050, 0.0452])",
    "tensor([0.7311, 0.8808, 0.9526])",
    "True",
    NO_GRAD_FN_ERROR,
    "tensor([0., 0., 0.], grad_fn=<SigmoidBackward0>)",
    IN_PLACE_ERROR,
  ],
  detach_: [
    "tensor([2., 4., 6.], grad_fn=<MulBackward0>)",
    "tensor([2., 4., 6.]) True False",
    NO_GRAD_FN_ERROR,
    "tensor([6., 6., 6.])",
  ],
  data: ["0", "tensor([0., 0., 0.])", "1", IN_PLACE_ERROR],
  bptt: [/^chunk 0: loss \d+\.\d{4}$/, /^chunk 1: loss \d+\.\d{4}$/, /^chunk 2: loss \d+\.\d{4}$/, /^tensor\(\[\[.*\]\], grad_fn=<TanhBackward0>\)$/],
};

async function runExample(page: Page, id: string): Promise<{ lines: string[]; errors: string[] }> {
  await page.selectOption("#examples", id);
  await page.click("#run");
  await page.waitForSelector('#output[data-state="done"]');
  const lines = (await page.textContent("#output"))?.trimEnd().split("\n") ?? [];
  const errors = await page.$$eval("#output .error", (spans) => spans.map((s) => s.textContent?.trim() ?? ""));
  return { lines, errors };
}

describeInChromium("playground", playgroundHeaders, (session) => {
  let page: Page;
  beforeAll(async () => {
    page = await session().browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // registered before the page's scripts; reads violations without being subject to the CSP
    await page.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${session().url}/playground/`);
    await page.waitForSelector('body[data-ready="true"]');
  });
  afterAll(async () => {
    await page?.close();
  });

  test("the seed example: c.zero_() breaks out.sum().backward(), and the graph shows the stale saved tensor", async () => {
    expect(await page.inputValue("#examples")).toBe("detach");
    await page.click("#run");
    await page.waitForSelector('#output[data-state="done"]');
    const errors = await page.$$eval("#output .error", (spans) => spans.map((s) => s.textContent ?? ""));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(IN_PLACE_ERROR);
    const stale = await page.$$eval("#graphs svg g.node.saved.stale", (gs) => gs.map((g) => [...g.querySelectorAll("tspan")].map((t) => t.textContent)));
    expect(stale).toEqual([["saved result", "[3]", "storage #1", "stale: saved v0, now v1"]]);
    const boxes = await page.$$eval("#graphs svg g.node", (gs) => gs.map((g) => g.querySelector("tspan")?.textContent).sort());
    expect(boxes).toEqual(["SigmoidBackward0", "a", "c", "out", "saved result"]);
    expect(await page.textContent("#graphs figcaption")).toBe("show({ a, out, c })");
    const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}playground.png`, fullPage: true });
  });

  test.each(EXAMPLES.map((e) => [e.id, e]))("example %s prints what its comments say", async (id) => {
    const { lines } = await runExample(page, id as string);
    const expected = EXPECTED_OUTPUT[id as string];
    expect(lines).toHaveLength(expected.length);
    expected.forEach((want, i) => (typeof want === "string" ? expect(lines[i].startsWith(want), `${lines[i]}\n!= ${want}`).toBe(true) : expect(lines[i]).toMatch(want)));
    expect(await page.$$("#graphs svg")).toHaveLength(1);
  });

  test("errors thrown by the code are shown as Python shows an exception; syntax errors too", async () => {
    await page.fill("#editor", "print(tg.ones(2, 3).matmul(tg.ones(2, 3)));");
    await page.click("#run");
    await page.waitForSelector('#output[data-state="done"]');
    expect(await page.textContent("#output .error")).toBe("RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)\n");
    await page.fill("#editor", "print(1 +);");
    await page.click("#run");
    await page.waitForSelector('#output[data-state="done"]');
    expect(await page.textContent("#output .error")).toMatch(/^SyntaxError: /);
  });

  test("no Content-Security-Policy violation: no eval, user code runs from a Blob URL module", async () => {
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  });
});
