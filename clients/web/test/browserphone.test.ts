// The browser phone against a fake Web SDK that implements the SDK's own published types (the
// Pick<Client…>/Pick<Call…> in browserphone.ts): a change in the SDK's signatures fails tsc here.
import { describe, expect, it } from "vitest";
import type { Events, CallEvents } from "voximplant-websdk";
import type { EventHandlers } from "voximplant-websdk/EventHandlers";
import type { AudioSourceInfo, Config } from "voximplant-websdk/Structures";
import type { AudioParams } from "voximplant-websdk/Hardware/src/AudioParams";
import { browserPhone, type VoxAudio, type VoxCall, type VoxClient, type VoxSdk } from "../src/browserphone";
import type { SoftphoneAccount } from "../src/softphone";

// The SDK's event names are its enums' values; the fake's are its own (the phone uses whatever
// the SDK object gives).
const ev = { IncomingCall: 8 as Events.IncomingCall, ConnectionClosed: 3 as Events.ConnectionClosed };
const callEv = { Connected: 0 as CallEvents.Connected, Disconnected: 1 as CallEvents.Disconnected, Failed: 2 as CallEvents.Failed };

type Handler = (e: unknown) => void;

class FakeCall implements VoxCall {
  answered = false;
  hungUp = false;
  handlers = new Map<unknown, Handler[]>();
  id(): string {
    return "vox-call-1";
  }
  answer(_customData?: string, _extraHeaders?: { [id: string]: string }): void {
    this.answered = true;
    this.emit(callEv.Connected, {});
  }
  hangup(_extraHeaders?: { [id: string]: string }): void {
    this.hungUp = true;
  }
  on(event: CallEvents, handler: (ev: any) => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  emit(event: CallEvents, e: unknown): void {
    for (const h of this.handlers.get(event) ?? []) h(e);
  }
}

class FakeClient implements VoxClient {
  log: string[] = [];
  handlers = new Map<unknown, Handler[]>();
  key = "otk-42";
  accepts = ""; // the hash Voximplant would accept
  micDenied = false;
  async init(config: Config): Promise<EventHandlers.SDKReady | string> {
    this.log.push(`init mic=${config.micRequired}`);
    if (this.micDenied) throw new DOMException("Permission denied", "NotAllowedError");
    return { name: "SDKReady", version: "4.3" } as EventHandlers.SDKReady;
  }
  async connect(_connectivityCheck?: boolean): Promise<object> {
    this.log.push("connect");
    return {};
  }
  disconnect(): void {
    this.log.push("disconnect");
  }
  async requestOneTimeLoginKey(username: string): Promise<EventHandlers.AuthResult> {
    this.log.push(`key for ${username}`);
    // As the SDK does: the key comes back as a failed auth result with code 302.
    throw { name: "AuthResult", result: false, code: 302, key: this.key } satisfies EventHandlers.AuthResult;
  }
  async loginWithOneTimeKey(username: string, hash: string): Promise<EventHandlers.AuthResult> {
    this.log.push(`login ${username} ${hash}`);
    return { name: "AuthResult", result: hash === this.accepts, code: hash === this.accepts ? 200 : 401 };
  }
  on(event: Events, handler: (ev: any) => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  off(event: Events, handler?: (ev: any) => void): void {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => h !== handler));
  }
  emit(event: Events, e: unknown): void {
    for (const h of this.handlers.get(event) ?? []) h(e);
  }
}

class FakeAudio implements VoxAudio {
  chosen: AudioParams | null = null;
  async getInputDevices(): Promise<AudioSourceInfo[]> {
    return [
      { id: "mic-a", name: "Headset", group: "g1" },
      { id: "mic-b", name: "Laptop", group: "g2" },
    ];
  }
  setDefaultAudioSettings(params: AudioParams): void {
    this.chosen = params;
  }
}

function world(login: string | null = "anna@cc.acme.voximplant.com") {
  const client = new FakeClient();
  const audio = new FakeAudio();
  const signed: string[] = [];
  const account: SoftphoneAccount = {
    login: async () => login,
    async signKey(key) {
      signed.push(key);
      return `signed(${key})`;
    },
  };
  client.accepts = "signed(otk-42)";
  let loads = 0;
  const sdk: VoxSdk = { client, Events: ev as VoxSdk["Events"], CallEvents: callEv as VoxSdk["CallEvents"], audio };
  const phone = browserPhone(async () => {
    loads++;
    return sdk;
  });
  return { client, audio, signed, account, phone, loads: () => loads };
}

const anna = { operatorId: "op-anna", name: "anna" };

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
    const call = new FakeCall();
    w.client.emit(ev.IncomingCall, { call });
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
});
