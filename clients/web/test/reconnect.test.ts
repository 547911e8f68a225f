import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { retryIn, StreamLoop } from "../src/reconnect";

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

type Msg = { snapshot: boolean; n: number };

/** A server whose streams the test drives: each open() gets the next stream. */
class FakeServer {
  streams: { signal: AbortSignal; push: (m: Msg | Error | null) => void }[] = [];
  open = (signal: AbortSignal): AsyncIterable<Msg> => {
    const queue: (Msg | Error | null)[] = [];
    let wake: (() => void) | null = null;
    signal.addEventListener("abort", () => wake?.());
    this.streams.push({
      signal,
      push: (m) => {
        queue.push(m);
        wake?.();
      },
    });
    return (async function* () {
      for (;;) {
        if (signal.aborted) throw signal.reason ?? new Error("aborted");
        const next = queue.shift();
        if (next === undefined) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        if (next === null) return;
        if (next instanceof Error) throw next;
        yield next;
      }
    })();
  };
  get last() {
    const s = this.streams.at(-1);
    if (!s) throw new Error("no stream opened");
    return s;
  }
}

let server: FakeServer;
let log: string[];
let ended: unknown[];
let loop: StreamLoop<Msg>;
/** What onEnded answers: a message to retry with, or null to stop. */
let verdict: (err: unknown) => string | null;

function start(silenceMs = 40000) {
  loop = new StreamLoop<Msg>({
    open: server.open,
    onConnecting: (attempt) => log.push(`connecting ${attempt}`),
    onMessage: (m) => {
      log.push(`message ${m.n}`);
      return m.snapshot;
    },
    onEnded: (err) => {
      ended.push(err);
      return verdict(err);
    },
    onRetrying: (attempt, retryAt, message) => log.push(`retrying ${attempt} in ${retryAt - Date.now()} ms: ${message}`),
    now: () => Date.now(),
    random: () => 0,
    silenceMs,
  });
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  server = new FakeServer();
  log = [];
  ended = [];
  verdict = (err) => (err instanceof Error ? err.message : String(err));
});

afterEach(() => {
  loop?.stop();
  vi.useRealTimers();
});

describe("the reconnect loop", () => {
  it("backs off 0.5 s, 1 s, 2 s while the server is down, and starts over after a snapshot", async () => {
    start();
    await settle();
    server.last.push(new Error("refused"));
    await settle();
    await vi.advanceTimersByTimeAsync(499);
    expect(server.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.streams).toHaveLength(2);
    server.last.push(new Error("refused"));
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    server.last.push(new Error("refused"));
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    server.last.push({ snapshot: true, n: 1 });
    server.last.push({ snapshot: false, n: 2 });
    server.last.push(new Error("reset"));
    await settle();
    expect(log).toEqual([
      "connecting 1",
      "retrying 1 in 500 ms: refused",
      "connecting 2",
      "retrying 2 in 1000 ms: refused",
      "connecting 3",
      "retrying 3 in 2000 ms: refused",
      "connecting 4",
      "message 1",
      "message 2",
      "retrying 1 in 500 ms: reset",
    ]);
  });

  it("never waits more than 15 s (plus jitter)", async () => {
    start();
    for (let i = 0; i < 8; i++) {
      await settle();
      server.last.push(new Error("down"));
      await settle();
      await vi.advanceTimersByTimeAsync(15000);
    }
    expect(log.filter((l) => l.startsWith("retrying")).map((l) => Number(/in (\d+) ms/.exec(l)?.[1]))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });

  it("gives up a silent stream: keepalives hold it, silence ends it", async () => {
    start(40000);
    await settle();
    server.last.push({ snapshot: true, n: 1 });
    await vi.advanceTimersByTimeAsync(39999);
    server.last.push({ snapshot: false, n: 2 }); // a keepalive, as far as the loop cares
    await vi.advanceTimersByTimeAsync(39999);
    expect(server.last.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.streams[0]!.signal.aborted).toBe(true);
    expect((ended[0] as Error).message).toBe("no word from the server");
    expect(log.at(-1)).toBe("retrying 1 in 500 ms: no word from the server");
  });

  it("tells a stream the server ended from one that failed", async () => {
    start();
    await settle();
    server.last.push(null);
    await settle();
    expect((ended[0] as Error).message).toBe("the server ended the stream");
  });

  it("stops for good when the caller says the failure is final", async () => {
    verdict = () => null;
    start();
    await settle();
    server.last.push(new Error("bad key"));
    await loop.done;
    await vi.advanceTimersByTimeAsync(60000);
    expect(server.streams).toHaveLength(1);
    expect(log).toEqual(["connecting 1"]);
  });

  it("reconnects at once when asked, and not at all once stopped", async () => {
    start();
    await settle();
    server.last.push(new Error("offline"));
    await settle();
    loop.retryNow();
    await settle();
    expect(server.streams).toHaveLength(2);
    loop.stop();
    await loop.done;
    expect(server.streams[1]!.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(60000);
    expect(server.streams).toHaveLength(2);
    expect(ended).toHaveLength(1); // a stop is not a failure
  });
});

describe("retry labels", () => {
  it("count down whole seconds to the retry, then say it is under way", () => {
    expect(retryIn(T0 + 2000, T0)).toBe("retrying in 2 s");
    expect(retryIn(T0 + 2000, T0 + 1001)).toBe("retrying in 1 s");
    expect(retryIn(T0 + 2000, T0 + 2000)).toBe("retrying…");
    expect(retryIn(T0, T0 + 500)).toBe("retrying…");
  });
});
