// The browser phone in Chromium against the real server and the real scenario in the VoxEngine
// emulator. The server runs with --voximplant-emulator: the app loads the emulated Web SDK
// (src/emulatedsdk.ts) and talks to the emulator's Web SDK endpoint
// (clients/voxengine/emulator/websdk.js), which checks the one-time-key hash as Voximplant does
// and rings the tab when the scenario calls the user. One test keeps the real SDK's path: a
// server without the flag loads voximplant-websdk's chunk, replaced here by a JS fake.
import { createHash } from "node:crypto";
import { desk, expect, logIn, showsState, test, watchConsole, withBrowserPhones } from "./fixtures";
import { VOX_APP, WAIT } from "./world";

const ANNA_VOX = "vox-pass-anna";

/** A server with --voximplant-emulator, the endpoint, and the emulator ringing anna's browser. */
const phone = withBrowserPhones({ anna: ANNA_VOX }, async (api, ids) => {
  await api.admin.updateOperator({ operatorId: ids.anna, softphonePassword: ANNA_VOX });
});

/** anna logged in with her browser phone ready, and Ready for calls. */
async function annaReady(page: import("@playwright/test").Page, url: string): Promise<void> {
  await logIn(page, url, "anna");
  await expect(page.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
  await desk(page).toggle.click();
  await showsState(page, "ready");
}

phone("anna logs in with a key Tandem signed; a real call rings in the tab; Answer, Hold, Resume, Mute and a DTMF tone reach the emulator", async ({ page, server, ids, cloud, sdk }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const d = desk(page);
  let sdkChunk = false;
  page.on("request", (r) => {
    if (/\/assets\/voximplant\.min-/.test(r.url())) sdkChunk = true;
  });
  await annaReady(page, server.url);
  // The endpoint checked MD5(key|MD5(anna:voximplant.com:password)) and let her in.
  expect(sdk.records.filter((r) => r.type === "login").map((r) => [r.user, r.ok])).toEqual([["anna", true]]);
  expect(sdkChunk).toBe(false); // the emulated SDK, not Voximplant's

  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  const dial = await call.s.waitFor((r) => r.type === "dial", WAIT, "dial");
  expect(dial.target).toBe("anna");
  expect((dial.headers as Record<string, string>)["X-Tandem-Offer-Id"]).toBeTruthy();
  await page.getByTestId("answer").click();
  await expect(d.talk).toBeVisible({ timeout: WAIT });
  await call.reported("operator_answered");
  expect(call.s.records.some((r) => r.type === "callee" && r.did === "answer" && r.by === "websdk" && r.user === "anna")).toBe(true);
  const bridged = await call.s.waitFor((r) => r.type === "heard" && r.what === "call", WAIT, "the caller hears anna");

  // Hold and Resume on the call card: the caller hears the hold music, then anna again.
  await page.getByTestId("hold").click();
  await expect(page.getByTestId("on-hold")).toBeVisible({ timeout: WAIT });
  const music = await call.s.waitFor((r) => r.type === "heard" && r.what === "music" && r.t > bridged.t, WAIT, "the hold music");
  await expect(page.getByTestId("hold")).toHaveText("Resume");
  await page.getByTestId("hold").click();
  await expect(page.getByTestId("on-hold")).toHaveCount(0, { timeout: WAIT });
  await call.s.waitFor((r) => r.type === "heard" && r.what === "call" && r.t > music.t, WAIT, "anna again after the resume");
  await expect(page.getByTestId("hold-total")).toBeVisible();

  // The microphone's level moves (the emulated SDK's microphone is a tone); Mute is the SDK's,
  // local to the tab, and silences it; a tone goes to the scenario's leg.
  const level = () => page.getByTestId("mic-level").locator(".level-bar").evaluate((e) => parseFloat((e as HTMLElement).style.width));
  await expect.poll(level, { timeout: WAIT }).toBeGreaterThan(0);
  await page.getByTestId("mute").click();
  await expect(page.getByTestId("mute")).toHaveText("Unmute");
  await expect(page.getByTestId("mute")).toHaveAttribute("aria-pressed", "true");
  await expect.poll(level, { timeout: WAIT }).toBe(0);
  await page.getByTestId("mute").click();
  await expect(page.getByTestId("mute")).toHaveText("Mute");
  await page.getByTestId("keypad-toggle").click();
  await page.getByTestId("key-5").click();
  await page.getByTestId("key-#").click();
  await expect(page.getByTestId("tones-sent")).toHaveText("5#");
  await call.s.waitFor((r) => r.type === "tone-in" && r.tone === "#", WAIT, "tone #");
  expect(call.s.records.filter((r) => r.type === "tone-in").map((r) => r.tone)).toEqual(["5", "#"]);

  await call.callerHangsUp();
  await expect(d.wrapUp).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("phone-call")).toHaveCount(0);
  expect(errors).toEqual([]);
});

phone("Decline while the tab rings: DeclineOffer, the SDK call declined, the offer declined and no miss", async ({ page, server, api, ids, cloud, sdk }) => {
  const errors = watchConsole(page);
  const d = desk(page);
  await annaReady(page, server.url);
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(page.getByTestId("answer")).toBeVisible({ timeout: WAIT });
  const dial = await call.s.waitFor((r) => r.type === "dial", WAIT, "dial");
  const headers = dial.headers as Record<string, string>;
  await page.getByTestId("decline").click();
  await expect(d.offer).toHaveCount(0, { timeout: WAIT });
  await showsState(page, "ready");
  // The leg ends: by the tab's decline (603) or by Tandem's cancel, whichever reaches it first;
  // the tab declines its SDK call once DeclineOffer is taken, so the 603 is about a declined offer.
  const ended = await call.s.waitFor((r) => r.type === "call-event" && r.callId === dial.callId && r.event === "Call.Failed", WAIT, "the leg ended");
  expect([603, 487]).toContain(ended.code);
  if (ended.code === 603) expect(sdk.records.some((r) => r.type === "decline" && r.user === "anna")).toBe(true);
  const marks = (await api.status(ids.anna ?? "")).marks;
  expect(marks?.declines).toBe(1);
  expect(marks?.offersMissed).toBe(0);
  const timeline = await api.analytics.getCallTimeline({ callId: headers["X-Tandem-Call-Id"] ?? "" });
  const mine = timeline.entries.filter((e) => e.offerId === headers["X-Tandem-Offer-Id"]);
  expect(mine.map((e) => e.kind)).toContain("offer_declined");
  expect(mine.map((e) => e.kind)).not.toContain("offer_failed");
  expect(errors).toEqual([]);
});

phone("the phone reconnects after the endpoint drops the connection, and rings again", async ({ page, server, ids, cloud, sdk }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const d = desk(page);
  await annaReady(page, server.url);
  sdk.dropConnections();
  await expect(page.getByTestId("softphone")).toHaveAttribute("data-state", "reconnecting", { timeout: WAIT });
  await expect(page.getByTestId("softphone")).toContainText("reconnecting");
  await expect(page.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
  expect(sdk.records.filter((r) => r.type === "login" && r.ok).length).toBe(2); // a fresh key, signed again
  const call = cloud.call();
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await page.getByTestId("answer").click();
  await call.reported("operator_answered");
  expect(errors).toEqual([]);
});

// The real SDK's path (no --voximplant-emulator): the chunk of voximplant-websdk, faked.
const fakeSdk = `
const handlers = new Map();
const on = (m) => (ev, h) => m.set(ev, [...(m.get(ev) || []), h]);
const emit = (m, ev, e) => (m.get(ev) || []).forEach((h) => h(e));
const vox = { log: [], answered: false, ring(offerId) {
  const ch = new Map();
  const call = { id: () => "vox-1", headers: () => ({ "X-Tandem-Offer-Id": offerId }), on: on(ch), hangup() {}, decline() {},
    answer() { vox.answered = true; emit(ch, "Connected", {}); }, getLocalStream: () => Promise.reject(new Error("fake")) };
  emit(handlers, "IncomingCall", { call });
} };
window.__vox = vox;
const client = {
  async init(c) { vox.log.push("init mic=" + c.micRequired); },
  async connect() { vox.log.push("connect"); },
  disconnect() { vox.log.push("disconnect"); },
  async requestOneTimeLoginKey(u) { vox.log.push("key " + u); throw { name: "AuthResult", result: false, code: 302, key: "otk-e2e" }; },
  async loginWithOneTimeKey(u, h) { vox.log.push("login " + u + " " + h); return { name: "AuthResult", result: true, code: 200 }; },
  on: on(handlers), off() {},
};
export default {
  getInstance: () => client,
  Events: { IncomingCall: "IncomingCall", ConnectionClosed: "ConnectionClosed" },
  CallEvents: { Connected: "Connected", Disconnected: "Disconnected", Failed: "Failed" },
  Hardware: { AudioDeviceManager: { get: () => ({ async getInputDevices() { return [{ id: "m1", name: "Headset", group: "" }]; }, async getOutputDevices() { return []; }, setDefaultAudioSettings() {} }) } },
};
`;

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

test("without the emulator flag the app loads voximplant-websdk's chunk and logs in with a key Tandem signed", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  await api.admin.updateOperator({ operatorId: ids.anna, softphonePassword: "vox-pass-anna" });
  await page.route("**/assets/voximplant.min-*.js", (r) => r.fulfill({ contentType: "text/javascript", body: fakeSdk }));
  const d = desk(page);
  await logIn(page, server.url, "anna");
  await expect(page.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
  const log = await page.evaluate(() => (window as unknown as { __vox: { log: string[] } }).__vox.log);
  const user = `anna@${VOX_APP}`;
  expect(log).toEqual(["init mic=true", "connect", `key ${user}`, `login ${user} ${md5("otk-e2e|" + md5("anna:voximplant.com:vox-pass-anna"))}`]);

  await page.keyboard.press("r");
  await showsState(page, "ready");
  const call = cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("answer")).toHaveCount(0); // not ringing in the tab yet
  const dial = await call.s.waitFor((r) => r.type === "dial", WAIT, "dial");
  await page.evaluate((offerId) => (window as unknown as { __vox: { ring(o: string): void } }).__vox.ring(offerId), (dial.headers as Record<string, string>)["X-Tandem-Offer-Id"] ?? "");
  await page.getByTestId("answer").click();
  expect(await page.evaluate(() => (window as unknown as { __vox: { answered: boolean } }).__vox.answered)).toBe(true);
  await expect(page.getByTestId("answer")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an operator without a browser phone never loads the SDK", async ({ page, server, ids }) => {
  expect(ids.boris).toBeTruthy();
  let loaded = false;
  await page.route("**/assets/{voximplant.min,emulatedsdk}-*.js", (r) => {
    loaded = true;
    return r.fulfill({ contentType: "text/javascript", body: fakeSdk });
  });
  const asked = page.waitForResponse((r) => r.url().endsWith("/GetSoftphone"), { timeout: WAIT });
  await logIn(page, server.url, "boris");
  expect((await asked).status()).toBe(400); // failed_precondition: no password set
  await expect(desk(page).conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
  await expect(page.getByTestId("softphone")).toHaveCount(0);
  expect(loaded).toBe(false);
});
