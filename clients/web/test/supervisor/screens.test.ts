import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { QueueSchema } from "@gen/tandem/admin/v1/admin_pb";
import { HistoryRowSchema, Interval, OperatorStatsSchema, TimelineEntrySchema } from "@gen/tandem/analytics/v1/analytics_pb";
import { HangupParty } from "@gen/tandem/common/v1/common_pb";
import { queueFormOf, queueFrom } from "../../src/supervisor/config";
import { daySeries, sortOperatorStats } from "../../src/supervisor/history";
import { staffingRequest } from "../../src/supervisor/staffing";
import { describeEntry } from "../../src/supervisor/timeline";
import { histogramLabels, percent, secs } from "../../src/supervisor/words";

const DAY = Date.UTC(2026, 0, 15);
const H = 3600e3;

function row(at: number, received: number, sl?: number) {
  return create(HistoryRowSchema, { start: timestampFromMs(at), figures: { callsReceived: received, ...(sl === undefined ? {} : { serviceLevel: sl }) } });
}

describe("reports", () => {
  it("lines today up against a past day by time of day; today's future is empty, not zero", () => {
    const past = DAY - 7 * 24 * H;
    const s = daySeries([row(DAY + 9 * H, 12, 0.75), row(DAY + 10 * H, 3)], DAY, [row(past + 9 * H, 20, 0.9)], past, Interval.INTERVAL_HOUR, DAY + 10.5 * H);
    expect(s.x).toHaveLength(24);
    expect(s.x[9]).toBe((DAY + 9 * H) / 1000);
    expect(s.calls.slice(8, 12)).toEqual([0, 12, 3, null]);
    expect(s.pastCalls[9]).toBe(20);
    expect(s.pastCalls[23]).toBe(0);
    expect(s.sl[9]).toBe(75);
    expect(s.sl[10]).toBeNull();
    expect(s.pastSl[9]).toBe(90);
    const q = daySeries([row(DAY + 9 * H + 15 * 60e3, 2)], DAY, [], DAY - 24 * H, Interval.INTERVAL_15_MINUTES, DAY + 24 * H);
    expect(q.x).toHaveLength(96);
    expect(q.calls[37]).toBe(2);
  });

  it("sorts operators by score, misses or AHT; those without an AHT last", () => {
    const ops = [
      create(OperatorStatsSchema, { operatorId: "a", name: "anna", marks: { score: 80 }, figures: { offersMissed: 2, ahtMs: 90000 } }),
      create(OperatorStatsSchema, { operatorId: "b", name: "boris", marks: { score: 95 }, figures: { offersMissed: 0 } }),
      create(OperatorStatsSchema, { operatorId: "c", name: "carla", marks: { score: 60 }, figures: { offersMissed: 5, ahtMs: 30000 } }),
    ];
    expect(sortOperatorStats(ops, "score", true).map((o) => o.name)).toEqual(["boris", "anna", "carla"]);
    expect(sortOperatorStats(ops, "misses", true).map((o) => o.name)).toEqual(["carla", "anna", "boris"]);
    expect(sortOperatorStats(ops, "aht", false).map((o) => o.name)).toEqual(["carla", "anna", "boris"]);
    expect(sortOperatorStats(ops, "aht", true).map((o) => o.name)).toEqual(["anna", "carla", "boris"]);
    expect(sortOperatorStats(ops, "name", false).map((o) => o.name)).toEqual(["anna", "boris", "carla"]);
  });

  it("labels the answer-time buckets as the proto bounds them", () => {
    const l = histogramLabels();
    expect(l).toHaveLength(12);
    expect(l[0]).toBe("0–5 s");
    expect(l[11]).toBe("300 s +");
    expect(percent(0.8123)).toBe("81 %");
    expect(percent(undefined)).toBe("—");
    expect(secs(3456)).toBe("3.5 s");
    expect(secs(150000)).toBe("2:30");
  });
});

describe("staffing form", () => {
  it("asks the server only with sensible numbers, naming the fields that are not", () => {
    expect(staffingRequest({ callsPerHour: "360", ahtS: "240", targetPercent: "80", thresholdS: "20", patienceS: "" })).toEqual({
      ok: true,
      req: { callsPerHour: 360, ahtS: 240, targetPercent: 80, thresholdS: 20, patienceS: 0 },
    });
    expect(staffingRequest({ callsPerHour: "12,5", ahtS: "180", targetPercent: "90", thresholdS: "15", patienceS: "60" })).toMatchObject({ ok: true, req: { callsPerHour: 12.5, patienceS: 60 } });
    const bad = staffingRequest({ callsPerHour: "0", ahtS: "x", targetPercent: "100", thresholdS: "2.5", patienceS: "-1" });
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.errors).sort()).toEqual(["aht_s", "calls_per_hour", "patience_s", "target_percent", "threshold_s"]);
  });
});

describe("queue form", () => {
  it("changes what the form shows and keeps the settings it does not (UpdateQueue replaces all)", () => {
    const old = create(QueueSchema, {
      queueId: "support",
      name: "Support",
      dialedNumbers: ["+15550001000"],
      strategy: "longest_idle",
      offerTimeoutS: 30,
      wrapUpS: 120,
      banStepsS: [60, 600],
      absenceTemplates: { sick: "{name} is ill" },
      greeting: "Hello",
      overflow: { afterS: 60, spareIds: ["night"], order: "in_turn" },
    });
    const f = { ...queueFormOf(old), strategy: "round_robin", offer_timeout_s: "3", dialed_numbers: "+15550001000\n+15550001001", service_level_target_percent: "90" };
    const q = queueFrom(old, f, false, ["night", "backup"], true);
    expect(q.strategy).toBe("round_robin");
    expect(q.offerTimeoutS).toBe(3); // the server judges the range, and says so by field
    expect(q.dialedNumbers).toEqual(["+15550001000", "+15550001001"]);
    expect(q.serviceLevelTargetPercent).toBe(90);
    expect(q.serviceLevelThresholdS).toBe(20);
    expect(q.banStepsS).toEqual([60, 600]);
    expect(q.absenceTemplates).toEqual({ sick: "{name} is ill" });
    expect(q.greeting).toBe("Hello");
    expect(q.overflow).toMatchObject({ afterS: 60, spareIds: ["night", "backup"], onPredictedWait: true });
    expect(old.strategy).toBe("longest_idle"); // the old one is untouched
    expect(queueFormOf(null)).toMatchObject({ strategy: "longest_idle", offer_timeout_s: "20", service_level_abandoned: "count_against", short_abandon_s: "5" });
  });
});

describe("queue form: recording", () => {
  it("shows and sends whether the queue records and its notice", () => {
    const old = create(QueueSchema, { queueId: "sales", recordCalls: true, recordingNotice: "This call is recorded." });
    const f = queueFormOf(old);
    expect(f).toMatchObject({ record_calls: "yes", recording_notice: "This call is recorded." });
    expect(queueFrom(old, f, false, [], false)).toMatchObject({ recordCalls: true, recordingNotice: "This call is recorded." });
    const off = queueFrom(old, { ...f, record_calls: "", recording_notice: "" }, false, [], false);
    expect(off.recordCalls).toBe(false);
    expect(off.recordingNotice).toBe("");
    expect(queueFormOf(null)).toMatchObject({ record_calls: "", recording_notice: "" });
  });
});

describe("timeline", () => {
  it("says each step in a sentence", () => {
    const name = (id: string) => (id === "op_a" ? "Anna" : id);
    const e = (m: Parameters<typeof create<typeof TimelineEntrySchema>>[1]) => describeEntry(create(TimelineEntrySchema, m), name);
    expect(e({ kind: "offered", operatorId: "op_a" })).toBe("Offered to Anna");
    expect(e({ kind: "offer_failed", operatorId: "op_a", failureCode: 486, text: "Busy Here" })).toBe("Offer failed to Anna (SIP 486): Busy Here");
    expect(e({ kind: "answered", operatorId: "op_a", ringTimeMs: 3200 })).toBe("Answered by Anna after 3.2 s ringing");
    expect(e({ kind: "ended", hungUpBy: HangupParty.CALLER })).toBe("Ended — the caller hung up");
    expect(e({ kind: "overflowed", spareId: "night" })).toBe("Overflowed to spare night");
    expect(e({ kind: "something_new", text: "x" })).toBe("something_new: x");
  });
});
