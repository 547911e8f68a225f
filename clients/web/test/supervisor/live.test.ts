import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { OperatorLiveSchema, QueueLiveSchema, WaitingCallSchema, WatchWallboardResponseSchema, type WatchWallboardResponse } from "@gen/tandem/analytics/v1/analytics_pb";
import { OperatorState } from "@gen/tandem/common/v1/common_pb";
import { createStore } from "../../src/store";
import { applyWallboard, initialWall, longestWaitMs, oldestCallbackMs, reduceWall, serverNow, watchBoard, type Board, type LiveConn } from "../../src/supervisor/live";
import { queuesOf, slVerdict, sortOperators } from "../../src/supervisor/wallboard";

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const ts = timestampFromMs;

function queue(id: string, waitingSince: number[] = []) {
  return create(QueueLiveSchema, {
    queueId: id,
    name: id,
    waiting: waitingSince.map((at, i) => create(WaitingCallSchema, { callId: `call_${id}_${i}`, position: i + 1, arrivedAt: ts(at) })),
    ...(waitingSince.length ? { longestWaitingSince: ts(Math.min(...waitingSince)) } : {}),
  });
}

function op(id: string, state: OperatorState, name = id) {
  return create(OperatorLiveSchema, { operatorId: id, name, state, since: ts(T0) });
}

function msg(m: MessageInitShape<typeof WatchWallboardResponseSchema>): WatchWallboardResponse {
  return create(WatchWallboardResponseSchema, m);
}

describe("the wallboard's picture", () => {
  it("a snapshot replaces everything; changes patch; removals remove", () => {
    let b: Board | null = null;
    b = applyWallboard(b, msg({ queues: [queue("support")] }), T0); // changes before a snapshot: ignored
    expect(b).toBeNull();
    b = applyWallboard(b, msg({ snapshot: true, queues: [queue("support"), queue("sales")], operators: [op("op_a", OperatorState.READY)], at: ts(T0) }), T0);
    expect([...b!.queues.keys()]).toEqual(["support", "sales"]);
    const before = b;
    b = applyWallboard(b, msg({ queues: [queue("support", [T0 - 5000])], operators: [op("op_b", OperatorState.AWAY)], removedQueueIds: ["sales"], at: ts(T0 + 1000) }), T0 + 1000);
    expect(b).not.toBe(before);
    expect(before!.queues.get("support")!.waiting).toHaveLength(0); // the old picture is not touched
    expect([...b!.queues.keys()]).toEqual(["support"]);
    expect(b!.queues.get("support")!.waiting).toHaveLength(1);
    expect([...b!.operators.keys()]).toEqual(["op_a", "op_b"]);
    b = applyWallboard(b, msg({ removedOperatorIds: ["op_a"] }), T0 + 2000);
    expect([...b!.operators.keys()]).toEqual(["op_b"]);
    // A later snapshot starts over.
    b = applyWallboard(b, msg({ snapshot: true, queues: [queue("vip")] }), T0 + 3000);
    expect([...b!.queues.keys()]).toEqual(["vip"]);
    expect(b!.operators.size).toBe(0);
  });

  it("counts waits up on the server's clock, not ours", () => {
    // The server is 30 s ahead of this browser.
    let b = applyWallboard(null, msg({ snapshot: true, queues: [queue("support", [T0 + 20000, T0 + 25000])], at: ts(T0 + 30000) }), T0);
    expect(b!.offsetMs).toBe(30000);
    const q = b!.queues.get("support")!;
    expect(longestWaitMs(q, serverNow(b, T0))).toBe(10000);
    expect(longestWaitMs(q, serverNow(b, T0 + 7000))).toBe(17000);
    // A keepalive (only `at`) moves the offset and nothing else.
    const queues = b!.queues;
    b = applyWallboard(b, msg({ at: ts(T0 + 31000) }), T0 + 2000);
    expect(b!.offsetMs).toBe(29000);
    expect(b!.queues).toBe(queues);
    expect(longestWaitMs(queue("empty"), T0)).toBe(0);
  });

  it("counts the oldest callback's wait apart from the callers'", () => {
    const q = queue("support", [T0 + 20000]);
    expect(oldestCallbackMs(q, T0 + 30000)).toBe(0);
    q.callbacksWaiting = 2;
    q.oldestCallbackSince = ts(T0);
    expect(oldestCallbackMs(q, T0 + 30000)).toBe(30000);
    expect(longestWaitMs(q, T0 + 30000)).toBe(10000);
  });

  it("tells the service level against the queue's target", () => {
    const q = queue("support");
    expect(slVerdict(q)).toBe("none");
    q.today = create(QueueLiveSchema, { today: { serviceLevel: 0.8 } }).today;
    expect(slVerdict(q)).toBe("met");
    q.serviceLevelRule = create(QueueLiveSchema, { serviceLevelRule: { targetPercent: 90, thresholdS: 20 } }).serviceLevelRule;
    expect(slVerdict(q)).toBe("missed");
  });

  it("watches the queues the URL names, or all", () => {
    expect(queuesOf("")).toEqual([]);
    expect(queuesOf("support, sales,")).toEqual(["support", "sales"]);
  });

  it("orders the operator grid: ringing and talking first, then free, then away and offline", () => {
    const sorted = sortOperators([op("1", OperatorState.OFFLINE, "zed"), op("2", OperatorState.READY, "bob"), op("3", OperatorState.ON_CALL, "amy"), op("4", OperatorState.READY, "abe"), op("5", OperatorState.RESERVED, "kim")]);
    expect(sorted.map((o) => o.name)).toEqual(["kim", "amy", "abe", "bob", "zed"]);
  });
});

/** A fake server: each watch() plays the next script. */
function fakeWatch(scripts: ((signal: AbortSignal) => AsyncIterable<WatchWallboardResponse>)[]) {
  let n = 0;
  return {
    calls: () => n,
    watch(signal: AbortSignal) {
      const s = scripts[Math.min(n, scripts.length - 1)]!;
      n++;
      return s(signal);
    },
  };
}

/** The wallboard's store, and every connection state it went through. */
function wallStore() {
  const conns: LiveConn[] = [];
  const store = createStore(initialWall, reduceWall, (_e, w) => {
    if (w.conn !== conns.at(-1)) conns.push(w.conn);
  });
  return { store, conns };
}

function until(pred: () => boolean, ms = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (pred()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - start > ms) {
        clearInterval(t);
        reject(new Error("timed out"));
      }
    }, 2);
  });
}

describe("the wallboard's one stream", () => {
  it("goes live on the snapshot, reconnects after a drop and takes the new snapshot", async () => {
    const { store, conns } = wallStore();
    const server = fakeWatch([
      async function* () {
        yield msg({ snapshot: true, queues: [queue("support")], at: ts(T0) });
        yield msg({ queues: [queue("support", [T0])] });
        throw new ConnectError("connection reset", Code.Unavailable);
      },
      async function* (signal) {
        yield msg({ snapshot: true, queues: [queue("support", [T0, T0 + 1])], at: ts(T0) });
        await new Promise((r) => signal.addEventListener("abort", r));
      },
    ]);
    const live = watchBoard({ watch: server.watch, dispatch: store.dispatch, random: () => 0, now: () => T0 });
    await until(() => server.calls() === 2 && store.get().board?.queues.get("support")?.waiting.length === 2);
    expect(conns.map((c) => c.kind)).toEqual(["connecting", "live", "retrying", "connecting", "live"]);
    expect(conns[2]).toMatchObject({ kind: "retrying", message: "connection reset" });
    live.stop();
  });

  it("stops for a refused key instead of hammering the server", async () => {
    const { store, conns } = wallStore();
    const server = fakeWatch([
      async function* () {
        throw new ConnectError("bad key", Code.Unauthenticated);
      },
    ]);
    watchBoard({ watch: server.watch, dispatch: store.dispatch, random: () => 0 });
    await until(() => conns.some((c) => c.kind === "stopped"));
    await new Promise((r) => setTimeout(r, 20));
    expect(server.calls()).toBe(1);
    expect(conns.at(-1)).toEqual({ kind: "stopped", message: "the access key was refused" });
  });

  it("treats silence as a dead stream", async () => {
    const { store, conns } = wallStore();
    const server = fakeWatch([
      async function* (signal) {
        yield msg({ snapshot: true, at: ts(T0) });
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(new ConnectError("aborted", Code.Canceled))));
      },
    ]);
    const live = watchBoard({ watch: server.watch, dispatch: store.dispatch, silenceMs: 20 });
    await until(() => conns.some((c) => c.kind === "retrying"));
    expect(conns.find((c) => c.kind === "retrying")).toMatchObject({ message: "no word from the server" });
    live.stop();
  });
});
