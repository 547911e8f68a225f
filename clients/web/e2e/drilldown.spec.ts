// The drill-down in Chromium against the real tandem, with the emulator as the cloud: calls
// answered, abandoned and missed, then found by number, operator and outcome on the Call search
// page (keyboard to the call's page), and the operators' pages with today's states and calls,
// the score history and the misses.
import type { Page } from "@playwright/test";
import { expect, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

async function signIn(page: Page, url: string, hash: string): Promise<void> {
  await page.goto(`${url}/supervisor#${hash}`);
  await page.getByLabel("Access key").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
}

test("calls answered, abandoned and missed are found, opened, and show on the operators' pages", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  // anna answers the first call and goes to wrap-up; the second caller gives up waiting.
  const annaOff = await api.online("anna");
  const first = cloud.call("+15557654321", "Jane Caller");
  expect(await first.dialed()).toBe("anna");
  await first.answer();
  await first.callerHangsUp();
  const second = cloud.call("+15551112222", "Ivan Caller");
  await expect.poll(() => second.registeredAt, { timeout: WAIT }).toBeGreaterThan(0);
  second.s.callerHangup();
  await second.reported("caller_abandoned");
  // carla's phone is busy: her miss; that caller gives up too.
  const carlaOff = await api.online("carla");
  const third = cloud.call("+15553334444", "Sara Caller");
  expect(await third.dialed()).toBe("carla");
  await third.reported("dial_failed");
  third.s.callerHangup();
  await third.reported("caller_abandoned");

  await signIn(page, server.url, "search");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Call search");
  await expect(page.locator("h1")).toHaveCount(1);
  const results = page.getByTestId("search-results");
  const rows = results.locator("tbody tr");

  // Every ended call, newest first.
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(3, { timeout: WAIT });
  await expect(rows.nth(0)).toContainText("+15553334444");

  // By the number's beginning, then by a part of it.
  await page.getByLabel("Caller number").fill("+1555765");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1, { timeout: WAIT });
  await expect(rows.nth(0)).toContainText("answered");
  await expect(rows.nth(0)).toContainText("Anna Tester");
  await page.getByLabel("Caller number").fill("3334");
  await page.getByLabel("Number contains (not only begins with)").check();
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1, { timeout: WAIT });
  await expect(rows.nth(0)).toContainText("+15553334444");

  // By outcome, and by operator.
  await page.getByLabel("Caller number").fill("");
  await page.locator(`select[name="outcome"]`).selectOption({ label: "hung up waiting" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(2, { timeout: WAIT });
  await page.locator(`select[name="outcome"]`).selectOption({ label: "Any outcome" });
  await page.locator(`select[name="operator"]`).selectOption({ label: "Anna Tester" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1, { timeout: WAIT });
  await expect(rows.nth(0)).toContainText("+15557654321");

  // A bad range is refused by its field.
  await page.getByLabel("Ended from (UTC)").fill("2026-03-02T10:00");
  await page.getByLabel("Ended before (UTC)").fill("2026-03-01T10:00");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("search-error")).toContainText("from must be before to");
  await page.getByLabel("Ended from (UTC)").fill("");
  await page.getByLabel("Ended before (UTC)").fill("");
  await page.locator(`select[name="operator"]`).selectOption({ label: "Any operator" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(3, { timeout: WAIT });

  // The keyboard walks the rows; Enter opens the call's page.
  await rows.nth(0).focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(rows.nth(2)).toBeFocused();
  const callId = await rows.nth(2).getAttribute("data-call");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`#call/${callId}$`));
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toBeVisible({ timeout: WAIT });
  await expect(timeline.locator('[data-kind="answered"]')).toHaveCount(1);

  // anna's page, from the call's: her day's states and calls, her score today.
  await page.getByTestId("call-operators").getByRole("link", { name: "Anna Tester" }).click();
  await expect(page).toHaveURL(new RegExp(`#operators/${ids.anna}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Operators");
  const dd = page.getByTestId("drilldown");
  await expect(dd).toHaveAttribute("data-operator", ids.anna ?? "", { timeout: WAIT });
  const states = dd.getByTestId("dd-states");
  await expect(states.locator('[data-state="on_call"]')).toHaveCount(1);
  await expect(states.locator('[data-state="wrap_up"]')).toHaveCount(1);
  await expect(dd.getByTestId("dd-events").locator('[data-kind="answered"]')).toHaveCount(1);
  await expect(dd.getByTestId("dd-score-chart")).toHaveAttribute("data-days", "1");
  await dd.getByTestId("dd-events").getByRole("link").first().click();
  await expect(page.getByTestId("timeline")).toBeVisible({ timeout: WAIT });

  // carla's: the miss, with why.
  await page.goto(`${server.url}/supervisor#operators`);
  await page.locator(`select[name="operator"]`).selectOption({ label: "Carla Tester" });
  await expect(page.getByTestId("drilldown")).toHaveAttribute("data-operator", ids.carla ?? "", { timeout: WAIT });
  await expect(page.getByTestId("dd-misses").locator("li")).toHaveCount(1);
  await expect(page.getByTestId("dd-misses")).toContainText("SIP 486");

  await annaOff();
  await carlaOff();
  expect(errors).toEqual([]);
});
