// The desk keeps one presence stream open for this tab and carries out the operator's actions.
// It reconnects with backoff after any drop and takes the snapshot that every (re)connect
// starts with as the truth. It knows the API only through DeskApi, so tests drive it with a
// fake server; api.ts gives it the generated Connect client.
import { backoff, figuresChanged, newOffer, type Action, type Event, type Model } from "./state";
import type { Offer, Stats, Status } from "./model";

export type WatchMessage =
  | { kind: "snapshot"; status: Status }
  | { kind: "changed"; status: Status }
  | { kind: "keepalive"; at: number };

/** How a failed call ended, for what the desk does next. */
export type Failure =
  | { kind: "taken_over" } // another login took this operator's session (ABORTED)
  | { kind: "signed_out"; message: string } // the token is no longer good
  | { kind: "transient"; message: string }; // network, restart, anything else: try again

export interface DeskApi {
  watch(signal: AbortSignal): AsyncIterable<WatchMessage>;
  goReady(): Promise<Status | null>;
  goAway(reason: string): Promise<Status | null>;
  endWrapUp(note: string): Promise<Status | null>;
  stats(): Promise<Stats | null>;
  logOut(): Promise<void>;
  classify(err: unknown): Failure;
}

export interface DeskOptions {
  api: DeskApi;
  dispatch: (e: Event) => void;
  model: () => Model;
  now?: () => number;
  random?: () => number;
  /** A stream silent for this long is dead (the server sends a keepalive every 15 s). */
  silenceMs?: number;
  /** Fetch the own figures again at least this often. */
  statsEveryMs?: number;
  onOffer?: (o: Offer) => void;
  /** The session ended here for good: taken over or signed out. */
  onEnd?: (why: "taken_over" | "signed_out") => void;
}

export class Desk {
  private readonly o: Required<Omit<DeskOptions, "onOffer" | "onEnd">> & Pick<DeskOptions, "onOffer" | "onEnd">;
  private stopped = false;
  private stream: AbortController | null = null;
  private wake: (() => void) | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private statsInFlight = false;
  /** Resolves when the stream loop has ended (after stop(), a takeover or a sign-out). */
  readonly done: Promise<void>;

  constructor(opts: DeskOptions) {
    this.o = {
      now: () => Date.now(),
      random: Math.random,
      silenceMs: 40000,
      statsEveryMs: 60000,
      ...opts,
    };
    this.done = this.run();
  }

  /** Stops the stream for good (log out, page unload). */
  stop(): void {
    this.stopped = true;
    this.stream?.abort();
    this.wake?.();
    if (this.statsTimer) clearTimeout(this.statsTimer);
  }

  /** Reconnects now instead of waiting out the backoff (the network came back, tab shown). */
  retryNow(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      attempt++;
      this.o.dispatch({ type: "connecting", attempt });
      const ctrl = new AbortController();
      this.stream = ctrl;
      let silence: ReturnType<typeof setTimeout> | undefined;
      const listen = () => {
        clearTimeout(silence);
        silence = setTimeout(() => ctrl.abort(new Error("no word from the server")), this.o.silenceMs);
      };
      let err: unknown = new Error("the server ended the stream");
      try {
        listen();
        for await (const msg of this.o.api.watch(ctrl.signal)) {
          listen();
          const at = this.o.now();
          if (msg.kind === "keepalive") {
            this.o.dispatch({ type: "keepalive", serverAt: msg.at, at });
            continue;
          }
          if (msg.kind === "snapshot") attempt = 0;
          this.onStatus(msg.kind, msg.status, at);
        }
      } catch (e) {
        err = e;
      } finally {
        clearTimeout(silence);
      }
      if (this.stopped) return;
      const f = this.o.api.classify(ctrl.signal.aborted && ctrl.signal.reason instanceof Error ? ctrl.signal.reason : err);
      if (f.kind === "taken_over") {
        this.end("taken_over");
        return;
      }
      if (f.kind === "signed_out") {
        this.end("signed_out", f.message);
        return;
      }
      attempt = Math.max(1, attempt);
      const delay = backoff(attempt, this.o.random());
      this.o.dispatch({ type: "stream_lost", attempt, retryAt: this.o.now() + delay, error: f.message });
      await this.sleep(delay);
    }
  }

  private end(why: "taken_over" | "signed_out", message = ""): void {
    this.stopped = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    if (why === "taken_over") this.o.dispatch({ type: "taken_over" });
    else this.o.dispatch({ type: "signed_out", notice: message });
    this.o.onEnd?.(why);
  }

  private onStatus(kind: "snapshot" | "changed", status: Status, at: number): void {
    const prev = this.o.model().status;
    this.o.dispatch({ type: kind, status, at });
    const offer = newOffer(prev, status);
    if (offer) this.o.onOffer?.(offer);
    if (kind === "snapshot" || figuresChanged(prev, status)) void this.refreshStats();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** Fetches the operator's own figures for today, and again every statsEveryMs. */
  async refreshStats(): Promise<void> {
    if (this.statsInFlight || this.stopped) return;
    this.statsInFlight = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    try {
      const stats = await this.o.api.stats();
      if (stats && !this.stopped) this.o.dispatch({ type: "stats", stats });
    } catch {
      // Figures are a nicety: the next change or the timer tries again.
    } finally {
      this.statsInFlight = false;
      if (!this.stopped) this.statsTimer = setTimeout(() => void this.refreshStats(), this.o.statsEveryMs);
    }
  }

  /**
   * Carries out an action. Refused while another is in flight or the stream is down: the
   * buttons are disabled then, and the server would not route calls to us anyway.
   */
  async act(action: Action, arg = ""): Promise<void> {
    const m = this.o.model();
    if (this.stopped || m.pending || m.conn.kind !== "live") return;
    this.o.dispatch({ type: "action_started", action });
    const seqAtStart = m.seq;
    try {
      let status: Status | null;
      if (action === "ready") status = await this.o.api.goReady();
      else if (action === "away") status = await this.o.api.goAway(arg || "break");
      else status = await this.o.api.endWrapUp(arg);
      this.o.dispatch({ type: "action_done", action, status, seqAtStart, at: this.o.now() });
    } catch (e) {
      const f = this.o.api.classify(e);
      if (f.kind === "signed_out") {
        this.stream?.abort();
        this.end("signed_out", f.message);
        return;
      }
      this.o.dispatch({ type: "action_failed", action, message: f.kind === "transient" ? f.message : "taken over" });
    }
  }

  /**
   * Logs out: the server takes the operator offline and the stream ends here. Returns why it
   * could not (on a call, server unreachable), or null when done.
   */
  async logOut(): Promise<string | null> {
    try {
      await this.o.api.logOut();
    } catch (e) {
      const f = this.o.api.classify(e);
      if (f.kind === "transient") return f.message;
    }
    this.stop();
    return null;
  }
}
