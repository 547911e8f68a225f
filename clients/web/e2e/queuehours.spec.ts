// A queue's business hours, closures, closed exit and caps, edited in the configuration page in
// Chromium against the real tandem binary: overlapping hours and an unknown time zone are
// refused by their field and save nothing; good settings are saved, the queues table says the
// queue is closed, and so does the wallboard. A server that cannot call back refuses callback
// settings and a callback exit by their field; a voicemail exit it takes.
import { expect, shot, signInSupervisor, test } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

/** A UTC date, days from today, as "2026-12-31". */
function day(days: number): string {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

test("the supervisor sets a queue's hours, closures and caps; bad hours are shown by their field and save nothing", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy(); // the world: the support queue and its operators
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await expect(page.locator('tr[data-queue="support"]').getByTestId("queue-hours")).toHaveText("Always open");
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  const hours = form.getByTestId("hours");

  // Monday 09:00–18:00 and an overlapping Monday 17:00–20:00.
  await hours.getByLabel("Time zone").fill("Europe/Berlin");
  await hours.getByRole("button", { name: "Add opening hours" }).click();
  await hours.getByRole("button", { name: "Add opening hours" }).click();
  await hours.getByLabel("Opens 2").fill("17:00");
  await hours.getByLabel("Closes 2").fill("20:00");
  await form.getByRole("button", { name: "Save" }).click();
  const overlap = hours.getByTestId("error-queue.hours.weekly[1]");
  await expect(overlap).toContainText("overlaps span 0");
  await shot(page, "queuehours-01-overlap");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.hours).toBeUndefined();

  // Fixed, but an unknown time zone.
  await hours.getByLabel("Opens 2").fill("19:00");
  await hours.getByLabel("Closes 2").fill("21:00");
  await hours.getByLabel("Time zone").fill("Mars/Olympus");
  await form.getByRole("button", { name: "Save" }).click();
  const zone = hours.locator('[data-field="queue.hours.time_zone"]');
  await expect(zone.locator(".field-error")).toContainText("unknown time zone");
  await expect(zone).toHaveClass(/invalid/);
  await expect(overlap).toHaveCount(0);
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.hours).toBeUndefined();

  // Good: a closure from yesterday to tomorrow closes the queue now, with its message; a cap of
  // 10 calls sends the next to a number.
  await hours.getByLabel("Time zone").fill("UTC");
  await hours.getByRole("button", { name: "Add a closure" }).click();
  await hours.getByLabel("First day 1").fill(day(-1));
  await hours.getByLabel("Last day 1").fill(day(1));
  await hours.getByLabel("Name 1").fill("Staff day");
  const closed = hours.getByTestId("exit-queue.closed_exit");
  await closed.getByLabel("While closed").selectOption("message");
  await closed.getByLabel("What the caller hears").fill("We are closed for our staff day.");
  await hours.getByRole("checkbox", { name: /^Calls still waiting/ }).check();
  const caps = form.getByTestId("caps");
  await caps.getByLabel("Most calls waiting").fill("10");
  const over = caps.getByTestId("exit-queue.max_waiting_exit");
  await over.getByLabel("A call over the cap").selectOption("number");
  await over.getByRole("textbox", { name: /^Number/ }).fill("+14155550100");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0, { timeout: WAIT });
  await expect(page.locator('tr[data-queue="support"]').getByTestId("queue-hours")).toHaveText("Closed (closed: Staff day)");
  await shot(page, "queuehours-02-saved");
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect(q?.hours?.timeZone).toBe("UTC");
  expect(q?.hours?.weekly.map((s) => [s.day, s.from, s.to])).toEqual([
    ["mon", "09:00", "18:00"],
    ["mon", "19:00", "21:00"],
  ]);
  expect(q?.hours?.closures.map((c) => [c.first, c.last, c.name])).toEqual([[day(-1), day(1), "Staff day"]]);
  expect(q?.closedExit?.kind).toBe("message");
  expect(q?.closedExit?.text).toBe("We are closed for our staff day.");
  expect(q?.exitWaitingAtClose).toBe(true);
  expect(q?.maxWaiting).toBe(10);
  expect([q?.maxWaitingExit?.kind, q?.maxWaitingExit?.number]).toEqual(["number", "+14155550100"]);
  expect(q?.wrapUpS).toBe(120); // the other settings stay

  // The editor shows what was saved.
  await page.getByRole("button", { name: "Edit support" }).click();
  await expect(hours.getByLabel("Name 1")).toHaveValue("Staff day");
  await expect(form.getByTestId("caps").getByRole("textbox", { name: /^Number/ })).toHaveValue("+14155550100");
  await form.getByRole("button", { name: "Cancel" }).click();

  // The wallboard shows the queue closed, and why.
  await page.goto(`${server.url}/supervisor#wallboard`);
  const tile = page.getByTestId("queue-support");
  await expect(tile.getByTestId("closed")).toContainText("closed: Staff day", { timeout: WAIT });
  await shot(page, "queuehours-03-wallboard");
});

test("without a dialer callback settings and a callback exit are refused by their field and save nothing; a voicemail exit needs none", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy();
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  const callback = form.getByTestId("callback");
  const caps = form.getByTestId("caps");
  // Voicemail and callback are exits of every place; the spare overflow of the longest wait only.
  const overCap = caps.getByTestId("exit-queue.max_waiting_exit").getByLabel("A call over the cap");
  await expect(overCap.locator("option")).toHaveText([/^Nothing/, /^Say a message/, /^Put the caller through/, /^Move the call/, /^Voicemail/, /^Offer to call/]);

  await callback.getByLabel("Offer after, seconds").fill("30");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(callback.getByTestId("error-queue.callback")).toContainText("--voximplant-account-id");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.callback).toBeUndefined();

  await callback.getByLabel("Offer after, seconds").fill("");
  await caps.getByLabel(/^Longest wait/).fill("120");
  const longest = caps.getByTestId("exit-queue.longest_wait_exit");
  await longest.getByLabel("A call past the longest wait").selectOption("callback");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(longest.getByTestId("error-queue.longest_wait_exit.kind")).toContainText("callbacks need Voximplant's Management API");
  await expect(callback.getByTestId("error-queue.callback")).toHaveCount(0);
  await shot(page, "queuehours-04-no-dialer");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.longestWaitS).toBe(0);

  // Voicemail with the default prompt: saved.
  await longest.getByLabel("A call past the longest wait").selectOption("voicemail");
  await expect(longest.getByLabel("What the caller hears")).toHaveValue("");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0, { timeout: WAIT });
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect([q?.longestWaitS, q?.longestWaitExit?.kind, q?.longestWaitExit?.text, q?.callback]).toEqual([120, "voicemail", "", undefined]);
});
