// Skills relaxation (issue 23) in Chromium against the real tandem binary, the emulator as the
// cloud: the supervisor edits a queue's starting level and steps (a bad step is shown on its
// row and saves nothing); a call nobody of the starting level may take waits, and at its step the
// operator the step lets in is rung by the real scenario; the call's "why" names the step.
import { create } from "@bufbuild/protobuf";
import { RelaxStepSchema } from "@gen/tandem/admin/v1/admin_pb";
import { desk, expect, logIn, shot, showsState, signInSupervisor, test } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

test("the supervisor sets a queue's skills relaxation; a bad step is shown by its row and saves nothing", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy(); // the world: the support queue and its operators
  await api.admin.createQueue({ queue: { queueId: "sales", name: "Sales", dialedNumbers: ["+15550002000"], offerTimeoutS: 30, wrapUpS: 60 } });
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  const relax = form.getByTestId("relax");
  await relax.getByLabel("Starting level").fill("4");
  await relax.getByRole("button", { name: "Add a step" }).click();
  await relax.getByLabel("Step 1: after (seconds)").fill("30");
  await relax.getByLabel("Step 1: level from then on").fill("4"); // not lower than the start
  await relax.getByRole("button", { name: "Add a step" }).click();
  await relax.getByLabel("Step 2: after (seconds)").fill("60");
  await relax.getByTestId("relax-step").nth(1).getByRole("checkbox", { name: "sales" }).check();
  await form.getByRole("button", { name: "Save" }).click();

  const bad = relax.locator('[data-field="queue.relax[0].min_level"]');
  await expect(bad.locator(".field-error")).toContainText("lower than the level before it");
  await expect(bad).toHaveClass(/invalid/);
  await shot(page, "relax-01-bad-step");
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.relax).toEqual([]);

  await relax.getByLabel("Step 1: level from then on").fill("2");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect(q?.minLevel).toBe(4);
  expect(q?.relax.map((s) => [s.afterS, s.minLevel, s.alsoQueueIds])).toEqual([
    [30, 2, []],
    [60, 0, ["sales"]],
  ]);
  expect(q?.wrapUpS).toBe(120); // the other settings stay

  // Reopened, the form shows it; removing the steps and the level saves none.
  await page.getByRole("button", { name: "Edit support" }).click();
  await expect(relax.getByLabel("Step 2: after (seconds)")).toHaveValue("60");
  await relax.getByRole("button", { name: "Remove step 2" }).click();
  await relax.getByRole("button", { name: "Remove step 1" }).click();
  await relax.getByLabel("Starting level").fill("");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  const after = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect([after?.minLevel, after?.relax]).toEqual([0, []]);
});

test("a call waits for its step: then the operator it lets in is rung, and the call's why names the step", async ({ page, browser, server, api, ids, cloud }) => {
  // anna serves support at level 3: the queue takes level 4 at first, everyone after 2 s.
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  if (!q) throw new Error("no support queue");
  q.minLevel = 4;
  q.relax = [create(RelaxStepSchema, { afterS: 2, minLevel: 1 })];
  await api.admin.updateQueue({ queue: q });
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await d.toggle.click();
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await call.answer();
  await showsState(page, "on_call");
  const callId = (await api.status(ids.anna ?? "")).callId;
  expect(callId).not.toBe("");
  const { decisions } = await api.assignment.explainCall({ callId });
  expect(decisions.map((x) => [x.operatorId, x.relaxation?.step, x.relaxation?.minLevel])).toEqual([[ids.anna, 1, 1]]);
  const offered = decisions[0]?.decidedAt;
  const call0 = (await api.assignment.getCall({ callId })).call;
  // Offered at the step, not before: 2 s after the call's arrival.
  expect(Number(offered?.seconds) * 1000 + (offered?.nanos ?? 0) / 1e6).toBeGreaterThanOrEqual(Number(call0?.arrivedAt?.seconds) * 1000 + (call0?.arrivedAt?.nanos ?? 0) / 1e6 + 2000);

  const sup = await browser.newPage();
  await signInSupervisor(sup, server.url, `call/${callId}`, ADMIN_KEY);
  await expect(sup.getByTestId("timeline")).toBeVisible({ timeout: WAIT });
  await expect(sup.getByTestId("decision-relaxation")).toHaveText("Relaxed at 2.0 s: level 1 and up");
  await shot(sup, "relax-02-why");
  await sup.close();
  await call.callerHangsUp();
});
