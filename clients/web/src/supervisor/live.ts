// The wallboard's live picture: one WatchWallboard stream per page. The first message is a
// snapshot that replaces everything; then only what changed (queues and operators whole, those
// gone by id); keepalives carry only the server's clock. Waits are counted up here, from the
// timestamps, against the server's clock (its `at` minus ours).
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { OperatorLive, QueueLive, WatchWallboardResponse } from "@gen/tandem/analytics/v1/analytics_pb";

export interface Board {
  queues: Map<string, QueueLive>;
  operators: Map<string, OperatorLive>;
  /** Server clock minus local clock, ms. */
  offsetMs: number;
  /** Local time of the last message. */
  heardAt: number;
}

export function ms(t: Timestamp | undefined): number {
  return t ? timestampMs(t) : 0;
}

/** The board after one message; a snapshot replaces it, changes patch a copy. */
export function applyWallboard(b: Board | null, msg: WatchWallboardResponse, localNow: number): Board | null {
  const at = ms(msg.at);
  const offsetMs = at ? at - localNow : (b?.offsetMs ?? 0);
  if (msg.snapshot || !b) {
    if (!msg.snapshot) return b; // changes before any snapshot mean nothing
    return {
      queues: new Map(msg.queues.map((q) => [q.queueId, q])),
      operators: new Map(msg.operators.map((o) => [o.operatorId, o])),
      offsetMs,
      heardAt: localNow,
    };
  }
  const changed = msg.queues.length + msg.operators.length + msg.removedQueueIds.length + msg.removedOperatorIds.length > 0;
  if (!changed) return { ...b, offsetMs, heardAt: localNow };
  const queues = new Map(b.queues);
  const operators = new Map(b.operators);
  for (const q of msg.queues) queues.set(q.queueId, q);
  for (const o of msg.operators) operators.set(o.operatorId, o);
  for (const id of msg.removedQueueIds) queues.delete(id);
  for (const id of msg.removedOperatorIds) operators.delete(id);
  return { queues, operators, offsetMs, heardAt: localNow };
}

/** The server's now, from the local clock and the board's offset. */
export function serverNow(b: Board | null, localNow: number): number {
  return localNow + (b?.offsetMs ?? 0);
}

/** How long the longest-waiting call of a queue has waited (0 when none waits). */
export function longestWaitMs(q: QueueLive, now: number): number {
  const since = ms(q.longestWaitingSince) || Math.min(...q.waiting.map((w) => ms(w.arrivedAt) || Infinity));
  return Number.isFinite(since) && since > 0 ? Math.max(0, now - since) : 0;
}

export type LiveConn = { kind: "connecting" } | { kind: "live" } | { kind: "retrying"; message: string; inMs: number } | { kind: "stopped"; message: string };

export interface LiveDeps {
  watch(signal: AbortSignal): AsyncIterable<WatchWallboardResponse>;
  onBoard(b: Board | null): void;
  onConn(c: LiveConn): void;
  now?: () => number;
  /** Reconnect waits, ms (tests shorten them). */
  backoff?: number[];
  /** Silence after which the stream counts as dead (ms). */
  silenceMs?: number;
}

/** Keeps one WatchWallboard stream open: reconnects with backoff, gives up on a refused key. */
export class LiveBoard {
  private ctrl: AbortController | null = null;
  private stopped = false;
  private attempt = 0;
  private board: Board | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly d: LiveDeps) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.ctrl?.abort();
    this.wake?.();
  }

  retryNow(): void {
    this.attempt = 0;
    this.wake?.();
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  private async loop(): Promise<void> {
    const backoff = this.d.backoff ?? [500, 1000, 2000, 5000, 10000, 15000];
    const silence = this.d.silenceMs ?? 45000;
    while (!this.stopped) {
      this.d.onConn({ kind: "connecting" });
      const ctrl = new AbortController();
      this.ctrl = ctrl;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => ctrl.abort(new Error("no word from the server")), silence);
      };
      let message = "the stream ended";
      try {
        arm();
        for await (const msg of this.d.watch(ctrl.signal)) {
          arm();
          if (msg.snapshot) {
            this.attempt = 0;
            this.d.onConn({ kind: "live" });
          }
          const next = applyWallboard(this.board, msg, this.now());
          if (next !== this.board) {
            this.board = next;
            this.d.onBoard(next);
          }
        }
      } catch (e) {
        if (this.stopped) break;
        const err = ConnectError.from(e);
        if (err.code === Code.Unauthenticated || err.code === Code.PermissionDenied) {
          this.d.onConn({ kind: "stopped", message: err.code === Code.Unauthenticated ? "the access key was refused" : "this key may not watch the wallboard" });
          break;
        }
        if (err.code === Code.Unimplemented) message = "the server has no live wallboard yet";
        else message = ctrl.signal.aborted && !this.stopped ? "no word from the server" : err.rawMessage || "cannot reach the server";
      } finally {
        clearTimeout(timer);
      }
      if (this.stopped) break;
      const base = backoff[Math.min(this.attempt, backoff.length - 1)] ?? 1000;
      this.attempt++;
      const inMs = Math.round(base * (0.8 + Math.random() * 0.4));
      this.d.onConn({ kind: "retrying", message, inMs });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, inMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
