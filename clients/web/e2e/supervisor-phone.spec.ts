// The supervisor's browser phone in Chromium against the real tandem (--voximplant-emulator)
// and the real scenario in the emulator: an admin gives olga's access key a Voximplant user
// (SetApiKeySoftphone); the supervisor pages log it in through the emulated Web SDK endpoint,
// which checks the key Tandem signed; Monitor rings olga in her tab by default, Answer joins
// her to the call listening (nobody hears her), Whisper lets anna hear her, Stop hangs up. A key
// without a phone fetches no SDK and rings the typed contact.
import type { Page } from "@playwright/test";
import { test as base } from "@playwright/test";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { desk, expect, logIn, shot, showsState, watchConsole } from "./fixtures";
import { AdminApi, Cloud, TandemServer, WAIT, type EmuCall, type EmuSession, type Rec } from "./world";

/** The emulated Web SDK endpoint (CommonJS, no dependencies), as these tests use it. */
interface WebSdk {
  url: string;
  records: Rec[];
  start(): Promise<WebSdk>;
  close(): Promise<void>;
}
const { WebSdk } = require("../../voxengine/emulator/websdk.js") as { WebSdk: new (o: { users: Record<string, string> }) => WebSdk };

/** The emulator's media model: whose voices a call hears now (clients/voxengine). */
type Hearing = EmuSession & { hearsNow(id: string): string[]; caller: EmuCall };

const OLGA_VOX = "vox-pass-olga";

const test = base.extend<{ sdk: WebSdk; server: TandemServer; api: AdminApi; ids: Record<string, string>; cloud: Cloud }>({
  sdk: async ({}, use) => {
    const s = await new WebSdk({ users: { olga: OLGA_VOX } }).start();
    await use(s);
    await s.close();
  },
  server: async ({ sdk }, use) => {
    const s = await TandemServer.start(undefined, ["--voximplant-emulator", sdk.url]);
    await use(s);
    await s.close();
  },
  api: async ({ server }, use) => {
    await use(new AdminApi(server.url));
  },
  ids: async ({ api }, use) => {
    await use(await api.setup(["anna", "boris"]));
  },
  cloud: async ({ server, sdk }, use) => {
    const c = await Cloud.start(server.url, undefined, sdk);
    await use(c);
    await c.close();
  },
});

async function signIn(page: Page, url: string, hash: string, key: string): Promise<void> {
  await page.goto(`${url}/supervisor#${hash}`);
  await page.getByLabel("Access key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
}

/** The leg the scenario dialed for target, once dialed. */
async function legOf(s: EmuSession, target: string): Promise<EmuCall> {
  const r = await s.waitFor((x) => x.type === "dial" && x.target === target, WAIT, `dial ${target}`);
  const call = [...s.calls].find((c) => c.id() === r.callId);
  if (!call) throw new Error(`no leg for ${target}`);
  return call;
}

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
  await logIn(page, server.url, "anna");
  await showsState(page, "offline");
  await desk(page).toggle.click();
  await showsState(page, "ready");
  const caller = cloud.call();
  const s = caller.s as Hearing;
  await caller.answer();
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
  await signIn(sup, server.url, `call/${callId}`, secret);
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
  await logIn(page, server.url, "anna");
  await showsState(page, "offline");
  await desk(page).toggle.click();
  await showsState(page, "ready");
  const caller = cloud.call();
  const s = caller.s as Hearing;
  await caller.answer();
  const { calls } = await api.assignment.listCalls({});
  const callId = calls[0]?.callId ?? "";

  // boris-lead has no phone: no SDK, the typed contact as before.
  const { secret } = await api.admin.createApiKey({ name: "boris-lead", role: KeyRole.SUPERVISOR });
  const plain = await (await browser.newContext()).newPage();
  const chunks = sdkChunks(plain);
  const errors = watchConsole(plain);
  await signIn(plain, server.url, `call/${callId}`, secret);
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
  await signIn(sup, server.url, `call/${callId}`, olga.secret);
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
