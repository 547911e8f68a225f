import { afterEach, describe, expect, it, vi } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { AddToCallRequestSchema, RemoveFromCallRequestSchema } from "@gen/tandem/assignment/v1/assignment_pb";
import { ContactKind, PartyMode, PartyState } from "@gen/tandem/common/v1/common_pb";
import { CallInHandSchema } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { conferenceApi, partyLine } from "../src/conference";
import { partyFrom } from "../src/model";

describe("conferenceApi", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("adds a contact or an operator and removes a party with AssignmentService, as the operator", async () => {
    const seen: { url: string; auth: string | null; body: Uint8Array }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      seen.push({ url: String(url), auth: new Headers(init.headers).get("Authorization"), body: new Uint8Array(init.body as ArrayBuffer) });
      return new Response(new Uint8Array(), { status: 200, headers: { "Content-Type": "application/proto" } });
    });
    const api = conferenceApi("https://tandem.example", "tk_1");
    await api.add("call_1", { kind: "pstn", target: "+14155550177" });
    await api.add("call_1", { kind: "operator", operatorId: "op_boris" });
    await api.remove("call_1", "party_3");
    expect(seen.map((s) => s.url)).toEqual([
      "https://tandem.example/tandem.assignment.v1.AssignmentService/AddToCall",
      "https://tandem.example/tandem.assignment.v1.AssignmentService/AddToCall",
      "https://tandem.example/tandem.assignment.v1.AssignmentService/RemoveFromCall",
    ]);
    expect(seen.every((s) => s.auth === "Bearer tk_1")).toBe(true);
    const contact = fromBinary(AddToCallRequestSchema, seen[0].body);
    expect(contact).toMatchObject({ callId: "call_1", operatorId: "", contact: { kind: ContactKind.PSTN, target: "+14155550177" } });
    const operator = fromBinary(AddToCallRequestSchema, seen[1].body);
    expect(operator.operatorId).toBe("op_boris");
    expect(operator.contact).toBeUndefined();
    expect(fromBinary(RemoveFromCallRequestSchema, seen[2].body)).toMatchObject({ callId: "call_1", partyId: "party_3" });
  });
});

describe("parties", () => {
  it("reads the call's parties and says each in words", () => {
    const c = create(CallInHandSchema, {
      parties: [
        { partyId: "p1", mode: PartyMode.CONFERENCE, state: PartyState.JOINED, operatorId: "op_boris" },
        { partyId: "p2", mode: PartyMode.CONFERENCE, state: PartyState.FAILED, contact: { kind: ContactKind.PSTN, target: "+14155550177" }, reason: "busy" },
        { partyId: "p3", mode: PartyMode.WHISPER, state: PartyState.JOINED, monitor: true, addedBy: "olga" },
        { partyId: "p4", mode: PartyMode.CONFERENCE, state: PartyState.DIALING, contact: { kind: ContactKind.SIP, target: "sip:x@pbx" } },
      ],
    });
    const parties = c.parties.map(partyFrom);
    expect(parties[2]).toMatchObject({ who: "a supervisor", mode: "whisper", monitor: true });
    expect(parties.map(partyLine)).toEqual(["op_boris — on the call", "+14155550177 — did not join (busy)", "a supervisor — whispering to you", "sip:x@pbx — ringing…"]);
  });
});
