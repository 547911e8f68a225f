// The browser phone: the Voximplant Web SDK in this tab, for operators whose contact is a
// Voximplant user. Tandem's scenario dials that user when it offers him a call; the SDK rings
// here and the operator answers with the Answer button.
//
// The browser never holds his Voximplant password: the SDK asks Voximplant for a one-time key,
// Tandem signs it with the digest it keeps (SignSoftphoneKey) and the SDK logs in with the hash.
// The SDK (≈ 460 KB) is loaded only once Tandem says he has a browser phone (GetSoftphone).
import type * as VoxImplant from "voximplant-websdk";
import type { Call } from "voximplant-websdk/Call/Call";
import type { Client } from "voximplant-websdk/Client";
import type { EventHandlers } from "voximplant-websdk/EventHandlers";
import type { AudioDeviceManager } from "voximplant-websdk/Hardware/src/AudioDeviceManager";
import type { Microphone, Softphone, SoftphoneAccount, SoftphoneState } from "./softphone";

/** The Web SDK's calls the phone makes, with the SDK's own types (a fake implements them in tests). */
export type VoxClient = Pick<Client, "init" | "connect" | "disconnect" | "requestOneTimeLoginKey" | "loginWithOneTimeKey" | "on" | "off">;
export type VoxCall = Pick<Call, "answer" | "hangup" | "on" | "id">;
export type VoxAudio = Pick<AudioDeviceManager, "getInputDevices" | "setDefaultAudioSettings">;

/** The SDK as the phone uses it: its client, its event names and its microphones. */
export interface VoxSdk {
  client: VoxClient;
  Events: Pick<typeof VoxImplant.Events, "IncomingCall" | "ConnectionClosed">;
  CallEvents: Pick<typeof VoxImplant.CallEvents, "Connected" | "Disconnected" | "Failed">;
  audio: VoxAudio;
}

/** The SDK module itself, loaded on demand (a chunk of its own). */
export async function loadVoxSdk(): Promise<VoxSdk> {
  const vox = await import("voximplant-websdk");
  return { client: vox.getInstance(), Events: vox.Events, CallEvents: vox.CallEvents, audio: vox.Hardware.AudioDeviceManager.get() };
}

/** Why a one-time-key request came back, as the SDK reports it: a result with the key (code 302). */
function keyOf(r: unknown): string {
  const key = (r as EventHandlers.AuthResult | undefined)?.key;
  if (!key) throw new Error("Voximplant gave no login key");
  return key;
}

/** The browser phone on the SDK that load gives. */
export function browserPhone(load: () => Promise<VoxSdk>): Softphone {
  let state: SoftphoneState = "off";
  let why = "";
  let label = "";
  let sdk: VoxSdk | null = null;
  let call: VoxCall | null = null; // ringing here, not yet answered
  let run = 0; // start() and stop() bump it: a slow start that was stopped does nothing more
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((fn) => fn());
  const set = (s: SoftphoneState, detail = "") => {
    state = s;
    why = detail;
    changed();
  };

  const incoming = (ev: { call: VoxCall }) => {
    const c = ev.call;
    call = c;
    const over = () => {
      if (call === c) call = null;
      changed();
    };
    c.on(sdk!.CallEvents.Connected, over);
    c.on(sdk!.CallEvents.Disconnected, over);
    c.on(sdk!.CallEvents.Failed, over);
    changed();
  };
  const closed = () => set("error", "the connection to Voximplant closed; log in again to reconnect");

  return {
    get label() {
      return label;
    },
    state: () => state,
    detail: () => why,
    ringing: () => call !== null,
    answer() {
      call?.answer();
    },
    async microphones(): Promise<Microphone[]> {
      if (!sdk || state !== "ready") return [];
      const list = await sdk.audio.getInputDevices();
      return list.map((d) => ({ id: String(d.id), name: d.name }));
    },
    useMicrophone(id: string) {
      sdk?.audio.setDefaultAudioSettings({ inputId: id });
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async start(_operator, account: SoftphoneAccount) {
      const mine = ++run;
      let login: string | null;
      try {
        login = await account.login();
      } catch {
        return; // Tandem unreachable: the desk says so; the phone stays off until the next start
      }
      if (login === null || mine !== run) return; // no browser phone: SIP or a phone number
      label = "Browser phone";
      set("connecting");
      try {
        sdk ??= await load();
        const c = sdk.client;
        // micRequired: the SDK asks for the microphone now, not when the first call rings.
        await c.init({ micRequired: true, progressTone: false });
        await c.connect();
        let key: string;
        try {
          key = keyOf(await c.requestOneTimeLoginKey(login));
        } catch (e) {
          key = keyOf(e); // the SDK rejects with the key result (code 302) in some versions
        }
        const hash = await account.signKey(key);
        const res = await c.loginWithOneTimeKey(login, hash);
        if (!res.result) throw new Error(`Voximplant refused the login (code ${res.code ?? "?"})`);
        if (mine !== run) return;
        c.on(sdk.Events.IncomingCall, incoming);
        c.on(sdk.Events.ConnectionClosed, closed);
        set("ready");
      } catch (e) {
        if (mine !== run) return;
        set("error", failure(e));
      }
    },
    offered() {},
    moved() {},
    async stop() {
      run++;
      if (sdk && state !== "off") {
        sdk.client.off(sdk.Events.IncomingCall, incoming);
        sdk.client.off(sdk.Events.ConnectionClosed, closed);
        call?.hangup();
        call = null;
        sdk.client.disconnect();
      }
      label = "";
      set("off");
    },
  };
}

/** Why the phone failed, in words for the operator. */
function failure(e: unknown): string {
  if (e instanceof DOMException && (e.name === "NotAllowedError" || e.name === "SecurityError")) return "microphone blocked: allow it for this site";
  if (e instanceof DOMException && e.name === "NotFoundError") return "no microphone found";
  if (e instanceof Error && e.message) return e.message;
  const m = (e as { message?: unknown } | null)?.message; // SDK results are plain objects
  return typeof m === "string" && m ? m : "could not connect to Voximplant";
}
