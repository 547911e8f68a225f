// A fake Web SDK that implements the SDK's own published types (the Pick<Client…>/Pick<Call…> in
// browserphone.ts): a change in the SDK's signatures fails tsc here. Shared by the operator's and
// the supervisor's phone tests.
import type { Events, CallEvents } from "voximplant-websdk";
import type { EventHandlers } from "voximplant-websdk/EventHandlers";
import type { AudioOutputInfo, AudioSourceInfo, Config } from "voximplant-websdk/Structures";
import type { AudioParams } from "voximplant-websdk/Hardware/src/AudioParams";
import type { VoxAudio, VoxCall, VoxClient } from "../src/browserphone";

// The SDK's event names are its enums' values; the fake's are its own (the phone uses whatever
// the SDK object gives).
export const ev = { IncomingCall: 8 as Events.IncomingCall, ConnectionClosed: 3 as Events.ConnectionClosed };
export const callEv = { Connected: 0 as CallEvents.Connected, Disconnected: 1 as CallEvents.Disconnected, Failed: 2 as CallEvents.Failed };

type Handler = (e: unknown) => void;

export class FakeCall implements VoxCall {
  answered = false;
  hungUp = false;
  declined = false;
  micMuted = false;
  tones: string[] = [];
  handlers = new Map<unknown, Handler[]>();
  constructor(
    offerId = "of-1",
    private readonly tags: { [id: string]: string } = { "X-Tandem-Offer-Id": offerId },
  ) {}
  id(): string {
    return "vox-call-1";
  }
  headers(): { [id: string]: string } {
    return { "X-Tandem-Call-Id": "call-1", ...this.tags };
  }
  decline(_extraHeaders?: { [id: string]: string }): void {
    this.declined = true;
    this.emit(callEv.Failed, { code: 603 });
  }
  muteMicrophone(): void {
    this.micMuted = true;
  }
  unmuteMicrophone(): void {
    this.micMuted = false;
  }
  sendTone(key: string): void {
    this.tones.push(key);
  }
  async getLocalStream(): Promise<MediaStream> {
    throw new Error("no media in unit tests");
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

export class FakeClient implements VoxClient {
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
  connectFails = 0; // the next this many connects fail
  async connect(_connectivityCheck?: boolean): Promise<object> {
    this.log.push("connect");
    if (this.connectFails > 0) {
      this.connectFails--;
      throw new Error("network down");
    }
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

export class FakeAudio implements VoxAudio {
  chosen: AudioParams | null = null;
  async getInputDevices(): Promise<AudioSourceInfo[]> {
    return [
      { id: "mic-a", name: "Headset", group: "g1" },
      { id: "mic-b", name: "Laptop", group: "g2" },
    ];
  }
  async getOutputDevices(): Promise<AudioOutputInfo[]> {
    return [
      { id: "spk-a", name: "Headphones", group: "g1" },
      { id: "spk-b", name: "Speakers", group: "g2" },
    ];
  }
  setDefaultAudioSettings(params: AudioParams): void {
    this.chosen = params;
  }
}
