// The wallboard's live picture: one WatchWallboard stream per page, kept open by the app's one
// reconnect loop (../reconnect.ts) and reduced into the app's kind of store (../store.ts). The first message is a
// snapshot that replaces everything; then only what changed (queues and operators whole, those
// gone by id); keepalives carry only the server's clock. Waits are counted up here, from the
// timestamps, against the server's clock (its `at` minus ours).
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Alert, OperatorLive, QueueLive, WatchWallboardResponse } from "@gen/tandem/analytics/v1/analytics_pb";
import { t } from "../i18n/i18n";
import { StreamLoop } from "../reconnect";

export interface Board {
  queues: Map<string, QueueLive>;
  operators: Map<string, OperatorLive>;
  /** The open alerts, newest first: the whole list comes whenever it changed. */
  alerts: Alert[];
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
      alerts: msg.alerts,
      offsetMs,
      heardAt: localNow,
    };
  }
  const alerts = msg.alertsChanged ? msg.alerts : b.alerts;
  const changed = msg.queues.length + msg.operators.length + msg.removedQueueIds.length + msg.removedOperatorIds.length > 0;
  if (!changed) return { ...b, alerts, offsetMs, heardAt: localNow };
  const queues = new Map(b.queues);
  const operators = new Map(b.operators);
  for (const q of msg.queues) queues.set(q.queueId, q);
  for (const o of msg.operators) operators.set(o.operatorId, o);
  for (const id of msg.removedQueueIds) queues.delete(id);
  for (const id of msg.removedOperatorIds) operators.delete(id);
  return { queues, operators, alerts, offsetMs, heardAt: localNow };
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

/** How long the oldest callback in a queue's line has waited, from its caller's arrival (0 when none waits). */
export function oldestCallbackMs(q: QueueLive, now: number): number {
  const since = q.callbacksWaiting ? ms(q.oldestCallbackSince) : 0;
  return since > 0 ? Math.max(0, now - since) : 0;
}

export type LiveConn = { kind: "connecting" } | { kind: "live" } | { kind: "retrying"; message: string; retryAt: number } | { kind: "stopped"; message: string };

/** What the wallboard page shows: the picture and the stream it comes from. */
export interface Wall {
  board: Board | null;
  conn: LiveConn;
}

export type WallEvent =
  | { type: "connecting" }
  | { type: "message"; msg: WatchWallboardResponse; at: number }
  | { type: "retrying"; message: string; retryAt: number }
  | { type: "stopped"; message: string };

export const initialWall: Wall = { board: null, conn: { kind: "connecting" } };

/** The wallboard's reducer (for createStore): a snapshot makes the stream live. */
export function reduceWall(w: Wall, e: WallEvent): Wall {
  switch (e.type) {
    case "connecting":
      return { ...w, conn: { kind: "connecting" } };
    case "message": {
      const board = applyWallboard(w.board, e.msg, e.at);
      const conn: LiveConn = e.msg.snapshot && w.conn.kind !== "live" ? { kind: "live" } : w.conn;
      return board === w.board && conn === w.conn ? w : { board, conn };
    }
    case "retrying":
      return { ...w, conn: { kind: "retrying", message: e.message, retryAt: e.retryAt } };
    case "stopped":
      return { ...w, conn: { kind: "stopped", message: e.message } };
  }
}

export interface WatchBoardOptions {
  watch(signal: AbortSignal): AsyncIterable<WatchWallboardResponse>;
  dispatch(e: WallEvent): void;
  now?: () => number;
  random?: () => number;
  /** Silence after which the stream counts as dead (ms). */
  silenceMs?: number;
}

/** Keeps one WatchWallboard stream open (the app's reconnect loop); stops for a refused key. */
export function watchBoard(o: WatchBoardOptions): StreamLoop<WatchWallboardResponse> {
  const now = o.now ?? (() => Date.now());
  return new StreamLoop<WatchWallboardResponse>({
    open: o.watch,
    onConnecting: () => o.dispatch({ type: "connecting" }),
    onMessage(msg) {
      o.dispatch({ type: "message", msg, at: now() });
      return msg.snapshot;
    },
    onEnded(e) {
      const err = ConnectError.from(e);
      if (err.code === Code.Unauthenticated || err.code === Code.PermissionDenied) {
        o.dispatch({ type: "stopped", message: err.code === Code.Unauthenticated ? t("words.live.keyRefused") : t("words.live.notAllowed") });
        return null;
      }
      if (err.code === Code.Unimplemented) return t("words.live.unimplemented");
      return err.rawMessage || t("words.live.unreachable");
    },
    onRetrying: (_attempt, retryAt, message) => o.dispatch({ type: "retrying", message, retryAt }),
    now,
    random: o.random,
    silenceMs: o.silenceMs ?? 45000,
  });
}
