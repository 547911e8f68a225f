// The app's state and every rule about it, as a pure reducer plus pure derivations: no DOM, no
// network, no clock of its own (times come in with the events). The presence stream and the
// buttons turn what happens into events; the views render what derive() says.
import type { CallInHand, DispositionOption, FailedLogins, Offer, Stats, Status } from "./model";
import { retryIn } from "./reconnect";
import type { Store } from "./store";
import { transferInProgress } from "./transfer";
import { t, type Key } from "./i18n/i18n";

/** A logged-in operator's session, as LogIn returned it (and localStorage keeps it). */
export interface Session {
  token: string;
  operatorId: string;
  name: string;
  expiresAt: number;
}

export type Action = "ready" | "away" | "done" | "decline" | "hold" | "resume" | "dispose";

/** The presence stream: the only thing that can make the operator routable. */
export type Conn =
  | { kind: "connecting"; attempt: number }
  | { kind: "live"; since: number }
  | { kind: "retrying"; attempt: number; retryAt: number; error: string };

export interface Model {
  /** login: the form; app: the operator screen; taken_over: another login ended this tab. */
  phase: "login" | "app" | "taken_over";
  session: Session | null;
  /** Why the login form is shown again (session expired or revoked). */
  loginNotice: string;
  /** Wrong passwords for his name since his last login, shown once after this login. */
  failedLogins: FailedLogins | null;
  conn: Conn;
  /** The operator's status as the server last said it; null before the first snapshot. */
  status: Status | null;
  /** Stream messages applied on this session; lets a late RPC reply lose to the stream. */
  seq: number;
  /** The call in hand: the offer's details, kept through the talk and the wrap-up. */
  call: Offer | null;
  pending: Action | null;
  /** A short message about the last action that failed. */
  notice: string;
  /** The server's last refusal naming a field of the call in hand (shown by that field, not as the notice). */
  refusal: Refusal | null;
  stats: Stats | null;
  /** Samples of (server clock − local clock), newest last, for countdowns on server times. */
  skew: number[];
  /** The operator's note on the call in hand (or the one just left), and what of it the server has. */
  note: NoteDraft | null;
}

/** A refusal by field: "code" (the disposition he picked) or "disposition" (Done without a required one). */
export interface Refusal {
  callId: string;
  field: string;
  message: string;
}

/** The fields the disposition picker answers for. */
const dispositionFields = new Set(["code", "disposition"]);

/** A note being written: text as typed, saved as the server last took it. */
export interface NoteDraft {
  callId: string;
  text: string;
  saved: string;
}

export type Event =
  | { type: "signed_in"; session: Session; failedLogins?: FailedLogins | null }
  | { type: "signed_out"; notice?: string }
  | { type: "taken_over" }
  | { type: "connecting"; attempt: number }
  | { type: "snapshot"; status: Status; at: number }
  | { type: "changed"; status: Status; at: number }
  | { type: "keepalive"; serverAt: number; at: number }
  | { type: "stream_lost"; attempt: number; retryAt: number; error: string }
  | { type: "action_started"; action: Action }
  | { type: "action_done"; action: Action; status: Status | null; seqAtStart: number; at: number }
  | { type: "action_failed"; action: Action; message: string; field?: string }
  | { type: "stats"; stats: Stats }
  | { type: "note_typed"; callId: string; text: string }
  | { type: "note_saved"; callId: string; text: string }
  | { type: "note_failed"; message: string }
  | { type: "dismiss_notice" }
  | { type: "dismiss_failed_logins" };

/** The operator app's store: a Model changed by reduce (createStore(model, reduce)). */
export type DeskStore = Store<Model, Event>;

export const initialModel: Model = {
  phase: "login",
  session: null,
  loginNotice: "",
  failedLogins: null,
  conn: { kind: "connecting", attempt: 0 },
  status: null,
  seq: 0,
  call: null,
  pending: null,
  refusal: null,
  notice: "",
  stats: null,
  skew: [],
  note: null,
};

/** The model at page load: straight to the operator screen when a session was saved. */
export function startModel(saved: Session | null, now: number): Model {
  if (saved && saved.expiresAt > now) return { ...initialModel, phase: "app", session: saved };
  return initialModel;
}

const skewSamples = 8;

function addSkew(skew: number[], sample: number): number[] {
  const out = [...skew, sample];
  return out.length > skewSamples ? out.slice(out.length - skewSamples) : out;
}

/**
 * The call in hand after a status: the offer while reserved; the same call's details while on
 * it and in wrap-up (kept from the offer, which also lists the caller's last calls), or what the
 * status says of it (after a reload); nothing otherwise.
 */
export function callInHand(prev: Offer | null, s: Status): Offer | null {
  if (s.offer) return s.offer;
  if (s.state !== "on_call" && s.state !== "wrap_up") return null;
  if (prev && prev.callId === s.callId) return prev;
  if (s.call && s.call.callId === s.callId) return offerFromCall(s.call);
  return null;
}

function offerFromCall(c: CallInHand): Offer {
  return {
    offerId: "",
    callId: c.callId,
    queueId: c.queueId,
    callerNumber: c.callerNumber,
    callerName: c.callerName,
    offeredAt: 0,
    expiresAt: 0,
    yourClient: c.yourClient,
    recentCalls: [],
    callback: c.callback,
  };
}

/** The id of the call the operator talks on or wraps up; "" in the other states. */
export function callIdInHand(s: Status | null): string {
  return s && (s.state === "on_call" || s.state === "wrap_up") ? s.callId : "";
}

/** The note the server does not have yet, if any. */
export function unsavedNote(m: Model): NoteDraft | null {
  return m.note && m.note.text !== m.note.saved ? m.note : null;
}

/**
 * The note after a status: a new call in hand starts one from what the server keeps of it (empty,
 * or his note before a reload); a note not yet saved stays until it is.
 */
function noteAfter(note: NoteDraft | null, s: Status): NoteDraft | null {
  const id = callIdInHand(s);
  if (!id || note?.callId === id) return note;
  if (note && note.text !== note.saved) return note;
  const kept = s.call && s.call.callId === id ? s.call.note : "";
  return { callId: id, text: kept, saved: kept };
}

function applyStatus(m: Model, s: Status, at: number, fresh: boolean): Model {
  let skew = m.skew;
  // A change that just happened carries a server time close to now: a skew sample (always at
  // most the real skew, by the network delay; the largest recent sample is the best guess).
  if (fresh && m.status && (s.state !== m.status.state || s.since !== m.status.since) && s.since > 0) {
    skew = addSkew(skew, s.since - at);
  }
  let pending = m.pending;
  if (pending && settles(pending, s)) pending = null;
  return { ...m, status: s, call: callInHand(m.call, s), skew, pending, note: noteAfter(m.note, s) };
}

/** Whether a status shows that an action took effect (or can no longer). */
function settles(a: Action, s: Status): boolean {
  switch (a) {
    case "ready":
      return s.state !== "away" && s.state !== "offline";
    case "away":
      return s.state === "away" || s.state === "reserved" || s.state === "on_call" || s.state === "banned";
    case "done":
      return s.state !== "wrap_up";
    case "decline":
      return s.state !== "reserved";
    case "hold":
      return s.state !== "on_call" || !!s.call?.heldSince || !!s.call?.holdFailure;
    case "resume":
      return s.state !== "on_call" || !s.call?.heldSince || !!s.call?.holdFailure;
    case "dispose": // the reply settles it; a call that left his hands can take none
      return s.state !== "on_call" && s.state !== "wrap_up";
  }
}

export function reduce(m: Model, e: Event): Model {
  switch (e.type) {
    case "signed_in":
      return { ...initialModel, phase: "app", session: e.session, failedLogins: e.failedLogins ?? null };
    case "signed_out":
      return { ...initialModel, loginNotice: e.notice ?? "" };
    case "taken_over":
      return { ...m, phase: "taken_over", pending: null, conn: { kind: "retrying", attempt: 0, retryAt: 0, error: t("op.takenOver") } };
    case "connecting":
      return { ...m, conn: { kind: "connecting", attempt: e.attempt } };
    case "snapshot":
      // A (re)connect: the snapshot replaces whatever we believed.
      return { ...applyStatus(m, e.status, e.at, false), conn: { kind: "live", since: e.at }, seq: m.seq + 1 };
    case "changed":
      if (m.conn.kind !== "live") return m; // not from the stream we hold
      return { ...applyStatus(m, e.status, e.at, true), seq: m.seq + 1 };
    case "keepalive":
      if (m.conn.kind !== "live") return m;
      return { ...m, skew: addSkew(m.skew, e.serverAt - e.at) };
    case "stream_lost":
      return { ...m, pending: null, conn: { kind: "retrying", attempt: e.attempt, retryAt: e.retryAt, error: e.error } };
    case "action_started":
      return { ...m, pending: e.action, notice: "", refusal: null };
    case "action_done": {
      // The reply carries the status right after the action. Take it unless the stream has
      // spoken since the action started: then the stream is as new, and stays in charge.
      let out: Model = { ...m, pending: m.pending === e.action ? null : m.pending };
      if (e.status && m.seq === e.seqAtStart && m.conn.kind === "live") {
        out = { ...applyStatus(out, e.status, e.at, false), pending: out.pending };
      }
      return out;
    }
    case "action_failed": {
      const pending = m.pending === e.action ? null : m.pending;
      // A refusal naming the disposition shows by the picker (when there is one), not as the notice.
      if (e.field && dispositionFields.has(e.field) && m.status?.callId && m.status.call?.callId === m.status.callId && m.status.call.dispositions.length > 0) {
        return { ...m, pending, refusal: { callId: m.status.callId, field: e.field, message: e.message.replace(`${e.field}: `, "") } };
      }
      return { ...m, pending, notice: e.message };
    }
    case "stats":
      return { ...m, stats: e.stats };
    case "note_typed": {
      const saved = m.note?.callId === e.callId ? m.note.saved : "";
      return { ...m, note: { callId: e.callId, text: e.text, saved } };
    }
    case "note_saved":
      if (m.note?.callId !== e.callId) return m;
      return { ...m, note: { ...m.note, saved: e.text } };
    case "note_failed":
      return { ...m, notice: t("op.note.notSaved", { why: e.message }) };
    case "dismiss_notice":
      return { ...m, notice: "" };
    case "dismiss_failed_logins":
      return { ...m, failedLogins: null };
  }
}

/** The server's clock now, from the local one. */
export function serverNow(m: Model, localNow: number): number {
  return m.skew.length ? localNow + Math.max(...m.skew) : localNow;
}

// ---- what the screen shows ----

export type Tone = "ok" | "warn" | "bad" | "idle";

export interface Toggle {
  /** What pressing it does; null: it does nothing now (the label says why). */
  action: "ready" | "away" | null;
  label: string;
  /** Whether the operator is taking calls, as far as the button may claim. */
  on: boolean;
  busy: boolean;
  hint: string;
}

export type Card =
  | { kind: "offer"; offer: Offer; leftMs: number; totalMs: number; canDecline: boolean }
  | { kind: "talk"; call: Offer | null; callId: string; talkMs: number; hold: HoldView; disposition: DispositionView | null }
  | {
      kind: "wrap_up";
      call: Offer | null;
      callId: string;
      leftMs: number;
      canDone: boolean;
      /** Why Done cannot be pressed ("" when it can or is merely busy): a required disposition is missing. */
      doneBlocked: string;
      /** The wrap-up time ran out but the queue requires a disposition: it lasts until one is set and Done. */
      kept: boolean;
      disposition: DispositionView | null;
    };

/** The disposition picker of the call in hand; null when its queue has no dispositions. */
export interface DispositionView {
  callId: string;
  options: DispositionOption[];
  /** The code the server keeps ("" when none yet). */
  saved: string;
  /** Its label, for "Saved: …". */
  savedLabel: string;
  required: boolean;
  /** A choice is on its way to the server. */
  busy: boolean;
  /** The server's refusal of the disposition (or of Done without one), in words; "" when none. */
  error: string;
}

/** The picker for call c in hand, if its queue has dispositions. */
export function dispositionView(c: CallInHand | null, pending: Action | null, refusal: Refusal | null = null): DispositionView | null {
  if (!c || c.dispositions.length === 0) return null;
  const saved = c.disposition;
  let error = "";
  if (refusal && refusal.callId === c.callId) {
    // Done refused for want of one is moot once one is saved; a refused pick stays until the next.
    if (refusal.field === "disposition") error = saved ? "" : t("op.dispo.needed");
    else error = t("op.dispo.refused", { why: refusal.message });
  }
  return {
    callId: c.callId,
    options: c.dispositions,
    saved,
    savedLabel: c.dispositions.find((d) => d.code === saved)?.label ?? saved,
    required: c.dispositionRequired,
    busy: pending === "dispose",
    error,
  };
}

/** The hold of the call he talks on: on hold or not, for how long, and what he may press. */
export interface HoldView {
  held: boolean;
  /** This hold so far (0 when not held). */
  heldMs: number;
  /** Every hold of the call, this one included. */
  totalMs: number;
  /** Why his last hold or resume did not happen; "" when it did. */
  failure: string;
  /** A hold or resume is on its way to the server: the button waits. */
  busy: boolean;
  /** Why Hold cannot be pressed now ("" when it can): the server refuses it during a transfer. */
  blocked: string;
}

export interface Screen {
  conn: { tone: Tone; label: string; detail: string };
  state: { key: string; label: string; detail: string; tone: Tone; forMs: number; stale: boolean };
  toggle: Toggle;
  card: Card | null;
  ban: { reason: string; leftMs: number; until: number } | null;
  score: ScoreView | null;
}

export interface ScoreView {
  score: number;
  /** Points lost to missed offers. */
  missLoss: number;
  /** Points lost to slow answers. */
  slowLoss: number;
  ringTimeMs: number;
  answerRate: number;
}

const stateLabels: Record<string, Key> = {
  offline: "op.state.offline",
  ready: "op.state.ready",
  reserved: "op.state.reserved",
  on_call: "op.state.on_call",
  wrap_up: "op.state.wrap_up",
  away: "op.state.away",
  banned: "op.state.banned",
  unknown: "op.state.unknown",
};

const stateTones: Record<string, Tone> = {
  offline: "idle",
  ready: "ok",
  reserved: "warn",
  on_call: "warn",
  wrap_up: "warn",
  away: "idle",
  banned: "bad",
  unknown: "idle",
};

/** The score and what lowered it, as the server computed them: the rule lives there alone. */
export function scoreView(marks: Status["marks"]): ScoreView {
  return {
    score: marks.score,
    missLoss: marks.lostToMisses,
    slowLoss: marks.lostToSlowAnswers,
    ringTimeMs: marks.ringTimeMs,
    answerRate: marks.answerRate,
  };
}

function connView(c: Conn, localNow: number): Screen["conn"] {
  switch (c.kind) {
    case "live":
      return { tone: "ok", label: t("op.conn.connected"), detail: "" };
    case "connecting":
      return { tone: "warn", label: c.attempt > 1 ? t("op.conn.reconnecting") : t("op.conn.connecting"), detail: "" };
    case "retrying":
      return { tone: "bad", label: t("op.conn.disconnected"), detail: retryIn(c.retryAt, localNow) };
  }
}

function toggleView(m: Model, live: boolean): Toggle {
  const st = m.status?.state ?? "unknown";
  const busy = m.pending === "ready" || m.pending === "away";
  if (!live || !m.status) {
    // The stream is down: the server has taken us out of routing. Never show "Ready" now.
    return { action: null, label: t("op.toggle.down"), on: false, busy: false, hint: t("op.toggle.downHint") };
  }
  switch (st) {
    case "ready":
      return { action: "away", label: t("op.toggle.ready"), on: true, busy, hint: t("op.toggle.readyHint") };
    case "away":
    case "offline":
    case "unknown":
      return { action: "ready", label: t("op.toggle.goReady"), on: false, busy, hint: t("op.toggle.goReadyHint") };
    case "wrap_up":
      return { action: "away", label: t("op.toggle.wrapUp"), on: true, busy, hint: t("op.toggle.wrapUpHint") };
    case "reserved":
      return { action: null, label: t("op.toggle.ringing"), on: true, busy: false, hint: t("op.toggle.ringingHint") };
    case "on_call":
      return { action: null, label: t("op.toggle.onCall"), on: true, busy: false, hint: t("op.toggle.onCallHint") };
    case "banned":
      return { action: null, label: t("op.toggle.banned"), on: false, busy: false, hint: t("op.toggle.bannedHint") };
  }
  return { action: null, label: "", on: false, busy: false, hint: "" };
}

/** The server's reason for an operator ready again after a colleague answered the call that
 * rang them both (OperatorStatus.reason). */
export const ANSWERED_ELSEWHERE = "another operator answered first";

export function derive(m: Model, localNow: number): Screen {
  const now = serverNow(m, localNow);
  const live = m.conn.kind === "live";
  const s = m.status;
  const key = s?.state ?? "unknown";
  let detail = "";
  if (s && (key === "away" || key === "offline") && s.reason) detail = s.reason;
  // Rung with colleagues (a ring_all queue), one of them answered first: why the ringing stopped.
  if (s && key === "ready" && s.reason === ANSWERED_ELSEWHERE) detail = t("op.state.answeredElsewhere");
  if (!live) detail = t("op.state.downDetail");
  const state = {
    key,
    label: s ? (stateLabels[key] ? t(stateLabels[key]) : key) : t("op.state.waiting"),
    detail,
    tone: live ? stateTones[key] ?? "idle" : ("idle" as Tone),
    forMs: s && s.since ? Math.max(0, now - s.since) : 0,
    stale: !live,
  };
  let card: Card | null = null;
  if (s && live) {
    if (s.state === "reserved" && s.offer) {
      const o = s.offer;
      card = { kind: "offer", offer: o, leftMs: Math.max(0, o.expiresAt - now), totalMs: Math.max(1, o.expiresAt - o.offeredAt), canDecline: m.pending === null };
    } else if (s.state === "on_call") {
      const c = s.call && s.call.callId === s.callId ? s.call : null;
      const heldMs = c && c.heldSince ? Math.max(0, now - c.heldSince) : 0;
      const hold: HoldView = {
        held: !!c?.heldSince,
        heldMs,
        totalMs: (c?.holdTimeMs ?? 0) + heldMs,
        failure: c?.holdFailure ?? "",
        busy: m.pending === "hold" || m.pending === "resume",
        blocked: transferInProgress(c?.transfer ?? null) ? t("op.hold.blockedByTransfer") : "",
      };
      card = { kind: "talk", call: m.call, callId: s.callId, talkMs: Math.max(0, now - s.since), hold, disposition: dispositionView(c, m.pending, m.refusal) };
    } else if (s.state === "wrap_up") {
      const c = s.call && s.call.callId === s.callId ? s.call : null;
      const disposition = dispositionView(c, m.pending, m.refusal);
      const missing = !!disposition && disposition.required && !disposition.saved;
      card = {
        kind: "wrap_up",
        call: m.call,
        callId: s.callId,
        leftMs: s.wrapUpEndsAt ? Math.max(0, s.wrapUpEndsAt - now) : 0,
        canDone: m.pending !== "done" && m.pending !== "dispose" && !missing,
        doneBlocked: missing ? t("op.dispo.doneBlocked") : "",
        kept: !s.wrapUpEndsAt && missing,
        disposition,
      };
    }
  }
  const ban = s && s.state === "banned" ? { reason: s.reason, until: s.bannedUntil, leftMs: s.bannedUntil ? Math.max(0, s.bannedUntil - now) : 0 } : null;
  return {
    conn: connView(m.conn, localNow),
    state,
    toggle: toggleView(m, live),
    card,
    ban,
    score: s ? scoreView(s.marks) : null,
  };
}

/** A new offer arrived with this status (ring, notify): none before, or a different one. */
export function newOffer(prev: Status | null, next: Status): Offer | null {
  if (next.state !== "reserved" || !next.offer) return null;
  if (prev?.offer && prev.offer.offerId === next.offer.offerId) return null;
  return next.offer;
}

/** When the operator's own figures are worth fetching again: an offer was answered or missed, a call ended. */
export function figuresChanged(prev: Status | null, next: Status): boolean {
  if (!prev) return true;
  const leftCall = prev.state !== next.state && (prev.state === "reserved" || prev.state === "on_call");
  return leftCall || prev.marks.callsToday !== next.marks.callsToday || prev.marks.offersMissed !== next.marks.offersMissed;
}
