// Callbacks and voicemail on the supervisor's screens (issue 22), in Chromium against the real
// tandem binary started with the Voximplant flags pointing at the emulator's StartScenarios:
// the supervisor turns callbacks on in the queue editor and sends a full line to voicemail; a
// caller asks to be called back, another waits, a third leaves a message. The wallboard counts
// the caller on the line apart from the two callbacks in line; the calls list reads each
// callback as "Callback to … (attempt 1)", and the voicemail's callback plays its message.
import { expect, shot, signInSupervisor, withCallbacks } from "./fixtures";
import { ADMIN_KEY, SUPPORT_LINE, WAIT, type CallerSession } from "./world";

const test = withCallbacks();

/** Waits until Tandem took the caller's intake (he is in line or sent to an exit). */
async function registered(c: CallerSession): Promise<void> {
  await c.s.waitFor((r) => r.type === "http-out" && r.code === 200 && typeof r.url === "string" && new URL(r.url).pathname === "/v1/calls", WAIT, "the intake");
}

test("callbacks set in the editor: a callback and a voicemail wait apart from the caller on the line, and read as callbacks", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy(); // operators at work nowhere: every call waits
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  const callback = form.getByTestId("callback");
  await callback.getByLabel("Offer after, seconds").fill("1");
  await callback.getByLabel(/^Attempts/).fill("2");
  await callback.getByLabel("Never call numbers starting with").fill("+1900, +1976");
  const caps = form.getByTestId("caps");
  await caps.getByLabel("Most calls waiting").fill("1");
  const over = caps.getByTestId("exit-queue.max_waiting_exit");
  await over.getByLabel("A call over the cap").selectOption("voicemail");
  await over.getByLabel("What the caller hears").fill("Please leave a message.");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0, { timeout: WAIT });
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect([q?.callback?.offerAfterS, q?.callback?.attempts, q?.callback?.forbiddenPrefixes, q?.callback?.digit]).toEqual([1, 2, ["+1900", "+1976"], "1"]);
  expect([q?.maxWaiting, q?.maxWaitingExit?.kind, q?.maxWaitingExit?.text]).toEqual([1, "voicemail", "Please leave a message."]);
  // The editor shows what was saved, the server's defaults filled in.
  await page.getByRole("button", { name: "Edit support" }).click();
  await expect(callback.getByLabel("Key that accepts")).toHaveValue("1");
  await expect(callback.getByLabel("Words that accept")).toHaveValue("call me back\ncallback\ncall back");
  await form.getByRole("button", { name: "Cancel" }).click();

  // Ann asks to be called back when offered; Carl waits on the line; the line is full for Bea,
  // who leaves a message.
  const ann = cloud.call("+15550001111", "Ann Caller", SUPPORT_LINE, { answers: [{ text: "Call me back, please" }] });
  await ann.reported("callback_answer");
  await ann.s.waitFor((r) => r.type === "terminated", WAIT, "Ann's call ends");
  const carl = cloud.call("+15550003333", "Carl Caller");
  await registered(carl);
  const bea = cloud.call("+15550002222", "Bea Caller", SUPPORT_LINE, { hangupAfterS: 8 });
  await bea.s.waitFor((r) => r.type === "say" && r.text === "Please leave a message.", WAIT, "the voicemail prompt");
  await bea.reported("voicemail_recorded");

  // The wallboard: one caller waiting, two callbacks in line (the oldest is Ann's).
  await page.goto(`${server.url}/supervisor#wallboard`);
  const tile = page.getByTestId("queue-support");
  await expect(tile.getByTestId("callbacks-waiting")).toHaveText("2", { timeout: WAIT });
  await expect(tile.getByTestId("waiting")).toHaveText("1");
  await expect(tile.getByTestId("oldest-callback")).toContainText(/oldest \d+:\d\d/);
  await expect(tile.getByRole("list", { name: "Calls waiting" }).getByRole("listitem")).toHaveCount(1);
  await expect(tile.getByRole("list", { name: "Calls waiting" })).toContainText("+15550003333");
  await shot(page, "callbacks-01-wallboard");

  // The calls list: each callback in words; the voicemail's plays its message on its page.
  await page.goto(`${server.url}/supervisor#calls`);
  const list = page.getByTestId("calls-now");
  await expect(list.getByRole("row", { name: /Callback to \+15550001111 \(attempt 1\)/ })).toHaveCount(1, { timeout: WAIT });
  await expect(list.getByRole("row", { name: /\+15550003333/ })).toHaveCount(1);
  const calls = (await api.assignment.listCalls({ queueId: "support" })).calls;
  const url = calls.find((c) => c.callback?.number === "+15550002222")?.callback?.voicemailUrl ?? "";
  expect(url).toMatch(/^https:\/\//);
  const beas = list.getByRole("row", { name: /Callback to \+15550002222 \(attempt 1\)/ });
  await expect(beas.getByTestId("voicemail").locator("audio")).toHaveAttribute("src", url);
  await expect(list.getByTestId("voicemail")).toHaveCount(1); // Ann's callback has no message
  await beas.getByRole("button", { name: "Explain" }).click();
  const actions = page.getByTestId("call-actions");
  await expect(actions.getByTestId("callback-note")).toContainText("Callback to +15550002222 (attempt 1)", { timeout: WAIT });
  await expect(actions.getByTestId("voicemail").locator("audio")).toHaveAttribute("src", url);
  await shot(page, "callbacks-02-voicemail");
  carl.s.callerHangup();
});
