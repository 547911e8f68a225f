// The seam for operators who take calls in the browser with the Voximplant Web SDK.
//
// Tandem reaches an operator at his contact: a Voximplant user ("user:anna", dialed with
// VoxEngine.callUser), a SIP URI or a phone number. Operators on SIP phones or mobiles need
// nothing from this module: the app shows the offer and their phone rings. For a Voximplant
// user the "phone" is the Web SDK in this tab: a Softphone implementation logs the SDK in as
// that user, answers (or lets the operator answer) the incoming call that the scenario places
// when Tandem offers a call, and hangs up. The app calls the hooks below at the right moments
// and never needs the SDK itself: browserphone.ts is the implementation on the Web SDK.
import type { Offer, OpState } from "./model";

export type SoftphoneState = "off" | "connecting" | "ready" | "reconnecting" | "error";

/** What the browser phone asks of Tandem (OperatorPresenceService, as the operator himself). */
export interface SoftphoneAccount {
  /**
   * His full Voximplant login and, on a demo or test server (--voximplant-emulator), the
   * emulated SDK endpoint to use instead of Voximplant ("" otherwise); null when he has no
   * browser phone (GetSoftphone).
   */
  login(): Promise<{ username: string; emulatorUrl: string } | null>;
  /** The hash loginWithOneTimeKey takes for a key Voximplant gave (SignSoftphoneKey). */
  signKey(key: string): Promise<string>;
}

/** A microphone or a speaker the operator may choose. */
export interface Device {
  id: string;
  name: string;
}

export interface Softphone {
  /** Shown next to the connection indicator ("Browser phone"); empty: nothing shown. */
  readonly label: string;
  state(): SoftphoneState;
  /** Why state() is "error" or "reconnecting", in words for the operator; "" otherwise. */
  detail(): string;
  /** The call for the current offer is ringing in this tab and answer() would take it. */
  ringing(): boolean;
  /** Takes the call ringing in this tab for the current offer (the Answer button). */
  answer(): void;
  /** Declines the call ringing in the tab for this offer (once DeclineOffer told Tandem). */
  decline(offerId: string): void;
  /** A call answered in this tab is in progress. */
  inCall(): boolean;
  muted(): boolean;
  /** Mutes or unmutes his microphone on the call in progress (the caller hears silence). */
  setMuted(on: boolean): void;
  /** A DTMF tone (0-9, *, #) on the call in progress. */
  sendTone(key: string): void;
  /** His microphone's level now, 0 to 1 (0 while muted or with no call). */
  level(): number;
  /** The microphones to choose from (empty until the phone is ready). */
  microphones(): Promise<Device[]>;
  /** Uses this microphone from now on (for the next call). */
  useMicrophone(id: string): void;
  /** The speakers (audio outputs) to choose from (empty until the phone is ready). */
  speakers(): Promise<Device[]>;
  /** Plays calls on this output from now on. */
  useSpeaker(id: string): void;
  /** Tells the app when state() or ringing() changed; returns the unsubscribe. */
  onChange(fn: () => void): () => void;
  /** The operator screen opened (a login, or a reload with his session): connect the SDK. */
  start(operator: { operatorId: string; name: string }, account: SoftphoneAccount): Promise<void>;
  /**
   * Tandem offered him a call; the cloud is dialing his contact now. (The supervisor pages name
   * their monitoring leg's party id here: see browserPhone's callTag.)
   */
  offered(offer: Pick<Offer, "offerId">): void;
  /** His state moved on (on_call, wrap_up, ready…): the offer was answered or is over. */
  moved(state: OpState, callId: string): void;
  /** The operator screen closed (log out, takeover, a refused session): disconnect the SDK. */
  stop(): Promise<void>;
}

/** No browser phone: the operator is reached by SIP or phone. The default. */
export const noSoftphone: Softphone = {
  label: "",
  state: () => "off",
  detail: () => "",
  ringing: () => false,
  answer: () => {},
  decline: () => {},
  inCall: () => false,
  muted: () => false,
  setMuted: () => {},
  sendTone: () => {},
  level: () => 0,
  microphones: async () => [],
  useMicrophone: () => {},
  speakers: async () => [],
  useSpeaker: () => {},
  onChange: () => () => {},
  start: async () => {},
  offered: () => {},
  moved: () => {},
  stop: async () => {},
};

let current: Softphone = noSoftphone;

/**
 * Installs a softphone in place of noSoftphone; call it before the app renders. main.tsx installs
 * the browser phone (browserphone.ts), which stays off for operators without one.
 */
export function useSoftphone(s: Softphone): void {
  current = s;
}

export function softphone(): Softphone {
  return current;
}
