// Transfer from the operator app in Chromium, against the real tandem binary and the real
// scenario in the emulator: anna's Transfer control lists her colleagues (the free first, the
// others disabled with why), a refusal is shown, a warm transfer to boris rings, consults and
// completes (the caller hears music during the consult, then boris), and anna goes to wrap-up.
import type { Page } from "@playwright/test";
import { desk, expect, logIn, shot, showsState, test, watchConsole } from "./fixtures";
import { Cloud, WAIT, type CallerSession, type Rec } from "./world";

/** anna logs in, goes ready with the keyboard and answers Jane's call: the call, and when Jane first hears her. */
async function annaTalks(page: Page, url: string, cloud: Cloud): Promise<{ call: CallerSession; bridged: Rec }> {
  await logIn(page, url, "anna");
  await expect(desk(page).conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await page.keyboard.press("r");
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  expect(await call.dialed()).toBe("anna");
  await call.answer();
  await showsState(page, "on_call");
  const bridged = await call.s.waitFor((r) => r.type === "heard" && r.what === "call" && r.from === "anna", WAIT, "the caller hears anna");
  return { call, bridged };
}

test("warm transfer to a colleague: pick boris, consult while the caller hears music, complete", async ({ page, server, api, ids }) => {
  const errors = watchConsole(page);
  // boris's phone answers by itself; anna's rings until the test picks it up.
  const cloud = await Cloud.start(server.url, (target) => (target === "boris" ? { ringAfterS: 0.05, answerAfterS: 0.5 } : undefined));
  try {
    const { call, bridged } = await annaTalks(page, server.url, cloud);

    // Nobody else is at work: boris is shown but cannot be picked, and a warm transfer to the
    // queue is refused with the server's reason.
    await page.getByTestId("transfer-open").click();
    const pick = page.getByTestId("transfer-operator");
    await expect(pick.locator("option", { hasText: "Boris Tester" })).toHaveText("Boris Tester — offline");
    await expect(pick.locator("option", { hasText: "Boris Tester" })).toBeDisabled();
    await page.getByTestId("transfer-to-queue").check();
    await page.getByTestId("transfer-queue").selectOption("support");
    await page.getByTestId("transfer-warm").check();
    await page.getByTestId("transfer-go").click();
    await expect(page.getByTestId("transfer-error")).toContainText("nobody in Support is free now");
    await shot(page, "transfer-01-refused");

    // boris comes to work: he is listed first, free; a warm transfer to him.
    const stopBoris = await api.online("boris");
    await page.getByRole("button", { name: "Close" }).click();
    await page.getByTestId("transfer-open").click();
    await page.getByTestId("transfer-to-operator").check();
    await expect(pick.locator("option").nth(1)).toHaveText("Boris Tester");
    await expect(pick.locator("option", { hasText: "Carla Tester" })).toBeDisabled();
    await pick.selectOption(ids.boris ?? "");
    await page.getByTestId("transfer-warm").check();
    await page.getByTestId("transfer-go").click();
    await expect(page.getByTestId("transfer-state")).toContainText(/Calling Boris Tester|Talking with Boris Tester/);
    await expect(page.getByTestId("transfer-state")).toHaveText("Talking with Boris Tester — the caller is on hold", { timeout: WAIT });
    const music = await call.s.waitFor((r) => r.type === "heard" && r.what === "music" && r.t > bridged.t, WAIT, "music during the consult");
    await call.s.waitFor((r) => r.type === "leg-heard" && r.what === "call" && r.from === "boris", WAIT, "anna hears boris");
    await shot(page, "transfer-02-consulting");

    await page.getByTestId("transfer-complete").click();
    await showsState(page, "wrap_up");
    await call.s.waitFor((r) => r.type === "heard" && r.what === "call" && r.from === "boris" && r.t > music.t, WAIT, "the caller hears boris");
    const c = await api.assignment.getCall({ callId: (await api.assignment.listCalls({})).calls[0]?.callId ?? "" });
    expect(c.call?.operatorId).toBe(ids.boris);
    await shot(page, "transfer-03-completed");
    await stopBoris();
    expect(errors).toEqual([]);
  } finally {
    await cloud.close();
  }
});

test("blind transfer to the queue: anna lets go at once; the call waits in line keeping its arrival", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const { call, bridged } = await annaTalks(page, server.url, cloud);
  const callId = (await api.assignment.listCalls({})).calls[0]?.callId ?? "";
  const arrived = (await api.assignment.getCall({ callId })).call?.arrivedAt;

  await page.getByTestId("transfer-open").click();
  await page.getByTestId("transfer-to-number").check();
  await page.getByTestId("transfer-number").fill("12345");
  await page.getByTestId("transfer-go").click();
  await expect(page.getByTestId("transfer-error")).toContainText("Enter a phone number");
  await page.getByTestId("transfer-to-queue").check();
  await page.getByTestId("transfer-queue").selectOption("support");
  await page.getByTestId("transfer-blind").check();
  await page.getByTestId("transfer-go").click();
  await showsState(page, "wrap_up");
  await call.s.waitFor((r) => r.type === "heard" && r.what === "music" && r.t > bridged.t, WAIT, "music in line again");
  const back = (await api.assignment.getCall({ callId })).call;
  expect(back?.arrivedAt).toEqual(arrived);
  expect(back?.transfer?.toQueueId).toBe("support");
  expect(errors).toEqual([]);
});
