import { afterEach, describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { CallState, MarksSchema, OperatorState } from "@gen/tandem/common/v1/common_pb";
import { OperatorStatusSchema } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { classify, deskApi } from "../src/api";
import { statusFrom } from "../src/model";
import { session, T0 } from "./fixtures";

describe("statusFrom", () => {
  it("turns the generated message into plain values", () => {
    const s = statusFrom(
      create(OperatorStatusSchema, {
        operatorId: "op_anna",
        name: "anna",
        displayName: "Anna Petrova",
        state: OperatorState.RESERVED,
        stateSince: timestampFromMs(T0),
        offer: {
          offerId: "offer_1",
          callId: "call_1",
          queueId: "support",
          callerNumber: "+15557654321",
          callerName: "Jane",
          offeredAt: timestampFromMs(T0),
          expiresAt: timestampFromMs(T0 + 25000),
          yourClient: true,
          recentCalls: [
            { callId: "call_0", arrivedAt: timestampFromMs(T0 - 86400e3), queueId: "support", state: CallState.ABANDONED, talkTimeMs: 0 },
            { callId: "call_v", state: CallState.ENDED, exitKind: "voicemail" },
            { callId: "call_m", state: CallState.ENDED, exitKind: "message" },
            { callId: "call_a", state: CallState.ENDED },
          ],
        },
        present: true,
        marks: create(MarksSchema, { score: 72.5, scoreLostToMisses: 20, scoreLostToSlowAnswers: 7.5, answerRate: 0.8, ringTimeMs: 4000, talkTodayMs: 65000n, callsToday: 3 }),
      }),
    );
    expect(s).toMatchObject({
      state: "reserved",
      since: T0,
      present: true,
      bannedUntil: 0,
      wrapUpEndsAt: 0,
      offer: { expiresAt: T0 + 25000, yourClient: true, recentCalls: [{ outcome: "abandoned", arrivedAt: T0 - 86400e3 }, { outcome: "voicemail" }, { outcome: "exited" }, { outcome: "ended" }] },
      marks: { score: 72.5, lostToMisses: 20, lostToSlowAnswers: 7.5, talkTodayMs: 65000, callsToday: 3 },
    });
  });

  it("reads every state, and an unknown one as unknown", () => {
    const states = [OperatorState.OFFLINE, OperatorState.READY, OperatorState.ON_CALL, OperatorState.WRAP_UP, OperatorState.AWAY, OperatorState.BANNED, 99 as OperatorState];
    expect(states.map((state) => statusFrom(create(OperatorStatusSchema, { state })).state)).toEqual(["offline", "ready", "on_call", "wrap_up", "away", "banned", "unknown"]);
  });
});

describe("classify", () => {
  it("knows a takeover, a dead session and what to retry", () => {
    expect(classify(new ConnectError("taken over: this operator logged in elsewhere", Code.Aborted))).toEqual({ kind: "taken_over" });
    expect(classify(new ConnectError("unknown or revoked token", Code.Unauthenticated)).kind).toBe("signed_out");
    expect(classify(new ConnectError("logged out by a supervisor", Code.Unauthenticated))).toEqual({ kind: "signed_out", message: "A supervisor logged you out. Log in again when you are back." });
    expect(classify(new ConnectError("the server is shutting down; reconnect", Code.Unavailable))).toEqual({ kind: "transient", message: "the server is shutting down; reconnect" });
    expect(classify(new TypeError("Failed to fetch"))).toEqual({ kind: "transient", message: "cannot reach the server" });
    expect(classify(new Error("no word from the server"))).toEqual({ kind: "transient", message: "no word from the server" });
  });

  it("names the field a refusal names (google.rpc.BadRequest), keeping the server's words", () => {
    const w = new BinaryWriter();
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string("disposition");
    w.uint32((2 << 3) | 2).string("queue sales requires a disposition");
    w.join();
    const err = new ConnectError("disposition: queue sales requires a disposition", Code.FailedPrecondition);
    err.details.push({ type: "google.rpc.BadRequest", value: w.finish() });
    expect(classify(err)).toEqual({ kind: "transient", message: "disposition: queue sales requires a disposition", field: "disposition" });
  });
});

describe("deskApi", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("declines an offer with AssignmentService.DeclineOffer, as the operator", async () => {
    const seen: { url: string; auth: string | null; body: Uint8Array }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      seen.push({ url: String(url), auth: new Headers(init.headers).get("Authorization"), body: new Uint8Array(init.body as ArrayBuffer) });
      return new Response(new Uint8Array(), { status: 200, headers: { "Content-Type": "application/proto" } });
    });
    await deskApi("https://tandem.example", session).declineOffer("offer_7");
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("https://tandem.example/tandem.assignment.v1.AssignmentService/DeclineOffer");
    expect(seen[0].auth).toBe("Bearer tk_1");
    expect(new TextDecoder().decode(seen[0].body)).toContain("offer_7");
  });
});
