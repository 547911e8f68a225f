// The supervisor's screens (/supervisor) in Chromium against the real tandem, with the emulator
// as the cloud: the live wallboard, a configuration change taking effect on the next call, the
// CSV download against the API, a validation error by its field, the staffing calculator, an
// operator's failed logins and unlocking them.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { Code, ConnectError } from "@connectrpc/connect";
import { Interval } from "@gen/tandem/analytics/v1/analytics_pb";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { expect, screensDir, shot, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

async function signIn(page: Page, url: string, hash = "wallboard", key = ADMIN_KEY): Promise<void> {
  await page.goto(`${url}/supervisor#${hash}`);
  await page.getByLabel("Access key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
}

function todayStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

test("the operator's login links to the supervisor's sign-in; a wrong key is refused", async ({ page, server }) => {
  await page.goto(server.url);
  await page.getByRole("link", { name: "Supervisor: sign in with an access key" }).click();
  await expect(page).toHaveURL(/\/supervisor$/);
  await page.getByLabel("Access key").fill("tdk_not-a-key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sv-login-error")).toContainText("access key was refused");
});

test("wallboard: a waiting call, then answered, shows in the numbers and the operator's tile", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  expect(ids.anna).toBeTruthy();
  await api.admin.createQueue({ queue: { queueId: "sales", name: "Sales", dialedNumbers: ["+15550002000"], offerTimeoutS: 30, wrapUpS: 60 } });
  await page.setViewportSize({ width: 1600, height: 900 });
  await signIn(page, server.url);
  const support = page.getByTestId("queue-support");
  const anna = page.getByTestId(`operator-${ids.anna}`);
  await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(support.getByTestId("waiting")).toHaveText("0");
  await expect(support.getByTestId("longest-wait")).toHaveText("—");
  await expect(anna).toHaveAttribute("data-state", "offline");

  // Nobody is ready: the call waits, and its wait counts up on the page.
  const first = cloud.call("+15557654321", "Jane Caller");
  await expect(support.getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  await expect(support.getByTestId("longest-wait")).toHaveText(/^0:0[0-9]$/);
  await expect(support.getByTestId("longest-wait")).toHaveText(/^0:0[2-9]$/, { timeout: WAIT });

  // anna comes to work: the call rings her, then she answers.
  const annaOff = await api.online("anna");
  expect(await first.dialed()).toBe("anna");
  await expect(anna).toHaveAttribute("data-state", "reserved", { timeout: WAIT });
  await expect(anna).toContainText("Ringing");
  await first.answer();
  await expect(anna).toHaveAttribute("data-state", "on_call", { timeout: WAIT });
  await expect(anna).toContainText("On call");
  await expect(support.getByTestId("waiting")).toHaveText("0");
  await expect(support.getByTestId("longest-wait")).toHaveText("—");
  await expect(anna.getByTestId("time-in-state")).toHaveText(/^0:0\d$/);

  // He hangs up: anna is in wrap-up, the call counts in today's service level.
  await first.callerHangsUp();
  await expect(anna).toHaveAttribute("data-state", "wrap_up", { timeout: WAIT });
  await expect(support.getByTestId("service-level")).toHaveText("100 %", { timeout: WAIT });

  // Another caller waits (anna is in wrap-up), and one dials sales: the picture for the README.
  const second = cloud.call("+15551112222", "Ivan Caller");
  cloud.call("+15553334444", "Sara Caller", "+15550002000");
  await expect(support.getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  await expect(page.getByTestId("queue-sales").getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  await api.goAway(ids.boris ?? "", "lunch").catch(() => undefined);
  await expect(support.getByTestId("longest-wait")).toHaveText(/^0:0[3-9]$/, { timeout: WAIT });
  await shot(page, "20-wallboard");
  if (process.env.UPDATE_SCREENSHOT) copyFileSync(`${screensDir}20-wallboard.png`, join(__dirname, "..", "docs", "wallboard.png"));

  // Explain the waiting call from the wallboard: its timeline.
  await support.getByRole("button", { name: /\+15551112222/ }).click();
  await expect(page.getByTestId("timeline")).toContainText("+15551112222", { timeout: WAIT });
  await expect(page.getByTestId("timeline").locator('[data-kind="arrived"]')).toHaveCount(1);
  // The calls in progress (ListCalls) list it too, and open the same timeline.
  await expect(page.getByTestId("calls-now")).toContainText("+15551112222");
  await page.getByTestId("calls-now").getByRole("row", { name: /\+15553334444/ }).getByRole("button", { name: "Explain" }).click();
  await expect(page.getByTestId("timeline")).toContainText("+15553334444", { timeout: WAIT });
  await expect(page).toHaveURL(/#call\//);

  // A wallboard of one queue: the same stream, asked for less; TV mode leaves only the board.
  await page.goto(`${server.url}/supervisor#wallboard/sales`);
  await expect(page.getByTestId("queue-sales").getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  await expect(page.getByTestId("queue-support")).toHaveCount(0);
  await page.getByRole("button", { name: "TV mode" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeHidden();
  await page.getByRole("button", { name: "Leave TV mode" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible();
  second.s.callerHangup();
  await annaOff();
  expect(errors).toEqual([]);
});

test("a queue change made on the configuration screen routes the next call", async ({ page, server, api, ids, cloud }) => {
  expect(ids.boris).toBeTruthy();
  // anna has been free the longest, so the queue's default strategy would choose her…
  const annaOff = await api.online("anna");
  await new Promise((r) => setTimeout(r, 300));
  const borisOff = await api.online("boris");
  await signIn(page, server.url, "config");
  // …but the supervisor takes her out of the support queue.
  await page.getByRole("button", { name: "Edit anna" }).click();
  const form = page.getByTestId("operator-form");
  await form.getByRole("checkbox", { name: "Support" }).uncheck();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  await expect(page.locator('tr[data-operator="anna"]')).not.toContainText("support");

  const call = cloud.call("+15557654321", "Jane Caller");
  expect(await call.dialed()).toBe("boris");
  // Why boris: the call's timeline, opened from the calls in progress.
  await page.goto(`${server.url}/supervisor#calls`);
  await page.getByTestId("calls-now").getByRole("button", { name: "Explain" }).click();
  const offered = page.getByTestId("timeline").locator('[data-kind="offered"]');
  await expect(offered).toContainText("Offered to Boris Tester", { timeout: WAIT });
  await expect(offered).toContainText("Why:");
  await shot(page, "24-timeline");
  call.s.callerHangup();
  await page.goto(`${server.url}/supervisor#config`);

  // And the queue's strategy, through the queue screen.
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  await page.getByTestId("queue-form").getByLabel("Strategy").selectOption("round_robin");
  await page.getByTestId("queue-form").getByRole("button", { name: "Save" }).click();
  await expect(page.locator('tr[data-queue="support"]').getByTestId("strategy")).toHaveText("round_robin");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.strategy).toBe("round_robin");
  await annaOff();
  await borisOff();
});

test("a bad value is shown next to its field; a read-only key sees no write actions", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy();
  await signIn(page, server.url, "config");
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  await form.getByLabel("Ring time (s)").fill("3");
  await form.getByRole("button", { name: "Save" }).click();
  const field = form.locator('[data-field="queue.offer_timeout_s"]');
  await expect(field.locator(".field-error")).toHaveText("must be 5 to 120 seconds");
  await expect(field).toHaveClass(/invalid/);
  await expect(form.locator(".field-error")).toHaveCount(1);
  await shot(page, "21-validation");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.offerTimeoutS).toBe(30);

  // A read-only key: the lists, no buttons that change anything.
  const { secret } = await api.admin.createApiKey({ name: "wall-tv", role: KeyRole.READONLY });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Access key").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.goto(`${server.url}/supervisor#config`);
  await expect(page.getByTestId("read-only")).toBeVisible();
  await expect(page.locator('tr[data-operator="anna"]')).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit anna" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New operator" })).toHaveCount(0);
  await expect(page.getByRole("columnheader", { name: "Failed logins" })).toHaveCount(0);
});

test("someone guesses anna's password: the supervisor sees it on the operators' list and unlocks her", async ({ page, server, api, ids }) => {
  const { secret } = await api.admin.createApiKey({ name: "floor", role: KeyRole.SUPERVISOR });
  await signIn(page, server.url, "config", secret);
  // Eight wrong passwords from here, waiting out each back-off (1 s, 2 s, 4 s): the next one is 8 s.
  for (let wrong = 0; wrong < 8; ) {
    try {
      await api.presence.logIn({ name: "anna", password: "guess" });
    } catch (e) {
      const err = ConnectError.from(e);
      if (err.code !== Code.ResourceExhausted) {
        expect(err.code).toBe(Code.Unauthenticated);
        wrong++;
        continue;
      }
      await new Promise((r) => setTimeout(r, 1000 * Number(err.metadata.get("Retry-After"))));
    }
  }
  await expect(api.presence.logIn({ name: "anna", password: "password-anna" })).rejects.toThrow(/too many wrong passwords/);
  // The operators' tab again: the list as it is now.
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("tab", { name: "Operators" }).click();
  const cell = page.locator('tr[data-operator="anna"]').getByTestId("failed-logins");
  await expect(cell).toContainText(/^8 since last login, last .+ from (127\.0\.0\.1|::1)backed off: (127\.0\.0\.1|::1) until .+ \(8 wrong\)/);
  await shot(page, "22-failed-logins");
  await page.getByRole("button", { name: "Unlock anna" }).click();
  await expect(cell).not.toContainText("backed off");
  await expect(page.getByRole("button", { name: "Unlock anna" })).toHaveCount(0);
  const list = await api.admin.listLoginFailures({});
  expect(list.operators.find((o) => o.operatorId === ids.anna)?.backedOff).toEqual([]);
  expect((await api.presence.logIn({ name: "anna", password: "password-anna" })).failedLogins?.count).toBe(8);
});

test("the CSV download is the API's ExportHistory; the report's totals are GetHistory's", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const annaOff = await api.online("anna");
  const call = cloud.call();
  await call.answer();
  await call.callerHangsUp();
  await annaOff();

  await signIn(page, server.url, "reports");
  const day = BigInt(todayStart() / 1000);
  const history = { interval: Interval.INTERVAL_HOUR, range: { from: { seconds: day }, to: { seconds: day + 86400n } } };
  const want = await api.analytics.getHistory(history);
  expect(want.total?.callsReceived).toBe(1);
  await expect(page.getByTestId("totals")).toContainText(`Calls today${want.total?.callsReceived}`);
  await expect(page.getByTestId("operator-table")).toContainText("Anna Tester");
  await shot(page, "23-reports");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  const csv = readFileSync(await download.path(), "utf8");
  const exported = await api.analytics.exportHistory({ history });
  expect(download.suggestedFilename()).toBe(exported.fileName);
  expect(csv).toBe(new TextDecoder().decode(exported.csv));
  expect(csv.trim().split("\n")).toHaveLength(1 + want.rows.length);
});

test("staffing: the calculator shows the server's Erlang C answer; a day replays with N operators", async ({ page, server, api, ids, cloud }) => {
  const want = await api.analytics.calculateStaffing({ callsPerHour: 360, ahtS: 240, targetPercent: 80, thresholdS: 20, extraRows: 3 });
  await signIn(page, server.url, "staffing");
  await page.getByLabel("Calls per hour").fill("360");
  await page.getByLabel("Average handle time (s)").fill("240");
  await page.getByLabel("Target (%)").fill("80");
  await page.getByLabel("Answered within (s)").fill("20");
  await page.getByRole("button", { name: "Calculate" }).click();
  await expect(page.getByTestId("operators-needed")).toHaveText(String(want.operatorsNeeded));
  await expect(page.getByTestId("staffing-rows").locator("tbody tr")).toHaveCount(want.rows.length);
  // A bad input is named by its field before anything is asked.
  await page.getByLabel("Calls per hour").fill("0");
  await page.getByRole("button", { name: "Calculate" }).click();
  await expect(page.getByTestId("error-calls_per_hour")).toBeVisible();

  // Replay today (one answered call) with 2 operators: the page shows what the server answers.
  expect(ids.anna).toBeTruthy();
  const annaOff = await api.online("anna");
  const call = cloud.call();
  await call.answer();
  await call.callerHangsUp();
  await annaOff();
  const date = new Date().toISOString().slice(0, 10);
  const replay = await api.analytics.replayDay({ queueId: "support", date, operators: 2 });
  expect(replay.calls).toBe(1);
  await page.getByLabel("Day (UTC)").fill(date);
  await page.getByLabel("Operators", { exact: true }).fill("2");
  await page.getByRole("button", { name: "Replay" }).click();
  const result = page.getByTestId("replay-result");
  await expect(result.locator("tbody tr").nth(0)).toContainText(`Recorded${replay.calls}${replay.recorded?.callsAnswered ?? 0}`);
  await expect(result.locator("tbody tr").nth(1)).toContainText(`With 2 operators${replay.calls}${replay.answered}${replay.abandoned}`);
  await shot(page, "22-staffing");
});
