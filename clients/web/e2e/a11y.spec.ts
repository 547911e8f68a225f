// Accessibility in Chromium against the real tandem binary: every page and significant state of
// the operator app and the supervisor pages passes axe-core (no serious or critical WCAG 2.1
// A/AA violation, one h1, content in landmarks); the operator's day works from the keyboard
// alone (log in, Ready, Answer, Transfer form in and out, Done) with the focus visible; the
// supervisor reaches every page by keyboard; the wallboard's TV mode fits a 1920×1080 screen with
// a realistic floor and says how many operators it could not show when the floor is too big; the
// wallboard and the supervisor pages fit a phone's width.
//
// A new page: add it to supervisorPages (or a state to the operator's walk) and it is checked
// on the desktop and on the phone.
import type { Locator, Page } from "@playwright/test";
import { expectAccessible } from "./accessible";
import { desk, expect, showsState, signInSupervisor, test, watchConsole, withBrowserPhones } from "./fixtures";
import { ADMIN_KEY, AdminApi, Cloud, SUPPORT_LINE, WAIT, type CallerSession } from "./world";
import { ContactKind } from "@gen/tandem/common/v1/common_pb";

/** Presses Tab until target has the focus (it must be reachable), checks the focus is visible. */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  await expect(target).toBeVisible({ timeout: WAIT });
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) break;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
  await expectFocusVisible(target);
}

/** The focused element shows a focus ring: :focus-visible and a solid outline of 2 px or more. */
async function expectFocusVisible(target: Locator): Promise<void> {
  const ring = await target.evaluate((el) => {
    const s = getComputedStyle(el);
    return { focusVisible: el.matches(":focus-visible"), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(ring.focusVisible).toBe(true);
  expect(ring.style).not.toBe("none");
  expect(ring.width).toBeGreaterThanOrEqual(2);
}

/** Tabs to target and presses Enter on it. */
async function press(page: Page, target: Locator): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press("Enter");
}

// ——— The operator app ———

const ANNA_VOX = "vox-pass-anna";
const phone = withBrowserPhones({ anna: ANNA_VOX }, async (api, ids) => {
  await api.admin.updateOperator({ operatorId: ids.anna, softphonePassword: ANNA_VOX });
});

phone("operator app: each state passes axe, and a call is taken from the keyboard alone", async ({ page, server, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const d = desk(page);
  await page.goto(server.url);
  await expect(page.getByLabel("Name")).toBeFocused();
  await expectAccessible(page, "operator: logged out");

  // Log in: type, Tab, type, Enter.
  await page.keyboard.type("anna");
  await page.keyboard.press("Tab");
  await page.keyboard.type("password-anna");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
  await showsState(page, "offline");
  await expectAccessible(page, "operator: signed in, offline");

  await press(page, d.toggle);
  await showsState(page, "ready");
  await expectAccessible(page, "operator: ready");

  const call: CallerSession = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("answer")).toBeVisible({ timeout: WAIT });
  await expectAccessible(page, "operator: ringing");
  await press(page, page.getByTestId("answer"));
  await showsState(page, "on_call");
  await expectAccessible(page, "operator: on a call");

  // The transfer form: the focus moves into it, Escape closes it and gives the focus back.
  await press(page, page.getByTestId("transfer-open"));
  const form = page.getByRole("group", { name: "Transfer the call" });
  await expect(form).toBeVisible();
  await expect(page.getByTestId("transfer-to-operator")).toBeFocused();
  await expectAccessible(page, "operator: on a call, the transfer form open");
  await page.keyboard.press("Escape");
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId("transfer-open")).toBeFocused();
  // Close does the same.
  await page.keyboard.press("Enter");
  await expect(form).toBeVisible();
  await press(page, form.getByRole("button", { name: "Close" }));
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId("transfer-open")).toBeFocused();

  // Add to call, refused (nobody typed): the reason is announced and tied to the field.
  await press(page, page.getByTestId("add-to-call"));
  await expect(page.getByTestId("add-error")).toHaveText("Type whom to add.");
  await expect(page.getByTestId("add-target")).toHaveAttribute("aria-invalid", "true");
  await press(page, page.getByTestId("keypad-toggle"));
  await expect(page.getByTestId("keypad")).toBeVisible();
  await expectAccessible(page, "operator: on a call, add to call refused, the keypad open");

  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  await expectAccessible(page, "operator: wrap-up");
  await press(page, page.getByTestId("done"));
  await showsState(page, "ready");
  expect(errors).toEqual([]);
});

// ——— The supervisor pages ———

/** What the pages show: a floor with calls answered, talking and waiting, and an alert open. */
interface Floor {
  ids: Record<string, string>;
  /** A call in progress (boris talks on it): the call page with its monitor controls. */
  talking: string;
  /** An ended call (anna answered it): in the search results. */
  ended: string;
}

/** A supervisor page or state: how to reach it from a signed-in page, and when it is ready. */
interface Visit {
  name: string;
  open(page: Page, url: string, floor: Floor): Promise<void>;
}

async function go(page: Page, url: string, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${url}/supervisor#${hash}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading, { timeout: WAIT });
}

/** Every supervisor page and the states worth checking; the sign-in page is checked first. */
const supervisorPages: Visit[] = [
  {
    name: "wallboard with calls and an alert",
    async open(page, url) {
      await go(page, url, "wallboard", "Wallboard");
      await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
      await expect(page.getByTestId("alerts").getByTestId("alert-waiting")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "wallboard, recent alerts open",
    async open(page) {
      await page.getByTestId("alerts").getByText("Recent alerts").click();
      await expect(page.getByTestId("alert-history")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "operators",
    async open(page, url) {
      await go(page, url, "operators", "Operators");
    },
  },
  {
    name: "an operator's drill-down",
    async open(page, url, f) {
      await go(page, url, `operators/${f.ids.anna}`, "Operators");
      await expect(page.getByTestId("drilldown")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "call search with results",
    async open(page, url) {
      await go(page, url, "search", "Call search");
      await page.getByRole("button", { name: "Search" }).click();
      await expect(page.getByTestId("search-results").locator("tbody tr").first()).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "voicemail",
    async open(page, url) {
      await go(page, url, "voicemail", "Voicemail");
      await expect(page.getByText("No messages were left that day.")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "calls in progress",
    async open(page, url) {
      await go(page, url, "calls", "Explain a call");
      await expect(page.getByTestId("calls-now")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "a call in progress, with the monitor",
    async open(page, url, f) {
      await go(page, url, `call/${f.talking}`, "Explain a call");
      await expect(page.getByTestId("timeline")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "an ended call",
    async open(page, url, f) {
      await go(page, url, `call/${f.ended}`, "Explain a call");
      await expect(page.getByTestId("timeline")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "reports",
    async open(page, url) {
      await go(page, url, "reports", "Reports");
      await expect(page.getByTestId("totals")).toBeVisible({ timeout: WAIT });
    },
  },
  {
    name: "staffing",
    async open(page, url) {
      await go(page, url, "staffing", "Staffing");
    },
  },
  ...["Operators", "Queues", "Managers", "Absences", "Spare numbers", "IVR menus", "Accounts"].map(
    (tab): Visit => ({
      name: `configuration: ${tab}`,
      async open(page, url) {
        await go(page, url, "config", "Configuration");
        await page.getByRole("tab", { name: tab }).click();
        await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
        await expect(page.locator(".sv-card").first()).toBeVisible({ timeout: WAIT });
      },
    }),
  ),
  {
    name: "configuration: a queue's form open",
    async open(page, url) {
      await go(page, url, "config", "Configuration");
      await page.getByRole("tab", { name: "Queues" }).click();
      await page.getByRole("button", { name: "Edit support" }).click();
      await expect(page.getByTestId("queue-form")).toBeVisible();
    },
  },
];

/** Three queues; anna answered a call (in wrap-up now), boris talks on one, two wait, an alert is open. */
async function busyFloor(api: AdminApi, ids: Record<string, string>, cloud: Cloud): Promise<{ floor: Floor; stop: () => Promise<void> }> {
  await api.admin.createQueue({ queue: { queueId: "sales", name: "Sales", dialedNumbers: ["+15550002000"], offerTimeoutS: 30, wrapUpS: 60 } });
  await api.admin.createQueue({ queue: { queueId: "billing", name: "Billing", dialedNumbers: ["+15550003000"], offerTimeoutS: 30, wrapUpS: 60 } });
  const support = (await api.admin.getQueue({ queueId: "support" })).queue;
  if (!support) throw new Error("no support queue");
  support.alertWaitingOver = 1;
  support.alertHoldS = 1;
  await api.admin.updateQueue({ queue: support });
  const annaOff = await api.online("anna");
  const first = cloud.call("+15557654321", "Jane Caller");
  expect(await first.dialed()).toBe("anna");
  await first.answer();
  await first.callerHangsUp();
  const borisOff = await api.online("boris");
  const second = cloud.call("+15551112222", "Ivan Caller");
  expect(await second.dialed()).toBe("boris");
  await second.answer();
  cloud.call("+15553334444", "Sara Caller");
  cloud.call("+15559998888", "Omar Caller");
  await expect.poll(async () => (await api.analytics.listAlerts({})).alerts.length, { timeout: WAIT }).toBeGreaterThan(0);
  const calls = (await api.assignment.listCalls({})).calls;
  const talking = calls.find((c) => c.operatorId === ids.boris)?.callId ?? "";
  const ended = (await api.analytics.searchCalls({})).calls.find((c) => c.callerNumber === "+15557654321")?.callId ?? "";
  expect(talking).toBeTruthy();
  expect(ended).toBeTruthy();
  return {
    floor: { ids, talking, ended },
    stop: async () => {
      await annaOff();
      await borisOff();
    },
  };
}

/** No horizontal scrolling: the document is no wider than the window. */
async function expectNoSideways(page: Page, what: string): Promise<void> {
  const w = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The innermost elements that stick out, to say what to fix.
    const sticksOut = (e: Element) => e.getBoundingClientRect().right > client + 0.5;
    const scrolledInside = (e: Element) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== "visible") return true;
      return false;
    };
    const out = [...document.querySelectorAll<HTMLElement>("body *")].filter((e) => sticksOut(e) && ![...e.children].some(sticksOut) && !scrolledInside(e));
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.className && typeof e.className === "string" ? `.${e.className.trim().split(/\s+/).join(".")}` : ""}`;
    return { scroll: document.documentElement.scrollWidth, client, out: out.slice(0, 5).map((e) => `${e.parentElement ? name(e.parentElement) + " > " : ""}${name(e)}`) };
  });
  expect(w.scroll, `${what}: ${w.scroll} px wide in a ${w.client} px window (${w.out.join(", ")})`).toBeLessThanOrEqual(w.client);
}

test("supervisor pages: each passes axe; the pages are reached by keyboard", async ({ page, server, api, ids, cloud }) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  const { floor, stop } = await busyFloor(api, ids, cloud);
  await page.goto(`${server.url}/supervisor#wallboard`);
  await expect(page.getByLabel("Access key")).toBeVisible();
  await expectAccessible(page, "supervisor: sign-in");
  await signInSupervisor(page, server.url, "wallboard", ADMIN_KEY);
  for (const v of supervisorPages) {
    await v.open(page, server.url, floor);
    await expectAccessible(page, `supervisor: ${v.name}`);
  }

  // From the wallboard, every page by keyboard: Tab to its link, Enter.
  await go(page, server.url, "wallboard", "Wallboard");
  const nav = page.getByRole("navigation", { name: "Supervisor pages" });
  for (const [link, heading] of [
    ["Reports", "Reports"],
    ["Calls", "Explain a call"],
    ["Call search", "Call search"],
    ["Operators", "Operators"],
    ["Configuration", "Configuration"],
    ["Staffing", "Staffing"],
    ["Wallboard", "Wallboard"],
  ] as const) {
    await press(page, nav.getByRole("link", { name: link, exact: true }));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await expect(nav.getByRole("link", { name: link, exact: true })).toHaveAttribute("aria-current", "page");
  }
  // The skip link leads past the navigation to the page.
  await page.reload();
  await expect(page.getByTestId("wallboard")).toBeVisible({ timeout: WAIT });
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to the page" });
  await expect(skip).toBeFocused();
  await expectFocusVisible(skip);
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();

  // The configuration's tabs from the keyboard: arrows move between them.
  await go(page, server.url, "config", "Configuration");
  await press(page, page.getByRole("tab", { name: "Operators" }));
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Queues" })).toBeFocused();
  await expect(page.getByRole("tab", { name: "Queues" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel", { name: "Queues" })).toBeVisible();
  await stop();
  expect(errors).toEqual([]);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });

  test("the wallboard and the supervisor pages: no sideways scrolling, axe clean, the navigation usable", async ({ page, server, api, ids, cloud }) => {
    test.setTimeout(240_000);
    const errors = watchConsole(page);
    const { floor, stop } = await busyFloor(api, ids, cloud);
    await page.goto(`${server.url}/supervisor#wallboard`);
    await expect(page.getByLabel("Access key")).toBeVisible();
    await expectNoSideways(page, "sign-in");
    await expectAccessible(page, "phone: sign-in");
    await signInSupervisor(page, server.url, "wallboard", ADMIN_KEY);
    for (const v of supervisorPages) {
      await v.open(page, server.url, floor);
      await expectNoSideways(page, v.name);
      await expectAccessible(page, `phone: ${v.name}`);
    }
    // The wallboard's tiles stack in one column, and its text stays readable (16 px or more for
    // the numbers and names).
    await go(page, server.url, "wallboard", "Wallboard");
    const tiles = page.locator(".wb-queue");
    await expect(tiles).toHaveCount(3);
    const xs = await tiles.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
    expect(new Set(xs).size).toBe(1);
    const smallest = await page.locator(".wallboard").evaluate((root) => {
      let min = Infinity;
      for (const el of root.querySelectorAll<HTMLElement>("*")) {
        if (!el.childNodes.length || ![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim())) continue;
        if (el.getClientRects().length === 0) continue;
        min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
      }
      return min;
    });
    expect(smallest).toBeGreaterThanOrEqual(14);
    // The navigation by touch: tap a page's link.
    await page.getByRole("navigation", { name: "Supervisor pages" }).getByRole("link", { name: "Reports" }).tap();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reports");
    await stop();
    expect(errors).toEqual([]);
  });
});

// ——— TV mode ———

const tvNames = ["Alma", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Lars", "Mila", "Nadia", "Oskar", "Pavel", "Quinn", "Rosa", "Sami", "Tomas", "Ulla", "Vera", "Wim", "Xenia", "Yusuf", "Zora"];

/**
 * A floor for the TV: three queues; count operators (the names above, then numbered), the first
 * online of them at work (answering by themselves), some away; billing's calls wait for nobody,
 * with an alert raised.
 */
async function tvFloor(api: AdminApi, server: string, count: number, online: number): Promise<{ cloud: Cloud; stop: () => Promise<void> }> {
  await api.admin.createQueue({ queue: { queueId: "support", name: "Support", dialedNumbers: [SUPPORT_LINE], offerTimeoutS: 30, wrapUpS: 300, isDefault: true } });
  await api.admin.createQueue({ queue: { queueId: "sales", name: "Sales", dialedNumbers: ["+15550002000"], offerTimeoutS: 30, wrapUpS: 300 } });
  await api.admin.createQueue({ queue: { queueId: "billing", name: "Billing", dialedNumbers: ["+15550003000"], offerTimeoutS: 30, wrapUpS: 300, alertWaitingOver: 1, alertHoldS: 1 } });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const display = i < tvNames.length ? `${tvNames[i]} ${["Berg", "Costa", "Dahl", "Ivanova", "Okafor", "Novak"][i % 6]}` : `Operator ${i + 1}`;
    const name = `op${i + 1}`;
    names.push(name);
    await api.admin.createOperator({
      name,
      displayName: display,
      password: `password-${name}`,
      contact: { kind: ContactKind.USER, target: name },
      queues: [{ queueId: i % 2 ? "sales" : "support", level: 3 }],
    });
  }
  // Phones answer by themselves after a short ring.
  const cloud = await Cloud.start(server, () => ({ ringAfterS: 0.05, answerAfterS: 0.3 }));
  const offs: (() => Promise<void>)[] = [];
  for (const name of names.slice(0, online - 2)) offs.push(await api.online(name));
  // Calls for half of those online (support's and sales'), answered; three wait in billing.
  const talks = Math.floor(online / 2);
  for (let i = 0; i < talks; i++) cloud.call(`+1555100${String(i).padStart(4, "0")}`, `Caller ${i}`, i % 2 ? "+15550002000" : SUPPORT_LINE);
  for (let i = 0; i < 3; i++) cloud.call(`+1555200${String(i).padStart(4, "0")}`, `Waiting ${i}`, "+15550003000");
  await expect.poll(async () => (await api.assignment.listCalls({})).calls.filter((c) => c.answeredAt).length, { timeout: 2 * WAIT }).toBe(talks);
  await expect.poll(async () => (await api.analytics.listAlerts({})).alerts.length, { timeout: WAIT }).toBeGreaterThan(0);
  // Two more come, and go to lunch.
  const ops = (await api.admin.listOperators({})).operators;
  for (const name of names.slice(online - 2, online)) {
    offs.push(await api.online(name));
    await api.goAway(ops.find((o) => o.name === name)?.operatorId ?? "", "lunch");
  }
  return {
    cloud,
    stop: async () => {
      for (const off of offs) await off();
      await cloud.close();
    },
  };
}

/** The wallboard in TV mode at 1920×1080. */
async function openTv(page: Page, url: string): Promise<void> {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signInSupervisor(page, url, "wallboard", ADMIN_KEY);
  await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await press(page, page.getByRole("button", { name: "TV mode" }));
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Leave TV mode" })).toBeVisible();
}

/** Nothing scrolls, and each shown element is inside the screen. */
async function expectFits(page: Page, selector: string): Promise<void> {
  const fit = await page.evaluate((sel) => {
    const doc = document.documentElement;
    const outside = [...document.querySelectorAll(sel)].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5;
    });
    return { scrollH: doc.scrollHeight, scrollW: doc.scrollWidth, h: window.innerHeight, w: window.innerWidth, outside: outside.map((e) => e.getAttribute("data-testid") ?? e.className) };
  }, selector);
  expect(fit.scrollH, "document height").toBeLessThanOrEqual(fit.h);
  expect(fit.scrollW, "document width").toBeLessThanOrEqual(fit.w);
  expect(fit.outside).toEqual([]);
}

test("TV mode: a floor of three queues and 24 operators fits 1920×1080 without scrolling, in large type", async ({ page, server, api }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const { stop } = await tvFloor(api, server.url, 24, 14);
  await openTv(page, server.url);
  for (const q of ["support", "sales", "billing"]) await expect(page.getByTestId(`queue-${q}`)).toBeVisible();
  await expect(page.getByTestId("alerts").getByTestId("alert-waiting")).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("queue-billing").getByTestId("waiting")).toHaveText("3", { timeout: WAIT });
  await expect(page.locator('[data-testid^="operator-"][data-state="on_call"]')).toHaveCount(7, { timeout: WAIT });
  await expect(page.locator('[data-testid^="operator-"][data-state="away"]')).toHaveCount(2, { timeout: WAIT });
  // Every operator has a tile: nobody is left out on a floor this size.
  await expect(page.locator('[data-testid^="operator-"]')).toHaveCount(24);
  await expect(page.getByTestId("wb-more")).toHaveCount(0);
  await expectFits(page, '[data-testid^="operator-"], [data-testid^="queue-"], [data-testid="alerts"], .wb-bar');
  // Large type: the names, states and times of those at work at 24 px or more, the queues' big
  // numbers at 64 px or more.
  const sizes = await page.evaluate(() => {
    const px = (sel: string) => Math.min(...[...document.querySelectorAll(sel)].map((e) => parseFloat(getComputedStyle(e).fontSize)));
    return { name: px(".wb-operators:not(.wb-offline) .wb-op-name"), state: px(".wb-operators:not(.wb-offline) .wb-op-state"), big: px(".wb-big .wb-num") };
  });
  expect(sizes.name).toBeGreaterThanOrEqual(24);
  expect(sizes.state).toBeGreaterThanOrEqual(24);
  expect(sizes.big).toBeGreaterThanOrEqual(64);
  await expectAccessible(page, "TV mode");
  // Escape leaves TV mode, and the focus is where it was.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible();
  await expect(page.getByRole("button", { name: "TV mode" })).toBeFocused();
  await stop();
  expect(errors).toEqual([]);
});

test("TV mode: a floor too big for the screen shows the tiles that fit and how many more there are", async ({ page, server, api }) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  const { stop } = await tvFloor(api, server.url, 70, 40);
  await openTv(page, server.url);
  await expect(page.getByTestId("queue-billing").getByTestId("waiting")).toHaveText("3", { timeout: WAIT });
  await expect(page.locator('[data-testid^="operator-"][data-state="away"]').or(page.getByTestId("wb-more"))).not.toHaveCount(0);
  const more = page.getByTestId("wb-more");
  await expect(more).toBeVisible({ timeout: WAIT });
  await expectFits(page, '[data-testid^="operator-"], [data-testid^="queue-"], [data-testid="alerts"], [data-testid="wb-more"]');
  const shown = await page.locator('[data-testid^="operator-"]').count();
  const hidden = Number(await more.getAttribute("data-hidden"));
  expect(shown).toBeGreaterThan(20);
  expect(shown + hidden).toBe(70);
  await expect(more).toContainText(`and ${hidden} more`);
  // Those at work come first: every one on a call is shown.
  await expect(page.locator('[data-testid^="operator-"][data-state="on_call"]')).toHaveCount(20, { timeout: WAIT });
  await expectAccessible(page, "TV mode, a big floor");
  // Out of TV mode the wallboard shows them all again.
  await page.getByRole("button", { name: "Leave TV mode" }).click();
  await expect(page.locator('[data-testid^="operator-"]')).toHaveCount(70);
  await expect(more).toHaveCount(0);
  await stop();
  expect(errors).toEqual([]);
});
