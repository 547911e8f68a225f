// Conference and monitoring in Chromium against the real tandem and the real scenario in the
// emulator: anna adds boris to her call from the talk card; a supervisor listens from the
// call's detail (anna is not told and nobody hears him), whispers (only anna hears him), barges
// after confirming (all hear all) and stops; refusals are shown.
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { annaAnswers, desk, expect, shot, signInSupervisor, test, watchConsole } from "./fixtures";
import { WAIT, legOf, type Hearing } from "./world";

test("anna adds boris to her call; a supervisor listens, whispers, barges and stops from the call's detail", async ({ page, browser, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  // anna is the only one ready: boris comes online once she talks.
  const caller = await annaAnswers(page, server.url, cloud);
  const s = caller.s as Hearing;
  const d = desk(page);
  await expect(d.talk).toBeVisible({ timeout: WAIT });
  const annaLeg = await legOf(s, "anna");
  const stopBoris = await api.online("boris");

  // A bad number is refused by its field; nothing is dialed.
  const conf = page.getByTestId("conference");
  await conf.getByTestId("add-target").fill("12345");
  await conf.getByTestId("add-to-call").click();
  await expect(conf.getByTestId("add-error")).toContainText("contact.target");

  await conf.getByTestId("add-kind").selectOption("operator");
  await conf.getByTestId("add-target").fill(ids.boris);
  await conf.getByTestId("add-to-call").click();
  const borisLeg = await legOf(s, "boris");
  await expect(conf.getByTestId("parties")).toContainText("ringing", { timeout: WAIT });
  borisLeg.remoteAnswer();
  await caller.reported("party_joined");
  await expect(conf.getByTestId("parties")).toContainText(`${ids.boris} — on the call`, { timeout: WAIT });
  const callerId = s.caller.id();
  expect(s.hearsNow(callerId).sort()).toEqual([annaLeg.id(), borisLeg.id()].sort());
  await shot(page, "conference-anna-added-boris");

  // The supervisor, from the call's detail.
  const { secret } = await api.admin.createApiKey({ name: "olga", role: KeyRole.SUPERVISOR });
  const { calls } = await api.assignment.listCalls({});
  const callId = calls[0]?.callId ?? "";
  const sup = await (await browser.newContext()).newPage();
  await signInSupervisor(sup, server.url, `call/${callId}`, secret);
  const mon = sup.getByTestId("monitor");
  await expect(mon).toBeVisible({ timeout: WAIT });
  await mon.getByTestId("monitor-contact").fill("+14155550123");
  await mon.getByTestId("monitor-listen").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Ringing you at +14155550123");
  const olga = await legOf(s, "+14155550123");
  olga.remoteAnswer();
  await expect.poll(() => s.records.filter((x) => x.type === "http-out" && x.code === 200 && typeof x.body === "string" && x.body.includes("party_joined")).length, { timeout: WAIT }).toBe(2);
  await expect.poll(() => s.hearsNow(olga.id()).sort(), { timeout: WAIT }).toEqual([annaLeg.id(), borisLeg.id(), callerId].sort());
  expect(s.hearsNow(callerId)).not.toContain(olga.id());
  expect(s.hearsNow(annaLeg.id())).not.toContain(olga.id());
  // anna is not told of a listen.
  await expect(mon.getByTestId("parties")).toContainText("olga (supervisor) — listening, on the call", { timeout: WAIT });
  await expect(conf.getByTestId("parties")).not.toContainText("supervisor");
  await shot(sup, "conference-supervisor-listens");

  await mon.getByTestId("monitor-whisper").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Switched: you are whispering");
  await expect.poll(() => s.hearsNow(annaLeg.id()), { timeout: WAIT }).toContain(olga.id());
  expect(s.hearsNow(callerId)).not.toContain(olga.id());
  expect(s.hearsNow(borisLeg.id())).not.toContain(olga.id());
  await expect(conf.getByTestId("parties")).toContainText("a supervisor — whispering to you", { timeout: WAIT });

  await mon.getByTestId("monitor-barge").click(); // asks first: the caller will hear her
  await expect(mon.getByTestId("confirm")).toContainText("The caller and the operator will both hear you");
  await mon.getByTestId("confirm-yes").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Switched: you are barged in");
  await expect.poll(() => s.hearsNow(callerId), { timeout: WAIT }).toContain(olga.id());
  expect(s.records.filter((r) => r.type === "dial" && r.target === "+14155550123")).toHaveLength(1);

  await mon.getByTestId("monitor-stop").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Monitoring stopped");
  await s.waitFor((r) => r.type === "call-event" && r.callId === olga.id() && r.event === "Call.Disconnected", WAIT, "the supervisor's leg hung up");
  await expect(conf.getByTestId("parties")).toContainText("a supervisor — left (monitoring stopped)", { timeout: WAIT });

  // A second monitor on the ended call is refused, shown on the page.
  await caller.callerHangsUp();
  await expect(d.wrapUp).toBeVisible({ timeout: WAIT });
  await sup.reload();
  await expect(sup.getByTestId("timeline")).toContainText("Third party joined", { timeout: WAIT });
  await expect(sup.getByTestId("timeline")).toContainText("Monitoring switched");
  await expect(sup.getByTestId("monitor-listen")).toHaveCount(0);
  await stopBoris();
  expect(errors).toEqual([]);
});

test("an operator who is not ready cannot be added: the refusal names him", async ({ page, server, ids, cloud }) => {
  const caller = await annaAnswers(page, server.url, cloud);
  await expect(desk(page).talk).toBeVisible({ timeout: WAIT });
  const conf = page.getByTestId("conference");
  await conf.getByTestId("add-kind").selectOption("operator");
  await conf.getByTestId("add-target").fill(ids.carla);
  await conf.getByTestId("add-to-call").click();
  await expect(conf.getByTestId("add-error")).toContainText("operator_id");
  await expect(conf.getByTestId("add-error")).toContainText("carla");
  expect(caller.s.records.filter((r) => r.type === "dial")).toHaveLength(1);
  await caller.callerHangsUp();
});
