// Actions on the floor in Chromium against the real tandem, with the emulator as the cloud: on an
// operator's page, Set away, Log out with an offer ringing for him (the confirmation cancelled
// with Escape and nothing changed, then confirmed from the keyboard), his queues and levels, and
// Lift ban; on a call's page, priority, Move to queue… (cancelled, then confirmed), Withdraw offer,
// Requeue, a priority out of range refused by its field, an action on a call that ended meanwhile
// refused by call_id, and Monitor reachable while it talks (Barge asking first). Each checked
// against the server. And the same pages in Russian.
import type { Page } from "@playwright/test";
import { CallState, OfferState, OperatorState } from "@gen/tandem/common/v1/common_pb";
import { expect, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT, type AdminApi } from "./world";

const sales = { queueId: "sales", name: "Sales", dialedNumbers: ["+15550002000"], offerTimeoutS: 30, wrapUpS: 60 };

async function callOf(api: AdminApi, caller: string): Promise<string> {
  let id = "";
  await expect
    .poll(
      async () => {
        id = (await api.assignment.listCalls({})).calls.find((c) => c.callerNumber === caller)?.callId ?? "";
        return id;
      },
      { timeout: WAIT },
    )
    .not.toBe("");
  return id;
}

async function stateOf(api: AdminApi, id: string): Promise<OperatorState> {
  return (await api.status(id)).state;
}

function actions(page: Page) {
  const a = page.getByTestId("operator-actions");
  return {
    box: a,
    state: a.getByTestId("op-state"),
    result: a.getByTestId("action-result").first(),
    error: a.getByTestId("action-error").first(),
    confirm: a.getByTestId("confirm"),
  };
}

test("an operator's page: set away, log out with an offer ringing (cancelled, then confirmed), queues and levels", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  await api.admin.createQueue({ queue: sales });
  const annaOff = await api.online("anna");
  await signInSupervisor(page, server.url, `operators/${ids.anna}`, ADMIN_KEY);
  const a = actions(page);
  await expect(a.state).toHaveAttribute("data-state", "ready", { timeout: WAIT });
  await expect(a.box.getByTestId("act-liftban")).toBeDisabled();
  await expect(a.box).toContainText("He is not banned.");

  // Away with a reason: shown at once, and so on the server.
  await a.box.getByLabel("Reason").fill("training");
  await a.box.getByTestId("act-away").click();
  await expect(a.result).toHaveText("Anna Tester is now Away.");
  await expect(a.state).toHaveAttribute("data-state", "away");
  await expect(a.state).toContainText("training");
  const away = await api.status(ids.anna!);
  expect(away.state).toBe(OperatorState.AWAY);
  expect(away.reason).toBe("training");

  // Ready again, a call rings for her: Set away does not apply; Log out asks first.
  await api.presence.goReady({ operatorId: ids.anna });
  const caller = cloud.call("+15557654321", "Jane Caller");
  expect(await caller.dialed()).toBe("anna");
  await a.state.getByRole("button", { name: "Refresh" }).click();
  await expect(a.state).toHaveAttribute("data-state", "reserved");
  await expect(a.box.getByTestId("act-away")).toBeDisabled();
  await expect(a.box).toContainText("set him away after it");
  await a.box.getByTestId("act-logout").click();
  await expect(a.confirm).toContainText("logging him out withdraws that offer");
  await expect(a.box.getByTestId("confirm-yes")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(a.confirm).toHaveCount(0);
  expect(await stateOf(api, ids.anna!)).toBe(OperatorState.RESERVED); // nothing changed

  await a.box.getByTestId("act-logout").click();
  await expect(a.box.getByTestId("confirm-yes")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(a.result).toHaveText("Anna Tester is now Offline.");
  await expect(a.state).toHaveAttribute("data-state", "offline");
  await expect(a.box.getByTestId("act-logout")).toBeDisabled();
  await expect(a.box).toContainText("He is offline already.");
  expect(await stateOf(api, ids.anna!)).toBe(OperatorState.OFFLINE);
  const call = (await api.assignment.getCall({ callId: await callOf(api, "+15557654321") })).call;
  expect(call?.state).toBe(CallState.WAITING);
  expect(call?.offers.map((o) => o.state)).toEqual([OfferState.WITHDRAWN]);
  await annaOff();

  // Her queues and levels: support at 5, and sales added; a level out of range is refused by its field.
  const skills = a.box.getByTestId("op-queues");
  await expect(skills.getByTestId("op-queue")).toHaveCount(1);
  await skills.getByLabel("Level (1–5)").first().fill("5");
  await skills.getByRole("button", { name: "Add a queue" }).click();
  await expect(skills.getByTestId("op-queue")).toHaveCount(2);
  await expect(skills.locator(`select[name="queue-1"]`)).toHaveValue("sales");
  await skills.getByTestId("act-save-queues").click();
  await expect(skills.getByTestId("action-result")).toHaveText("Saved: he serves 2 queues from now on.");
  let op = (await api.admin.getOperator({ operatorId: ids.anna })).operator;
  expect(op?.queues.map((q) => `${q.queueId}:${q.level}`)).toEqual(["support:5", "sales:3"]);

  await skills.getByLabel("Level (1–5)").nth(1).fill("9");
  await skills.getByTestId("act-save-queues").click();
  await expect(skills.getByTestId("action-error")).toHaveAttribute("data-field", /queues\[1\]\.level/);
  op = (await api.admin.getOperator({ operatorId: ids.anna })).operator;
  expect(op?.queues.map((q) => `${q.queueId}:${q.level}`)).toEqual(["support:5", "sales:3"]);
  expect(errors).toEqual([]);
});

test("an operator's page: Lift ban ends a ban (he is away until he presses Ready)", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  // carla's phone is always busy: each offer is her miss; the third in a row bans her.
  const carlaOff = await api.online("carla");
  cloud.call("+15550005555", "Persistent Caller");
  for (;;) {
    await expect.poll(() => stateOf(api, ids.carla!), { timeout: WAIT }).not.toBe(OperatorState.READY);
    const st = await stateOf(api, ids.carla!);
    if (st === OperatorState.BANNED) break;
    if (st === OperatorState.AWAY) await api.presence.goReady({ operatorId: ids.carla });
  }
  await signInSupervisor(page, server.url, `operators/${ids.carla}`, ADMIN_KEY);
  const a = actions(page);
  await expect(a.state).toHaveAttribute("data-state", "banned", { timeout: WAIT });
  await expect(a.box.getByTestId("act-away")).toBeDisabled();
  await a.box.getByTestId("act-liftban").click();
  await expect(a.result).toHaveText("Carla Tester is now Away.");
  await expect(a.state).toHaveAttribute("data-state", "away");
  expect(await stateOf(api, ids.carla!)).toBe(OperatorState.AWAY);
  await carlaOff();
  expect(errors).toEqual([]);
});

test("a call's page: priority, move to another queue (cancelled, then confirmed), withdraw, requeue, errors by field, monitor while it talks", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  expect(ids.anna).toBeTruthy();
  await api.admin.createQueue({ queue: sales });
  // Two callers wait in support; nobody is ready.
  const first = cloud.call("+15551110001", "First Caller");
  const firstId = await callOf(api, "+15551110001");
  const second = cloud.call("+15551110002", "Second Caller");
  const secondId = await callOf(api, "+15551110002");

  await signInSupervisor(page, server.url, `call/${secondId}`, ADMIN_KEY);
  const box = page.getByTestId("call-actions");
  const now = box.getByTestId("call-now");
  await expect(now).toHaveText(/Waiting in Support, position 2, priority 0\./, { timeout: WAIT });
  await expect(box.getByTestId("act-withdraw")).toBeDisabled();
  await expect(box).toContainText("No offer is out for this call.");

  // Raise its priority (no offer out: nothing to confirm): first in line.
  await box.getByLabel("Priority (0–100)").fill("7");
  await box.getByTestId("act-priority").click();
  await expect(box.getByTestId("action-result")).toHaveText("Back in line in support at priority 7.");
  await expect(now).toHaveText(/position 1, priority 7\./);
  let c = (await api.assignment.getCall({ callId: secondId })).call;
  expect([c?.position, c?.priority]).toEqual([1, 7]);

  // Move to Sales: cancelled first (nothing changes), then confirmed.
  await box.locator(`select[name="move-to"]`).selectOption({ label: "Sales" });
  await box.getByTestId("act-move").click();
  await expect(box.getByTestId("confirm")).toContainText("Move this call to Sales?");
  await box.getByTestId("confirm-no").click();
  await expect(box.getByTestId("confirm")).toHaveCount(0);
  expect((await api.assignment.getCall({ callId: secondId })).call?.queueId).toBe("support");
  await box.getByTestId("act-move").click();
  await box.getByTestId("confirm-yes").click();
  await expect(box.getByTestId("action-result")).toHaveText("Back in line in sales at priority 7.");
  await expect(now).toHaveText(/Waiting in Sales, position 1, priority 7\./);
  expect((await api.assignment.getCall({ callId: secondId })).call?.queueId).toBe("sales");

  // The caller in Sales hangs up while the page still offers the actions: refused by call_id.
  second.s.callerHangup();
  await second.reported("caller_abandoned");
  await box.getByLabel("Priority (0–100)").fill("9");
  await page.getByTestId("act-priority").click();
  const ended = page.getByTestId("action-error");
  await expect(ended).toContainText("not waiting");
  await expect(ended).toHaveAttribute("data-field", "call_id");
  c = (await api.assignment.getCall({ callId: secondId })).call;
  expect([c?.state, c?.priority, c?.queueId]).toEqual([CallState.ABANDONED, 7, "sales"]);

  // The first call rings anna: withdraw her offer (confirmed), then requeue it.
  await page.goto(`${server.url}/supervisor#call/${firstId}`);
  const annaOff = await api.online("anna");
  expect(await first.dialed()).toBe("anna");
  // The page read the call before the offer went out: Refresh shows it.
  await expect(async () => {
    await box.getByTestId("call-now").getByRole("button", { name: "Refresh" }).click();
    await expect(box.getByTestId("act-withdraw")).toBeEnabled({ timeout: 1000 });
  }).toPass({ timeout: WAIT });
  await expect(now).toHaveText(/Ringing Anna Tester\./);
  await box.getByTestId("act-withdraw").click();
  await expect(box.getByTestId("confirm")).toContainText("Withdraw the offer to Anna Tester?");
  await box.getByTestId("confirm-yes").click();
  await expect(box.getByTestId("action-result")).toHaveText("Offer withdrawn: the call is back in line.");
  c = (await api.assignment.getCall({ callId: firstId })).call;
  expect(c?.offers[0]?.state).toBe(OfferState.WITHDRAWN);

  // A priority out of range: the server's words, by its field; nothing changed.
  const before = (await api.assignment.getCall({ callId: firstId })).call;
  await box.getByLabel("Priority (0–100)").fill("101");
  await box.getByTestId("act-priority").click();
  if (before?.offers.some((o) => o.state === OfferState.PENDING)) await box.getByTestId("confirm-yes").click();
  await expect(box.getByTestId("action-error")).toHaveAttribute("data-field", "priority");
  await expect(box.getByTestId("action-error")).toContainText("must be 0 to 100");
  c = (await api.assignment.getCall({ callId: firstId })).call;
  expect([c?.priority, c?.offers.length]).toEqual([0, before?.offers.length]);

  // Requeue (confirmed): an offer out again is withdrawn, the call back in line.
  await box.getByTestId("act-requeue").click();
  await box.getByTestId("confirm-yes").click();
  await expect(box.getByTestId("action-result")).toHaveText("Back in line in support at priority 0.");

  // anna answers it: only Monitor applies now, reachable on the same page.
  await expect.poll(async () => (await api.assignment.getCall({ callId: firstId })).call?.offers.some((o) => o.state === OfferState.PENDING), { timeout: WAIT }).toBe(true);
  const dials = first.s.records.filter((r) => r.type === "dial" && r.target === "anna");
  const leg = [...first.s.calls].find((x) => x.id() === dials.at(-1)?.callId);
  expect(leg).toBeTruthy();
  leg?.remoteAnswer();
  await first.reported("operator_answered");
  await page.reload();
  await expect(now).toHaveText(/Talking with Anna Tester\./, { timeout: WAIT });
  await expect(box.getByTestId("act-requeue")).toBeDisabled();
  await expect(box).toContainText("Only a waiting call can be requeued");
  await expect(page.getByTestId("monitor-barge")).toBeVisible();

  // Barge asks first (the caller would hear the supervisor): Escape leaves the call as it was.
  const mon = page.getByTestId("monitor");
  await mon.getByTestId("monitor-barge").click();
  await expect(mon.getByTestId("confirm")).toContainText("Barge in? The caller and the operator will both hear you.");
  await expect(mon.getByTestId("confirm-yes")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(mon.getByTestId("confirm")).toHaveCount(0);
  expect((await api.assignment.getCall({ callId: firstId })).call?.parties).toEqual([]);
  // Confirmed with nowhere to ring the supervisor: the page says so, and nobody joins.
  await mon.getByTestId("monitor-barge").click();
  await mon.getByTestId("confirm-yes").click();
  await expect(mon.getByTestId("monitor-error")).toHaveText("Type where to ring you first: your phone, SIP address or Voximplant user.");
  expect((await api.assignment.getCall({ callId: firstId })).call?.parties).toEqual([]);
  await annaOff();
  expect(errors).toEqual([]);
});

test("in Russian: an operator's actions and his day, a call's actions and their question", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  const annaOff = await api.online("anna");
  await signInSupervisor(page, server.url, `operators/${ids.anna}`, ADMIN_KEY);
  await page.getByLabel("Language").selectOption("ru");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Операторы");
  const a = actions(page);
  await expect(a.state).toHaveAttribute("data-state", "ready", { timeout: WAIT });
  await expect(a.box.getByRole("heading", { level: 2 })).toHaveText("Действия · Anna Tester");
  await expect(a.box.getByTestId("act-liftban")).toHaveText("Снять блокировку");
  await expect(a.box).toContainText("Он не заблокирован.");
  await expect(a.box.getByLabel("Причина")).toHaveAttribute("placeholder", "перерыв");
  await expect(a.box.getByTestId("op-queues").getByRole("button", { name: "Сохранить очереди" })).toBeVisible();
  const dd = page.getByTestId("drilldown");
  await expect(dd.getByRole("heading", { name: "Звонки и предложения" })).toBeVisible({ timeout: WAIT });
  await expect(dd.getByRole("heading", { name: "Баллы по дням" })).toBeVisible();

  // Set away with no reason typed: a break, said in Russian.
  await a.box.getByTestId("act-away").click();
  await expect(a.result).toContainText("Anna Tester: теперь «");
  await expect(a.state).toHaveAttribute("data-state", "away");
  await expect(a.state).toContainText("— перерыв");
  expect((await api.status(ids.anna!)).reason).toBe("break");
  // Log out (nothing rings for her: no question): the reason in Russian too.
  await a.box.getByTestId("act-logout").click();
  await expect(a.state).toHaveAttribute("data-state", "offline");
  await expect(a.state).toContainText("— выведен из системы супервизором");

  // A call waits (nobody is ready): its actions and the question before requeueing, in Russian.
  cloud.call("+15552220001", "Waiting Caller");
  const callId = await callOf(api, "+15552220001");
  await page.goto(`${server.url}/supervisor#call/${callId}`);
  const box = page.getByTestId("call-actions");
  await expect(box.getByRole("heading", { level: 3 })).toHaveText("Действия со звонком", { timeout: WAIT });
  await expect(box.getByTestId("call-now")).toContainText("Ждёт в очереди Support, место 1, приоритет 0.");
  await expect(box).toContainText("Этот звонок сейчас никому не предложен.");
  await box.getByTestId("act-requeue").click();
  await expect(box.getByTestId("confirm")).toContainText("Вернуть звонок в очередь?");
  await expect(box.getByTestId("confirm-no")).toHaveText("Отмена");
  await page.keyboard.press("Escape");
  await expect(box.getByTestId("confirm")).toHaveCount(0);
  await expect(page.getByTestId("timeline")).toContainText("Поступил");
  await annaOff();
  expect(errors).toEqual([]);
});
