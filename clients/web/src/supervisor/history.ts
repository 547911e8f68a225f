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
