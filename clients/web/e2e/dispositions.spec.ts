// Dispositions (wrap-up codes) in Chromium against the real tandem binary, the emulator as the
// cloud: a queue that requires one keeps Done back until the operator picks one, the
// supervisor sees it in the call's detail, and edits a queue's dispositions in the configuration.
import { create } from "@bufbuild/protobuf";
import { DispositionSchema } from "@gen/tandem/common/v1/common_pb";
import { desk, expect, logIn, shot, showsState, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT, type AdminApi } from "./world";

/** Gives the support queue these dispositions (UpdateQueue replaces every setting: read first). */
async function setDispositions(api: AdminApi, dispositions: { code: string; label: string }[], required: boolean): Promise<void> {
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  if (!q) throw new Error("no support queue");
  q.dispositions = dispositions.map((d) => create(DispositionSchema, d));
  q.dispositionRequired = required;
  await api.admin.updateQueue({ queue: q });
}

test("a queue that requires a disposition: Done waits until she picks one, and the supervisor sees it on the call", async ({ page, browser, server, api, ids, cloud }) => {
  await setDispositions(
    api,
    [
      { code: "solved", label: "Solved" },
      { code: "callback", label: "Call back later" },
    ],
    true,
  );
  const errors = watchConsole(page);
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await call.answer();
  await showsState(page, "on_call");
  // The picker is there while they talk already, marked required.
  await expect(d.talk.getByTestId("disposition-required")).toBeVisible();
  await call.callerHangsUp();
  await showsState(page, "wrap_up");
  const callId = (await api.status(ids.anna ?? "")).callId;
  expect(callId).not.toBe("");

  // Done is disabled, with the reason; the D key does nothing either.
  const done = page.getByTestId("done");
  await expect(done).toBeDisabled();
  await expect(page.getByTestId("done-blocked")).toHaveText("Choose a disposition first: this queue requires one before you are ready again.");
  await expect(done).toHaveAttribute("aria-describedby", "done-blocked");
  await expect(page.getByTestId("disposition-saved")).toHaveText("Not set yet");
  await page.keyboard.press("d");
  await showsState(page, "wrap_up");
  await shot(page, "dispositions-01-done-blocked");

  // She picks one by its label, from the keyboard: the server keeps it and Done is free.
  const picker = d.wrapUp.getByLabel("Disposition");
  await picker.focus();
  await picker.selectOption({ label: "Call back later" });
  await expect(page.getByTestId("disposition-saved")).toHaveText("Saved: Call back later", { timeout: WAIT });
  await expect(done).toBeEnabled();
  await expect(page.getByTestId("done-blocked")).toHaveCount(0);
  expect((await api.assignment.getCall({ callId })).call?.disposition).toBe("callback");
  // And changes her mind.
  await picker.selectOption("solved");
  await expect(page.getByTestId("disposition-saved")).toHaveText("Saved: Solved", { timeout: WAIT });
  await shot(page, "dispositions-02-picked");
  await page.keyboard.press("d");
  await showsState(page, "ready");
  expect(errors).toEqual([]);

  // The supervisor opens the call: its detail says what came of it.
  const sup = await browser.newPage();
  await signInSupervisor(sup, server.url, `call/${callId}`, ADMIN_KEY);
  await expect(sup.getByTestId("timeline")).toBeVisible({ timeout: WAIT });
  await expect(sup.getByTestId("call-disposition")).toHaveText("Disposition: Solved (solved)");
  await expect(sup.getByTestId("timeline").locator('[data-kind="disposition"]')).toHaveCount(2);
  await shot(sup, "dispositions-03-call-detail");
  // The call search lists it with the call.
  await sup.goto(`${server.url}/supervisor#search`);
  await sup.getByRole("button", { name: "Search" }).click();
  await expect(sup.getByTestId("search-results").locator(`tr[data-call="${callId}"]`).getByTestId("search-disposition")).toHaveText("solved", { timeout: WAIT });
  await sup.close();
});

test("the supervisor edits a queue's dispositions: codes, names, required; a bad code is shown by its row", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy();
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await expect(page.locator('tr[data-queue="support"]').getByTestId("queue-dispositions")).toHaveText("none");
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  const fields = form.getByTestId("dispositions");
  await fields.getByRole("button", { name: "Add a disposition" }).click();
  await fields.getByLabel("Code 1").fill("sale");
  await fields.getByLabel("Name 1").fill("Sale made");
  await fields.getByRole("button", { name: "Add a disposition" }).click();
  await fields.getByLabel("Code 2").fill("Call Back");
  await fields.getByLabel("Name 2").fill("Call back later");
  await fields.getByRole("checkbox", { name: /^Required/ }).check();
  await form.getByRole("button", { name: "Save" }).click();

  // The server names the second code: the error is by that row, and nothing changed.
  const bad = fields.locator('[data-field="queue.dispositions[1].code"]');
  await expect(bad.locator(".field-error")).toContainText("lowercase letters, digits, _ or -");
  await expect(bad).toHaveClass(/invalid/);
  await expect(fields.locator('[data-field="queue.dispositions[0].code"] .field-error')).toHaveCount(0);
  await shot(page, "dispositions-04-bad-code");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.dispositions).toEqual([]);

  await fields.getByLabel("Code 2").fill("callback");
  await fields.getByRole("button", { name: "Add a disposition" }).click();
  await fields.getByLabel("Code 3").fill("wrong_number");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  await expect(page.locator('tr[data-queue="support"]').getByTestId("queue-dispositions")).toHaveText("sale, callback, wrong_number (required)");
  let q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect(q?.dispositions.map((d) => [d.code, d.label])).toEqual([
    ["sale", "Sale made"],
    ["callback", "Call back later"],
    ["wrong_number", "wrong_number"],
  ]);
  expect(q?.dispositionRequired).toBe(true);

  // Remove one and stop requiring them; the other settings stay as they were.
  await page.getByRole("button", { name: "Edit support" }).click();
  await fields.getByRole("button", { name: "Remove disposition 3 (wrong_number)" }).click();
  await fields.getByRole("checkbox", { name: /^Required/ }).uncheck();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.locator('tr[data-queue="support"]').getByTestId("queue-dispositions")).toHaveText("sale, callback");
  q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect(q?.dispositions.map((d) => d.code)).toEqual(["sale", "callback"]);
  expect(q?.dispositionRequired).toBe(false);
  expect(q?.wrapUpS).toBe(120);
});
