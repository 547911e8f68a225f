// Failed logins as the supervisor reads them (AdminService.ListLoginFailures): who is being
// guessed at, from where, and which back-offs are in force for him to lift.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { LoginBackOff, OperatorLoginFailures } from "@gen/tandem/admin/v1/admin_pb";
import { dateTime, t } from "../i18n/i18n";

function time(at: number): string {
  return dateTime(at, { hour: "2-digit", minute: "2-digit" });
}

/** "3 since his last login, last 14:02 from 203.0.113.7"; "" for none. */
export function failuresText(f: OperatorLoginFailures | undefined): string {
  if (!f || f.failures === 0) return "";
  const at = f.lastFailedAt ? time(timestampMs(f.lastFailedAt)) : "";
  const params = { count: f.failures, at, address: f.lastAddress };
  if (at && f.lastAddress) return t("words.logins.sinceAtFrom", params);
  if (at) return t("words.logins.sinceAt", params);
  if (f.lastAddress) return t("words.logins.sinceFrom", params);
  return t("words.logins.since", params);
}

/** "198.51.100.9 until 14:17 (6 wrong)" for each back-off in force; the ones past are left out. */
export function backOffsText(list: LoginBackOff[], now: number): string[] {
  return list.filter((b) => b.until && timestampMs(b.until) > now).map((b) => t("words.logins.backOff", { address: b.address, until: time(timestampMs(b.until!)), count: b.failures }));
}
