// The operator app in Chromium against the real tandem binary, with the VoxEngine emulator
// running the real scenario as the cloud.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { desk, expect, logIn, screensDir, shot, showsState, test, watchConsole } from "./fixtures";
import { stateNames, WAIT } from "./world";

test("log in, Ready, a call rings with the caller on the card, answered, ended, wrap-up, Done, Ready", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  const d = desk(page);
  await page.goto(server.url);
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await shot(page, "01-login");
  await logIn(page, server.url, "anna");
  await expect(page.getByTestId("operator-name")).toHaveText("Anna Tester");
  await expect(d.conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(d.toggle).toHaveAttribute("data-action", "ready");

  // The keyboard shortcut for Ready.
  await page.keyboard.press("r");
  await showsState(page, "ready");
  await expect(d.toggle).toHaveAttribute("aria-pressed", "true");
  await expect(d.toggle).toHaveAttribute("data-action", "away");
  await shot(page, "02-ready");

  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  expect(await call.dialed()).toBe("anna");
  await expect(page.getByTestId("caller-number")).toHaveText("+15557654321");
  await expect(page.getByTestId("caller-name")).toHaveText("Jane Caller");
  await expect(page.getByTestId("queue")).toContainText("support");
  await expect(page.getByTestId("ring-countdown")).toContainText(/expires in \d+ s/);
  await expect(page.getByTestId("your-client")).toHaveCount(0); // the server says false for now
  await expect(page.getByText("First call from this number.")).toBeVisible();
  await expect(d.toggle).toBeDisabled();
  await shot(page, "03-offer");

  await call.answer();
  await showsState(page, "on_call");
  await expect(d.talk).toBeVisible();
  await expect(d.talk).toContainText("+15557654321");
  await expect(page.getByTestId("talk-timer")).toHaveText(/^0:(0[1-9]|[1-5]\d)$/, { timeout: WAIT });
  await shot(page, "04-on-call");

  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  await expect(d.wrapUp).toContainText("Jane Caller");
  await expect(page.getByTestId("wrapup-countdown")).toHaveText(/^\d+:\d\d left$/);
  await page.getByTestId("note").fill("Asked about the invoice; call back on Monday");
  await shot(page, "05-wrap-up");
  // Ctrl+Enter in the note is Done.
  await page.getByTestId("note").press("Control+Enter");
  await showsState(page, "ready");
  await expect(d.wrapUp).toHaveCount(0);
  await expect(page.getByTestId("calls-today")).toHaveText("1", { timeout: WAIT });

  // Ready survives a reload: the saved session reconnects and the snapshot says ready.
  await page.reload();
  await showsState(page, "ready");
  await expect(d.toggle).toHaveAttribute("aria-pressed", "true");

  // The same caller again: the card lists his last call and how it went.
  const again = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("recent-calls")).toContainText("answered");
  await expect(page.getByTestId("recent-calls")).toContainText("Anna Tester");
  await shot(page, "06-offer-returning-caller");
  // UPDATE_SCREENSHOT=1 refreshes the README's picture of the operator screen.
  if (process.env.UPDATE_SCREENSHOT) copyFileSync(`${screensDir}06-offer-returning-caller.png`, join(__dirname, "..", "docs", "operator-screen.png"));
  again.s.callerHangup(); // he gives up while it rings
  await showsState(page, "ready");

  // Away with a reason, and back with the button.
  await page.getByRole("button", { name: "lunch" }).click();
  await showsState(page, "away");
  await expect(page.getByTestId("state-detail")).toHaveText("lunch");
  await d.toggle.click();
  await showsState(page, "ready");

  // Log out: offline on the server, the login form here, and a reload does not bring her back.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await expect.poll(async () => stateNames[(await api.status(ids.anna ?? "")).state], { timeout: WAIT }).toBe("offline");
  await page.reload();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("a wrong password gets a clear message", async ({ page, server, ids }) => {
  expect(ids.anna).toBeTruthy();
  await logIn(page, server.url, "anna", "not-her-password");
  await expect(page.getByTestId("login-error")).toHaveText("Wrong name or password.");
  await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled();
  await shot(page, "07-wrong-password");
  await logIn(page, server.url, "nobody", "whatever");
  await expect(page.getByTestId("login-error")).toHaveText("Wrong name or password.");
  // And the right one still works, and says someone got anna's password wrong.
  await logIn(page, server.url, "anna");
  await expect(desk(page).conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(page.getByTestId("failed-logins")).toContainText(/^1 failed sign-in since your last visit, from (127\.0\.0\.1|::1) at /);
  await page.getByTestId("failed-logins").getByRole("button", { name: "dismiss" }).click();
  await expect(page.getByTestId("failed-logins")).toHaveCount(0);
});

test("the server restarts mid-session: the app says so, reconnects and shows the right state", async ({ page, server, api, ids, cloud }) => {
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");

  await server.down("SIGKILL");
  await expect(page.getByTestId("disconnected")).toBeVisible({ timeout: WAIT });
  await expect(d.conn).toHaveAttribute("data-tone", "bad");
  // The button cannot claim Ready while nothing reaches the server.
  await expect(d.toggle).toHaveText(/Not connected/);
  await expect(d.toggle).toBeDisabled();
  await expect(d.toggle).toHaveAttribute("aria-pressed", "false");
  await expect(d.state).toHaveAttribute("data-state", "stale");
  await shot(page, "08-disconnected");

  await server.up();
  await expect(d.conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(page.getByTestId("disconnected")).toHaveCount(0);
  const truth = stateNames[(await api.status(ids.anna ?? "")).state];
  await expect(d.state).toHaveAttribute("data-state", truth);

  // And calls reach her again through the new stream.
  if (truth !== "ready") {
    await d.toggle.click();
    await showsState(page, "ready");
  }
  cloud.call("+15550002222", "After Restart");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("caller-name")).toHaveText("After Restart");
});

test("a second login takes over: the first tab says so and stops", async ({ browser, server, api, ids }) => {
  const first = await (await browser.newContext()).newPage();
  await logIn(first, server.url, "anna");
  await desk(first).toggle.click();
  await showsState(first, "ready");

  const second = await (await browser.newContext()).newPage();
  await logIn(second, server.url, "anna");
  await expect(first.getByTestId("takeover")).toBeVisible({ timeout: WAIT });
  await expect(first.getByTestId("takeover")).toContainText("logged in somewhere else");
  await expect(desk(first).toggle).toHaveCount(0);
  await shot(first, "09-taken-over");

  // The new tab has her as she was: ready, and present through its own stream.
  await showsState(second, "ready");
  const st = await api.status(ids.anna ?? "");
  expect(stateNames[st.state]).toBe("ready");
  expect(st.present).toBe(true);

  // The old tab can take it back by logging in again.
  await first.getByRole("button", { name: "Log in here instead" }).click();
  await logIn(first, server.url, "anna");
  await showsState(first, "ready");
  await expect(second.getByTestId("takeover")).toBeVisible({ timeout: WAIT });
  await first.context().close();
  await second.context().close();
});

test("works on a phone-sized screen", async ({ browser, server, ids, cloud }) => {
  expect(ids.boris).toBeTruthy();
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const d = desk(page);
  await logIn(page, server.url, "boris");
  await d.toggle.tap();
  await showsState(page, "ready");
  cloud.call("+15550003333", "Mobile Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("caller-number")).toBeInViewport();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, "10-phone-offer");
  await ctx.close();
});

test("at 1280×720 the button and the whole call card fit without scrolling", async ({ page, server, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  cloud.call("+15550004444", "Wide Screen");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(d.toggle).toBeInViewport({ ratio: 1 });
  await expect(d.offer).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId("figures")).toBeInViewport({ ratio: 1 });
});

test("missed calls: away, the score drops, then a ban that says when it ends and why; a hidden tab notifies", async ({ page, server, api, ids, cloud }) => {
  expect(ids.carla).toBeTruthy();
  // A hidden tab whose user allowed notifications: record what would pop up.
  await page.addInitScript(() => {
    const shown: string[] = [];
    (window as unknown as { __notified: string[] }).__notified = shown;
    class FakeNotification {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: { body?: string }) {
        shown.push(`${title}: ${opts?.body ?? ""}`);
      }
      close() {}
    }
    Object.defineProperty(window, "Notification", { value: FakeNotification });
    Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  });
  const d = desk(page);
  await logIn(page, server.url, "carla");
  await d.toggle.click();
  await showsState(page, "ready");

  // Her phone is busy: each offer fails, she is moved away, and presses Ready again.
  cloud.call("+15550005555", "Persistent Caller");
  for (let miss = 1; miss <= 2; miss++) {
    await showsState(page, "away");
    await expect(page.getByTestId("state-detail")).toContainText(/miss/i);
    await expect(page.getByTestId("missed-today")).toHaveText(String(miss), { timeout: WAIT });
    await d.toggle.click();
  }
  await showsState(page, "banned");
  const ban = page.getByTestId("ban");
  await expect(ban).toContainText(/Banned until \d\d:\d\d/);
  await expect(ban).toContainText(/left/);
  await expect(ban).toContainText(/3 missed calls/);
  await expect(d.toggle).toBeDisabled();
  await expect(d.toggle).toHaveText(/Banned/);
  await expect(page.getByTestId("score-value")).not.toHaveText("100");
  // The score and what lowered it are the server's numbers, shown as they come.
  const marks = (await api.status(ids.carla!)).marks!;
  expect(marks.scoreLostToMisses).toBeGreaterThan(0);
  await expect(page.getByTestId("score-value")).toHaveText(String(Math.round(marks.score)));
  await expect(page.getByTestId("score")).toContainText(`Missed calls: −${Math.round(marks.scoreLostToMisses)}`);
  await expect(page.getByTestId("score")).toContainText(`Slow answers: −${Math.round(marks.scoreLostToSlowAnswers)}`);
  await shot(page, "11-banned");
  const notified = await page.evaluate(() => (window as unknown as { __notified: string[] }).__notified);
  expect(notified.length).toBeGreaterThanOrEqual(1);
  expect(notified[0]).toContain("Incoming call");
  expect(notified[0]).toContain("+15550005555");
});

test("Decline on the offer card: the cloud stops ringing her and dials the next operator; not a miss", async ({ page, server, api, ids, cloud }) => {
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  const boris = await api.online("boris"); // ready after her: she is idle longer and gets the call
  try {
    const call = cloud.call("+15557654321", "Jane Caller");
    await expect(d.offer).toBeVisible({ timeout: WAIT });
    expect(await call.dialed()).toBe("anna");
    await page.getByTestId("decline").click();
    await call.s.waitFor((r) => r.type === "http-in" && typeof r.body === "string" && r.body.includes('"cancel"'), WAIT, "cancel");
    const next = await call.s.waitFor((r) => r.type === "dial" && r.target === "boris", WAIT, "dial to boris");
    expect(next.target).toBe("boris");
    await showsState(page, "ready");
    await expect(d.offer).toHaveCount(0);
    const marks = (await api.status(ids.anna ?? "")).marks;
    expect(marks?.declines).toBe(1);
    expect(marks?.offersMissed).toBe(0);
    expect(marks?.answerRate).toBe(1);
  } finally {
    await boris();
  }
});
