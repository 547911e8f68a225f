// Failed logins as the supervisor reads them (AdminService.ListLoginFailures): who is being
// guessed at, from where, and which back-offs are in force for him to lift.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { LoginBackOff, OperatorLoginFailures } from "@gen/tandem/admin/v1/admin_pb";

function time(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "3 since his last login, last 14:02 from 203.0.113.7"; "" for none. */
export function failuresText(f: OperatorLoginFailures | undefined): string {
  if (!f || f.failures === 0) return "";
  let out = `${f.failures} since last login`;
  if (f.lastFailedAt) out += `, last ${time(timestampMs(f.lastFailedAt))}`;
  if (f.lastAddress) out += ` from ${f.lastAddress}`;
  return out;
}

/** "198.51.100.9 until 14:17 (6 wrong)" for each back-off in force; the ones past are left out. */
export function backOffsText(list: LoginBackOff[], now: number): string[] {
  return list.filter((b) => b.until && timestampMs(b.until) > now).map((b) => `${b.address} until ${time(timestampMs(b.until!))} (${b.failures} wrong)`);
}
