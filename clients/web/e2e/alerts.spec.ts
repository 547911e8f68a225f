// Alerts on the wallboard in Chromium against the real tandem, with the emulator as the cloud:
// a queue with a tiny threshold (more than one call waiting, held for 1 s), two callers wait →
// the alert shows (role=alert) with its queue and since when; a supervisor acknowledges it from
// the keyboard; an operator takes a call → it clears, and stays in the history.
import { expect, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, SUPPORT_LINE, WAIT } from "./world";

test("alerts: raised on the wallboard, acknowledged, cleared, in the history", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  await api.admin.updateQueue({
    queue: { queueId: "support", name: "Support", dialedNumbers: [SUPPORT_LINE], offerTimeoutS: 30, wrapUpS: 120, isDefault: true, alertWaitingOver: 1, alertHoldS: 1 },
  });
  await signInSupervisor(page, server.url, "wallboard", ADMIN_KEY);
  await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  const alerts = page.getByTestId("alerts");
  await expect(alerts.getByRole("alert")).toBeEmpty();

  const first = cloud.call("+15557654321", "Jane Caller");
  await expect(page.getByTestId("queue-support").getByTestId("waiting")).toHaveText("1", { timeout: WAIT });
  cloud.call("+15551112222", "Ivan Caller");
  const alert = alerts.getByTestId("alert-waiting");
  await expect(alert).toContainText("Support: 2 calls waiting (over 1)", { timeout: WAIT });
  await expect(alert).toContainText(/since 0:0\d/);
  await expect(alerts.getByRole("alert")).toContainText("Support");

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
