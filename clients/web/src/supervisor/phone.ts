// The supervisor's browser phone: when an admin gave his access key a Voximplant user
// (AdminService.SetApiKeySoftphone), the supervisor pages log that user in with the operator
// app's browser phone (browserphone.ts, the same one-time-key login through GetSoftphone and
// SignSoftphoneKey, now with his key) and Monitor rings him here. A key without one makes one
// GetSoftphone call and loads no SDK.
import { createContext } from "preact";
import { useEffect, useReducer } from "preact/hooks";
import { createClient } from "@connectrpc/connect";
import { OperatorPresenceService } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { softphoneAccountOn } from "../api";
import { browserPhone, loadVoxSdk, partyHeader, type VoxSdk } from "../browserphone";
import { ring, unlockSound } from "../notify";
import type { Softphone, SoftphoneAccount } from "../softphone";
import { t } from "../i18n/i18n";
import { transport } from "./api";

export interface KeyPhone {
  readonly phone: Softphone;
  /** The Voximplant user to ring for monitoring (the contact "user:<name>"); "" until ready. */
  user(): string;
  /** MonitorCall placed this leg: ring it here, and let Answer take it. */
  expect(partyId: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The phone of the key: logs in only when Tandem says the key has one. */
export function keyPhone(account: SoftphoneAccount, load: (emulatorUrl: string) => Promise<VoxSdk> = loadVoxSdk, ringTone: () => void = ring): KeyPhone {
  const phone = browserPhone(load, ringTone, partyHeader);
  let user = "";
  const remembered: SoftphoneAccount = {
    async login() {
      const l = await account.login();
      user = l ? (l.username.split("@")[0] ?? "") : "";
      return l;
    },
    signKey: (key) => account.signKey(key),
  };
  return {
    phone,
    user: () => (phone.state() === "ready" ? user : ""),
    expect(partyId) {
      unlockSound(); // the supervisor just clicked: browsers allow the ring now
      phone.offered({ offerId: partyId });
    },
    start: () => phone.start({ operatorId: "", name: "" }, remembered),
    stop: () => phone.stop(),
  };
}

/** The phone of the access key the pages signed in with. */
export function phoneForKey(baseUrl: string, key: string): KeyPhone {
  return keyPhone(softphoneAccountOn(createClient(OperatorPresenceService, transport(baseUrl, key))));
}

/** The signed-in key's phone, for the pages that ring it (Monitor); null outside the shell. */
export const PhoneContext = createContext<KeyPhone | null>(null);

/** Renders again whenever the phone's state or ringing changes. */
export function usePhone(p: KeyPhone | null): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => p?.phone.onChange(() => bump(undefined)), [p]);
}

/** The phone's state in words for the header; "" when the key has none. */
export function phoneStatus(p: KeyPhone): string {
  const s = p.phone.state();
  switch (s) {
    case "off":
      return "";
    case "ready":
      return p.phone.inCall() ? t("words.phone.onCall") : p.phone.ringing() ? t("words.phone.ringing") : t("words.phone.ready", { user: p.user() });
    case "connecting":
      return t("words.phone.connecting");
    case "reconnecting":
      return t("words.phone.reconnecting", { why: p.phone.detail() });
    case "error":
      return t("words.phone.failed", { why: p.phone.detail() });
  }
}
