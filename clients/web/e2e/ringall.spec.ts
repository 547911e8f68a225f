// Ring-all in two browsers against the real server and the real scenario in the VoxEngine
// emulator: the support queue rings anna (her browser phone, the emulated Web SDK) and boris
// (a phone that rings until hung up) at once; anna answers in her tab; boris's offer leaves his
// desk, his phone is hung up, and the miss is nobody's.
import { OfferState } from "@gen/tandem/common/v1/common_pb";
import { desk, expect, logIn, showsState, test, watchConsole, withBrowserPhones } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

const ANNA_VOX = "vox-pass-anna";

const ring = withBrowserPhones({ anna: ANNA_VOX }, async (api, ids) => {
  await api.admin.updateOperator({ operatorId: ids.anna, softphonePassword: ANNA_VOX });
  const { queues } = await api.admin.listQueues({});
  const support = queues.find((q) => q.queueId === "support");
  if (!support) throw new Error("no support queue");
  await api.admin.updateQueue({ queue: { ...support, strategy: "ring_all", ringAtOnce: 2 } });
});

ring("a ring_all queue rings both desks; anna answers in her browser; boris's offer goes, and he missed nothing", async ({ page, browser, server, ids, cloud, api }) => {
  const errors = watchConsole(page);
  await logIn(page, server.url, "anna");
  await expect(page.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
  await desk(page).toggle.click();
  await showsState(page, "ready");
  const borisPage = await browser.newPage();
  try {
    await logIn(borisPage, server.url, "boris");
    await desk(borisPage).toggle.click();
    await showsState(borisPage, "ready");

    const call = cloud.call("+15557654321", "Jane Caller");
    await expect(desk(page).offer).toBeVisible({ timeout: WAIT });
    await expect(desk(borisPage).offer).toBeVisible({ timeout: WAIT });
    await call.s.waitFor((r) => r.type === "dial" && r.target === "boris", WAIT, "dial to boris");
    await call.s.waitFor((r) => r.type === "dial" && r.target === "anna", WAIT, "dial to anna");

    await page.getByTestId("answer").click();
    await expect(desk(page).talk).toBeVisible({ timeout: WAIT });
    await call.reported("operator_answered");
    // Boris's phone is hung up as it rings, his offer leaves his desk and he is ready again, told why.
    const borisLeg = await call.s.waitFor((r) => r.type === "dial" && r.target === "boris", WAIT, "boris's leg");
    await call.s.waitFor((r) => r.type === "hangup" && r.callId === borisLeg.callId && r.by === "scenario", WAIT, "boris's phone hung up");
    await expect(desk(borisPage).offer).toHaveCount(0, { timeout: WAIT });
    await showsState(borisPage, "ready");
    await expect(borisPage.getByTestId("state-detail")).toHaveText("A colleague answered that call first");
    expect((await api.status(ids.boris ?? "")).marks?.offersMissed ?? 0).toBe(0);

    await call.callerHangsUp();
    await expect(desk(page).wrapUp).toBeVisible({ timeout: WAIT });
    const callId = (await api.status(ids.anna ?? "")).callId;
    const offers = (await api.assignment.getCall({ callId })).call?.offers ?? [];
    expect(offers.map((o) => [o.operatorId, o.state]).sort()).toEqual(
      [
        [ids.anna, OfferState.ANSWERED],
        [ids.boris, OfferState.CANCELLED],
      ].sort(),
    );
    expect(errors).toEqual([]);

    // The call's timeline says why boris's offer ended, and that it is no miss.
    await borisPage.goto(`${server.url}/supervisor#call/${callId}`);
    await borisPage.getByLabel("Access key").fill(ADMIN_KEY);
    await borisPage.getByRole("button", { name: "Sign in" }).click();
    await expect(borisPage.getByTestId("timeline").locator('[data-kind="offer_cancelled"]')).toContainText("Offer cancelled to Boris Tester: another operator answered first (not a miss)", { timeout: WAIT });
  } finally {
    await borisPage.close();
  }
});

test("the queue editor: ring_all shows its 'ring at once'; a number out of range is refused by that field; saved, the table says it", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  await page.goto(`${server.url}/supervisor#config`);
  await page.getByLabel("Access key").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tab", { name: "Queues" }).click();
  await page.getByRole("button", { name: "Edit support" }).click();
  const form = page.getByTestId("queue-form");
  await expect(form.getByLabel("Ring at once (operators)")).toHaveCount(0); // not for longest idle
  await form.locator('select[name="strategy"]').selectOption("ring_all");
  await form.getByLabel("Ring at once (operators)").fill("1");
  await form.getByRole("button", { name: "Save" }).click();
  const field = form.locator('[data-field="queue.ring_at_once"]');
  await expect(field.locator(".field-error")).toHaveText("must be 2 to 50 operators", { timeout: WAIT });
  await expect(form.locator(".field-error")).toHaveCount(1);
  expect((await api.admin.getQueue({ queueId: "support" })).queue?.strategy).toBe("longest_idle");
  await form.getByLabel("Ring at once (operators)").fill("3");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0, { timeout: WAIT });
  await expect(page.locator('tr[data-queue="support"]').getByTestId("strategy")).toHaveText("ring_all (3 at once)");
  const q = (await api.admin.getQueue({ queueId: "support" })).queue;
  expect([q?.strategy, q?.ringAtOnce]).toEqual(["ring_all", 3]);
  expect(errors).toEqual([]);
});
