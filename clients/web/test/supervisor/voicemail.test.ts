import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { VoicemailSchema, VoicemailState } from "@gen/tandem/analytics/v1/analytics_pb";
import { setLang } from "../../src/i18n/i18n";
import { todaysVoicemails, voicemailRequest, voicemailWork } from "../../src/supervisor/voicemail";
import { callbackText } from "../../src/format";

const T0 = Date.UTC(2026, 11, 7, 0, 0, 0);
const H = 3600e3;

afterEach(() => setLang("en"));

describe("voicemailRequest", () => {
  it("asks for the calls that arrived on the UTC day, in the queue chosen", () => {
    const f = todaysVoicemails(T0 + 23 * H);
    expect(f).toEqual({ queue: "", day: "2026-12-07" });
    const r = voicemailRequest({ ...f, queue: "sales" }, "tok", 20);
    expect(timestampMs(r.range!.from!)).toBe(T0);
    expect(timestampMs(r.range!.to!)).toBe(T0 + 24 * H);
    expect(r.queueId).toBe("sales");
    expect(r.pageToken).toBe("tok");
    expect(r.pageSize).toBe(20);
  });
  it("leaves the range to the server (today) when the day is not a date", () => {
    expect(voicemailRequest({ queue: "", day: "" }).range).toBeUndefined();
  });
});

describe("voicemailWork", () => {
  const vm = (over: Parameters<typeof create<typeof VoicemailSchema>>[1]) => create(VoicemailSchema, { callId: "call_1", ...over });
  it("says where each message's callback stands", () => {
    expect(voicemailWork(vm({ state: VoicemailState.WAITING, nextAttemptAt: timestampFromMs(T0 + 14 * H + 5 * 60e3) }), "")).toBe("Waiting — next try 14:05");
    expect(voicemailWork(vm({ state: VoicemailState.WAITING }), "")).toBe("Waiting for a free operator");
    expect(voicemailWork(vm({ state: VoicemailState.CALLING, operatorId: "op_1", operatorName: "Anna Tester" }), "")).toBe("Being called back by Anna Tester");
    expect(voicemailWork(vm({ state: VoicemailState.CALLED_BACK, operatorId: "op_1", operatorName: "Anna Tester", calledBackAt: timestampFromMs(T0 + 14 * H + 7 * 60e3) }), "")).toBe(
      "Called back by Anna Tester at 14:07",
    );
    expect(voicemailWork(vm({ state: VoicemailState.GAVE_UP, attempt: 3 }), "")).toBe("Gave up after 3 tries");
    expect(voicemailWork(vm({ state: VoicemailState.GAVE_UP, attempt: 1 }), "")).toBe("Gave up after 1 try");
    expect(voicemailWork(vm({ state: VoicemailState.NOT_CALLED_BACK }), "")).toBe("Not to be called back (no dialer configured)");
  });
  it("names the operator from the floor when the list has no name for him", () => {
    expect(voicemailWork(vm({ state: VoicemailState.CALLING, operatorId: "op_1" }), "anna")).toBe("Being called back by anna");
    expect(voicemailWork(vm({ state: VoicemailState.CALLING, operatorId: "op_1" }), "")).toBe("Being called back by op_1");
  });
  it("speaks Russian, with its plurals", () => {
    setLang("ru");
    expect(voicemailWork(vm({ state: VoicemailState.GAVE_UP, attempt: 3 }), "")).toBe("Прекращено после 3 попыток");
    expect(voicemailWork(vm({ state: VoicemailState.GAVE_UP, attempt: 1 }), "")).toBe("Прекращено после 1 попытки");
    expect(voicemailWork(vm({ state: VoicemailState.CALLED_BACK, operatorName: "Анна", calledBackAt: timestampFromMs(T0 + 9 * H) }), "")).toBe("Перезвонил(а) Анна в 09:00");
  });
});

describe("callbackText", () => {
  it("says whom the operator calls back and which try it is", () => {
    const cb = { number: "+15551234567", attempt: 2, attempts: 3, voicemailUrl: "", voicemailLengthMs: 0 };
    expect(callbackText(cb)).toBe("Callback to +15551234567 (try 2 of 3)");
    expect(callbackText({ ...cb, attempts: 0 })).toBe("Callback to +15551234567 (try 2)");
    setLang("ru");
    expect(callbackText(cb)).toBe("Обратный звонок на +15551234567 (попытка 2 из 3)");
  });
});
