import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { CallOutcome, CallSummarySchema, DayScoreSchema, OperatorStateSpanSchema } from "@gen/tandem/analytics/v1/analytics_pb";
import { OperatorState } from "@gen/tandem/common/v1/common_pb";
import { setLang } from "../../src/i18n/i18n";
import { callsCsv, drillWords, emptySearch, moveRow, outcomeLabels, reasonLabel, scoreBars, searchRequest, stateStrip, utcInput } from "../../src/supervisor/drill";
import { kindLabels } from "../../src/supervisor/timeline";

const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);
const H = 3600e3;

describe("searchRequest", () => {
  it("sends only what the form holds, times read as UTC", () => {
    const r = searchRequest({ ...emptySearch, number: " +4930 ", contains: true, operator: "anna", from: "2026-03-02T09:30", outcome: CallOutcome.ABANDONED }, "tok", 25);
    expect(r.callerNumber).toBe("+4930");
    expect(r.numberContains).toBe(true);
    expect(r.operator).toBe("anna");
    expect(r.outcome).toBe(CallOutcome.ABANDONED);
    expect(r.pageToken).toBe("tok");
    expect(r.pageSize).toBe(25);
    expect(timestampMs(r.range!.from!)).toBe(T0 + 9.5 * H);
    expect(r.range!.to).toBeUndefined();
  });
  it("leaves the range out when no time is given", () => {
    expect(searchRequest(emptySearch).range).toBeUndefined();
    expect(Number.isNaN(utcInput("yesterday"))).toBe(true);
  });
});

describe("callsCsv", () => {
  it("quotes what needs it and writes one row a call", () => {
    const c = create(CallSummarySchema, {
      callId: "call_1",
      callerNumber: "+4930",
      queueId: "support",
      operatorId: "op_1",
      operatorName: 'Anna "A", Lee',
      outcome: CallOutcome.ANSWERED,
      arrivedAt: timestampFromMs(T0),
      endedAt: timestampFromMs(T0 + 60e3),
      waitMs: 3000,
      talkTimeMs: 57000n,
    });
    expect(callsCsv([c])).toBe(
      "call_id,ended_at,arrived_at,caller_number,queue_id,operator_id,operator_name,outcome,wait_ms,talk_time_ms\r\n" +
        'call_1,2026-03-02T00:01:00.000Z,2026-03-02T00:00:00.000Z,+4930,support,op_1,"Anna ""A"", Lee",answered,3000,57000\r\n',
    );
  });
});

describe("stateStrip", () => {
  it("cuts a state begun yesterday at midnight and the last one at now", () => {
    const span = (since: number, until: number | undefined, state: OperatorState, reason = "") =>
      create(OperatorStateSpanSchema, { since: timestampFromMs(since), until: until === undefined ? undefined : timestampFromMs(until), state, reason });
    const parts = stateStrip(
      [span(T0 - 5 * H, T0 + H, OperatorState.READY), span(T0 + H, T0 + 2 * H, OperatorState.BANNED, "3 misses"), span(T0 + 2 * H, undefined, OperatorState.AWAY)],
      T0,
      T0 + 4 * H,
    );
    expect(parts.map((p) => [p.key, p.left, p.width, p.reason])).toEqual([
      ["ready", 0, 25, ""],
      ["banned", 25, 25, "3 misses"],
      ["away", 50, 50, ""],
    ]);
  });
});

describe("scoreBars", () => {
  it("stacks the parts of each day's score", () => {
    const bars = scoreBars([create(DayScoreSchema, { day: "2026-03-01", points: 70, lostToMisses: 20, lostToSlowAnswers: 10 }), create(DayScoreSchema, { day: "2026-03-02", points: 100 })], 200);
    expect(bars).toEqual([
      { day: "2026-03-01", x: 0, points: 70, misses: 20, slow: 10 },
      { day: "2026-03-02", x: 100, points: 100, misses: 0, slow: 0 },
    ]);
  });
});

describe("moveRow", () => {
  it("moves within the rows and ignores other keys", () => {
    expect(moveRow("ArrowDown", 0, 3)).toBe(1);
    expect(moveRow("ArrowDown", 2, 3)).toBe(2);
    expect(moveRow("ArrowUp", 0, 3)).toBe(0);
    expect(moveRow("End", 0, 3)).toBe(2);
    expect(moveRow("Home", 2, 3)).toBe(0);
    expect(moveRow("a", 1, 3)).toBeNull();
    expect(moveRow("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("the drill-down's words", () => {
  afterEach(() => setLang("en"));

  it("speak the language chosen when looked up, the outcomes as the operator app says them, the CSV the same in both", () => {
    const c = create(CallSummarySchema, { callId: "call_2", outcome: CallOutcome.ABANDONED });
    expect([outcomeLabels[CallOutcome.ANSWERED], outcomeLabels[CallOutcome.ABANDONED], outcomeLabels[CallOutcome.UNSPECIFIED]]).toEqual(["answered", "hung up waiting", ""]);
    expect([drillWords.pickOne, kindLabels.offer_withdrawn, kindLabels.no_such_kind]).toEqual(["Choose an operator", "Offer withdrawn", undefined]);
    const csv = callsCsv([c]);
    setLang("ru");
    expect([outcomeLabels[CallOutcome.ANSWERED], outcomeLabels[CallOutcome.ABANDONED], outcomeLabels[CallOutcome.DECLINED]]).toEqual(["отвечен", "положил трубку в ожидании", "отклонён оператором"]);
    expect([drillWords.pickOne, kindLabels.offer_withdrawn]).toEqual(["Выберите оператора", "Предложение отозвано"]);
    expect(callsCsv([c])).toBe(csv);
    expect(csv).toContain(",abandoned,");
  });

  it("say the server's fixed state reasons and the away reasons in the language, any other as it came", () => {
    const reasons = ["logged out by a supervisor", "ban over: press Ready", "lunch", "dentist", "banned for 5m: 3 missed calls within 10m (last: no answer)"];
    expect(reasons.map(reasonLabel)).toEqual(reasons);
    setLang("ru");
    expect(reasons.map(reasonLabel)).toEqual(["выведен из системы супервизором", "блокировка закончилась: нажмите «Готов»", "обед", "dentist", reasons[4]]);
  });
});
