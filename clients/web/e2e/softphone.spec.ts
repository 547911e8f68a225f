// The browser phone in Chromium against the real server: the Voximplant Web SDK's chunk is
// replaced by a fake module (the page cannot reach Voximplant here) that records what the app
// asks of it; the hash the app logs in with is checked against Voximplant's formula.
import { createHash } from "node:crypto";
import { desk, expect, logIn, showsState, test, watchConsole } from "./fixtures";
import { VOX_APP, WAIT } from "./world";

// The fake SDK, as the chunk's default export (the VoxImplant object). window.__vox drives it.
const fakeSdk = `
const handlers = new Map();
const on = (m) => (ev, h) => m.set(ev, [...(m.get(ev) || []), h]);
const emit = (m, ev, e) => (m.get(ev) || []).forEach((h) => h(e));
const vox = { log: [], answered: false, ring() {
  const ch = new Map();
  const call = { id: () => "vox-1", on: on(ch), hangup() {}, answer() { vox.answered = true; emit(ch, "Connected", {}); } };
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
  Hardware: { AudioDeviceManager: { get: () => ({ async getInputDevices() { return [{ id: "m1", name: "Headset", group: "" }]; }, setDefaultAudioSettings() {} }) } },
};
`;

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

test("a browser phone logs in with a key Tandem signed, rings with the offer, and Answer takes it", async ({ page, server, api, ids, cloud }) => {
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
  cloud.call("+15557654321", "Jane Caller");
  await expect(d.offer).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("answer")).toHaveCount(0); // not ringing in the tab yet
  await page.evaluate(() => (window as unknown as { __vox: { ring(): void } }).__vox.ring());
  await page.getByTestId("answer").click();
  expect(await page.evaluate(() => (window as unknown as { __vox: { answered: boolean } }).__vox.answered)).toBe(true);
  await expect(page.getByTestId("answer")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an operator without a browser phone never loads the SDK", async ({ page, server, ids }) => {
  expect(ids.boris).toBeTruthy();
  let loaded = false;
  await page.route("**/assets/voximplant.min-*.js", (r) => {
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
