// How the supervisor screens say things: operator states (text and colour), rates, durations.
import { CallState, HangupParty, OperatorState } from "@gen/tandem/common/v1/common_pb";

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
export const stateLabels: Record<StateKey, string> = {
  offline: "Offline",
  ready: "Ready",
  reserved: "Ringing",
  on_call: "On call",
  wrap_up: "Wrap-up",
  away: "Away",
  banned: "Banned",
  unknown: "Unknown",
};

export const callStates: Record<CallState, string> = {
  [CallState.UNSPECIFIED]: "unknown",
  [CallState.WAITING]: "waiting",
  [CallState.CONNECTED]: "talking",
  [CallState.ENDED]: "ended",
  [CallState.ABANDONED]: "hung up waiting",
  [CallState.LOST]: "lost",
};

export const hangupParties: Record<HangupParty, string> = {
  [HangupParty.UNSPECIFIED]: "",
  [HangupParty.CALLER]: "the caller",
  [HangupParty.OPERATOR]: "the operator",
  [HangupParty.SYSTEM]: "the system",
};

/** 0.8123 → "81 %"; absent → "—". */
export function percent(rate: number | undefined, digits = 0): string {
  return rate === undefined || !Number.isFinite(rate) ? "—" : `${(rate * 100).toFixed(digits)} %`;
}

/** Seconds with one decimal under 10 s, whole seconds under 2 min, then m:ss. Absent → "—". */
export function secs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120000) return `${Math.round(ms / 1000)} s`;
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
    out.push(`${lo}–${hi} s`);
    lo = hi;
  }
  out.push(`${lo} s +`);
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
