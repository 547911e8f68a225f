// The sounds, in Chromium against the real tandem: an offer rings in the operator's tab and a
// new alert sounds on the wallboard. Web Audio is observed, not replaced: an init script records
// every oscillator the page starts (its frequency), so a test sees the tones the page asked the
// browser to play, once the page has had the gesture browsers require.
import type { Page } from "@playwright/test";
import { desk, expect, logIn, showsState, signInSupervisor, test } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

async function listenForTones(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const played: number[] = [];
    (window as unknown as { tones: number[] }).tones = played;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
      played.push(this.frequency.value);
      return start.call(this, when);
    };
  });
}

function tones(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { tones: number[] }).tones.slice());
}

/** The ring of notify.ts: two two-tone rings. */
const RING = [880, 660, 880, 660];

test("an offer rings in the operator's tab, once per offer; with the sound off it is silent", async ({ page, server, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  await listenForTones(page);
  await logIn(page, server.url, "anna"); // the click on Log in is the gesture
  await showsState(page, "offline");
  await desk(page).toggle.click();
  await showsState(page, "ready");
  expect(await tones(page)).toEqual([]);

  const first = cloud.call("+15557654321", "Jane Caller");
  await expect(desk(page).offer).toBeVisible({ timeout: WAIT });
  await expect.poll(() => tones(page), { timeout: WAIT }).toEqual(RING);
  first.s.callerHangup(); // he gives up while it rings: no second ring
  await first.reported("caller_abandoned");
  await expect(desk(page).offer).toHaveCount(0, { timeout: WAIT });
  await showsState(page, "ready");
  expect(await tones(page)).toEqual(RING);

  // The operator turns the sound off: the next offer is shown, not heard.
  await page.getByLabel("Sound", { exact: true }).uncheck();
  const second = cloud.call("+15551112222", "Ivan Caller");
  await expect(desk(page).offer).toBeVisible({ timeout: WAIT });
  expect(await tones(page)).toEqual(RING);
  second.s.callerHangup();
  await second.reported("caller_abandoned");
});

test("a new alert sounds on the wallboard once; one open before the page loaded does not", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const queue = (await api.admin.getQueue({ queueId: "support" })).queue!;
  await api.admin.updateQueue({ queue: { ...queue, alertWaitingOver: 1, alertHoldS: 1 } });
  // Two callers wait before the wallboard opens: that alert is old news to this page.
  cloud.call("+15557654321", "Jane Caller");
  cloud.call("+15551112222", "Ivan Caller");
  await expect.poll(async () => (await api.analytics.listAlerts({})).alerts.length, { timeout: WAIT }).toBe(1);

  await listenForTones(page);
  await signInSupervisor(page, server.url, "wallboard", ADMIN_KEY);
  const alerts = page.getByTestId("alerts");
  await page.getByText("Tandem", { exact: true }).click(); // the gesture browsers want before a page may sound
  await expect(alerts.getByTestId("alert-waiting")).toContainText("Support: 2 calls waiting (over 1)", { timeout: WAIT });
  expect(await tones(page)).toEqual([]);

  // A new alert while the page is open: the longest wait, given a threshold the callers pass.
  await api.admin.updateQueue({ queue: { ...queue, alertWaitingOver: 1, alertHoldS: 1, alertLongestWaitOverS: 1 } });
  await expect(alerts.getByTestId("alert-longest_wait")).toBeVisible({ timeout: WAIT });
  await expect.poll(() => tones(page), { timeout: WAIT }).toEqual(RING);
  // Acknowledging it does not sound again.
  await alerts.getByTestId("alert-longest_wait").getByRole("button", { name: /^Acknowledge/ }).click();
  await expect(alerts.getByTestId("alert-longest_wait")).toContainText("acknowledged by admin-key", { timeout: WAIT });
  expect(await tones(page)).toEqual(RING);
});
