import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorText, operatorChoices, parseNumber, requestFor, transferBlocked, transferInProgress, transferView, type TransferInHand } from "../src/transfer";
import type { Party } from "../src/model";

const warm = (state: TransferInHand["state"], reason = ""): TransferInHand => ({ from: "op-anna", mode: "warm", toOperator: "op-boris", toQueue: "", toNumber: "", state, reason });

describe("transferView", () => {
  it("offers Transfer when there is none", () => {
    expect(transferView(null)).toEqual({ text: "", failure: "", canStart: true, canComplete: false, canCancel: false });
  });
  it("warm: Cancel while it rings, Complete and Cancel while they talk, by the target's name", () => {
    const names = { "op-boris": "Boris Tester" };
    expect(transferView(warm("dialing"), names)).toMatchObject({ text: "Calling Boris Tester — the caller is on hold", canStart: false, canComplete: false, canCancel: true });
    expect(transferView(warm("consulting"), names)).toMatchObject({ text: "Talking with Boris Tester — the caller is on hold", canStart: false, canComplete: true, canCancel: true });
  });
  it("blind while it rings: nothing to press", () => {
    expect(transferView({ ...warm("dialing"), mode: "blind" })).toMatchObject({ canStart: false, canComplete: false, canCancel: false });
  });
  it("a failed transfer says why and lets him try again", () => {
    const v = transferView({ ...warm("failed", "the target did not answer: no answer in time"), toOperator: "", toQueue: "sales" }, { sales: "Sales" });
    expect(v.failure).toBe("Transfer to queue Sales failed: the target did not answer: no answer in time. The caller is with you.");
    expect(v.canStart).toBe(true);
  });
  it("cancelled: the caller is back", () => {
    expect(transferView({ ...warm("cancelled"), toOperator: "", toNumber: "+14155550100" }).text).toBe("Transfer to +14155550100 cancelled — the caller is with you");
  });
});

describe("operatorChoices", () => {
  it("puts the free first and shows the others disabled with why", () => {
    const got = operatorChoices({
      operators: [
        { id: "a", name: "anna", displayName: "", busy: "anna is on a call" },
        { id: "b", name: "boris", displayName: "Boris", busy: "" },
        { id: "g", name: "gleb", displayName: "Gleb", busy: "gleb is away" },
      ],
      queues: [],
    });
    expect(got).toEqual([
      { id: "b", label: "Boris", disabled: false },
      { id: "a", label: "anna — on a call", disabled: true },
      { id: "g", label: "Gleb — away", disabled: true },
    ]);
  });
});

describe("parseNumber and requestFor", () => {
  it("reads E.164 numbers and SIP URIs, nothing else", () => {
    expect(parseNumber(" +1 (415) 555-0100 ")).toEqual({ kind: "pstn", target: "+14155550100" });
    expect(parseNumber("sip:desk@pbx.example.com")).toEqual({ kind: "sip", target: "sip:desk@pbx.example.com" });
    expect(parseNumber("4155550100")).toBeNull();
    expect(parseNumber("boris")).toBeNull();
  });
  it("asks for what is missing", () => {
    expect(requestFor("operator", "", "")).toEqual({ error: "Pick a colleague." });
    expect(requestFor("queue", "sales", "")).toEqual({ to: { queueId: "sales" } });
    expect(requestFor("number", "", "12")).toHaveProperty("error");
    expect(requestFor("number", "", "+14155550100")).toEqual({ to: { number: { kind: "pstn", target: "+14155550100" } } });
  });
});

describe("errorText", () => {
  it("gives the server's words without the field prefix", () => {
    expect(errorText(new ConnectError("operator_id: boris is away", Code.FailedPrecondition))).toBe("boris is away");
  });
});

describe("the call card's rules during a transfer and with parties", () => {
  const party = (state: Party["state"], monitor = false): Party => ({ partyId: "pa-1", mode: monitor ? "listen" : "conference", state, who: monitor ? "a supervisor" : "+14155550177", monitor, reason: "" });
  it("a transfer is under way while it rings or they consult (Add to call hidden, Hold held back)", () => {
    expect(transferInProgress(warm("dialing"))).toBe(true);
    expect(transferInProgress(warm("consulting"))).toBe(true);
    for (const s of ["", "completed", "cancelled", "failed"] as const) expect(transferInProgress(warm(s))).toBe(false);
    expect(transferInProgress(null)).toBe(false);
  });
  it("Transfer waits, with why, while a party he added rings or is on the call; a supervisor or a party gone does not count", () => {
    expect(transferBlocked([party("joined")])).toBe("Remove +14155550177 from the call before transferring it.");
    expect(transferBlocked([party("dialing")])).toBe("Remove +14155550177 from the call before transferring it.");
    expect(transferBlocked([party("left"), party("failed"), party("joined", true)])).toBe("");
    expect(transferBlocked([])).toBe("");
  });
});
