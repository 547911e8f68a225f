// The app's own picture of an operator: plain values in milliseconds, converted once from the
// generated protobuf messages, so the state logic and the views never see bigint or Timestamp.
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { CallState, OperatorState, PartyMode, PartyState, TransferMode, TransferState, type CallParty, type Marks as MarksPb, type Transfer as TransferPb } from "@gen/tandem/common/v1/common_pb";
import { t } from "./i18n/i18n";
import type { TransferInHand } from "./transfer";
import type { CallbackToMake, CallInHand as CallInHandPb, FailedLogins as FailedLoginsPb, OfferedCall, OperatorStatus, PastCall as PastCallPb } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import type { OperatorStats } from "@gen/tandem/analytics/v1/analytics_pb";

export type OpState = "offline" | "ready" | "reserved" | "on_call" | "wrap_up" | "away" | "banned" | "unknown";

/** How a call went; "voicemail": he left a message, "exited": another exit of his queue ended it. */
export type Outcome = "waiting" | "answered" | "ended" | "abandoned" | "lost" | "voicemail" | "exited" | "unknown";

export interface PastCall {
  callId: string;
  arrivedAt: number; // ms since the epoch; 0 when unknown
  queueId: string;
  outcome: Outcome;
  operatorName: string;
  talkTimeMs: number;
}

export interface Offer {
  offerId: string;
  callId: string;
  queueId: string;
  callerNumber: string;
  callerName: string;
  offeredAt: number;
  expiresAt: number;
  yourClient: boolean;
  recentCalls: PastCall[];
  /** Set when the call is a call back to a customer (the operator's phone rings first). */
  callback: Callback | null;
}

/** A call back to a customer, as the operator who makes it sees it. */
export interface Callback {
  number: string;
  /** This attempt (from 1) of attempts at most. */
  attempt: number;
  attempts: number;
  /** The message the customer left, when it answers a voicemail: to hear before he picks up. */
  voicemailUrl: string;
  voicemailLengthMs: number;
}

/** The call the operator talks on or wraps up, as the server names it (on_call, wrap_up). */
export interface CallInHand {
  callId: string;
  queueId: string;
  callerNumber: string;
  callerName: string;
  yourClient: boolean;
  answeredAt: number;
  endedAt: number;
  /** His note on it as the server keeps it. */
  note: string;
  /** When the caller was put on hold (ms since the epoch); 0 while they talk. */
  heldSince: number;
  /** The holds that ended, in all. */
  holdTimeMs: number;
  /** Why the scenario did not carry out his last hold or resume; "" when it did. */
  holdFailure: string;
  /** Who else is on the call: parties he added, a supervisor who whispers or barged in. */
  parties: Party[];
  /** His transfer of it in progress, or how the latest one ended (transfer.tsx). */
  transfer: TransferInHand | null;
  /** The disposition (wrap-up code) set on it so far; "" when none. */
  disposition: string;
  /** The dispositions of its queue to choose from; empty: the queue has none (no picker). */
  dispositions: DispositionOption[];
  /** Set when it is a call back to a customer. */
  callback: Callback | null;
  /** The queue requires one: Done waits for it, and the wrap-up does not end without it. */
  dispositionRequired: boolean;
}

/** One of a queue's dispositions: the code stored with the call, the label he reads. */
export interface DispositionOption {
  code: string;
  label: string;
}

/** A third leg on the call in hand, as the server shows it to the operator. */
export interface Party {
  partyId: string;
  mode: "conference" | "listen" | "whisper" | "barge" | "unknown";
  state: "dialing" | "joined" | "left" | "failed" | "unknown";
  /** The operator brought in, or the contact dialed. */
  who: string;
  monitor: boolean;
  reason: string;
}

const partyModes: Record<number, Party["mode"]> = {
  [PartyMode.CONFERENCE]: "conference",
  [PartyMode.LISTEN]: "listen",
  [PartyMode.WHISPER]: "whisper",
  [PartyMode.BARGE]: "barge",
};
const partyStates: Record<number, Party["state"]> = {
  [PartyState.DIALING]: "dialing",
  [PartyState.JOINED]: "joined",
  [PartyState.LEFT]: "left",
  [PartyState.FAILED]: "failed",
};

export function partyFrom(p: CallParty): Party {
  return {
    partyId: p.partyId,
    mode: partyModes[p.mode] ?? "unknown",
    state: partyStates[p.state] ?? "unknown",
    who: p.monitor ? t("words.party.supervisor") : p.operatorId || p.contact?.target || "",
    monitor: p.monitor,
    reason: p.reason,
  };
}

export interface Marks {
  score: number; // 0..100
  lostToMisses: number; // what misses took off 100, as the server says
  lostToSlowAnswers: number; // what slow answers took off 100, as the server says
  answerRate: number; // 0..1
  ringTimeMs: number;
  offersMissed: number;
  consecutiveMisses: number;
  recentMisses: number;
  bansToday: number;
  callsHandled: number;
  callsToday: number;
  talkTodayMs: number;
}

export interface Status {
  operatorId: string;
  name: string;
  displayName: string;
  state: OpState;
  since: number;
  reason: string;
  offer: Offer | null;
  callId: string;
  /** The call in hand with whom, while on_call or wrap_up (so a reload can show the caller). */
  call: CallInHand | null;
  wrapUpEndsAt: number;
  present: boolean;
  bannedUntil: number;
  marks: Marks;
}

export interface Stats {
  offersReceived: number;
  callsAnswered: number;
  offersMissed: number;
  averageRingTimeMs: number;
  talkTimeMs: number;
}

const states: Record<OperatorState, OpState> = {
  [OperatorState.UNSPECIFIED]: "unknown",
  [OperatorState.OFFLINE]: "offline",
  [OperatorState.READY]: "ready",
  [OperatorState.RESERVED]: "reserved",
  [OperatorState.ON_CALL]: "on_call",
  [OperatorState.WRAP_UP]: "wrap_up",
  [OperatorState.AWAY]: "away",
  [OperatorState.BANNED]: "banned",
};

const outcomes: Record<CallState, Outcome> = {
  [CallState.UNSPECIFIED]: "unknown",
  [CallState.WAITING]: "waiting",
  [CallState.CONNECTED]: "answered",
  [CallState.ENDED]: "ended",
  [CallState.ABANDONED]: "abandoned",
  [CallState.LOST]: "lost",
  [CallState.IN_MENU]: "waiting", // still choosing in the IVR menu: not in a line yet
};

function ms(t: Timestamp | undefined): number {
  return t ? timestampMs(t) : 0;
}

export const noMarks: Marks = {
  score: 0,
  lostToMisses: 0,
  lostToSlowAnswers: 0,
  answerRate: 0,
  ringTimeMs: 0,
  offersMissed: 0,
  consecutiveMisses: 0,
  recentMisses: 0,
  bansToday: 0,
  callsHandled: 0,
  callsToday: 0,
  talkTodayMs: 0,
};

export function marksFrom(m: MarksPb | undefined): Marks {
  if (!m) return noMarks;
  return {
    score: m.score,
    lostToMisses: m.scoreLostToMisses,
    lostToSlowAnswers: m.scoreLostToSlowAnswers,
    answerRate: m.answerRate,
    ringTimeMs: m.ringTimeMs,
    offersMissed: m.offersMissed,
    consecutiveMisses: m.consecutiveMisses,
    recentMisses: m.recentMisses,
    bansToday: m.bansToday,
    callsHandled: m.callsHandled,
    callsToday: m.callsToday,
    talkTodayMs: Number(m.talkTodayMs),
  };
}

function pastCallFrom(p: PastCallPb): PastCall {
  return {
    callId: p.callId,
    arrivedAt: ms(p.arrivedAt),
    queueId: p.queueId,
    outcome: p.exitKind === "voicemail" ? "voicemail" : p.exitKind ? "exited" : (outcomes[p.state] ?? "unknown"),
    operatorName: p.operatorName,
    talkTimeMs: p.talkTimeMs,
  };
}

function offerFrom(o: OfferedCall | undefined): Offer | null {
  if (!o) return null;
  return {
    offerId: o.offerId,
    callId: o.callId,
    queueId: o.queueId,
    callerNumber: o.callerNumber,
    callerName: o.callerName,
    offeredAt: ms(o.offeredAt),
    expiresAt: ms(o.expiresAt),
    yourClient: o.yourClient,
    recentCalls: o.recentCalls.map(pastCallFrom),
    callback: callbackFrom(o.callback),
  };
}

function callbackFrom(c: CallbackToMake | undefined): Callback | null {
  if (!c) return null;
  return { number: c.number, attempt: c.attempt, attempts: c.attempts, voicemailUrl: c.voicemailUrl, voicemailLengthMs: c.voicemailLengthMs };
}

function callInHandFrom(c: CallInHandPb | undefined): CallInHand | null {
  if (!c) return null;
  return {
    callId: c.callId,
    queueId: c.queueId,
    callerNumber: c.callerNumber,
    callerName: c.callerName,
    yourClient: c.yourClient,
    answeredAt: ms(c.answeredAt),
    endedAt: ms(c.endedAt),
    note: c.note,
    heldSince: ms(c.heldSince),
    holdTimeMs: c.holdTimeMs,
    holdFailure: c.holdFailure,
    parties: c.parties.map(partyFrom),
    transfer: transferFrom(c.transfer),
    disposition: c.disposition,
    dispositions: c.dispositions.map((d) => ({ code: d.code, label: d.label || d.code })),
    dispositionRequired: c.dispositionRequired,
    callback: callbackFrom(c.callback),
  };
}

const transferStates: Record<TransferState, TransferInHand["state"]> = {
  [TransferState.UNSPECIFIED]: "",
  [TransferState.DIALING]: "dialing",
  [TransferState.CONSULTING]: "consulting",
  [TransferState.COMPLETED]: "completed",
  [TransferState.CANCELLED]: "cancelled",
  [TransferState.FAILED]: "failed",
};

function transferFrom(t: TransferPb | undefined): TransferInHand | null {
  if (!t) return null;
  return {
    from: t.fromOperatorId,
    mode: t.mode === TransferMode.WARM ? "warm" : "blind",
    toOperator: t.toOperatorId,
    toQueue: t.toQueueId,
    toNumber: t.toNumber?.target ?? "",
    state: transferStates[t.state] ?? "",
    reason: t.reason,
  };
}

export function statusFrom(s: OperatorStatus): Status {
  return {
    operatorId: s.operatorId,
    name: s.name,
    displayName: s.displayName,
    state: states[s.state] ?? "unknown",
    since: ms(s.stateSince),
    reason: s.reason,
    offer: offerFrom(s.offer),
    callId: s.callId,
    call: callInHandFrom(s.call),
    wrapUpEndsAt: ms(s.wrapUpEndsAt),
    present: s.present,
    bannedUntil: ms(s.bannedUntil),
    marks: marksFrom(s.marks),
  };
}

export function statsFrom(s: OperatorStats): Stats {
  return {
    offersReceived: s.offersReceived,
    callsAnswered: s.callsAnswered,
    offersMissed: s.offersMissed,
    averageRingTimeMs: s.averageRingTimeMs,
    talkTimeMs: Number(s.talkTimeMs),
  };
}

/** Wrong passwords given for the operator's name since his last login, as LogIn said. */
export interface FailedLogins {
  count: number;
  lastAt: number; // ms since the epoch; 0 when unknown
  lastAddress: string;
}

/** The failed logins LogIn reported; null when there were none. */
export function failedLoginsFrom(f: FailedLoginsPb | undefined): FailedLogins | null {
  if (!f || f.count === 0) return null;
  return { count: f.count, lastAt: f.lastAt ? timestampMs(f.lastAt) : 0, lastAddress: f.lastAddress };
}
