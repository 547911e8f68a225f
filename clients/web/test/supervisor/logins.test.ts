import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LoginBackOffSchema, OperatorLoginFailuresSchema } from "@gen/tandem/admin/v1/admin_pb";
import { dateTime } from "../../src/i18n/i18n";
import { backOffsText, failuresText } from "../../src/supervisor/logins";

const at = new Date(2026, 0, 15, 14, 2).getTime();
const hhmm = (t: number) => dateTime(t, { hour: "2-digit", minute: "2-digit" });

describe("failed logins on the operators' list", () => {
  it("says how many since his last login, when and from where", () => {
    const f = create(OperatorLoginFailuresSchema, { operatorId: "op_anna", name: "anna", failures: 3, lastFailedAt: timestampFromMs(at), lastAddress: "203.0.113.7" });
    expect(failuresText(f)).toBe(`3 since last login, last ${hhmm(at)} from 203.0.113.7`);
    expect(failuresText(undefined)).toBe("");
    expect(failuresText(create(OperatorLoginFailuresSchema, { name: "boris" }))).toBe("");
  });

  it("lists the back-offs in force, not the ones past or only counted", () => {
    const list = [
      create(LoginBackOffSchema, { address: "198.51.100.9", failures: 6, until: timestampFromMs(at + 60e3) }),
      create(LoginBackOffSchema, { address: "192.0.2.1", failures: 5, until: timestampFromMs(at - 1) }),
      create(LoginBackOffSchema, { address: "192.0.2.2", failures: 2 }),
    ];
    expect(backOffsText(list, at)).toEqual([`198.51.100.9 until ${hhmm(at + 60e3)} (6 wrong)`]);
  });
});
