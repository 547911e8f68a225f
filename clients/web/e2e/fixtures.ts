// Playwright fixtures: a fresh tandem (own port and database) with the support queue and
// operators anna, boris and carla, the emulator as the cloud, and helpers for the operator screen.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { AdminApi, Cloud, TandemServer, WAIT, WebSdk, type CallerSession } from "./world";

export const screensDir = join(__dirname, "..", "test-results", "screens") + "/";
mkdirSync(screensDir, { recursive: true });

interface World {
  server: TandemServer;
  api: AdminApi;
  ids: Record<string, string>;
  cloud: Cloud;
}

export const test = base.extend<World>({
  server: async ({}, use) => {
    const s = await TandemServer.start();
    await use(s);
    await s.close();
  },
  api: async ({ server }, use) => {
    await use(new AdminApi(server.url));
  },
  ids: async ({ api }, use) => {
    await use(await api.setup(["anna", "boris", "carla"]));
  },
  cloud: async ({ server }, use) => {
    // carla's phone is always busy (the ban test); everyone else's rings until the test acts.
    const c = await Cloud.start(server.url, (target) => (target === "carla" ? { failCode: 486, failReason: "Busy Here", failAfterS: 0.3 } : undefined));
    await use(c);
    await c.close();
  },
});

/**
 * Fixtures of a tandem with --voximplant-emulator: the emulated Web SDK endpoint knowing users
 * (Voximplant user name to password) and the emulator ringing them in their browsers through
 * it; operators anna and boris, to whom phones may give what they need.
 */
export function withBrowserPhones(users: Record<string, string>, phones?: (api: AdminApi, ids: Record<string, string>) => Promise<void>) {
  return base.extend<World & { sdk: WebSdk }>({
    sdk: async ({}, use) => {
      const s = await new WebSdk({ users }).start();
      await use(s);
      await s.close();
    },
    server: async ({ sdk }, use) => {
      const s = await TandemServer.start(undefined, ["--voximplant-emulator", sdk.url]);
      await use(s);
      await s.close();
    },
    api: async ({ server }, use) => {
      await use(new AdminApi(server.url));
    },
    ids: async ({ api }, use) => {
      const ids = await api.setup(["anna", "boris"]);
      await phones?.(api, ids);
      await use(ids);
    },
    cloud: async ({ server, sdk }, use) => {
      const c = await Cloud.start(server.url, undefined, sdk);
      await use(c);
      await c.close();
    },
  });
}

/**
 * Fixtures of a tandem that calls back (issue 22): started with the Voximplant Management API
 * flags pointing at the emulator's StartScenarios, which runs the real callback scenario; the
 * support queue and operators anna and boris (offline: calls wait).
 */
export function withCallbacks() {
  return base.extend<World & { callbacks: Awaited<ReturnType<typeof Cloud.withCallbacks>> }>({
    callbacks: async ({}, use) => {
      const c = await Cloud.withCallbacks();
      await use(c);
      await c.cloud.close();
    },
    server: async ({ callbacks }, use) => {
      const s = await TandemServer.start(undefined, callbacks.serveArgs);
      callbacks.answer(s.url);
      await use(s);
      await s.close();
    },
    api: async ({ server }, use) => {
      await use(new AdminApi(server.url));
    },
    ids: async ({ api }, use) => {
      await use(await api.setup(["anna", "boris"]));
    },
    cloud: async ({ server, callbacks }, use) => {
      expect(server.url).toBeTruthy(); // the cloud knows its tandem once the server is up
      await use(callbacks.cloud);
    },
  });
}

export { expect };

/** The operator screen's parts. */
export function desk(page: Page) {
  return {
    state: page.getByTestId("state"),
    toggle: page.getByTestId("toggle"),
    conn: page.getByTestId("conn"),
    offer: page.getByTestId("offer-card"),
    talk: page.getByTestId("talk-card"),
    wrapUp: page.getByTestId("wrapup-card"),
  };
}

export async function logIn(page: Page, url: string, name: string, password = `password-${name}`): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Signs the supervisor pages in with an access key, in whatever language the page speaks. */
export async function signInSupervisor(page: Page, url: string, hash: string, key: string): Promise<void> {
  await page.goto(`${url}/supervisor#${hash}`);
  const form = page.locator("form", { has: page.locator('input[name="access-key"]') });
  await form.locator('input[name="access-key"]').fill(key);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator("nav.sv-nav")).toBeVisible({ timeout: WAIT });
}

/** anna logs in and goes ready; a caller's call reaches her phone and she answers it. */
export async function annaAnswers(page: Page, url: string, cloud: Cloud): Promise<CallerSession> {
  await logIn(page, url, "anna");
  await showsState(page, "offline");
  await desk(page).toggle.click();
  await showsState(page, "ready");
  const caller = cloud.call();
  await caller.answer();
  return caller;
}

/** Waits until the screen shows this state over a live connection. */
export async function showsState(page: Page, state: string): Promise<void> {
  const d = desk(page);
  await expect(d.conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(d.state).toHaveAttribute("data-state", state, { timeout: WAIT });
}

export async function shot(target: Page | Locator, name: string): Promise<void> {
  await target.screenshot({ path: `${screensDir}${name}.png` });
}

/** Fails the test on any error in the page (exceptions, CSP refusals, failed loads). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|net::ERR_|Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * Collects every Content-Security-Policy violation the page reports (the securitypolicyviolation
 * event, which Chromium fires for each refusal), from the next navigation on.
 */
export async function watchPolicy(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__tandemPolicyViolation", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => (window as unknown as { __tandemPolicyViolation(v: string): void }).__tandemPolicyViolation(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`),
      true,
    );
  });
  return violations;
}
