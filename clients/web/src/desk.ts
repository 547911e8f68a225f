// The desk keeps one presence stream open for this tab (on the app's one reconnect loop,
// reconnect.ts) and carries out the operator's actions. It takes the snapshot that every
// (re)connect starts with as the truth. It knows the API only through DeskApi, so tests drive it
// with a fake server; api.ts gives it the generated Connect client.
import { StreamLoop } from "./reconnect";
import { callIdInHand, figuresChanged, newOffer, unsavedNote, type Action, type Event, type Model } from "./state";
import type { Offer, Stats, Status } from "./model";
import { t } from "./i18n/i18n";

export type WatchMessage =
  | { kind: "snapshot"; status: Status }
  | { kind: "changed"; status: Status }
  | { kind: "keepalive"; at: number };

/** How a failed call ended, for what the desk does next. */
export type Failure =
  | { kind: "taken_over" } // another login took this operator's session (ABORTED)
  | { kind: "signed_out"; message: string } // the token is no longer good
  | { kind: "transient"; message: string; field?: string }; // network, restart, a refusal (naming the field at fault, if it did): try again

export interface DeskApi {
  watch(signal: AbortSignal): AsyncIterable<WatchMessage>;
  goReady(): Promise<Status | null>;
  goAway(reason: string): Promise<Status | null>;
  endWrapUp(note: string): Promise<Status | null>;
  saveCallNote(callId: string, note: string): Promise<void>;
  /** OperatorPresenceService.SetDisposition on the call in hand: the stream then shows it. */
  setDisposition(callId: string, code: string): Promise<void>;
  /** Says no to the offer out to this operator: the call goes to the next one. */
  declineOffer(offerId: string): Promise<void>;
  /** AssignmentService.HoldCall / ResumeCall: the stream then shows the hold. */
  holdCall(callId: string): Promise<void>;
  resumeCall(callId: string): Promise<void>;
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
  /** Save a note this long after the last keystroke. */
  noteDebounceMs?: number;
  onOffer?: (o: Offer) => void;
  /** The session ended here for good: taken over or signed out. */
  onEnd?: (why: "taken_over" | "signed_out") => void;
}

export class Desk {
  private readonly o: Required<Omit<DeskOptions, "onOffer" | "onEnd">> & Pick<DeskOptions, "onOffer" | "onEnd">;
  private stopped = false;
  private readonly stream: StreamLoop<WatchMessage>;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private statsInFlight = false;
  private noteTimer: ReturnType<typeof setTimeout> | null = null;
  private noteInFlight = false;
  /** Resolves when the stream loop has ended (after stop(), a takeover or a sign-out). */
  readonly done: Promise<void>;

  constructor(opts: DeskOptions) {
    this.o = {
      now: () => Date.now(),
      random: Math.random,
      silenceMs: 40000,
      statsEveryMs: 60000,
      noteDebounceMs: 1500,
      ...opts,
    };
    this.stream = new StreamLoop<WatchMessage>({
      open: (signal) => this.o.api.watch(signal),
      onConnecting: (attempt) => this.o.dispatch({ type: "connecting", attempt }),
      onMessage: (msg) => {
        const at = this.o.now();
        if (msg.kind === "keepalive") {
          this.o.dispatch({ type: "keepalive", serverAt: msg.at, at });
          return false;
        }
        this.onStatus(msg.kind, msg.status, at);
        return msg.kind === "snapshot";
      },
      onEnded: (err) => {
        const f = this.o.api.classify(err);
        if (f.kind === "transient") return f.message;
        if (f.kind === "taken_over") this.end("taken_over");
        else this.end("signed_out", f.message);
        return null;
      },
      onRetrying: (attempt, retryAt, error) => this.o.dispatch({ type: "stream_lost", attempt, retryAt, error }),
      now: this.o.now,
      random: this.o.random,
      silenceMs: this.o.silenceMs,
    });
    this.done = this.stream.done;
  }

  /** Stops the stream for good (log out, the operator screen closed). */
  stop(): void {
    this.stopped = true;
    this.stream.stop();
    if (this.statsTimer) clearTimeout(this.statsTimer);
    if (this.noteTimer) clearTimeout(this.noteTimer);
  }

  /** Reconnects now instead of waiting out the backoff (the network came back, tab shown). */
  retryNow(): void {
    this.stream.retryNow();
  }

  private end(why: "taken_over" | "signed_out", message = ""): void {
    this.stop();
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
    // The call left his hands (the wrap-up ran out, or ended elsewhere), or the stream is back:
    // what he typed goes to the server now, not at the next keystroke that will never come.
    const left = callIdInHand(prev) !== "" && callIdInHand(prev) !== callIdInHand(status);
    if (left || kind === "snapshot") void this.saveNote();
  }

  /** The operator typed in the note of a call: saved after a pause in typing (or sooner). */
  typeNote(callId: string, text: string): void {
    this.o.dispatch({ type: "note_typed", callId, text });
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => void this.saveNote(), this.o.noteDebounceMs);
  }

  /**
   * Saves the note the server does not have yet (SaveCallNote keeps the latest): after a pause
   * in typing, when the field loses focus, when the call leaves his hands. A failure that a retry
   * may fix is tried again at the next of those; the note stays on screen meanwhile.
   */
  async saveNote(): Promise<void> {
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.noteTimer = null;
    const draft = unsavedNote(this.o.model());
    if (!draft || this.noteInFlight || this.stopped) return;
    this.noteInFlight = true;
    try {
      await this.o.api.saveCallNote(draft.callId, draft.text.trim());
      this.o.dispatch({ type: "note_saved", callId: draft.callId, text: draft.text });
    } catch (e) {
      const f = this.o.api.classify(e);
      if (f.kind === "signed_out") {
        this.end("signed_out", f.message);
        return;
      }
      this.o.dispatch({ type: "note_failed", message: f.kind === "transient" ? f.message : t("op.takenOver") });
      return;
    } finally {
      this.noteInFlight = false;
    }
    // Typed on while it was being saved: save the rest too.
    if (unsavedNote(this.o.model())) void this.saveNote();
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
   * buttons are disabled then, and the server would not route calls to us anyway. True when the
   * server took it.
   */
  async act(action: Action, arg = ""): Promise<boolean> {
    const m = this.o.model();
    if (this.stopped || m.pending || m.conn.kind !== "live") return false;
    this.o.dispatch({ type: "action_started", action });
    const seqAtStart = m.seq;
    try {
      let status: Status | null;
      if (action === "ready") status = await this.o.api.goReady();
      else if (action === "away") status = await this.o.api.goAway(arg || "break");
      else if (action === "decline") {
        // The reply has his state, not his whole status: the stream brings that.
        await this.o.api.declineOffer(arg);
        status = null;
      } else if (action === "dispose") {
        // The call in hand (talked on or wrapped up); the stream brings the disposition.
        await this.o.api.setDisposition(m.status?.callId ?? "", arg);
        status = null;
      } else if (action === "hold" || action === "resume") {
        // The call he talks on; the stream brings the hold (or its failure) right after.
        const callId = m.status?.callId ?? "";
        await (action === "hold" ? this.o.api.holdCall(callId) : this.o.api.resumeCall(callId));
        status = null;
      } else {
        if (this.noteTimer) clearTimeout(this.noteTimer);
        status = await this.o.api.endWrapUp(arg);
      }
      // Done carried the note: the server has it.
      if (action === "done" && m.note && arg && m.note.text.trim() === arg) this.o.dispatch({ type: "note_saved", callId: m.note.callId, text: m.note.text });
      this.o.dispatch({ type: "action_done", action, status, seqAtStart, at: this.o.now() });
      return true;
    } catch (e) {
      const f = this.o.api.classify(e);
      if (f.kind === "signed_out") {
        this.end("signed_out", f.message);
        return false;
      }
      this.o.dispatch(f.kind === "transient" ? { type: "action_failed", action, message: f.message, field: f.field } : { type: "action_failed", action, message: t("op.takenOver") });
      // Done came too late (the wrap-up ran out meanwhile): the note still goes on its own.
      if (action === "done") void this.saveNote();
      return false;
    }
  }

  /**
   * Declines the offer on screen, if one is. Returns its id once the server took the decline
   * ("" otherwise): only then may the browser phone decline its call (a 603 before it would
   * count as a miss).
   */
  async decline(): Promise<string> {
    const offer = this.o.model().status?.offer;
    if (offer && this.o.model().status?.state === "reserved" && (await this.act("decline", offer.offerId))) return offer.offerId;
    return "";
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
