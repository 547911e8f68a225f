// The supervisor's browser phone in Chromium against the real tandem (--voximplant-emulator)
// and the real scenario in the emulator: an admin gives olga's access key a Voximplant user
// (SetApiKeySoftphone); the supervisor pages log it in through the emulated Web SDK endpoint,
// which checks the key Tandem signed; Monitor rings olga in her tab by default, Answer joins
// her to the call listening (nobody hears her), Whisper lets anna hear her, Stop hangs up. A key
// without a phone fetches no SDK and rings the typed contact.
import type { Page } from "@playwright/test";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { annaAnswers, desk, expect, shot, signInSupervisor, watchConsole, withBrowserPhones } from "./fixtures";
import { WAIT, legOf, type Hearing } from "./world";

const OLGA_VOX = "vox-pass-olga";

const test = withBrowserPhones({ olga: OLGA_VOX });

/** Counts the Web SDK chunks (Voximplant's or the emulated one) a page fetches. */
function sdkChunks(page: Page): () => number {
  let n = 0;
  page.on("request", (r) => {
    if (/\/assets\/(voximplant\.min|emulatedsdk)-/.test(r.url())) n++;
  });
  return () => n;
}

test("olga's key has a browser phone: it logs in, Monitor rings her tab, Answer listens, Whisper, Stop", async ({ page, browser, server, api, ids, cloud, sdk }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const s = (await annaAnswers(page, server.url, cloud)).s as Hearing;
  await expect(desk(page).talk).toBeVisible({ timeout: WAIT });
  const annaLeg = await legOf(s, "anna");
  const callerId = s.caller.id();

  const { apiKey, secret } = await api.admin.createApiKey({ name: "olga", role: KeyRole.SUPERVISOR });
  const given = await api.admin.setApiKeySoftphone({ keyId: apiKey?.keyId ?? "", softphoneUser: "olga", softphonePassword: OLGA_VOX });
  expect(given.apiKey?.softphoneUser).toBe("olga");
  const { calls } = await api.assignment.listCalls({});
  const callId = calls[0]?.callId ?? "";

  const sup = await (await browser.newContext()).newPage();
  const supErrors = watchConsole(sup);
  const chunks = sdkChunks(sup);
  await signInSupervisor(sup, server.url, `call/${callId}`, secret);
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone ready (olga)", { timeout: WAIT });
  // The endpoint checked MD5(key|MD5(olga:voximplant.com:password)) and let her in.
  expect(sdk.records.filter((r) => r.type === "login").map((r) => [r.user, r.ok])).toEqual([["olga", true]]);
  expect(chunks()).toBe(1); // the emulated SDK's chunk, once

  const mon = sup.getByTestId("monitor");
  await expect(mon).toBeVisible({ timeout: WAIT });
  await expect(mon.getByTestId("monitor-in-browser")).toBeChecked();
  await expect(mon.getByTestId("monitor-contact")).toHaveCount(0);
  await mon.getByTestId("monitor-listen").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Ringing you in this browser");
  const olgaLeg = await legOf(s, "olga");
  const dial = s.records.find((r) => r.type === "dial" && r.target === "olga");
  expect((dial?.headers as Record<string, string>)["X-Tandem-Party-Id"]).toBeTruthy();
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone: ringing", { timeout: WAIT });
  await shot(sup, "supervisor-phone-ringing");
  await mon.getByTestId("monitor-answer").click();
  expect(await s.waitFor((r) => r.type === "callee" && r.did === "answer" && r.by === "websdk" && r.user === "olga", WAIT, "olga answers in her tab")).toBeTruthy();
  // Listening: olga hears the caller and anna; nobody hears her.
  await expect.poll(() => s.hearsNow(olgaLeg.id()).sort(), { timeout: WAIT }).toEqual([annaLeg.id(), callerId].sort());
  expect(s.hearsNow(callerId)).not.toContain(olgaLeg.id());
  expect(s.hearsNow(annaLeg.id())).not.toContain(olgaLeg.id());
  await expect(mon.getByTestId("parties")).toContainText("olga (supervisor) — listening, on the call", { timeout: WAIT });
  await expect(mon.getByTestId("monitor-in-call")).toBeVisible();
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone: on a call");

  await mon.getByTestId("monitor-whisper").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Switched: you are whispering");
  await expect.poll(() => s.hearsNow(annaLeg.id()), { timeout: WAIT }).toContain(olgaLeg.id());
  expect(s.hearsNow(callerId)).not.toContain(olgaLeg.id());
  expect(s.records.filter((r) => r.type === "dial" && r.target === "olga")).toHaveLength(1); // the same leg

  await mon.getByTestId("monitor-stop").click();
  await expect(mon.getByTestId("monitor-message")).toContainText("Monitoring stopped");
  await s.waitFor((r) => r.type === "call-event" && r.callId === olgaLeg.id() && r.event === "Call.Disconnected", WAIT, "the supervisor's leg hung up");
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone ready (olga)", { timeout: WAIT });
  await expect(mon.getByTestId("monitor-in-browser")).toBeChecked({ timeout: WAIT });
  expect(supErrors).toEqual([]);
  expect(errors).toEqual([]);
});

test("a key without a browser phone fetches no SDK and rings the typed contact; the typed contact stays the alternative", async ({ page, browser, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const s = (await annaAnswers(page, server.url, cloud)).s as Hearing;
  const { calls } = await api.assignment.listCalls({});
  const callId = calls[0]?.callId ?? "";

  // boris-lead has no phone: no SDK, the typed contact as before.
  const { secret } = await api.admin.createApiKey({ name: "boris-lead", role: KeyRole.SUPERVISOR });
  const plain = await (await browser.newContext()).newPage();
  const chunks = sdkChunks(plain);
  const errors = watchConsole(plain);
  await signInSupervisor(plain, server.url, `call/${callId}`, secret);
  const mon = plain.getByTestId("monitor");
  await expect(mon).toBeVisible({ timeout: WAIT });
  await expect(mon.getByTestId("monitor-in-browser")).toHaveCount(0);
  await expect(mon.getByTestId("monitor-contact")).toBeVisible();
  await expect(plain.getByTestId("sv-phone")).toHaveCount(0);
  expect(chunks()).toBe(0);

  // olga, who has one, may still choose to be rung elsewhere.
  const olga = await api.admin.createApiKey({ name: "olga", role: KeyRole.SUPERVISOR });
  await api.admin.setApiKeySoftphone({ keyId: olga.apiKey?.keyId ?? "", softphoneUser: "olga", softphonePassword: OLGA_VOX });
  const sup = await (await browser.newContext()).newPage();
  await signInSupervisor(sup, server.url, `call/${callId}`, olga.secret);
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone ready (olga)", { timeout: WAIT });
  const smon = sup.getByTestId("monitor");
  await smon.getByTestId("monitor-elsewhere").check();
  await smon.getByTestId("monitor-contact").fill("+14155550123");
  await smon.getByTestId("monitor-listen").click();
  await expect(smon.getByTestId("monitor-message")).toContainText("Ringing you at +14155550123");
  await legOf(s, "+14155550123");
  expect(s.records.some((r) => r.type === "dial" && r.target === "olga")).toBe(false);
  expect(errors).toEqual([]);
});

test("olga signs in as herself: the browser phone given to her name logs in and Monitor rings her tab", async ({ page, browser, server, api, ids, cloud, sdk }) => {
  expect(ids.anna).toBeTruthy();
  const s = (await annaAnswers(page, server.url, cloud)).s as Hearing;
  const { calls } = await api.assignment.listCalls({});
  const callId = calls[0]?.callId ?? "";
  await api.admin.createAccount({ name: "olga", displayName: "Olga Petrova", role: KeyRole.SUPERVISOR, password: "demo-password" });
  const given = await api.admin.setPersonSoftphone({ person: "olga", softphoneUser: "olga", softphonePassword: OLGA_VOX });
  expect(given.softphone?.softphoneUser).toBe("olga");

  const sup = await (await browser.newContext()).newPage();
  const errors = watchConsole(sup);
  await sup.goto(`${server.url}/supervisor#call/${callId}`);
  await sup.getByLabel("Name").fill("olga");
  await sup.getByLabel("Password").fill("demo-password");
  await sup.getByRole("button", { name: "Log in with password" }).click();
  await expect(sup.getByTestId("sv-who")).toHaveText("Olga Petrova", { timeout: WAIT });
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone ready (olga)", { timeout: WAIT });
  expect(sdk.records.filter((r) => r.type === "login").map((r) => [r.user, r.ok])).toEqual([["olga", true]]);

  const mon = sup.getByTestId("monitor");
  await expect(mon.getByTestId("monitor-in-browser")).toBeChecked({ timeout: WAIT });
  await mon.getByTestId("monitor-listen").click();
  await legOf(s, "olga");
  await expect(sup.getByTestId("sv-phone")).toHaveText("Browser phone: ringing", { timeout: WAIT });
  await mon.getByTestId("monitor-answer").click();
  await expect(mon.getByTestId("parties")).toContainText("olga (supervisor) — listening, on the call", { timeout: WAIT });
  expect(errors).toEqual([]);
});
