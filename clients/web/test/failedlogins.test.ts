import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { FailedLoginsSchema } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { tooManyAttempts } from "../src/api";
import { failedLoginsText } from "../src/format";
import { failedLoginsFrom } from "../src/model";
import { initialModel, reduce } from "../src/state";
import { session, T0 } from "./fixtures";

const at1402 = new Date(2026, 0, 15, 14, 2).getTime();

describe("failed sign-ins since the last visit", () => {
  it("reads what LogIn said, and nothing when there were none", () => {
    expect(failedLoginsFrom(create(FailedLoginsSchema, { count: 3, lastAt: timestampFromMs(at1402), lastAddress: "203.0.113.7" }))).toEqual({
      count: 3,
      lastAt: at1402,
      lastAddress: "203.0.113.7",
    });
    expect(failedLoginsFrom(undefined)).toBeNull();
    expect(failedLoginsFrom(create(FailedLoginsSchema, {}))).toBeNull();
  });

  it("says how many, from where and when", () => {
    const time = new Date(at1402).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    expect(failedLoginsText({ count: 3, lastAt: at1402, lastAddress: "203.0.113.7" }, at1402 + 60e3)).toBe(
      `3 failed sign-ins since your last visit, last from 203.0.113.7 at ${time}`,
    );
    expect(failedLoginsText({ count: 1, lastAt: at1402, lastAddress: "2001:db8::5" }, at1402)).toBe(`1 failed sign-in since your last visit, from 2001:db8::5 at ${time}`);
  });

  it("is shown after this login until dismissed, and not after the next", () => {
    const f = { count: 3, lastAt: T0, lastAddress: "203.0.113.7" };
    const m = reduce(initialModel, { type: "signed_in", session, failedLogins: f });
    expect(m.failedLogins).toEqual(f);
    expect(reduce(m, { type: "dismiss_failed_logins" }).failedLogins).toBeNull();
    expect(reduce(m, { type: "signed_in", session }).failedLogins).toBeNull();
  });

  it("tells a refused login how long to wait", () => {
    const err = (s: string) => new ConnectError("too many wrong passwords", Code.ResourceExhausted, new Headers({ "Retry-After": s }));
    expect(tooManyAttempts(err("4"))).toContain("Try again in 4 seconds");
    expect(tooManyAttempts(err("900"))).toContain("Try again in 15 minutes");
    expect(tooManyAttempts(err("60"))).toContain("Try again in 1 minute,");
    expect(tooManyAttempts(err(""))).toContain("Try again in a while");
  });
});
