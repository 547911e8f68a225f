// The browser phone against a fake Web SDK that implements the SDK's own published types
// (test/voxfake.ts): a change in the SDK's signatures fails tsc here.
import { afterEach, describe, expect, it, vi } from "vitest";
import { browserPhone, reconnectDelaysMs, ringEveryMs, type VoxSdk } from "../src/browserphone";
import { callEv, ev, FakeAudio, FakeCall, FakeClient } from "./voxfake";
import type { Offer } from "../src/model";
import type { SoftphoneAccount } from "../src/softphone";

function world(username: string | null = "anna@cc.acme.voximplant.com") {
  const client = new FakeClient();
  const audio = new FakeAudio();
  const signed: string[] = [];
  const account: SoftphoneAccount = {
    login: async () => (username === null ? null : { username, emulatorUrl: "" }),
    async signKey(key) {
      signed.push(key);
      return `signed(${key})`;
    },
  };
  client.accepts = "signed(otk-42)";
  const loads: string[] = [];
  const sdk: VoxSdk = { client, Events: ev as VoxSdk["Events"], CallEvents: callEv as VoxSdk["CallEvents"], audio };
  let rings = 0;
  const phone = browserPhone(
    async (emulatorUrl) => {
      loads.push(emulatorUrl);
      return sdk;
    },
    () => rings++,
  );
  return { client, audio, signed, account, phone, loads: () => loads.length, loadedWith: loads, rings: () => rings };
}

const anna = { operatorId: "op-anna", name: "anna" };

/** The offer Tandem made (only its id matters to the phone). */
const offer = (offerId: string) => ({ offerId }) as Offer;

describe("browser phone", () => {
  it("logs in with a one-time key Tandem signed, then rings and answers", async () => {
    const w = world();
    const states: string[] = [];
    w.phone.onChange(() => states.push(w.phone.state()));
    await w.phone.start(anna, w.account);
    expect(w.client.log).toEqual(["init mic=true", "connect", "key for anna@cc.acme.voximplant.com", "login anna@cc.acme.voximplant.com signed(otk-42)"]);
    expect(w.signed).toEqual(["otk-42"]);
    expect(states).toEqual(["connecting", "ready"]);
    expect(w.phone.label).toBe("Browser phone");

    expect(w.phone.ringing()).toBe(false);
    w.phone.offered(offer("of-1"));
    const call = new FakeCall();
    w.client.emit(ev.IncomingCall, { call });
    expect(w.phone.ringing()).toBe(true);
    w.phone.answer();
    expect(call.answered).toBe(true);
    expect(w.phone.ringing()).toBe(false); // Connected: no longer ringing

    expect(await w.phone.microphones()).toEqual([
      { id: "mic-a", name: "Headset" },
      { id: "mic-b", name: "Laptop" },
    ]);
    w.phone.useMicrophone("mic-b");
    expect(w.audio.chosen).toEqual({ inputId: "mic-b" });

    await w.phone.stop();
    expect(w.client.log.at(-1)).toBe("disconnect");
    expect(w.phone.state()).toBe("off");
    w.client.emit(ev.IncomingCall, { call: new FakeCall() }); // after stop: not listened to
    expect(w.phone.ringing()).toBe(false);
  });

  it("a call that stops ringing (the caller hung up, the offer moved on) hides Answer", async () => {
    const w = world();
    await w.phone.start(anna, w.account);
    w.phone.offered(offer("of-1"));
    const call = new FakeCall();
    w.client.emit(ev.IncomingCall, { call });
    expect(w.phone.ringing()).toBe(true);
    call.emit(callEv.Disconnected, {});
    expect(w.phone.ringing()).toBe(false);
  });

  it("stays off, and never loads the SDK, for an operator without a browser phone", async () => {
    const w = world(null);
    await w.phone.start(anna, w.account);
    expect(w.phone.state()).toBe("off");
    expect(w.phone.label).toBe("");
    expect(w.loads()).toBe(0);
  });

  it("says why it failed: a wrong password, a blocked microphone", async () => {
    const w = world();
    w.client.accepts = "something else";
    await w.phone.start(anna, w.account);
    expect(w.phone.state()).toBe("error");
    expect(w.phone.detail()).toBe("Voximplant refused the login (code 401)");

    const m = world();
    m.client.micDenied = true;
    await m.phone.start(anna, m.account);
    expect(m.phone.state()).toBe("error");
    expect(m.phone.detail()).toBe("microphone blocked: allow it for this site");
    expect(m.signed).toEqual([]); // nothing asked of Tandem
  });

  it("loads the SDK the server names: Voximplant's, or the emulated endpoint's", async () => {
    const w = world();
    await w.phone.start(anna, w.account);
    expect(w.loadedWith).toEqual([""]);
    const e = world();
    e.account.login = async () => ({ username: "anna@cc.acme.voximplant.com", emulatorUrl: "http://127.0.0.1:9100" });
    await e.phone.start(anna, e.account);
    expect(e.loadedWith).toEqual(["http://127.0.0.1:9100"]);
  });

  it("rings only for the offer it was made: a call for another offer is not answered", async () => {
    const w = world();
    await w.phone.start(anna, w.account);
    const early = new FakeCall("of-1");
    w.client.emit(ev.IncomingCall, { call: early });
    expect(w.phone.ringing()).toBe(false); // the offer has not reached the app yet
    w.phone.offered(offer("of-1"));
    expect(w.phone.ringing()).toBe(true);
    const other = new FakeCall("of-old");
    w.client.emit(ev.IncomingCall, { call: other });
    expect(w.phone.ringing()).toBe(false);
    w.phone.answer();
    expect(other.answered).toBe(false);
    w.phone.moved("reserved", "");
    w.phone.moved("ready", "");
    const again = new FakeCall("of-1");
    w.client.emit(ev.IncomingCall, { call: again });
    expect(w.phone.ringing()).toBe(false); // the offer is over
  });

  it("declines the call ringing for the offer, and only that one", async () => {
    const w = world();
    await w.phone.start(anna, w.account);
    w.phone.offered(offer("of-2"));
    const other = new FakeCall("of-1");
    w.client.emit(ev.IncomingCall, { call: other });
    w.phone.decline("of-2");
    expect(other.declined).toBe(false);
    const call = new FakeCall("of-2");
    w.client.emit(ev.IncomingCall, { call });
    w.phone.moved("ready", ""); // DeclineOffer's reply came after the stream moved him on
    w.phone.decline("of-2");
    expect(call.declined).toBe(true);
    expect(w.phone.ringing()).toBe(false);
  });

  it("mutes, sends tones and offers speakers during a call answered here", async () => {
    const w = world();
    await w.phone.start(anna, w.account);
    w.phone.setMuted(true); // no call: nothing
    w.phone.sendTone("5");
    expect(w.phone.muted()).toBe(false);
    w.phone.offered(offer("of-1"));
    const call = new FakeCall();
    w.client.emit(ev.IncomingCall, { call });
    expect(w.phone.inCall()).toBe(false);
    w.phone.answer();
    expect(w.phone.inCall()).toBe(true);
    w.phone.setMuted(true);
    expect(call.micMuted).toBe(true);
    expect(w.phone.muted()).toBe(true);
    expect(w.phone.level()).toBe(0);
    w.phone.setMuted(false);
    expect(call.micMuted).toBe(false);
    w.phone.sendTone("5");
    w.phone.sendTone("#");
    w.phone.sendTone("x"); // not a DTMF tone
    expect(call.tones).toEqual(["5", "#"]);
    expect(await w.phone.speakers()).toEqual([
      { id: "spk-a", name: "Headphones" },
      { id: "spk-b", name: "Speakers" },
    ]);
    w.phone.useSpeaker("spk-b");
    expect(w.audio.chosen).toEqual({ outputId: "spk-b" });
    w.phone.setMuted(true);
    call.emit(callEv.Disconnected, {});
    expect(w.phone.inCall()).toBe(false);
    expect(w.phone.muted()).toBe(false); // the next call starts unmuted
  });

  it("rings on while the offer's call rings in the tab, and stops when it is answered or over", async () => {
    vi.useFakeTimers();
    try {
      const w = world();
      await w.phone.start(anna, w.account);
      w.phone.offered(offer("of-1"));
      await vi.advanceTimersByTimeAsync(ringEveryMs * 2);
      expect(w.rings()).toBe(0); // the offer rang once in the app; the tab's phone is not ringing yet
      const call = new FakeCall();
      w.client.emit(ev.IncomingCall, { call });
      await vi.advanceTimersByTimeAsync(ringEveryMs * 2);
      expect(w.rings()).toBe(2);
      w.phone.answer();
      await vi.advanceTimersByTimeAsync(ringEveryMs * 2);
      expect(w.rings()).toBe(2);

      w.phone.offered(offer("of-2"));
      const next = new FakeCall("of-2");
      w.client.emit(ev.IncomingCall, { call: next });
      await vi.advanceTimersByTimeAsync(ringEveryMs);
      expect(w.rings()).toBe(3);
      next.emit(callEv.Failed, { code: 487 }); // cancelled: the offer moved on
      await vi.advanceTimersByTimeAsync(ringEveryMs * 2);
      expect(w.rings()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  describe("reconnects after the connection closed", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("logs in again with a fresh key after a back-off", async () => {
      vi.useFakeTimers();
      const w = world();
      await w.phone.start(anna, w.account);
      w.client.log = [];
      w.client.connectFails = 1;
      w.client.emit(ev.ConnectionClosed, {});
      expect(w.phone.state()).toBe("reconnecting");
      expect(w.phone.detail()).toBe(`the connection to Voximplant closed; attempt 1 of ${reconnectDelaysMs.length}`);
      await vi.advanceTimersByTimeAsync(reconnectDelaysMs[0]!);
      expect(w.client.log).toEqual(["connect"]); // failed: network down
      expect(w.phone.detail()).toContain("attempt 2 of");
      await vi.advanceTimersByTimeAsync(reconnectDelaysMs[1]!);
      expect(w.client.log).toEqual(["connect", "connect", "key for anna@cc.acme.voximplant.com", "login anna@cc.acme.voximplant.com signed(otk-42)"]);
      expect(w.phone.state()).toBe("ready");
      // Still listening for calls on the same client.
      w.phone.offered(offer("of-1"));
      w.client.emit(ev.IncomingCall, { call: new FakeCall() });
      expect(w.phone.ringing()).toBe(true);
    });

    it("gives up after the last attempt and says so; stop() ends the attempts", async () => {
      vi.useFakeTimers();
      const w = world();
      await w.phone.start(anna, w.account);
      w.client.connectFails = 99;
      w.client.emit(ev.ConnectionClosed, {});
      await vi.advanceTimersByTimeAsync(reconnectDelaysMs.reduce((a, b) => a + b, 0));
      expect(w.phone.state()).toBe("error");
      expect(w.phone.detail()).toBe(`the connection to Voximplant closed and ${reconnectDelaysMs.length} attempts to reconnect failed; log in again`);

      const s = world();
      await s.phone.start(anna, s.account);
      s.client.log = [];
      s.client.emit(ev.ConnectionClosed, {});
      await s.phone.stop();
      await vi.advanceTimersByTimeAsync(reconnectDelaysMs[0]! * 2);
      expect(s.client.log).toEqual(["disconnect"]);
      expect(s.phone.state()).toBe("off");
    });
  });
});
