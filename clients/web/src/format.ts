// How times, durations and outcomes read on screen.
import type { FailedLogins, Outcome } from "./model";

/** 0:07, 4:05, 1:02:03 */
export function clock(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 3.4 s, 42 s, 5 min, 1 h 20 min */
export function duration(ms: number): string {
  if (ms < 10000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The time of day, or the date for another day. */
export function when(at: number, now: number): string {
  if (!at) return "";
  const d = new Date(at);
  const today = new Date(now);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === today.toDateString()) return time;
  return `${d.toLocaleDateString([], { day: "numeric", month: "short" })} ${time}`;
}

export const outcomeLabels: Record<Outcome, string> = {
  waiting: "waiting",
  answered: "in progress",
  ended: "answered",
  abandoned: "hung up waiting",
  lost: "lost",
  unknown: "unknown",
};

/** "3 failed sign-ins since your last visit, last from 203.0.113.7 at 14:02" */
export function failedLoginsText(f: FailedLogins, now: number): string {
  let out = `${f.count} failed sign-in${f.count === 1 ? "" : "s"} since your last visit`;
  if (f.lastAddress || f.lastAt) out += f.count === 1 ? "," : ", last";
  if (f.lastAddress) out += ` from ${f.lastAddress}`;
  if (f.lastAt) out += ` at ${when(f.lastAt, now)}`;
  return out;
}
