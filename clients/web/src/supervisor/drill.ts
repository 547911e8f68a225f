// The drill-down's arithmetic, kept pure for the tests: the call search's request from its
// form, the results' CSV, the operator's day as a strip of states, the score chart's bars, and
// the results table's keyboard moves. Words come from the catalogs (../i18n), through
// `drillWords` and `outcomeLabels`.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  CallOutcome,
  SearchCallsRequestSchema,
  TimeRangeSchema,
  type CallSummary,
  type DayScore,
  type OperatorStateSpan,
  type SearchCallsRequest,
} from "@gen/tandem/analytics/v1/analytics_pb";
import { awayReasonLabel } from "../format";
import { catalogWords, t, type Key } from "../i18n/i18n";
import { ms } from "./live";
import { stateKeys, type StateKey } from "./words";

export const drillWords = catalogWords({
  searchTitle: "drill.searchTitle",
  operatorsTitle: "drill.operatorsTitle",
  number: "drill.number",
  numberContains: "drill.numberContains",
  operator: "drill.operator",
  anyOperator: "drill.anyOperator",
  queue: "drill.queue",
  from: "drill.from",
  to: "drill.to",
  outcome: "drill.outcome",
  anyOutcome: "drill.anyOutcome",
  search: "drill.search",
  more: "drill.more",
  csv: "drill.csv",
  noCalls: "drill.noCalls",
  pick: "drill.pick",
  pickOne: "drill.pickOne",
  timeline: "drill.timeline",
  calls: "drill.calls",
  scores: "drill.scores",
  misses: "drill.misses",
  bans: "drill.bans",
  noMisses: "drill.noMisses",
  noBans: "drill.noBans",
  noEvents: "drill.noEvents",
  noScores: "drill.noScores",
  open: "drill.open",
  loading: "drill.loading",
});

/** A finished call's outcome in words: the operator app's outcome.* words where they say the
 * same ("answered", "hung up waiting", "lost"), and the search's own for the rest. */
export const outcomeLabels: Readonly<Record<CallOutcome, string>> = catalogWords<CallOutcome>({
  [CallOutcome.UNSPECIFIED]: null,
  [CallOutcome.ANSWERED]: "outcome.ended",
  [CallOutcome.ABANDONED]: "outcome.abandoned",
  [CallOutcome.LOST]: "outcome.lost",
  [CallOutcome.TRANSFERRED]: "outcome.transferred",
  [CallOutcome.AT_SPARE]: "outcome.atSpare",
  [CallOutcome.DECLINED]: "outcome.declined",
  [CallOutcome.EXITED]: "outcome.exited",
});

/** The outcome in the CSV: a fixed word whatever the page's language, for the sheets that read it. */
const outcomeCodes: Record<CallOutcome, string> = {
  [CallOutcome.UNSPECIFIED]: "",
  [CallOutcome.ANSWERED]: "answered",
  [CallOutcome.ABANDONED]: "abandoned",
  [CallOutcome.LOST]: "lost",
  [CallOutcome.TRANSFERRED]: "transferred",
  [CallOutcome.AT_SPARE]: "at_spare",
  [CallOutcome.DECLINED]: "declined",
  [CallOutcome.EXITED]: "exited",
};

/** The reasons the server gives a state in fixed words (others carry figures or were typed). */
const stateReasons: Record<string, Key> = {
  "logged out": "reason.loggedOut",
  "logged out by a supervisor": "reason.loggedOutBySupervisor",
  "app disconnected": "reason.appDisconnected",
  disabled: "reason.disabled",
  "ban lifted by a supervisor: press Ready": "reason.banLifted",
  "ban over: press Ready": "reason.banOver",
  "another operator answered first": "reason.answeredElsewhere",
};

/** An operator's state reason in words: the server's fixed ones and the away reasons of the
 * list in the language; any other (typed by someone, or with figures in it) as it came. */
export function reasonLabel(r: string): string {
  const k = stateReasons[r];
  return k ? t(k) : awayReasonLabel(r);
}

export interface SearchForm {
  number: string;
  contains: boolean;
  operator: string;
  queue: string;
  /** "YYYY-MM-DDTHH:MM" of a datetime-local input, read as UTC; "" for open. */
  from: string;
  to: string;
  outcome: CallOutcome;
}

export const emptySearch: SearchForm = { number: "", contains: false, operator: "", queue: "", from: "", to: "", outcome: CallOutcome.UNSPECIFIED };

/** A datetime-local value as UTC ms; NaN when it is not one. */
export function utcInput(v: string): number {
  return Date.parse(`${v.length === 16 ? `${v}:00` : v}Z`);
}

/** The search request of a form and a page token (the server checks the rest). */
export function searchRequest(f: SearchForm, pageToken = "", pageSize = 50): SearchCallsRequest {
  const range = f.from || f.to ? create(TimeRangeSchema, {}) : undefined;
  if (range && f.from && Number.isFinite(utcInput(f.from))) range.from = timestampFromMs(utcInput(f.from));
  if (range && f.to && Number.isFinite(utcInput(f.to))) range.to = timestampFromMs(utcInput(f.to));
  return create(SearchCallsRequestSchema, {
    callerNumber: f.number.trim(),
    numberContains: f.contains,
    operator: f.operator,
    queueId: f.queue,
    range,
    outcome: f.outcome,
    pageSize,
    pageToken,
  });
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function iso(at: number): string {
  return at ? new Date(at).toISOString() : "";
}

/** The results as CSV, one row a call, times in UTC ISO 8601. */
export function callsCsv(calls: CallSummary[]): string {
  const head = ["call_id", "ended_at", "arrived_at", "caller_number", "queue_id", "operator_id", "operator_name", "outcome", "wait_ms", "talk_time_ms"];
  const rows = calls.map((c) =>
    [c.callId, iso(ms(c.endedAt)), iso(ms(c.arrivedAt)), c.callerNumber, c.queueId, c.operatorId, c.operatorName, outcomeCodes[c.outcome], String(c.waitMs), String(c.talkTimeMs)]
      .map(csvField)
      .join(","),
  );
  return [head.join(","), ...rows].join("\r\n") + "\r\n";
}

export interface StripPart {
  key: StateKey;
  from: number;
  to: number;
  /** Left edge and width in percent of the strip. */
  left: number;
  width: number;
  reason: string;
}

/** The day's states as parts of a strip from dayStart to now (a state begun earlier is cut). */
export function stateStrip(spans: OperatorStateSpan[], dayStart: number, now: number): StripPart[] {
  const total = Math.max(1, now - dayStart);
  const out: StripPart[] = [];
  for (const s of spans) {
    const from = Math.max(dayStart, ms(s.since));
    const to = Math.min(now, ms(s.until) || now);
    if (to <= from) continue;
    out.push({ key: stateKeys[s.state], from, to, left: ((from - dayStart) / total) * 100, width: ((to - from) / total) * 100, reason: s.reason });
  }
  return out;
}

export interface ScoreBar {
  day: string;
  x: number;
  /** Heights in chart units (100 = full) of the points and the two parts lost. */
  points: number;
  misses: number;
  slow: number;
}

/** One stacked bar a day: points at the bottom, then what misses and slow answers took. */
export function scoreBars(scores: DayScore[], width: number): ScoreBar[] {
  const step = scores.length ? width / scores.length : 0;
  return scores.map((s, i) => ({ day: s.day, x: i * step, points: s.points, misses: s.lostToMisses, slow: s.lostToSlowAnswers }));
}

/** Where a key moves the selected row of n: arrows, Home, End; null for other keys. */
export function moveRow(key: string, at: number, n: number): number | null {
  if (n === 0) return null;
  switch (key) {
    case "ArrowDown":
      return Math.min(n - 1, at + 1);
    case "ArrowUp":
      return Math.max(0, at - 1);
    case "Home":
      return 0;
    case "End":
      return n - 1;
  }
  return null;
}
