// The seam for operators who take calls in the browser with the Voximplant Web SDK.
//
// Tandem reaches an operator at his contact: a Voximplant user ("user:anna", dialed with
// VoxEngine.callUser), a SIP URI or a phone number. Operators on SIP phones or mobiles need
// nothing from this module: the app shows the offer and their phone rings. For a Voximplant
// user the "phone" is the Web SDK in this tab: a Softphone implementation logs the SDK in as
// that user, answers (or lets the operator answer) the incoming call that the scenario places
// when Tandem offers a call, and hangs up. The app calls the hooks below at the right moments
// and never needs the SDK itself; see README.md ("Taking calls in the browser") for a sketch
// of an implementation with the SDK.
import type { Offer, OpState } from "./model";

export type SoftphoneState = "off" | "connecting" | "ready" | "error";

export interface Softphone {
  /** Shown next to the connection indicator ("Browser phone"); empty: nothing shown. */
  readonly label: string;
  state(): SoftphoneState;
  /** Tells the app when state() changed. */
  onChange(fn: () => void): void;
  /** The operator screen opened (a login, or a reload with his session): connect the SDK. */
  start(operator: { operatorId: string; name: string }): Promise<void>;
  /** Tandem offered him a call; the cloud is dialing his contact now. */
  offered(offer: Offer): void;
  /** His state moved on (on_call, wrap_up, ready…): the offer was answered or is over. */
  moved(state: OpState, callId: string): void;
  /** The operator screen closed (log out, takeover, a refused session): disconnect the SDK. */
  stop(): Promise<void>;
}

/** No browser phone: the operator is reached by SIP or phone. The default. */
export const noSoftphone: Softphone = {
  label: "",
  state: () => "off",
  onChange: () => {},
  start: async () => {},
  offered: () => {},
  moved: () => {},
  stop: async () => {},
};

let current: Softphone = noSoftphone;

/**
 * Installs a softphone in place of noSoftphone; call it before the app renders. Nothing in this
 * package calls it: an integration with the Web SDK adds the call to main.tsx (see README.md,
 * "Taking calls in the browser"), so today every operator is reached by SIP or phone.
 */
export function useSoftphone(s: Softphone): void {
  current = s;
}

export function softphone(): Softphone {
  return current;
}
