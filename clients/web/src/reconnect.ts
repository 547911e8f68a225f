// The one reconnect loop of the app: it keeps one server stream open, the operator's presence
// (desk.ts) or the supervisor's wallboard (supervisor/live.ts). Every (re)connect starts with a
// snapshot, so the loop never replays anything: it opens the stream again after a drop, waiting
// 0.5 s, 1 s, 2 s … up to 15 s, and counts a stream silent for too long as dead (the server sends
// keepalives). What a message means and which failures are final is the caller's business.
import { t } from "./i18n/i18n";

/** Reconnect delays: 0.5 s, 1 s, 2 s … up to 15 s, each with up to 25 % jitter (random 0..1). */
export function backoff(attempt: number, random: number): number {
  const base = Math.min(15000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.25 * random));
}

/** "retrying in 3 s" until retryAt (local clock), then "retrying…". */
export function retryIn(retryAt: number, localNow: number): string {
  const s = Math.max(0, Math.ceil((retryAt - localNow) / 1000));
  return s > 0 ? t("op.conn.retryIn", { s }) : t("op.conn.retrying");
}

export interface StreamLoopOptions<M> {
  /** Opens the stream; the loop aborts signal to give it up. */
  open(signal: AbortSignal): AsyncIterable<M>;
  /** Opening the stream, attempt 1 first and after every stream that got its snapshot. */
  onConnecting(attempt: number): void;
  /** One message. Returns true for a snapshot: the connection is good, the backoff starts over. */
  onMessage(msg: M): boolean;
  /**
   * The stream ended: err is what it failed with (the silence, the server's error, or its end).
   * Returns why, to retry after the backoff; null stops the loop for good (a refused credential).
   */
  onEnded(err: unknown): string | null;
  /** Waiting until retryAt (local clock) before opening the stream again. */
  onRetrying(attempt: number, retryAt: number, message: string): void;
  now?: () => number;
  random?: () => number;
  /** A stream silent for this long is dead (ms). */
  silenceMs: number;
}

export class StreamLoop<M> {
  private stopped = false;
  private stream: AbortController | null = null;
  private wake: (() => void) | null = null;
  /** Resolves when the loop has ended: stop(), or onEnded said so. */
  readonly done: Promise<void>;

  constructor(private readonly o: StreamLoopOptions<M>) {
    this.done = this.run();
  }

  /** Ends the stream and the loop for good. */
  stop(): void {
    this.stopped = true;
    this.stream?.abort();
    this.wake?.();
  }

  /** Opens the stream now instead of waiting out the backoff (network back, tab shown, a click). */
  retryNow(): void {
    this.wake?.();
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      attempt++;
      this.o.onConnecting(attempt);
      const ctrl = new AbortController();
      this.stream = ctrl;
      let silence: ReturnType<typeof setTimeout> | undefined;
      const listen = () => {
        clearTimeout(silence);
        silence = setTimeout(() => ctrl.abort(new Error(t("words.stream.silent"))), this.o.silenceMs);
      };
      let err: unknown = new Error(t("words.stream.ended"));
      try {
        listen();
        for await (const msg of this.o.open(ctrl.signal)) {
          listen();
          if (this.o.onMessage(msg)) attempt = 0;
        }
      } catch (e) {
        err = e;
      } finally {
        clearTimeout(silence);
      }
      if (this.stopped) return;
      const message = this.o.onEnded(ctrl.signal.aborted && ctrl.signal.reason instanceof Error ? ctrl.signal.reason : err);
      if (message === null || this.stopped) {
        this.stopped = true;
        return;
      }
      attempt = Math.max(1, attempt);
      const delay = backoff(attempt, this.o.random?.() ?? Math.random());
      this.o.onRetrying(attempt, this.now() + delay, message);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
