// The supervisor's words come from the catalogs: the label tables follow a language switch
// without their callers asking, and the accounts form's own checks speak the language chosen.
import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { KeyRole, LoginBackOffSchema, OperatorLoginFailuresSchema } from "@gen/tandem/admin/v1/admin_pb";
import { CallState, HangupParty } from "@gen/tandem/common/v1/common_pb";
import { setLang } from "../../src/i18n/i18n";
import { newAccountErrors, passwordError } from "../../src/supervisor/accounts";
import { backOffsText, failuresText } from "../../src/supervisor/logins";
import { callStates, hangupParties, histogramLabels, percent, secs, stateLabels } from "../../src/supervisor/words";

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

afterEach(() => setLang("en"));

describe("the supervisor's words", () => {
  it("read the label tables in the language of the moment", () => {
    setLang("en");
    const labels = stateLabels; // held once, as the pages hold the import
    expect(labels.reserved).toBe("Ringing");
    expect(callStates[CallState.ABANDONED]).toBe("hung up waiting");
    expect(hangupParties[HangupParty.CALLER]).toBe("the caller");
    expect(hangupParties[HangupParty.UNSPECIFIED]).toBe("");
    setLang("ru");
    expect(labels.reserved).toBe("Вызов");
    expect(labels.away).toBe("Отошёл");
    expect(callStates[CallState.ENDED]).toBe("завершён");
    expect(hangupParties[HangupParty.OPERATOR]).toBe("оператор");
    expect(Object.keys(labels)).toContain("on_call");
  });

  it("write numbers and units as the language does", () => {
    setLang("ru");
    expect(plain(percent(0.8735, 1))).toBe("87,4 %");
    expect(plain(secs(3456))).toBe("3,5 с");
    expect(plain(secs(45000))).toBe("45 с");
    expect(secs(150000)).toBe("2:30");
    expect(histogramLabels()[0]).toBe("0–5 с");
    setLang("en");
    expect(percent(1)).toBe("100 %");
    expect(secs(3000)).toBe("3.0 s");
  });

  it("count failed logins with the Russian plural", () => {
    setLang("ru");
    const at = new Date(2026, 0, 15, 14, 2).getTime();
    const f = (failures: number) => create(OperatorLoginFailuresSchema, { failures, lastAddress: "203.0.113.7" });
    expect(failuresText(f(1))).toBe("1 неудачная попытка с последнего входа, последняя с 203.0.113.7");
    expect(failuresText(f(3))).toBe("3 неудачные попытки с последнего входа, последняя с 203.0.113.7");
    expect(failuresText(f(8))).toBe("8 неудачных попыток с последнего входа, последняя с 203.0.113.7");
    const b = create(LoginBackOffSchema, { address: "198.51.100.9", failures: 6, until: timestampFromMs(at + 60e3) });
    expect(backOffsText([b], at)[0]).toMatch(/^198\.51\.100\.9 до \d\d:\d\d \(6 неверных паролей\)$/);
  });
});

describe("a new account, before asking the server", () => {
  const ok = { name: "olga", displayName: "", password: "long-enough", role: KeyRole.SUPERVISOR };
  it("names the fields at fault, in the language chosen", () => {
    expect(newAccountErrors(ok)).toEqual({});
    expect(newAccountErrors({ ...ok, name: "  ", password: "short" })).toEqual({ name: "Enter the sign-in name.", password: "Too short: at least 8 characters." });
    expect(passwordError("")).toBe("Enter a password.");
    setLang("ru");
    expect(newAccountErrors({ ...ok, name: "" })).toEqual({ name: "Введите имя для входа." });
    expect(passwordError("1234567")).toBe("Слишком короткий: нужно не менее 8 символов.");
  });
});
