// The supervisor's browser phone (src/supervisor/phone.ts) on the fake Web SDK: it logs in only
// when the key has a phone, says so in words, and rings and answers only the monitoring leg
// MonitorCall placed (tagged by the scenario with its party id).
import { describe, expect, it } from "vitest";
import type { VoxSdk } from "../../src/browserphone";
import type { SoftphoneAccount } from "../../src/softphone";
import { keyPhone, phoneStatus } from "../../src/supervisor/phone";
import { monitorContact } from "../../src/supervisor/monitor";
import { callEv, ev, FakeAudio, FakeCall, FakeClient } from "../voxfake";

function world(username: string | null) {
  const client = new FakeClient();
  client.accepts = "signed(otk-42)";
  const logins: string[] = [];
  const account: SoftphoneAccount = {
    async login() {
      logins.push("GetSoftphone");
      return username === null ? null : { username, emulatorUrl: "http://127.0.0.1:9100" };
    },
    signKey: async (key) => `signed(${key})`,
  };
  const loads: string[] = [];
  const sdk: VoxSdk = { client, Events: ev as VoxSdk["Events"], CallEvents: callEv as VoxSdk["CallEvents"], audio: new FakeAudio() };
  const p = keyPhone(
    account,
    async (url) => {
      loads.push(url);
      return sdk;
    },
    () => {},
  );
  return { client, p, loads, logins };
}

const leg = (partyId: string) => new FakeCall("", { "X-Tandem-Call-Id": "call-1", "X-Tandem-Party-Id": partyId });

describe("supervisor's browser phone", () => {
  it("a key without a phone asks once and loads no SDK", async () => {
    const w = world(null);
    await w.p.start();
    expect(w.logins).toEqual(["GetSoftphone"]);
    expect(w.loads).toEqual([]);
    expect(w.p.user()).toBe("");
    expect(phoneStatus(w.p)).toBe("");
  });

  it("logs in as the key's user, rings only the monitoring leg it expects, and answers it", async () => {
    const w = world("olga@cc.acme.voximplant.com");
    expect(w.p.user()).toBe(""); // not before it is ready
    await w.p.start();
    expect(w.loads).toEqual(["http://127.0.0.1:9100"]);
    expect(w.client.log).toContain("login olga@cc.acme.voximplant.com signed(otk-42)");
    expect(w.p.user()).toBe("olga");
    expect(phoneStatus(w.p)).toBe("Browser phone ready (olga)");

    // A call for another party (or an operator's offer) does not ring here.
    w.p.expect("pt-2");
    const other = leg("pt-1");
    w.client.emit(ev.IncomingCall, { call: other });
    expect(w.p.phone.ringing()).toBe(false);
    w.p.phone.answer();
    expect(other.answered).toBe(false);

    const mine = leg("pt-2");
    w.client.emit(ev.IncomingCall, { call: mine });
    expect(w.p.phone.ringing()).toBe(true);
    expect(phoneStatus(w.p)).toBe("Browser phone: ringing");
    w.p.phone.answer();
    expect(mine.answered).toBe(true);
    expect(w.p.phone.inCall()).toBe(true);
    expect(phoneStatus(w.p)).toBe("Browser phone: on a call");
    mine.emit(callEv.Disconnected, {}); // StopMonitor: the scenario hung the leg up
    expect(w.p.phone.inCall()).toBe(false);

    await w.p.stop();
    expect(w.p.user()).toBe("");
    expect(w.client.log.at(-1)).toBe("disconnect");
  });

  it("says why it failed", async () => {
    const w = world("olga@cc.acme.voximplant.com");
    w.client.accepts = "something else"; // Voximplant refuses the hash
    await w.p.start();
    expect(w.p.phone.state()).toBe("error");
    expect(phoneStatus(w.p)).toBe("Browser phone failed: Voximplant refused the login (code 401)");
    expect(w.p.user()).toBe("");
  });
});

describe("where Monitor rings", () => {
  const typed = { kind: "sip" as const, target: " sip:olga@pbx " };
  it("the browser phone by default, the typed contact when chosen or without a phone", () => {
    expect(monitorContact("olga", false, typed)).toEqual({ kind: "user", target: "olga" });
    expect(monitorContact("olga", true, typed)).toEqual({ kind: "sip", target: "sip:olga@pbx" });
    expect(monitorContact("", false, typed)).toEqual({ kind: "sip", target: "sip:olga@pbx" });
    expect(monitorContact("", false, { kind: "pstn", target: "  " })).toBeNull();
  });
});
