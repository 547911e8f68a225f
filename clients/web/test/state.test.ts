import { describe, expect, it } from "vitest";
import {
  ANSWERED_ELSEWHERE,
  callInHand,
  unsavedNote,
  derive,
  figuresChanged,
  initialModel,
  newOffer,
  reduce,
  scoreView,
  serverNow,
  startModel,
  type Event,
  type Model,
} from "../src/state";
import { noMarks } from "../src/model";
import { backoff } from "../src/reconnect";
import { offer, session, status, T0 } from "./fixtures";

function run(events: Event[], from: Model = initialModel): Model {
  return events.reduce(reduce, from);
}

const signedIn: Event = { type: "signed_in", session };
const live = (s = status(), at = T0): Event => ({ type: "snapshot", status: s, at });

describe("session and connection", () => {
  it("starts on the operator screen only with an unexpired saved session", () => {
    expect(startModel(session, T0).phase).toBe("app");
    expect(startModel({ ...session, expiresAt: T0 - 1 }, T0).phase).toBe("login");
    expect(startModel(null, T0).phase).toBe("login");
  });

  it("is live from the snapshot, and the snapshot is the truth on every reconnect", () => {
    let m = run([signedIn, { type: "connecting", attempt: 1 }]);
    expect(m.conn.kind).toBe("connecting");
    m = run([live(status({ state: "ready" })), { type: "stream_lost", attempt: 1, retryAt: T0 + 500, error: "network" }], m);
    expect(m.conn.kind).toBe("retrying");
    // While we were away the server logged him off: the snapshot says so, whatever we believed.
    m = run([{ type: "connecting", attempt: 2 }, live(status({ state: "offline", reason: "presence lost" }), T0 + 20000)], m);
    expect(m.conn).toEqual({ kind: "live", since: T0 + 20000 });
    expect(m.status?.state).toBe("offline");
  });

  it("ignores changes that arrive while not live", () => {
    const m = run([signedIn, { type: "changed", status: status({ state: "ready" }), at: T0 }]);
    expect(m.status).toBeNull();
  });

  it("a takeover ends the session in this tab; signing out forgets everything", () => {
    let m = run([signedIn, live(status({ state: "ready" })), { type: "taken_over" }]);
    expect(m.phase).toBe("taken_over");
    expect(m.session).toEqual(session);
    m = reduce(m, { type: "signed_out", notice: "Your session has ended" });
    expect(m).toMatchObject({ phase: "login", session: null, status: null, loginNotice: "Your session has ended" });
  });
});

describe("the Ready button cannot lie", () => {
  it("offers Ready when away, Away when ready", () => {
    let m = run([signedIn, live(status({ state: "away", reason: "lunch" }))]);
    expect(derive(m, T0).toggle).toMatchObject({ action: "ready", on: false });
    expect(derive(m, T0).state).toMatchObject({ label: "Away", detail: "lunch" });
    m = reduce(m, { type: "changed", status: status({ state: "ready", since: T0 + 1000 }), at: T0 + 1000 });
    expect(derive(m, T0 + 1000).toggle).toMatchObject({ action: "away", on: true, label: "Ready" });
  });

  it("a ring a colleague answered first: ready again, and the desk says why the ringing stopped", () => {
    let m = run([signedIn, live(status({ state: "reserved", offer: offer() }))]);
    expect(derive(m, T0).card).toMatchObject({ kind: "offer" });
    m = reduce(m, { type: "changed", status: status({ state: "ready", reason: ANSWERED_ELSEWHERE, since: T0 + 1000 }), at: T0 + 1000 });
    const s = derive(m, T0 + 1000);
    expect(s.card).toBeNull();
    expect(s.state).toMatchObject({ label: "Ready", detail: "A colleague answered that call first" });
    // Any other reason on a ready status is not shown.
    m = reduce(m, { type: "changed", status: status({ state: "ready", reason: "something else", since: T0 + 2000 }), at: T0 + 2000 });
    expect(derive(m, T0 + 2000).state.detail).toBe("");
  });

  it("never shows Ready while disconnected, and says calls do not reach him", () => {
    const m = run([signedIn, live(status({ state: "ready" })), { type: "stream_lost", attempt: 1, retryAt: T0 + 2000, error: "network" }]);
    const s = derive(m, T0);
    expect(s.toggle).toMatchObject({ action: null, on: false, label: "Not connected" });
    expect(s.state.stale).toBe(true);
    expect(s.state.detail).toMatch(/not receiving calls/i);
    expect(s.conn).toMatchObject({ tone: "bad", label: "Disconnected", detail: "retrying in 2 s" });
    expect(s.card).toBeNull();
  });

  it("before the first snapshot there is nothing to press", () => {
    const s = derive(run([signedIn]), T0);
    expect(s.toggle.action).toBeNull();
    expect(s.conn.tone).toBe("warn");
  });

  it("has no action on a call or while banned", () => {
    for (const state of ["reserved", "on_call", "banned"] as const) {
      const m = run([signedIn, live(status({ state, offer: state === "reserved" ? offer() : null }))]);
      expect(derive(m, T0).toggle.action).toBeNull();
    }
  });

  it("is busy while an action is in flight, and settles by the stream or the reply", () => {
    let m = run([signedIn, live(status({ state: "away" })), { type: "action_started", action: "ready" }]);
    expect(derive(m, T0).toggle.busy).toBe(true);
    m = reduce(m, { type: "changed", status: status({ state: "ready", since: T0 + 50 }), at: T0 + 60 });
    expect(m.pending).toBeNull();
    m = run([{ type: "action_started", action: "away" }, { type: "action_failed", action: "away", message: "operator anna is on_call" }], m);
    expect(m.pending).toBeNull();
    expect(m.notice).toBe("operator anna is on_call");
  });

  it("takes an action's reply only when the stream has not spoken since the action began", () => {
    let m = run([signedIn, live(status({ state: "away" }))]);
    const seq = m.seq;
    m = reduce(m, { type: "action_started", action: "ready" });
    const reply = status({ state: "ready", since: T0 + 100 });
    const taken = reduce(m, { type: "action_done", action: "ready", status: reply, seqAtStart: seq, at: T0 + 120 });
    expect(taken.status?.state).toBe("ready");
    expect(taken.pending).toBeNull();
    // The stream already showed a newer state (an offer right after Ready): the reply is older.
    const streamed = reduce(m, { type: "changed", status: status({ state: "reserved", offer: offer(), since: T0 + 110 }), at: T0 + 115 });
    const late = reduce(streamed, { type: "action_done", action: "ready", status: reply, seqAtStart: seq, at: T0 + 120 });
    expect(late.status?.state).toBe("reserved");
  });
});

describe("call card", () => {
  it("counts the ring down on the server's clock", () => {
    const m = run([signedIn, live(status({ state: "ready" })), { type: "changed", status: status({ state: "reserved", since: T0, offer: offer({ yourClient: true }) }), at: T0 + 30 }]);
    const s = derive(m, T0 + 5030);
    expect(s.card).toMatchObject({ kind: "offer", totalMs: 20000 });
    if (s.card?.kind !== "offer") throw new Error("no offer card");
    // skew sample: since − at = −30 ms, so server now = local − 30 ms
    expect(s.card.leftMs).toBe(15000);
    expect(s.card.offer.yourClient).toBe(true);
    expect(s.state.label).toBe("Incoming call");
  });

  it("keeps the caller through the talk and the wrap-up, and drops him after", () => {
    const o = offer();
    let m = run([signedIn, live(status({ state: "reserved", offer: o }))]);
    m = reduce(m, { type: "changed", status: status({ state: "on_call", callId: o.callId, since: T0 + 3000 }), at: T0 + 3000 });
    let s = derive(m, T0 + 65000);
    expect(s.card).toMatchObject({ kind: "talk", talkMs: 62000, call: { callerNumber: o.callerNumber } });
    m = reduce(m, { type: "changed", status: status({ state: "wrap_up", callId: o.callId, since: T0 + 70000, wrapUpEndsAt: T0 + 80000 }), at: T0 + 70000 });
    s = derive(m, T0 + 74000);
    expect(s.card).toMatchObject({ kind: "wrap_up", leftMs: 6000, canDone: true, call: { callerName: "Jane Caller" } });
    m = reduce(m, { type: "action_started", action: "done" });
    expect(derive(m, T0 + 74000).card).toMatchObject({ kind: "wrap_up", canDone: false });
    m = reduce(m, { type: "changed", status: status({ state: "ready", since: T0 + 74100 }), at: T0 + 74100 });
    expect(m.call).toBeNull();
    expect(m.pending).toBeNull();
    expect(derive(m, T0 + 74100).card).toBeNull();
  });

  it("after a reload on a call shows the call without details it never had", () => {
    expect(callInHand(null, status({ state: "on_call", callId: "call_9" }))).toBeNull();
    expect(callInHand(offer({ callId: "call_1" }), status({ state: "wrap_up", callId: "call_9" }))).toBeNull();
    const m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0 }))]);
    expect(derive(m, T0 + 1000).card).toMatchObject({ kind: "talk", call: null, callId: "call_9" });
  });

  it("after a reload on a call or in its wrap-up shows the caller the snapshot names, and the note kept", () => {
    const call = { callId: "call_9", queueId: "sales", callerNumber: "+15550009999", callerName: "Reload Caller", yourClient: true, answeredAt: T0 - 60000, endedAt: 0, note: "", heldSince: 0, holdTimeMs: 0, holdFailure: "", parties: [], transfer: null, disposition: "", dispositions: [], dispositionRequired: false, callback: null };
    let m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0 - 60000, call }))]);
    expect(derive(m, T0 + 1000).card).toMatchObject({ kind: "talk", callId: "call_9", call: { callerNumber: "+15550009999", callerName: "Reload Caller", queueId: "sales", yourClient: true } });
    // Reloaded again in the wrap-up, after a note was saved: the field shows it, nothing unsaved.
    m = run([signedIn, live(status({ state: "wrap_up", callId: "call_9", since: T0, wrapUpEndsAt: T0 + 30000, call: { ...call, endedAt: T0, note: "asked for a refund" } }))]);
    expect(derive(m, T0 + 1000).card).toMatchObject({ kind: "wrap_up", call: { callerNumber: "+15550009999" } });
    expect(m.note).toEqual({ callId: "call_9", text: "asked for a refund", saved: "asked for a refund" });
    expect(unsavedNote(m)).toBeNull();
    // A call the status names differently is not shown as this one.
    expect(callInHand(null, status({ state: "on_call", callId: "call_8", call }))).toBeNull();
  });

  it("keeps a note not yet saved past the end of its call, and starts the next call's note empty once it is", () => {
    let m = run([signedIn, live(status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 10000 }))]);
    m = reduce(m, { type: "note_typed", callId: "call_1", text: "callback" });
    m = reduce(m, { type: "changed", status: status({ state: "ready", since: T0 + 10000 }), at: T0 + 10000 });
    expect(unsavedNote(m)).toEqual({ callId: "call_1", text: "callback", saved: "" });
    m = reduce(m, { type: "changed", status: status({ state: "on_call", callId: "call_2", since: T0 + 20000 }), at: T0 + 20000 });
    expect(m.note?.callId).toBe("call_1"); // still unsaved: kept
    m = reduce(m, { type: "note_saved", callId: "call_1", text: "callback" });
    m = reduce(m, { type: "changed", status: status({ state: "wrap_up", callId: "call_2", since: T0 + 30000, wrapUpEndsAt: T0 + 40000 }), at: T0 + 30000 });
    expect(m.note).toEqual({ callId: "call_2", text: "", saved: "" });
  });

  it("rings once per new offer", () => {
    const o = offer();
    expect(newOffer(null, status({ state: "reserved", offer: o }))).toEqual(o);
    expect(newOffer(status({ state: "reserved", offer: o }), status({ state: "reserved", offer: o, present: false }))).toBeNull();
    expect(newOffer(status({ state: "reserved", offer: o }), status({ state: "reserved", offer: offer({ offerId: "offer_2" }) }))?.offerId).toBe("offer_2");
    expect(newOffer(status({ state: "ready" }), status({ state: "ready" }))).toBeNull();
  });
});

describe("ban and figures", () => {
  it("shows when a ban ends and why", () => {
    const m = run([signedIn, live(status({ state: "banned", reason: "banned for 5m: 3 missed calls within 1h", bannedUntil: T0 + 300000 }))]);
    expect(derive(m, T0 + 60000).ban).toEqual({ reason: "banned for 5m: 3 missed calls within 1h", until: T0 + 300000, leftMs: 240000 });
    expect(derive(m, T0).toggle.label).toBe("Banned");
  });

  it("explains the score: misses and slow answers", () => {
    // The marks as the server sends them: the score and its parts, computed together there.
    const v = scoreView({ ...noMarks, score: 70, lostToMisses: 20, lostToSlowAnswers: 10, answerRate: 0.8, ringTimeMs: 5000 });
    expect(v.missLoss).toBeCloseTo(20);
    expect(v.slowLoss).toBeCloseTo(10);
    expect(v.score + v.missLoss + v.slowLoss).toBeCloseTo(100);
    const slowest = scoreView({ ...noMarks, score: 50, lostToSlowAnswers: 50, answerRate: 1, ringTimeMs: 60000 });
    expect(slowest.slowLoss).toBeCloseTo(50);
  });

  it("shows the server's parts of the score, whatever rule made them", () => {
    // Numbers no local formula gives from this answer rate and ring time: the page must not care.
    const m = run([signedIn, live(status({ state: "ready", marks: { ...noMarks, score: 61, lostToMisses: 27, lostToSlowAnswers: 12, answerRate: 0.5, ringTimeMs: 1000 } }))]);
    expect(derive(m, T0).score).toEqual({ score: 61, missLoss: 27, slowLoss: 12, ringTimeMs: 1000, answerRate: 0.5 });
  });

  it("fetches figures again when a call or an offer ends", () => {
    expect(figuresChanged(null, status())).toBe(true);
    expect(figuresChanged(status({ state: "reserved" }), status({ state: "away" }))).toBe(true);
    expect(figuresChanged(status({ state: "on_call" }), status({ state: "wrap_up" }))).toBe(true);
    expect(figuresChanged(status({ state: "reserved" }), status({ state: "on_call" }))).toBe(true);
    expect(figuresChanged(status({ state: "ready" }), status({ state: "away" }))).toBe(false);
    expect(figuresChanged(status(), status({ marks: { ...noMarks, offersMissed: 1 } }))).toBe(true);
  });
});

describe("time", () => {
  it("estimates the server clock from keepalives and fresh changes, best (largest) sample wins", () => {
    let m = run([signedIn, live(status({ state: "away", since: T0 - 3600e3 }), T0)]);
    expect(serverNow(m, T0)).toBe(T0); // the snapshot's old times say nothing about the clock
    m = reduce(m, { type: "keepalive", serverAt: T0 + 4950, at: T0 + 1000 }); // server 4 s ahead, 50 ms delay
    m = reduce(m, { type: "keepalive", serverAt: T0 + 19900, at: T0 + 16000 }); // 100 ms delay
    expect(serverNow(m, T0 + 20000)).toBe(T0 + 23950);
    expect(derive(m, T0 + 20000).state.forMs).toBe(3600e3 + 23950);
  });

  it("backs off 0.5 s, 1 s, 2 s … up to 15 s with jitter", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((a) => backoff(a, 0))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(backoff(1, 1)).toBe(625);
    expect(backoff(9, 0.5)).toBe(16875);
  });
});

describe("hold on the call card", () => {
  const call = { callId: "call_9", queueId: "sales", callerNumber: "+15550009999", callerName: "", yourClient: false, answeredAt: T0 - 60000, endedAt: 0, note: "", heldSince: 0, holdTimeMs: 0, holdFailure: "", parties: [], transfer: null, disposition: "", dispositions: [], dispositionRequired: false, callback: null };

  it("offers Hold while they talk, and shows the held time once the caller is held", () => {
    let m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0 - 60000, call }))]);
    expect(derive(m, T0).card).toMatchObject({ kind: "talk", hold: { held: false, heldMs: 0, totalMs: 0, failure: "", busy: false } });
    m = reduce(m, { type: "action_started", action: "hold" });
    expect(derive(m, T0).card).toMatchObject({ hold: { busy: true } });
    // The stream shows the hold: the button turns to Resume and the time runs, earlier holds added.
    m = reduce(m, { type: "changed", status: status({ state: "on_call", callId: "call_9", since: T0 - 60000, call: { ...call, heldSince: T0, holdTimeMs: 15000 } }), at: T0 });
    expect(m.pending).toBeNull();
    expect(derive(m, T0 + 12000).card).toMatchObject({ hold: { held: true, heldMs: 12000, totalMs: 27000, busy: false } });
  });

  it("says why a hold the scenario refused did not happen", () => {
    const m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0, call: { ...call, holdFailure: "hold failed: the scenario did not hold: no operator" } }))]);
    expect(derive(m, T0).card).toMatchObject({ hold: { held: false, failure: "hold failed: the scenario did not hold: no operator" } });
  });

  it("holds Hold back with why while a transfer is under way (the server refuses it then)", () => {
    const transfer = { from: "op-anna", mode: "warm" as const, toOperator: "op-boris", toQueue: "", toNumber: "", state: "consulting" as const, reason: "" };
    let m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0, call: { ...call, transfer } }))]);
    expect(derive(m, T0).card).toMatchObject({ hold: { blocked: "A transfer is under way: it decides what the caller hears." } });
    m = reduce(m, { type: "changed", status: status({ state: "on_call", callId: "call_9", since: T0, call: { ...call, transfer: { ...transfer, state: "cancelled" } } }), at: T0 });
    expect(derive(m, T0).card).toMatchObject({ hold: { blocked: "" } });
  });

  it("a refused Hold leaves the button as it was with the reason", () => {
    const m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0, call })), { type: "action_started", action: "hold" }, { type: "action_failed", action: "hold", message: "call call_9 is ended" }]);
    expect(m.notice).toBe("call call_9 is ended");
    expect(derive(m, T0).card).toMatchObject({ hold: { held: false, busy: false } });
  });
});

describe("disposition in the call card", () => {
  const dispositions = [
    { code: "sale", label: "Sale made" },
    { code: "callback", label: "Call back later" },
  ];
  const call = { callId: "call_9", queueId: "sales", callerNumber: "+15550009999", callerName: "", yourClient: false, answeredAt: T0 - 60000, endedAt: T0, note: "", heldSince: 0, holdTimeMs: 0, holdFailure: "", parties: [], transfer: null, disposition: "", dispositions, dispositionRequired: true, callback: null };
  const wrapUp = (over: Partial<typeof call> = {}, endsAt = T0 + 30000) => status({ state: "wrap_up", callId: "call_9", since: T0, wrapUpEndsAt: endsAt, call: { ...call, ...over } });

  it("offers no picker when the queue has no dispositions, and Done as before", () => {
    const m = run([signedIn, live(wrapUp({ dispositions: [], dispositionRequired: false }))]);
    expect(derive(m, T0).card).toMatchObject({ kind: "wrap_up", disposition: null, canDone: true, doneBlocked: "" });
  });

  it("holds Done back with the reason until a required one is saved, and says when the wrap-up waits for it", () => {
    let m = run([signedIn, live(wrapUp())]);
    expect(derive(m, T0).card).toMatchObject({
      kind: "wrap_up",
      canDone: false,
      doneBlocked: "Choose a disposition first: this queue requires one before you are ready again.",
      kept: false,
      disposition: { callId: "call_9", options: dispositions, saved: "", required: true, busy: false, error: "" },
    });
    // The wrap-up time ran out: the server keeps him in wrap-up (no end time) until he picks one.
    m = reduce(m, { type: "changed", status: wrapUp({}, 0), at: T0 + 30000 });
    expect(derive(m, T0 + 31000).card).toMatchObject({ canDone: false, kept: true });
    // He picks one: busy while it is on its way, then Done is free once the stream shows it.
    m = reduce(m, { type: "action_started", action: "dispose" });
    expect(derive(m, T0 + 31000).card).toMatchObject({ canDone: false, disposition: { busy: true } });
    m = reduce(m, { type: "action_done", action: "dispose", status: null, seqAtStart: m.seq, at: T0 + 31000 });
    m = reduce(m, { type: "changed", status: wrapUp({ disposition: "callback" }, 0), at: T0 + 31000 });
    expect(derive(m, T0 + 31000).card).toMatchObject({ canDone: true, doneBlocked: "", kept: false, disposition: { saved: "callback", savedLabel: "Call back later", busy: false } });
  });

  it("a queue that does not require one lets Done go without it", () => {
    const m = run([signedIn, live(wrapUp({ dispositionRequired: false }))]);
    expect(derive(m, T0).card).toMatchObject({ canDone: true, doneBlocked: "", disposition: { required: false } });
  });

  it("may be picked while they talk", () => {
    const m = run([signedIn, live(status({ state: "on_call", callId: "call_9", since: T0, call: { ...call, endedAt: 0, disposition: "sale" } }))]);
    expect(derive(m, T0).card).toMatchObject({ kind: "talk", disposition: { saved: "sale", savedLabel: "Sale made" } });
  });

  it("shows the server's refusal by the picker, not as the notice, until the next action", () => {
    let m = run([signedIn, live(wrapUp()), { type: "action_started", action: "dispose" }]);
    m = reduce(m, { type: "action_failed", action: "dispose", message: 'code: "gone" is not one of queue sales\'s dispositions (sale, callback)', field: "code" });
    expect(m.notice).toBe("");
    expect(m.pending).toBeNull();
    expect(derive(m, T0).card).toMatchObject({ disposition: { error: 'Disposition not saved: "gone" is not one of queue sales\'s dispositions (sale, callback)' } });
    m = reduce(m, { type: "action_started", action: "dispose" });
    expect(derive(m, T0).card).toMatchObject({ disposition: { error: "" } });
  });

  it("a Done the server refused for want of one says so by the picker, and no more once one is saved", () => {
    let m = run([signedIn, live(wrapUp({ dispositionRequired: false })), { type: "action_started", action: "done" }]);
    m = reduce(m, { type: "action_failed", action: "done", message: "disposition: queue sales requires a disposition: set one (SetDisposition) before Done", field: "disposition" });
    expect(m.notice).toBe("");
    expect(derive(m, T0).card).toMatchObject({ disposition: { error: "This queue requires a disposition: choose one, then press Done." } });
    m = reduce(m, { type: "changed", status: wrapUp({ dispositionRequired: false, disposition: "sale" }), at: T0 });
    expect(derive(m, T0).card).toMatchObject({ disposition: { error: "" } });
  });

  it("a refusal naming the disposition with no picker to show it by stays the notice", () => {
    const m = run([signedIn, live(wrapUp({ dispositions: [], dispositionRequired: false })), { type: "action_started", action: "done" }, { type: "action_failed", action: "done", message: "disposition: queue sales requires a disposition", field: "disposition" }]);
    expect(m.notice).toBe("disposition: queue sales requires a disposition");
    expect(m.refusal).toBeNull();
  });

  it("a refusal naming another field stays the notice", () => {
    const m = run([signedIn, live(wrapUp()), { type: "action_started", action: "dispose" }, { type: "action_failed", action: "dispose", message: "call_id: call call_9 is not yours", field: "call_id" }]);
    expect(m.notice).toBe("call_id: call call_9 is not yours");
    expect(derive(m, T0).card).toMatchObject({ disposition: { error: "" } });
  });
});
