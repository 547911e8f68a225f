// The browser phone: the Voximplant Web SDK in this tab, for operators whose contact is a
// Voximplant user. Tandem's scenario dials that user when it offers him a call; the SDK rings
// here and the operator answers (or declines) on the offer card, then mutes, sends tones and
// hangs up in the tab.
//
// The browser never holds his Voximplant password: the SDK asks Voximplant for a one-time key,
// Tandem signs it with the digest it keeps (SignSoftphoneKey) and the SDK logs in with the hash.
// The SDK (≈ 460 KB) is loaded only once Tandem says he has a browser phone (GetSoftphone); a
// server started with --voximplant-emulator (demo, tests) names an emulated endpoint instead,
// and the app loads its small stand-in (emulatedsdk.ts) rather than the SDK.
import type * as VoxImplant from "voximplant-websdk";
import type { Call } from "voximplant-websdk/Call/Call";
import type { Client } from "voximplant-websdk/Client";
import type { EventHandlers } from "voximplant-websdk/EventHandlers";
import type { AudioDeviceManager } from "voximplant-websdk/Hardware/src/AudioDeviceManager";
import type { Device, Softphone, SoftphoneAccount, SoftphoneState } from "./softphone";
import type { Offer, OpState } from "./model";
import { t } from "./i18n/i18n";

/** The Web SDK's calls the phone makes, with the SDK's own types (a fake implements them in tests). */
export type VoxClient = Pick<Client, "init" | "connect" | "disconnect" | "requestOneTimeLoginKey" | "loginWithOneTimeKey" | "on" | "off">;
export type VoxCall = Pick<Call, "answer" | "decline" | "hangup" | "on" | "id" | "headers" | "muteMicrophone" | "unmuteMicrophone" | "sendTone" | "getLocalStream">;
export type VoxAudio = Pick<AudioDeviceManager, "getInputDevices" | "getOutputDevices" | "setDefaultAudioSettings">;

/** The SDK as the phone uses it: its client, its event names and its audio devices. */
export interface VoxSdk {
  client: VoxClient;
  Events: Pick<typeof VoxImplant.Events, "IncomingCall" | "ConnectionClosed">;
  CallEvents: Pick<typeof VoxImplant.CallEvents, "Connected" | "Disconnected" | "Failed">;
  audio: VoxAudio;
}

/**
 * The SDK module, loaded on demand in a chunk of its own: Voximplant's, or with an emulator URL
 * (GetSoftphone's emulator_url) the emulated one.
 */
export async function loadVoxSdk(emulatorUrl: string): Promise<VoxSdk> {
  if (emulatorUrl) return (await import("./emulatedsdk")).emulatedSdk(emulatorUrl);
  const vox = await import("voximplant-websdk");
  return { client: vox.getInstance(), Events: vox.Events, CallEvents: vox.CallEvents, audio: vox.Hardware.AudioDeviceManager.get() };
}

/** Why a one-time-key request came back, as the SDK reports it: a result with the key (code 302). */
function keyOf(r: unknown): string {
  const key = (r as EventHandlers.AuthResult | undefined)?.key;
  if (!key) throw new Error(t("words.phone.noLoginKey"));
  return key;
}

/** The header the scenario tags its callUser with: the offer the call is for. */
export const offerHeader = "X-Tandem-Offer-Id";

/** The header the scenario tags a party's leg with (AddToCall, MonitorCall): the party's id. */
export const partyHeader = "X-Tandem-Party-Id";

/** Waits before each reconnect attempt after the connection closed; then it gives up. */
export const reconnectDelaysMs = [1000, 2000, 4000, 8000, 16000];

/** How often the ring tone repeats while the offer's call rings in the tab. */
export const ringEveryMs = 3000;

/**
 * The browser phone on the SDK that load gives. ringTone plays the ring (the offer rang once
 * when it came): again every ringEveryMs while the offer's call rings here. callTag is the
 * header whose value offered() names: the offer's id for an operator (offerHeader); for the
 * supervisor pages, the monitoring leg's party id (partyHeader). Only that call rings and is
 * answered here.
 */
export function browserPhone(load: (emulatorUrl: string) => Promise<VoxSdk>, ringTone: () => void = () => {}, callTag: string = offerHeader): Softphone {
  let state: SoftphoneState = "off";
  let why = "";
  let label = "";
  let sdk: VoxSdk | null = null;
  let username = "";
  let account: SoftphoneAccount | null = null;
  let ringingCall: VoxCall | null = null; // ringing here, not yet answered
  let talking: VoxCall | null = null; // answered here
  let offerId = ""; // the offer Tandem made him, while it rings
  let muted = false;
  let meter: { stop(): void; level(): number } | null = null;
  let run = 0; // start() and stop() bump it: a slow start that was stopped does nothing more
  let retry: ReturnType<typeof setTimeout> | null = null;
  let ringTimer: ReturnType<typeof setInterval> | null = null;
  const listeners = new Set<() => void>();
  const changed = () => {
    const ringing = mine(ringingCall);
    if (ringing && !ringTimer) ringTimer = setInterval(ringTone, ringEveryMs);
    if (!ringing && ringTimer) {
      clearInterval(ringTimer);
      ringTimer = null;
    }
    listeners.forEach((fn) => fn());
  };
  const set = (s: SoftphoneState, detail = "") => {
    state = s;
    why = detail;
    changed();
  };
  const offerOf = (c: VoxCall) => (c.headers() as Record<string, string | undefined>)[callTag] ?? "";
  const mine = (c: VoxCall | null): c is VoxCall => c !== null && offerId !== "" && offerOf(c) === offerId;

  const endTalk = () => {
    talking = null;
    muted = false;
    meter?.stop();
    meter = null;
  };
  const incoming = (ev: { call: VoxCall }) => {
    const c = ev.call;
    ringingCall = c;
    const over = () => {
      if (ringingCall === c) ringingCall = null;
      if (talking === c) endTalk();
      changed();
    };
    c.on(sdk!.CallEvents.Connected, () => {
      if (ringingCall === c) ringingCall = null;
      talking = c;
      meter = startMeter(c);
      changed();
    });
    c.on(sdk!.CallEvents.Disconnected, over);
    c.on(sdk!.CallEvents.Failed, over);
    changed();
  };

  /** Connects and logs in: the first time, and again after the connection closed. */
  const login = async (c: VoxClient) => {
    await c.connect();
    let key: string;
    try {
      key = keyOf(await c.requestOneTimeLoginKey(username));
    } catch (e) {
      key = keyOf(e); // the SDK rejects with the key result (code 302) in some versions
    }
    const hash = await account!.signKey(key);
    const res = await c.loginWithOneTimeKey(username, hash);
    if (!res.result) throw new Error(`Voximplant refused the login (code ${res.code ?? "?"})`);
  };

  const closed = () => {
    if (state !== "ready") return;
    ringingCall = null;
    endTalk();
    reconnect(run, 0);
  };
  const reconnect = (r: number, attempt: number) => {
    if (attempt >= reconnectDelaysMs.length) {
      set("error", t("op.phone.gaveUp", { count: reconnectDelaysMs.length }));
      return;
    }
    set("reconnecting", t("op.phone.attempt", { n: attempt + 1, of: reconnectDelaysMs.length }));
    retry = setTimeout(() => {
      retry = null;
      if (r !== run || !sdk) return;
      login(sdk.client).then(
        () => r === run && set("ready"),
        () => r === run && reconnect(r, attempt + 1),
      );
    }, reconnectDelaysMs[attempt]);
  };

  return {
    get label() {
      return label;
    },
    state: () => state,
    detail: () => why,
    ringing: () => mine(ringingCall),
    inCall: () => talking !== null,
    answer() {
      if (mine(ringingCall)) ringingCall.answer();
    },
    decline(id: string) {
      // By the offer's id: the decline's reply may come after the offer left the screen.
      const c = ringingCall;
      if (!c || !id || offerOf(c) !== id) return;
      ringingCall = null;
      c.decline();
      changed();
    },
    muted: () => muted,
    setMuted(on: boolean) {
      if (!talking || on === muted) return;
      if (on) talking.muteMicrophone();
      else talking.unmuteMicrophone();
      muted = on;
      changed();
    },
    sendTone(key: string) {
      if (talking && /^[0-9*#]$/.test(key)) talking.sendTone(key);
    },
    level: () => (muted ? 0 : (meter?.level() ?? 0)),
    async microphones(): Promise<Device[]> {
      if (!sdk || state !== "ready") return [];
      const list = await sdk.audio.getInputDevices();
      return list.map((d) => ({ id: String(d.id), name: d.name }));
    },
    useMicrophone(id: string) {
      sdk?.audio.setDefaultAudioSettings({ inputId: id });
    },
    async speakers(): Promise<Device[]> {
      if (!sdk || state !== "ready") return [];
      const list = await sdk.audio.getOutputDevices();
      return list.map((d) => ({ id: String(d.id), name: d.name }));
    },
    useSpeaker(id: string) {
      sdk?.audio.setDefaultAudioSettings({ outputId: id });
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async start(_operator, acc: SoftphoneAccount) {
      const r = ++run;
      let phone: { username: string; emulatorUrl: string } | null;
      try {
        phone = await acc.login();
      } catch {
        return; // Tandem unreachable: the desk says so; the phone stays off until the next start
      }
      if (phone === null || r !== run) return; // no browser phone: SIP or a phone number
      account = acc;
      username = phone.username;
      label = "Browser phone";
      set("connecting");
      try {
        sdk ??= await load(phone.emulatorUrl);
        const c = sdk.client;
        // micRequired: the SDK asks for the microphone now, not when the first call rings.
        await c.init({ micRequired: true, progressTone: false });
        await login(c);
        if (r !== run) return;
        c.on(sdk.Events.IncomingCall, incoming);
        c.on(sdk.Events.ConnectionClosed, closed);
        set("ready");
      } catch (e) {
        if (r !== run) return;
        set("error", failure(e));
      }
    },
    offered(offer: Pick<Offer, "offerId">) {
      offerId = offer.offerId;
      changed();
    },
    moved(st: OpState) {
      if (st !== "reserved" && offerId) {
        offerId = "";
        changed();
      }
    },
    async stop() {
      run++;
      if (retry) clearTimeout(retry);
      retry = null;
      if (sdk && state !== "off") {
        sdk.client.off(sdk.Events.IncomingCall, incoming);
        sdk.client.off(sdk.Events.ConnectionClosed, closed);
        ringingCall?.hangup();
        talking?.hangup();
        ringingCall = null;
        endTalk();
        sdk.client.disconnect();
      }
      offerId = "";
      label = "";
      set("off");
    },
  };
}

/**
 * The microphone's level during a call: Web Audio's analyser on the call's local stream (the
 * SDK's getLocalStream). Silent (0) where the browser has no Web Audio.
 */
function startMeter(call: VoxCall): { stop(): void; level(): number } {
  let ctx: AudioContext | null = null;
  let analyser: AnalyserNode | null = null;
  let stopped = false;
  const buf = new Uint8Array(256);
  if (typeof AudioContext !== "undefined") {
    void call.getLocalStream().then(
      (stream) => {
        if (stopped) return;
        ctx = new AudioContext();
        analyser = ctx.createAnalyser();
        analyser.fftSize = buf.length;
        ctx.createMediaStreamSource(stream).connect(analyser);
      },
      () => {},
    );
  }
  return {
    stop() {
      stopped = true;
      void ctx?.close();
    },
    level() {
      if (!analyser) return 0;
      analyser.getByteTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
      return peak / 128;
    },
  };
}

/** Why the phone failed, in words for the operator. */
function failure(e: unknown): string {
  if (e instanceof DOMException && (e.name === "NotAllowedError" || e.name === "SecurityError")) return t("op.phone.micBlocked");
  if (e instanceof DOMException && e.name === "NotFoundError") return t("op.phone.noMic");
  if (e instanceof Error && e.message) return e.message;
  const m = (e as { message?: unknown } | null)?.message; // SDK results are plain objects
  return typeof m === "string" && m ? m : t("op.phone.couldNotConnect");
}
