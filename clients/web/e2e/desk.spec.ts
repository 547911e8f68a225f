// The operator desk across a reload and past the end of the wrap-up, in Chromium against the
// real tandem binary with the emulator as the cloud.
import { desk, expect, logIn, showsState, test, watchConsole } from "./fixtures";
import { WAIT } from "./world";

test("a reload during the call and during its wrap-up still shows whom she talks to", async ({ page, server, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await call.answer();
  await showsState(page, "on_call");

  await page.reload();
  await showsState(page, "on_call");
  await expect(d.talk.getByTestId("caller-number")).toHaveText("+15557654321");
  await expect(d.talk.getByTestId("caller-name")).toHaveText("Jane Caller");
  await expect(d.talk.getByTestId("queue")).toContainText("support");

  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  await page.reload();
  await showsState(page, "wrap_up");
  await expect(d.wrapUp.getByTestId("caller-number")).toHaveText("+15557654321");
  expect(errors).toEqual([]);
});

test("the wrap-up runs out while she types her note: the note is kept on the call", async ({ page, server, api, cloud }) => {
  const ids = await api.setup(["anna"], { wrapUpS: 5 });
  const errors = watchConsole(page);
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  const call = cloud.call("+15550006666", "Note Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await call.answer();
  await showsState(page, "on_call");
  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  const callId = (await api.status(ids.anna ?? "")).callId;
  expect(callId).not.toBe("");

  // She types in the last two seconds and stays in the field (no Done, no leaving it); the
  // wrap-up time runs out.
  const note = "Wants the invoice again; call back Monday";
  await expect(page.getByTestId("wrapup-countdown")).toHaveText("0:01 left", { timeout: WAIT });
  await page.getByTestId("note").fill(note);
  await expect(page.getByTestId("note")).toBeFocused();
  await showsState(page, "ready");
  await expect(d.wrapUp).toHaveCount(0);

  // The call's record has her note.
  await expect.poll(async () => (await api.assignment.getCall({ callId })).call?.note, { timeout: WAIT }).toBe(note);
  await expect(page.getByTestId("notice")).toHaveCount(0);
  expect(errors).toEqual([]);
});
