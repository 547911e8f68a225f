import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Desk, type DeskApi, type Failure, type WatchMessage } from "../src/desk";
import type { Offer, Stats, Status } from "../src/model";
import { createStore } from "../src/store";
import { derive, initialModel, reduce, type DeskStore, type Event } from "../src/state";
import { offer, session, status, T0 } from "./fixtures";

class Gone extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind === "taken_over" ? "taken over" : failure.message);
  }
}

/** One presence stream the test feeds by hand. */
class FakeStream {
  private queue: (WatchMessage | Error | null)[] = [];
  private wake: (() => void) | null = null;
  constructor(readonly signal: AbortSignal) {
    signal.addEventListener("abort", () => this.wake?.());
  }
  push(m: WatchMessage | Error | null) {
    this.queue.push(m);
    this.wake?.();
  }
  async *iterate(): AsyncIterable<WatchMessage> {
    for (;;) {
      if (this.signal.aborted) throw this.signal.reason ?? new Error("aborted");
      const next = this.queue.shift();
      if (next === undefined) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      if (next === null) return; // the server ended the stream
      if (next instanceof Error) throw next;
      yield next;
    }
  }
}

class FakeApi implements DeskApi {
  streams: FakeStream[] = [];
  opened: (() => void)[] = [];
  calls: string[] = [];
  ready: () => Promise<Status | null> = async () => status({ state: "ready" });
  statsResult: Stats = { offersReceived: 3, callsAnswered: 2, offersMissed: 1, averageRingTimeMs: 4200, talkTimeMs: 90000 };

  watch(signal: AbortSignal): AsyncIterable<WatchMessage> {
    const s = new FakeStream(signal);
    this.streams.push(s);
    this.opened.splice(0).forEach((f) => f());
    return s.iterate();
  }
  get last(): FakeStream {
    const s = this.streams.at(-1);
    if (!s) throw new Error("no stream opened");
    return s;
  }
  /** Resolves when the desk has opened its nth stream. */
  nthStream(n: number): Promise<FakeStream> {
    return vi.waitFor(() => {
      const s = this.streams[n - 1];
      if (!s) throw new Error(`stream ${n} not open yet`);
      return s;
    });
  }
  goReady() {
    this.calls.push("ready");
    return this.ready();
  }
  async goAway(reason: string) {
    this.calls.push(`away:${reason}`);
    return status({ state: "away", reason });
  }
  async endWrapUp(note: string) {
    this.calls.push(`done:${note}`);
    return status({ state: "ready" });
  }
  saveNote: (callId: string, note: string) => Promise<void> = async () => {};
  async setDisposition(callId: string, code: string) {
    this.calls.push(`dispose:${callId}:${code}`);
  }
  async saveCallNote(callId: string, note: string) {
    this.calls.push(`note:${callId}:${note}`);
    return this.saveNote(callId, note);
  }
  async declineOffer(offerId: string) {
    this.calls.push(`decline:${offerId}`);
  }
  async holdCall(callId: string) {
    this.calls.push(`hold:${callId}`);
  }
  async resumeCall(callId: string) {
    this.calls.push(`resume:${callId}`);
  }
  async stats() {
    this.calls.push("stats");
    return this.statsResult;
  }
  async logOut() {
    this.calls.push("logout");
  }
  classify(err: unknown): Failure {
    if (err instanceof Gone) return err.failure;
    return { kind: "transient", message: err instanceof Error ? err.message : String(err) };
  }
}

let api: FakeApi;
let store: DeskStore;
let events: Event[];
let desk: Desk;
let offers: Offer[];
let ended: string[];

function start(opts: { silenceMs?: number } = {}) {
  desk = new Desk({
    api,
    dispatch: store.dispatch,
    model: store.get,
    random: () => 0,
    now: () => Date.now(),
    onOffer: (o) => offers.push(o),
    onEnd: (why) => ended.push(why),
    ...opts,
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  api = new FakeApi();
  events = [];
  offers = [];
  ended = [];
  store = createStore(reduce(initialModel, { type: "signed_in", session }), reduce, (e) => events.push(e));
});

afterEach(() => {
  desk?.stop();
  vi.useRealTimers();
});

/** Lets the desk's promises run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("Desk", () => {
  it("goes live on the snapshot, follows changes, rings once per offer and fetches figures", async () => {
    start();
    const s = await api.nthStream(1);
    expect(store.get().conn.kind).toBe("connecting");
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await settle();
    expect(store.get().conn.kind).toBe("live");
    expect(store.get().stats?.callsAnswered).toBe(2);
    const o = offer();
    s.push({ kind: "changed", status: status({ state: "reserved", offer: o }) });
    s.push({ kind: "changed", status: status({ state: "reserved", offer: o, present: true }) });
    await settle();
    expect(offers.map((x) => x.offerId)).toEqual(["offer_1"]);
    s.push({ kind: "changed", status: status({ state: "on_call", callId: o.callId }) });
    await settle();
    expect(store.get().call?.callerName).toBe("Jane Caller");
    expect(api.calls.filter((c) => c === "stats").length).toBe(2); // the snapshot, then the answered offer
  });

  it("reconnects with backoff after a drop and resyncs from the new snapshot", async () => {
    start();
    let s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await settle();
    s.push(new Error("network error"));
    await settle();
    expect(store.get().conn).toMatchObject({ kind: "retrying", attempt: 1, retryAt: Date.now() + 500, error: "network error" });
    await vi.advanceTimersByTimeAsync(499);
    expect(api.streams.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    s = await api.nthStream(2);
    // The server is still down: the next wait is longer.
    s.push(new Error("connection refused"));
    await settle();
    expect(store.get().conn).toMatchObject({ kind: "retrying", attempt: 2, retryAt: Date.now() + 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    s = await api.nthStream(3);
    s.push({ kind: "snapshot", status: status({ state: "away", reason: "presence lost" }) });
    await settle();
    expect(store.get().conn.kind).toBe("live");
    expect(store.get().status).toMatchObject({ state: "away", reason: "presence lost" });
    // A drop after a good connection starts the backoff again from the shortest wait.
    s.push(null);
    await settle();
    expect(store.get().conn).toMatchObject({ kind: "retrying", attempt: 1, error: "the server ended the stream" });
  });

  it("gives up a silent stream and reconnects", async () => {
    start({ silenceMs: 40000 });
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await vi.advanceTimersByTimeAsync(15000);
    s.push({ kind: "keepalive", at: Date.now() });
    await vi.advanceTimersByTimeAsync(39999);
    expect(store.get().conn.kind).toBe("live");
    await vi.advanceTimersByTimeAsync(1);
    expect(store.get().conn).toMatchObject({ kind: "retrying", error: "no word from the server" });
  });

  it("retries at once when asked (network back, tab shown)", async () => {
    start();
    const s = await api.nthStream(1);
    s.push(new Error("offline"));
    await settle();
    desk.retryNow();
    await api.nthStream(2);
  });

  it("stops for good on a takeover and says so", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await settle();
    s.push(new Gone({ kind: "taken_over" }));
    await settle();
    expect(store.get().phase).toBe("taken_over");
    expect(ended).toEqual(["taken_over"]);
    await vi.advanceTimersByTimeAsync(60000);
    expect(api.streams.length).toBe(1);
  });

  it("goes back to the login form when the token is refused", async () => {
    start();
    const s = await api.nthStream(1);
    s.push(new Gone({ kind: "signed_out", message: "Your session has ended" }));
    await settle();
    expect(store.get()).toMatchObject({ phase: "login", loginNotice: "Your session has ended" });
    expect(ended).toEqual(["signed_out"]);
  });

  it("acts only while live, one action at a time", async () => {
    start();
    const s = await api.nthStream(1);
    await desk.act("ready");
    expect(api.calls).not.toContain("ready"); // not live yet
    s.push({ kind: "snapshot", status: status({ state: "away" }) });
    await settle();
    let release!: () => void;
    api.ready = () => new Promise((r) => (release = () => r(status({ state: "ready" }))));
    const first = desk.act("ready");
    await desk.act("away", "lunch"); // refused: Ready is in flight
    expect(store.get().pending).toBe("ready");
    release();
    await first;
    expect(api.calls.filter((c) => c !== "stats")).toEqual(["ready"]);
    expect(store.get().status?.state).toBe("ready");
    await desk.act("away", "lunch");
    expect(api.calls).toContain("away:lunch");
  });

  it("declines the offer on screen, and nothing when no offer is out", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await settle();
    expect(await desk.decline()).toBe("");
    expect(api.calls.filter((c) => c.startsWith("decline"))).toEqual([]);
    s.push({ kind: "changed", status: status({ state: "reserved", offer: offer({ offerId: "offer_7" }) }) });
    await settle();
    expect(derive(store.get(), Date.now()).card).toMatchObject({ kind: "offer", canDecline: true });
    expect(await desk.decline()).toBe("offer_7"); // taken: the browser phone may decline its call
    expect(api.calls).toContain("decline:offer_7");
    expect(store.get().pending).toBeNull();
  });

  it("Hold and Resume act on the call he talks on", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "on_call", callId: "call_1" }) });
    await settle();
    await desk.act("hold");
    await desk.act("resume");
    expect(api.calls.filter((c) => c !== "stats")).toEqual(["hold:call_1", "resume:call_1"]);
    expect(store.get().pending).toBeNull();
  });

  it("sets the disposition of the call in hand; a refusal naming its field shows by the picker", async () => {
    start();
    const s = await api.nthStream(1);
    const call = { callId: "call_1", queueId: "sales", callerNumber: "", callerName: "", yourClient: false, answeredAt: T0, endedAt: T0, note: "", heldSince: 0, holdTimeMs: 0, holdFailure: "", parties: [], transfer: null, disposition: "", dispositions: [{ code: "sale", label: "Sale" }], dispositionRequired: true, callback: null };
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 10000, call }) });
    await settle();
    expect(await desk.act("dispose", "sale")).toBe(true);
    expect(api.calls).toContain("dispose:call_1:sale");
    expect(store.get().pending).toBeNull();
    api.setDisposition = async () => {
      throw new Gone({ kind: "transient", message: 'code: "gone" is not one of queue sales\'s dispositions (sale)', field: "code" });
    };
    expect(await desk.act("dispose", "gone")).toBe(false);
    expect(store.get().notice).toBe("");
    expect(derive(store.get(), T0).card).toMatchObject({ kind: "wrap_up", disposition: { error: 'Disposition not saved: "gone" is not one of queue sales\'s dispositions (sale)' } });
  });

  it("sends the wrap-up note with Done", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 10000 }) });
    await settle();
    await desk.act("done", "wants a callback");
    expect(api.calls).toContain("done:wants a callback");
  });

  it("sends the typed note when the wrap-up runs out before Done", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 10000 }) });
    await settle();
    desk.typeNote("call_1", "wants a callback");
    await vi.advanceTimersByTimeAsync(500); // still typing: nothing sent yet
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual([]);
    // The server ends the wrap-up itself: the note goes at once.
    s.push({ kind: "changed", status: status({ state: "ready", since: T0 + 10000 }) });
    await settle();
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual(["note:call_1:wants a callback"]);
    expect(store.get().note).toEqual({ callId: "call_1", text: "wants a callback", saved: "wants a callback" });
    // Nothing more to send: the debounce that was pending finds it saved.
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.calls.filter((c) => c.startsWith("note:"))).toHaveLength(1);
  });

  it("saves the note after a pause in typing and when the field is left, the latest text each time", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 60000 }) });
    await settle();
    desk.typeNote("call_1", "wants");
    await vi.advanceTimersByTimeAsync(1000);
    desk.typeNote("call_1", "wants a call");
    await vi.advanceTimersByTimeAsync(1499);
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual(["note:call_1:wants a call"]);
    desk.typeNote("call_1", "wants a callback ");
    await desk.saveNote(); // the field lost focus
    await desk.saveNote(); // nothing new
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual(["note:call_1:wants a call", "note:call_1:wants a callback"]);
  });

  it("keeps a note the server refused on screen and sends it again when the stream is back", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 60000 }) });
    await settle();
    api.saveNote = async () => {
      throw new Error("cannot reach the server");
    };
    desk.typeNote("call_1", "wants a callback");
    await desk.saveNote();
    expect(store.get().notice).toMatch(/Note not saved: cannot reach the server/);
    expect(store.get().note?.text).toBe("wants a callback");
    api.saveNote = async () => {};
    s.push(new Error("network"));
    const again = await api.nthStream(2);
    again.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await vi.advanceTimersByTimeAsync(60000);
    expect(api.calls.filter((c) => c.startsWith("note:"))).toEqual(["note:call_1:wants a callback", "note:call_1:wants a callback"]);
    expect(store.get().note?.saved).toBe("wants a callback");
  });

  it("Done carries the note; when Done comes too late the note is saved on its own", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "wrap_up", callId: "call_1", wrapUpEndsAt: T0 + 10000 }) });
    await settle();
    desk.typeNote("call_1", "first");
    await desk.act("done", "first");
    expect(store.get().note?.saved).toBe("first");
    s.push({ kind: "changed", status: status({ state: "wrap_up", callId: "call_2", wrapUpEndsAt: T0 + 20000 }) });
    await settle();
    desk.typeNote("call_2", "second");
    api.endWrapUp = async (note: string) => {
      api.calls.push(`done:${note}`);
      throw new Error("operator anna is ready, not in wrap-up");
    };
    await desk.act("done", "second");
    await settle();
    expect(api.calls.filter((c) => c.startsWith("note:") || c.startsWith("done:"))).toEqual(["done:first", "done:second", "note:call_2:second"]);
    expect(api.calls).not.toContain("note:call_1:first");
  });

  it("logs out unless the server refuses (on a call)", async () => {
    start();
    const s = await api.nthStream(1);
    s.push({ kind: "snapshot", status: status({ state: "ready" }) });
    await settle();
    api.logOut = async () => {
      throw new Error("operator anna is on_call; log out after the call");
    };
    expect(await desk.logOut()).toMatch(/after the call/);
    expect(s.signal.aborted).toBe(false);
    api.logOut = async () => {};
    expect(await desk.logOut()).toBeNull();
    expect(s.signal.aborted).toBe(true);
  });
});
