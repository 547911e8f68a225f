// Reports' arithmetic, kept pure for the tests: history rows → chart series aligned by time of
// day (today against a past day), the operator table's sorting, the CSV download.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Interval, type HistoryRow, type OperatorStats } from "@gen/tandem/analytics/v1/analytics_pb";

export const dayMs = 24 * 3600e3;

export function intervalMs(i: Interval): number {
  return i === Interval.INTERVAL_15_MINUTES ? 15 * 60e3 : i === Interval.INTERVAL_DAY ? dayMs : 3600e3;
}

export interface DaySeries {
  /** Slot starts as Unix seconds on TODAY's date (so both days share the axis). */
  x: number[];
  calls: (number | null)[];
  pastCalls: (number | null)[];
  /** Service level in percent, null where nothing was measured. */
  sl: (number | null)[];
  pastSl: (number | null)[];
}

function bySlot(rows: HistoryRow[], dayStart: number, step: number, slots: number): { calls: (number | null)[]; sl: (number | null)[] } {
  const calls: (number | null)[] = new Array<number | null>(slots).fill(0);
  const sl: (number | null)[] = new Array<number | null>(slots).fill(null);
  for (const r of rows) {
    if (!r.start) continue;
    const i = Math.floor((timestampMs(r.start) - dayStart) / step);
    if (i < 0 || i >= slots) continue;
    calls[i] = (calls[i] ?? 0) + (r.figures?.callsReceived ?? 0);
    const s = r.figures?.serviceLevel;
    if (s !== undefined) sl[i] = Math.round(s * 1000) / 10;
  }
  return { calls, sl };
}

/**
 * Today's rows and a past day's rows, slot by slot over the whole day. Today's slots after
 * `now` are null (not zero: nothing happened yet).
 */
export function daySeries(today: HistoryRow[], todayStart: number, past: HistoryRow[], pastStart: number, interval: Interval, now: number): DaySeries {
  const step = intervalMs(interval);
  const slots = Math.round(dayMs / step);
  const t = bySlot(today, todayStart, step, slots);
  const p = bySlot(past, pastStart, step, slots);
  const x: number[] = [];
  for (let i = 0; i < slots; i++) {
    x.push((todayStart + i * step) / 1000);
    if (todayStart + i * step > now) t.calls[i] = null;
  }
  return { x, calls: t.calls, pastCalls: p.calls, sl: t.sl, pastSl: p.sl };
}

export type OperatorSortKey = "name" | "calls" | "score" | "misses" | "aht";

export function operatorValue(o: OperatorStats, k: OperatorSortKey): number | string {
  switch (k) {
    case "name":
      return (o.name || o.operatorId).toLowerCase();
    case "calls":
      return o.figures?.callsAnswered ?? o.callsAnswered;
    case "score":
      return o.marks?.score ?? 0;
    case "misses":
      return o.figures?.offersMissed ?? o.offersMissed;
    case "aht":
      // Operators with no call (no AHT) go last whichever way.
      return o.figures?.ahtMs ?? Number.NaN;
  }
}

export function sortOperatorStats(list: OperatorStats[], k: OperatorSortKey, desc: boolean): OperatorStats[] {
  return [...list].sort((a, b) => {
    const va = operatorValue(a, k);
    const vb = operatorValue(b, k);
    if (typeof va === "number" && typeof vb === "number") {
      if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? 0 : 1) : -1;
      if (va !== vb) return desc ? vb - va : va - vb;
    } else if (va !== vb) {
      return desc ? String(vb).localeCompare(String(va)) : String(va).localeCompare(String(vb));
    }
    return (a.name || a.operatorId).localeCompare(b.name || b.operatorId);
  });
}

/** Saves bytes as a file the way browsers download: a Blob, an object URL, a clicked link. */
export function download(bytes: Uint8Array, fileName: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName || "tandem-history.csv";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A report's period: a day, the week (Monday to Sunday) or the month around a day, or the
 * days chosen. */
export type PeriodKind = "day" | "week" | "month" | "custom";

/** "2026-11-26" plus n days (calendar days: no zone, no daylight saving). */
export function addDays(date: string, n: number): string {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The first and last day (inclusive) of the period of kind around date; custom: date to last. */
export function periodDays(kind: PeriodKind, date: string, last: string): { first: string; last: string } {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  switch (kind) {
    case "day":
      return { first: date, last: date };
    case "week": {
      const monday = addDays(date, -((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7));
      return { first: monday, last: addDays(monday, 6) };
    }
    case "month": {
      const first = new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
      return { first, last: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10) };
    }
    case "custom":
      return { first: date, last };
  }
}

/** How far zone is ahead of UTC at instant ms (Berlin in summer: +2 h). */
export function zoneOffsetMs(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ms);
  const p = (t: string) => Number(parts.find((x) => x.type === t)?.value ?? 0);
  return Date.UTC(p("year"), p("month") - 1, p("day"), p("hour"), p("minute"), p("second")) - Math.floor(ms / 1000) * 1000;
}

/** The instant a day starts in zone: its midnight (or its first hour, where midnight is skipped). */
export function zoneMidnight(date: string, zone: string): number {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - zoneOffsetMs(wall, zone);
  t = wall - zoneOffsetMs(t, zone);
  return t;
}

/** The report's range: from the first day's start to the day after the last's, in zone. */
export function periodRange(kind: PeriodKind, date: string, last: string, zone: string): { first: string; last: string; from: number; to: number } {
  const days = periodDays(kind, date, last);
  return { ...days, from: zoneMidnight(days.first, zone), to: zoneMidnight(addDays(days.last, 1), zone) };
}

/** The chart's rows for a period: hours for a day, days for longer. */
export function chartInterval(first: string, last: string): Interval {
  return first === last ? Interval.INTERVAL_HOUR : Interval.INTERVAL_DAY;
}

/** The zone the browser is in ("Europe/Berlin"), UTC when it does not say. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export interface PeriodSeries {
  /** Row starts as Unix seconds. */
  x: number[];
  received: number[];
  answered: number[];
  abandoned: number[];
  /** Service level in percent, null where nothing was measured. */
  sl: (number | null)[];
}

/** The day ("2026-11-26") instant ms falls on in zone. */
export function zoneDate(ms: number, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** The starts of the chart's rows over the period's days in zone: each hour of a day (23 or 25
 * on the days daylight saving changes), or each day. */
export function periodSlots(first: string, last: string, zone: string, interval: Interval): number[] {
  const out: number[] = [];
  if (interval === Interval.INTERVAL_HOUR) {
    const end = zoneMidnight(addDays(last, 1), zone);
    for (let t = zoneMidnight(first, zone); t < end; t += 3600e3) out.push(t);
    return out;
  }
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(zoneMidnight(d, zone));
  return out;
}

/** The chart's series: the whole center's rows in their slots, zero where no row is. */
export function periodSeries(rows: HistoryRow[], slots: number[]): PeriodSeries {
  const at = new Map<number, number>(slots.map((t, i) => [t, i]));
  const s: PeriodSeries = {
    x: slots.map((t) => t / 1000),
    received: slots.map(() => 0),
    answered: slots.map(() => 0),
    abandoned: slots.map(() => 0),
    sl: slots.map(() => null),
  };
  for (const r of rows) {
    const i = r.start ? at.get(timestampMs(r.start)) : undefined;
    if (i === undefined) continue;
    s.received[i] = r.figures?.callsReceived ?? 0;
    s.answered[i] = r.figures?.callsAnswered ?? 0;
    s.abandoned[i] = r.figures?.callsAbandoned ?? 0;
    const sl = r.figures?.serviceLevel;
    s.sl[i] = sl === undefined ? null : Math.round(sl * 1000) / 10;
  }
  return s;
}
