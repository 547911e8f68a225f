#!/usr/bin/env node
// An operator's app without a browser: it logs in, keeps the operator's WatchOperator stream
// open (while it is open he is "present" and may be routed calls), presses Ready, prints every
// offer as it comes and every change of state, and with --end-wrap-up ends each wrap-up at once
// (the *Done* button). Ctrl-C logs out. Built on Tandem's generated TypeScript client (gen/ts)
// over @connectrpc/connect-node.
//
//   node dist/src/operator.js --url http://localhost:8080 --name anna --password demo-password [--end-wrap-up] [--note TEXT]
//
// --url, --name and --password default to $TANDEM_URL, $TANDEM_OPERATOR and $TANDEM_PASSWORD.

import { parseArgs } from "node:util";
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { OperatorState } from "./gen/tandem/common/v1/common_pb";
import { OperatorPresenceService, type OperatorStatus } from "./gen/tandem/operatorpresence/v1/operatorpresence_pb";

export interface Options {
  url: string;
  name: string;
  password: string;
  /** End every wrap-up as soon as it starts, with this note. */
  endWrapUp: boolean;
  note: string;
  /** Where the lines go (console.log by default). */
  print?: (line: string) => void;
  /** Aborting it logs out and ends run(). */
  signal?: AbortSignal;
}

/** The operator's states in words. */
const STATE: Record<OperatorState, string> = {
  [OperatorState.UNSPECIFIED]: "unknown",
  [OperatorState.OFFLINE]: "offline",
  [OperatorState.READY]: "ready",
  [OperatorState.RESERVED]: "reserved",
  [OperatorState.ON_CALL]: "on call",
  [OperatorState.WRAP_UP]: "wrap-up",
  [OperatorState.AWAY]: "away",
  [OperatorState.BANNED]: "banned",
};

const clock = (t: Timestamp | undefined) => (t ? timestampDate(t).toISOString().slice(11, 19) + "Z" : "?");
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/** One line about an offer: who calls, from which queue, until when it rings. */
export function describeOffer(st: OperatorStatus): string {
  const o = st.offer!;
  const caller = o.callerNumber || "an unknown number";
  const name = o.callerName ? ` (${o.callerName})` : "";
  const past = o.recentCalls.length ? `; ${o.recentCalls.length} earlier call(s), last in ${o.recentCalls[0].queueId}` : "";
  const client = o.yourClient ? "; your client" : "";
  return `offer ${o.offerId}: call ${o.callId} from ${caller}${name} in queue ${o.queueId}, rings until ${clock(o.expiresAt)}${past}${client}`;
}

/** One line about a state. */
export function describeState(st: OperatorStatus): string {
  let s = `state: ${STATE[st.state] ?? st.state}`;
  if (st.reason) s += ` (${st.reason})`;
  if (st.state === OperatorState.ON_CALL && st.callId) s += ` (${st.callId})`;
  if (st.state === OperatorState.WRAP_UP && st.wrapUpEndsAt) s += ` until ${clock(st.wrapUpEndsAt)}`;
  if (st.state === OperatorState.BANNED && st.bannedUntil) s += ` until ${clock(st.bannedUntil)}`;
  return s;
}

/**
 * Runs the app until opts.signal aborts (then it logs out) or the server ends the session
 * (another login took it over, or the token was refused): then it throws.
 */
export async function run(opts: Options): Promise<void> {
  const print = opts.print ?? ((line: string) => console.log(line));
  let token = "";
  // Every request but LogIn carries the session token.
  const auth: Interceptor = (next) => async (req) => {
    if (token) req.header.set("Authorization", `Bearer ${token}`);
    return next(req);
  };
  // Connect over HTTP/1.1 works through any proxy; "2" also works against Tandem (h2c or TLS).
  const transport = createConnectTransport({ baseUrl: opts.url, httpVersion: "1.1", interceptors: [auth] });
  const presence: Client<typeof OperatorPresenceService> = createClient(OperatorPresenceService, transport);

  const login = await presence.logIn({ name: opts.name, password: opts.password });
  token = login.token;
  print(`logged in as ${opts.name} (${login.operatorId}), session until ${clock(login.expiresAt)}`);

  let pressedReady = false;
  let lastOffer = "";
  let lastLine = "";
  let delay = 500;
  const show = (st: OperatorStatus) => {
    if (st.state === OperatorState.RESERVED && st.offer && st.offer.offerId !== lastOffer) {
      lastOffer = st.offer.offerId;
      print(describeOffer(st));
    }
    const line = describeState(st);
    if (line !== lastLine) print((lastLine = line));
  };

  while (!opts.signal?.aborted) {
    // One stream per app: its first message is the full status, then a status per change and
    // a keepalive every 15 s. Aborting the request closes it.
    const stream = new AbortController();
    const stop = () => stream.abort();
    opts.signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const res of presence.watchOperator({}, { signal: stream.signal })) {
        delay = 500;
        if (res.event.case === "keepalive" || res.event.case === undefined) continue;
        const st = res.event.value;
        show(st);
        if (res.event.case === "snapshot" && !pressedReady) {
          // Ready once the stream is open: only present operators are routed calls.
          pressedReady = true;
          // The stream reports the change; the reply's status is not printed, as the stream may
          // have said something newer meanwhile.
          if (st.state === OperatorState.OFFLINE || st.state === OperatorState.AWAY) await presence.goReady({});
        }
        if (opts.endWrapUp && st.state === OperatorState.WRAP_UP) {
          try {
            await presence.endWrapUp({ note: opts.note });
            print(`wrap-up ended${opts.note ? `: "${opts.note}"` : ""}`);
          } catch (err) {
            // The wrap-up may have ended by itself meanwhile: failed_precondition.
            print(`end wrap-up: ${ConnectError.from(err).message}`);
          }
        }
      }
    } catch (err) {
      const e = ConnectError.from(err);
      if (opts.signal?.aborted) break;
      if (e.code === Code.Aborted || e.code === Code.Unauthenticated) {
        // Aborted: a login elsewhere took the session over; unauthenticated: the token was
        // refused (logged out, new password, dismissed, expired). Reconnecting would not help.
        throw e;
      }
      print(`stream lost (${e.message}); reconnecting in ${delay} ms`);
    } finally {
      opts.signal?.removeEventListener("abort", stop);
    }
    if (opts.signal?.aborted) break;
    // The server ended the stream or the network failed: reconnect with backoff. Tandem keeps
    // the operator's state for 10 s; after that he is offline and must press Ready again.
    await sleep(delay * (0.8 + Math.random() * 0.4), opts.signal);
    delay = Math.min(delay * 2, 15000);
    pressedReady = false;
  }
  await presence.logOut({}).catch(() => undefined);
  print("logged out");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: process.env.TANDEM_URL || "http://127.0.0.1:8080" },
      name: { type: "string", default: process.env.TANDEM_OPERATOR || "" },
      password: { type: "string", default: process.env.TANDEM_PASSWORD || "" },
      "end-wrap-up": { type: "boolean", default: false },
      note: { type: "string", default: "" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !values.name || !values.password) {
    (values.help ? console.log : console.error)(
      "usage: operator-node --url URL --name NAME --password PASSWORD [--end-wrap-up] [--note TEXT]\n" +
        "  (env TANDEM_URL, TANDEM_OPERATOR, TANDEM_PASSWORD)",
    );
    return values.help ? 0 : 2;
  }
  const quit = new AbortController();
  process.once("SIGINT", () => quit.abort());
  process.once("SIGTERM", () => quit.abort());
  try {
    await run({
      url: values.url!.replace(/\/+$/, ""),
      name: values.name,
      password: values.password,
      endWrapUp: values["end-wrap-up"]!,
      note: values.note!,
      signal: quit.signal,
    });
    return 0;
  } catch (err) {
    const e = ConnectError.from(err);
    // e.message reads "[code] message", e.g. "[unauthenticated] wrong name or password".
    console.error(`operator-node: ${e.message}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
