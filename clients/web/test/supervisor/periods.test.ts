import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { HistoryRowSchema, Interval } from "@gen/tandem/analytics/v1/analytics_pb";
import { addDays, chartInterval, periodDays, periodRange, periodSeries, periodSlots, zoneDate, zoneMidnight } from "../../src/supervisor/history";
import { setLang } from "../../src/i18n/i18n";
import { averageHoldMs, histogramWords, seconds } from "../../src/supervisor/reports";
import { FiguresSchema } from "@gen/tandem/analytics/v1/analytics_pb";

describe("report periods", () => {
  it("finds the week (Monday to Sunday) and the month around a day, across months and leap years", () => {
    expect(periodDays("day", "2026-12-07", "")).toEqual({ first: "2026-12-07", last: "2026-12-07" });
    expect(periodDays("week", "2026-12-07", "")).toEqual({ first: "2026-12-07", last: "2026-12-13" }); // a Monday
    expect(periodDays("week", "2026-12-13", "")).toEqual({ first: "2026-12-07", last: "2026-12-13" }); // a Sunday
    expect(periodDays("week", "2027-01-01", "")).toEqual({ first: "2026-12-28", last: "2027-01-03" });
    expect(periodDays("month", "2028-02-10", "")).toEqual({ first: "2028-02-01", last: "2028-02-29" });
    expect(periodDays("month", "2027-02-10", "")).toEqual({ first: "2027-02-01", last: "2027-02-28" });
    expect(periodDays("custom", "2026-11-03", "2026-11-20")).toEqual({ first: "2026-11-03", last: "2026-11-20" });
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("starts days at the zone's midnight, daylight saving included", () => {
    expect(zoneMidnight("2026-10-25", "Europe/Berlin")).toBe(Date.UTC(2026, 9, 24, 22));
    expect(zoneMidnight("2026-10-26", "Europe/Berlin")).toBe(Date.UTC(2026, 9, 25, 23));
    expect(zoneMidnight("2026-12-07", "Asia/Kathmandu")).toBe(Date.UTC(2026, 11, 6, 18, 15));
    expect(zoneMidnight("2026-12-07", "UTC")).toBe(Date.UTC(2026, 11, 7));
    const week = periodRange("week", "2026-10-21", "", "Europe/Berlin");
    expect([week.from, week.to]).toEqual([Date.UTC(2026, 9, 18, 22), Date.UTC(2026, 9, 25, 23)]);
    expect(zoneDate(Date.UTC(2026, 9, 25, 22, 30), "Europe/Berlin")).toBe("2026-10-25");
    expect(zoneDate(Date.UTC(2026, 9, 25, 23, 30), "Europe/Berlin")).toBe("2026-10-26");
  });

  it("charts a day by its hours (25 when the clocks go back) and longer periods by days, zero where no row is", () => {
    expect(chartInterval("2026-10-25", "2026-10-25")).toBe(Interval.INTERVAL_HOUR);
    expect(chartInterval("2026-10-19", "2026-10-25")).toBe(Interval.INTERVAL_DAY);
    expect(periodSlots("2026-10-25", "2026-10-25", "Europe/Berlin", Interval.INTERVAL_HOUR)).toHaveLength(25);
    const days = periodSlots("2026-10-19", "2026-10-25", "Europe/Berlin", Interval.INTERVAL_DAY);
    expect(days).toHaveLength(7);
    const row = (at: number, received: number, sl?: number) =>
      create(HistoryRowSchema, { start: timestampFromMs(at), figures: { callsReceived: received, callsAnswered: received, ...(sl === undefined ? {} : { serviceLevel: sl }) } });
    const s = periodSeries([row(days[2] as number, 4, 0.75), row(days[6] as number, 2)], days);
    expect(s.received).toEqual([0, 0, 4, 0, 0, 0, 2]);
    expect(s.sl[2]).toBe(75);
    expect(s.sl[6]).toBeNull();
  });

  it("says durations and the histogram's buckets in the language", () => {
    setLang("en");
    expect(seconds(3456)).toBe("3.5 s");
    expect(seconds(42000)).toBe("42 s");
    expect(seconds(150000)).toBe("2:30");
    expect(seconds(undefined)).toBe("—");
    expect(histogramWords()[11]).toBe("300 s +");
    expect(averageHoldMs(create(FiguresSchema, { callsAnswered: 4, holdTimeMs: 10000n }))).toBe(2500);
    expect(averageHoldMs(create(FiguresSchema, { callsAnswered: 0, holdTimeMs: 0n }))).toBeUndefined();
    setLang("ru");
    expect(seconds(3456)).toBe("3,5 с");
    expect(histogramWords()[0]).toBe("0–5 с");
    setLang("en");
  });
});
