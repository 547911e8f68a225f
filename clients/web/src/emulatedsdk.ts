// The Voximplant Web SDK as the browser phone uses it (VoxSdk, the SDK's own published types),
// over the emulated endpoint of clients/voxengine/emulator/websdk.js: for the demo and the
// browser tests, where the scenario runs in the local VoxEngine emulator and there is no
// Voximplant to reach. Loaded only when the server says so (tandem serve --voximplant-emulator
// puts the endpoint's URL in GetSoftphone's reply); a chunk of its own, never in the main bundle.
//
// The endpoint speaks Server-Sent Events (the connection: "hello", then "incoming" and "ended"
// for calls) and JSON POSTs (sent as text/plain: no CORS preflight). There is no media: the
// microphone is a synthetic tone (for the level meter) and mute is local, as in the SDK.
import type { CallEvents, Events } from "voximplant-websdk";
import type { EventHandlers } from "voximplant-websdk/EventHandlers";
import type { AudioParams } from "voximplant-websdk/Hardware/src/AudioParams";
import type { AudioOutputInfo, AudioSourceInfo, Config } from "voximplant-websdk/Structures";
import type { VoxAudio, VoxCall, VoxClient, VoxSdk } from "./browserphone";

// The SDK's event names are its enums; the emulated SDK's own values stand in for them.
const events = {
  IncomingCall: "IncomingCall" as unknown as Events.IncomingCall,
  ConnectionClosed: "ConnectionClosed" as unknown as Events.ConnectionClosed,
};
const callEvents = {
  Connected: "Connected" as unknown as CallEvents.Connected,
  Disconnected: "Disconnected" as unknown as CallEvents.Disconnected,
  Failed: "Failed" as unknown as CallEvents.Failed,
};

type Handler = (ev: any) => void;

/** Handlers by event name. */
class Emitter<E> {
  private handlers = new Map<E, Handler[]>();
  on(event: E, handler: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  off(event: E, handler?: Handler): void {
    this.handlers.set(event, handler ? (this.handlers.get(event) ?? []).filter((h) => h !== handler) : []);
  }
  emit(event: E, ev: unknown): void {
    for (const h of this.handlers.get(event) ?? []) h(ev);
  }
}

/** The endpoint's connection: its event stream and its id for the POSTs. */
class Endpoint {
  connection = "";
  constructor(readonly url: string) {}
  async post<T>(path: string, body: Record<string, unknown>): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ connection: this.connection, ...body }) });
    return { status: res.status, body: (await res.json()) as T };
  }
}

interface Incoming {
  callId: string;
  number: string;
  displayName: string;
  headers: Record<string, string>;
}

class EmulatedCall extends Emitter<CallEvents> implements VoxCall {
  private muted = false;
  private mic: { stream: MediaStream; ctx: AudioContext; gain: GainNode } | null = null;
  constructor(
    private readonly ep: Endpoint,
    private readonly inc: Incoming,
  ) {
    super();
  }
  id(): string {
    return this.inc.callId;
  }
  headers(): { [id: string]: string } {
    return { ...this.inc.headers };
  }
  answer(_customData?: string, _extraHeaders?: { [id: string]: string }): void {
    void this.ep.post<{ error?: string }>("/v1/call", { callId: this.inc.callId, action: "answer" }).then(
      (r) => (r.status === 200 ? this.emit(callEvents.Connected, { call: this, headers: {} }) : this.emit(callEvents.Failed, { call: this, code: r.status, reason: r.body.error ?? "" })),
      () => this.emit(callEvents.Failed, { call: this, code: 0, reason: "the emulated Voximplant is unreachable" }),
    );
  }
  decline(_extraHeaders?: { [id: string]: string }): void {
    void this.ep.post("/v1/call", { callId: this.inc.callId, action: "decline" }).catch(() => {});
  }
  hangup(_extraHeaders?: { [id: string]: string }): void {
    void this.ep.post("/v1/call", { callId: this.inc.callId, action: "hangup" }).catch(() => {});
  }
  sendTone(key: string): void {
    void this.ep.post("/v1/call", { callId: this.inc.callId, action: "tone", tone: key }).catch(() => {});
  }
  muteMicrophone(): void {
    this.muted = true;
    if (this.mic) this.mic.gain.gain.value = 0;
  }
  unmuteMicrophone(): void {
    this.muted = false;
    if (this.mic) this.mic.gain.gain.value = 0.3;
  }
  /** The "microphone": a quiet tone, so the level meter has something to show. */
  async getLocalStream(): Promise<MediaStream> {
    if (!this.mic) {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      gain.gain.value = this.muted ? 0 : 0.3;
      const dest = ctx.createMediaStreamDestination();
      osc.connect(gain).connect(dest);
      osc.start();
      this.mic = { stream: dest.stream, ctx, gain };
    }
    return this.mic.stream;
  }
  /** The call ended on the cloud's side (the scenario, a decline, a timeout). */
  ended(event: string, code: number, reason: string): void {
    void this.mic?.ctx.close();
    this.mic = null;
    this.emit(event === "Disconnected" ? callEvents.Disconnected : callEvents.Failed, { call: this, code, reason, headers: {} });
  }
}

class EmulatedClient extends Emitter<Events> implements VoxClient {
  private source: EventSource | null = null;
  private calls = new Map<string, EmulatedCall>();
  constructor(private readonly ep: Endpoint) {
    super();
  }
  async init(_config: Config): Promise<EventHandlers.SDKReady | string> {
    return { name: "SDKReady", version: "emulated" } as EventHandlers.SDKReady;
  }
  connect(_connectivityCheck?: boolean): Promise<object> {
    this.source?.close();
    return new Promise((resolve, reject) => {
      const src = new EventSource(this.ep.url + "/v1/connect");
      this.source = src;
      let open = false;
      src.addEventListener("hello", (e) => {
        this.ep.connection = (JSON.parse((e as MessageEvent<string>).data) as { connection: string }).connection;
        open = true;
        resolve({});
      });
      src.addEventListener("incoming", (e) => {
        const inc = JSON.parse((e as MessageEvent<string>).data) as Incoming;
        const call = new EmulatedCall(this.ep, inc);
        this.calls.set(inc.callId, call);
        this.emit(events.IncomingCall, { name: "IncomingCall", call, headers: inc.headers });
      });
      src.addEventListener("ended", (e) => {
        const x = JSON.parse((e as MessageEvent<string>).data) as { callId: string; event: string; code: number; reason: string };
        const call = this.calls.get(x.callId);
        this.calls.delete(x.callId);
        call?.ended(x.event, x.code, x.reason);
      });
      // EventSource would reconnect by itself; the SDK does not: the connection is over.
      src.onerror = () => {
        src.close();
        if (this.source !== src) return;
        this.source = null;
        if (!open) reject(new Error(`could not connect to the emulated Voximplant at ${this.ep.url}`));
        else this.emit(events.ConnectionClosed, { name: "ConnectionClosed" });
      };
    });
  }
  disconnect(): void {
    this.source?.close();
    this.source = null;
  }
  async requestOneTimeLoginKey(username: string): Promise<EventHandlers.AuthResult> {
    return (await this.ep.post<EventHandlers.AuthResult>("/v1/key", { username })).body;
  }
  async loginWithOneTimeKey(username: string, hash: string): Promise<EventHandlers.AuthResult> {
    const r = await this.ep.post<EventHandlers.AuthResult>("/v1/login", { username, hash });
    return { ...r.body, name: "AuthResult" };
  }
}

/** No real devices behind the emulator: one microphone and one speaker, named for what they are. */
const audio: VoxAudio = {
  async getInputDevices(): Promise<AudioSourceInfo[]> {
    return [{ id: "emulated-mic", name: "Emulated microphone", group: "" }];
  },
  async getOutputDevices(): Promise<AudioOutputInfo[]> {
    return [{ id: "emulated-speaker", name: "Emulated speaker", group: "" }];
  },
  setDefaultAudioSettings(_params: AudioParams): void {},
};

/** The emulated SDK at url (GetSoftphone's emulator_url). */
export function emulatedSdk(url: string): VoxSdk {
  return { client: new EmulatedClient(new Endpoint(url.replace(/\/+$/, ""))), Events: events, CallEvents: callEvents, audio };
}
