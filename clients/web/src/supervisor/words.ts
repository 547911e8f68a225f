// How the supervisor screens say things: operator states (text and colour), rates, durations.
// The words come from the catalogs (../i18n): the label tables read them when looked up, so a
// page rendering after a language switch gets the new language without asking.
import { CallState, HangupParty, OperatorState } from "@gen/tandem/common/v1/common_pb";
import { catalogWords, num, t } from "../i18n/i18n";

export type StateKey = "offline" | "ready" | "reserved" | "on_call" | "wrap_up" | "away" | "banned" | "unknown";

export const stateKeys: Record<OperatorState, StateKey> = {
  [OperatorState.UNSPECIFIED]: "unknown",
  [OperatorState.OFFLINE]: "offline",
  [OperatorState.READY]: "ready",
  [OperatorState.RESERVED]: "reserved",
  [OperatorState.ON_CALL]: "on_call",
  [OperatorState.WRAP_UP]: "wrap_up",
  [OperatorState.AWAY]: "away",
  [OperatorState.BANNED]: "banned",
};

/** The word on each tile: colour never says it alone. */
export const stateLabels: Readonly<Record<StateKey, string>> = catalogWords<StateKey>({
  offline: "words.state.offline",
  ready: "words.state.ready",
  reserved: "words.state.reserved",
  on_call: "words.state.on_call",
  wrap_up: "words.state.wrap_up",
  away: "words.state.away",
  banned: "words.state.banned",
  unknown: "words.state.unknown",
});

export const callStates: Readonly<Record<CallState, string>> = catalogWords<CallState>({
  [CallState.UNSPECIFIED]: "words.call.unknown",
  [CallState.WAITING]: "words.call.waiting",
  [CallState.CONNECTED]: "words.call.talking",
  [CallState.ENDED]: "words.call.ended",
  [CallState.ABANDONED]: "words.call.abandoned",
  [CallState.LOST]: "words.call.lost",
  [CallState.IN_MENU]: "words.call.in_menu",
});

export const hangupParties: Readonly<Record<HangupParty, string>> = catalogWords<HangupParty>({
  [HangupParty.UNSPECIFIED]: null,
  [HangupParty.CALLER]: "words.hangup.caller",
  [HangupParty.OPERATOR]: "words.hangup.operator",
  [HangupParty.SYSTEM]: "words.hangup.system",
});

/** 0.8123 → "81 %" ("81 %" in Russian too, with its decimal comma); absent → "—". */
export function percent(rate: number | undefined, digits = 0): string {
  if (rate === undefined || !Number.isFinite(rate)) return "—";
  return t("words.percent", { n: num(rate * 100, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }) });
}

/** Seconds with one decimal under 10 s, whole seconds under 2 min, then m:ss. Absent → "—". */
export function secs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 10000) return t("words.secs", { n: num(ms / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
  if (ms < 120000) return t("words.secs", { n: String(Math.round(ms / 1000)) });
  return clock(ms);
}

/** 0:07, 4:05, 1:02:03 */
export function clock(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The answer-time histogram's buckets (seconds), as the proto defines them; then "300 s +". */
export const histogramBounds = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];

export function histogramLabels(): string[] {
  const out: string[] = [];
  let lo = 0;
  for (const hi of histogramBounds) {
    out.push(t("words.histogram.bucket", { lo: String(lo), hi: String(hi) }));
    lo = hi;
  }
  out.push(t("words.histogram.over", { lo: String(lo) }));
  return out;
}

/** "2026-11-26" of a UTC day. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC of the day containing ms. */
export function utcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
