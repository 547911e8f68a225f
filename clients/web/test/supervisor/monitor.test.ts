import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { CallSchema } from "@gen/tandem/assignment/v1/assignment_pb";
import { PartyMode, PartyState } from "@gen/tandem/common/v1/common_pb";
import { setLang } from "../../src/i18n/i18n";
import { describeParty, liveMonitor, loadMonitorContact, saveMonitorContact } from "../../src/supervisor/monitor";

function memory(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) } as unknown as Storage;
}

describe("monitor", () => {
  afterEach(() => setLang("en"));

  it("remembers the supervisor's phone; nothing kept or a broken value is an empty phone", () => {
    const s = memory();
    expect(loadMonitorContact(s)).toEqual({ kind: "pstn", target: "" });
    saveMonitorContact({ kind: "sip", target: "sip:olga@pbx.example" }, s);
    expect(loadMonitorContact(s)).toEqual({ kind: "sip", target: "sip:olga@pbx.example" });
    s.setItem("tandem.supervisor.monitorContact", "{not json");
    expect(loadMonitorContact(s)).toEqual({ kind: "pstn", target: "" });
  });

  it("finds the live monitor and says who is on the call", () => {
    const call = create(CallSchema, {
      parties: [
        { partyId: "m0", mode: PartyMode.LISTEN, state: PartyState.LEFT, monitor: true, addedBy: "olga", reason: "monitoring stopped" },
        { partyId: "p1", mode: PartyMode.CONFERENCE, state: PartyState.JOINED, operatorId: "op_boris" },
        { partyId: "m1", mode: PartyMode.BARGE, state: PartyState.JOINED, monitor: true, addedBy: "olga" },
      ],
    });
    expect(liveMonitor(call)?.partyId).toBe("m1");
    expect(call.parties.map(describeParty)).toEqual([
      "olga (supervisor) — listening, left (monitoring stopped)",
      "op_boris — added to the call, on the call",
      "olga (supervisor) — barged in, on the call",
    ]);
    expect(liveMonitor(create(CallSchema, { parties: [call.parties[0]] }))).toBeNull();
    setLang("ru");
    expect(call.parties.map(describeParty)).toEqual([
      "olga (супервизор) — слушает, отключился (monitoring stopped)",
      "op_boris — добавлен в разговор, в разговоре",
      "olga (супервизор) — вмешался в разговор, в разговоре",
    ]);
  });
});
