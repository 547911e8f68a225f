// How times, durations and outcomes read on screen, in the language chosen.
import { dateTime, num, t, type Key } from "./i18n/i18n";
import type { Callback, FailedLogins, Outcome } from "./model";

/** 0:07, 4:05, 1:02:03 */
export function clock(ms: number): string {
  const s0 = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s0 / 3600);
  const m = Math.floor((s0 % 3600) / 60);
  const s = s0 % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 3.4 s, 42 s, 5 min, 1 h 20 min (3,4 с, 42 с, 5 мин, 1 ч 20 мин) */
export function duration(ms: number): string {
  if (ms < 10000) return t("time.s", { n: num(ms / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
  const s = Math.round(ms / 1000);
  if (s < 60) return t("time.s", { n: s });
  const m = Math.round(s / 60);
  if (m < 60) return t("time.min", { n: m });
  return t("time.hMin", { h: Math.floor(m / 60), m: m % 60 });
}

/** The time of day, or the date for another day. */
export function when(at: number, now: number): string {
  if (!at) return "";
  const d = new Date(at);
  const time = dateTime(at, { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${dateTime(at, { day: "numeric", month: "short" })} ${time}`;
}

const outcomeKeys: Record<Outcome, Key> = {
  waiting: "outcome.waiting",
  answered: "outcome.answered",
  ended: "outcome.ended",
  abandoned: "outcome.abandoned",
  lost: "outcome.lost",
  voicemail: "outcome.voicemail",
  exited: "outcome.exited",
  unknown: "outcome.unknown",
};

/** How a recent call from the caller went: "answered", "hung up waiting"… */
export function outcomeLabel(o: Outcome): string {
  return t(outcomeKeys[o]);
}

const awayKeys: Record<string, Key> = { break: "away.break", lunch: "away.lunch", training: "away.training", meeting: "away.meeting" };

/** An away reason in words; a reason of the supervisor's own stays as he typed it. */
export function awayReasonLabel(r: string): string {
  const k = awayKeys[r];
  return k ? t(k) : r;
}

/** "3 failed sign-ins since your last visit, last from 203.0.113.7 at 14:02" */
export function failedLoginsText(f: FailedLogins, now: number): string {
  const at = f.lastAt ? when(f.lastAt, now) : "";
  if (f.count === 1) {
    if (f.lastAddress && at) return t("failedLogins.oneFromAt", { address: f.lastAddress, at });
    if (f.lastAddress) return t("failedLogins.oneFrom", { address: f.lastAddress });
    if (at) return t("failedLogins.oneAt", { at });
    return t("failedLogins.one");
  }
  if (f.lastAddress && at) return t("failedLogins.manyFromAt", { count: f.count, address: f.lastAddress, at });
  if (f.lastAddress) return t("failedLogins.manyFrom", { count: f.count, address: f.lastAddress });
  if (at) return t("failedLogins.manyAt", { count: f.count, at });
  return t("failedLogins.many", { count: f.count });
}

/** "Callback to +15551234567 (try 2 of 3)"; without a bound, "(try 2)". */
export function callbackText(c: Callback): string {
  return c.attempts ? t("op.callback.to", { number: c.number, attempt: c.attempt, attempts: c.attempts }) : t("op.callback.toTry", { number: c.number, attempt: c.attempt });
}
