// Alerts on the wallboard in Chromium against the real tandem, with the emulator as the cloud:
// a queue given a tiny threshold on the configuration page (more than one call waiting, held for 1 s), two callers wait →
// the alert shows (role=status, announced politely) with its queue and since when; a supervisor acknowledges it from
// the keyboard; an operator takes a call → it clears, and stays in the history.
import { expect, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

test("alerts: raised on the wallboard, acknowledged, cleared, in the history", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  // The thresholds, on the configuration page: a bad one is refused by its field, nothing saved.
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  await form.getByLabel("Calls waiting over").fill("1");
  await form.getByLabel("Held for (s) before raised or cleared").fill("1");
  await form.getByLabel("Service level under (%)").fill("101");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.locator('[data-field="queue.alert_service_level_under_percent"] .field-error')).toHaveText("must be 0 (off) to 100");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.alertWaitingOver).toBe(0);
  await form.getByLabel("Service level under (%)").fill("0");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0, { timeout: WAIT });
  const saved = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect([saved?.alertWaitingOver, saved?.alertHoldS, saved?.alertServiceLevelUnderPercent]).toEqual([1, 1, 0]);

  await page.goto(`${server.url}/supervisor#wallboard`);
  await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  const alerts = page.getByTestId("alerts");
  await expect(alerts.getByRole("status")).toBeEmpty();

  const first = cloud.call("+15557654321", "Jane Caller");
  await expect(page.getByTestId("queue-support").getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  cloud.call("+15551112222", "Ivan Caller");
  const alert = alerts.getByTestId("alert-waiting");
  await expect(alert).toContainText("Support: 2 calls waiting (over 1)", { timeout: WAIT });
  await expect(alert).toContainText(/since 0:0\d/);
  await expect(alerts.getByRole("status")).toContainText("Support");

  // Acknowledged from the keyboard.
  const ack = alert.getByRole("button", { name: /^Acknowledge: Support: 2 calls waiting/ });
  await ack.focus();
  await page.keyboard.press("Enter");
  await expect(alert).toContainText("acknowledged by admin-key", { timeout: WAIT });
  await expect(alert.getByRole("button")).toHaveCount(0);

  // anna answers one: one call waits, not over the threshold; cleared after the hold.
  const annaOff = await api.online("anna");
  expect(await first.dialed()).toBe("anna");
  await first.answer();
  await expect(alerts.getByTestId("alert-waiting")).toHaveCount(0, { timeout: WAIT });

  await alerts.getByText("Recent alerts").click();
  await expect(alerts.getByTestId("alert-history")).toContainText("Support: 2 calls waiting (over 1) — cleared, acknowledged by admin-key", { timeout: WAIT });
  const { alerts: open } = await api.analytics.listAlerts({});
  expect(open).toHaveLength(0);
  await annaOff();
  expect(errors).toEqual([]);
});
