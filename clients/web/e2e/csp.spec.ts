// The Content-Security-Policy in force: the operator's and the supervisor's pages work through a
// whole call and every supervisor page without one refusal, what the policy forbids (an inline
// script, being framed) is refused, and every response carries the headers.
import type { Page, Response } from "@playwright/test";
import { desk, expect, logIn, showsState, test, watchConsole, watchPolicy } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

function expectLockedDown(res: Response | null): void {
  expect(res).not.toBeNull();
  const h = res!.headers();
  expect(h["content-security-policy"]).toContain("default-src 'none'");
  expect(h["content-security-policy"]).toContain("script-src 'self'");
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).not.toContain("unsafe");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("no-referrer");
}

/** An inline script is refused, and the refusal is seen: the watcher is not blind. */
async function inlineScriptIsRefused(page: Page, violations: string[]): Promise<void> {
  const ran = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.head.appendChild(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.join("\n")).toMatch(/^script-src-elem refused inline/);
}

test("the operator's page: a whole call under the CSP with no refusal", async ({ page, server, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const violations = await watchPolicy(page);
  const assets: Response[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.match(/^\/(assets\/|favicon)/)) assets.push(r);
  });
  expectLockedDown(await page.goto(server.url));
  await logIn(page, server.url, "anna");
  const d = desk(page);
  await expect(d.conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await d.toggle.click();
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await call.answer();
  await showsState(page, "on_call");
  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  await page.getByTestId("note").fill("under the CSP");
  await page.getByTestId("note").press("Control+Enter");
  await showsState(page, "ready");

  expect(assets.length).toBeGreaterThanOrEqual(2); // the script and the style at least
  for (const r of assets) expectLockedDown(r);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
  await inlineScriptIsRefused(page, violations);
});

test("the supervisor's pages: every page and the CSV download under the CSP with no refusal", async ({ page, server, ids, cloud, api }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const violations = await watchPolicy(page);
  // A call today, so that the wallboard's tiles and the reports' bars and charts have something.
  const annaOff = await api.online("anna");
  const call = cloud.call();
  await call.answer();
  await call.callerHangsUp();
  await annaOff();

  expectLockedDown(await page.goto(`${server.url}/supervisor#wallboard`));
  await page.getByLabel("Access key").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  const nav = page.getByRole("navigation", { name: "Supervisor pages" });
  await expect(nav).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  // Each page, loaded afresh (its document's headers checked) and showing what it is for.
  const pages: [string, () => Promise<void>][] = [
    ["calls", () => expect(page.getByText("No call is waiting or talking.")).toBeVisible({ timeout: WAIT })],
    ["config", () => expect(page.getByRole("tab", { name: "Queues" })).toBeVisible({ timeout: WAIT })],
    ["staffing", () => expect(page.getByLabel("Calls per hour")).toBeVisible({ timeout: WAIT })],
    ["search", () => expect(page.getByLabel("Caller number")).toBeVisible({ timeout: WAIT })],
    ["operators", () => expect(page.locator('select[name="operator"] option')).not.toHaveCount(1, { timeout: WAIT })],
    ["reports", () => expect(page.getByTestId("totals")).toContainText("Calls today1", { timeout: WAIT })],
  ];
  for (const [hash, shows] of pages) {
    await page.goto(`${server.url}/supervisor#${hash}`); // only the hash moves: the same document
    expectLockedDown(await page.reload());
    await expect(nav.getByRole("link", { name: /./ }).and(page.locator(`[href="#${hash}"]`))).toHaveAttribute("aria-current", "page", { timeout: WAIT });
    await shows();
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);

  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
  await inlineScriptIsRefused(page, violations);
});

test("no other page can frame the app", async ({ page, server }) => {
  await page.goto("about:blank");
  await page.setContent(`<iframe id="f" src="${server.url}/" width="600" height="400"></iframe>`);
  const frame = page.frameLocator("#f");
  // The frame is refused (frame-ancestors 'none'): Chromium shows its error page in its place,
  // and the login form never shows inside it.
  await expect.poll(() => page.frames()[1]?.url() ?? "", { timeout: WAIT }).toMatch(/^chrome-error:/);
  await expect(frame.getByRole("button", { name: "Log in" })).toHaveCount(0);
  // The same page on its own shows it: the check above is not blind.
  await page.goto(server.url);
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
});
