// Monitoring a live call from the call's detail: the supervisor's phone (typed once, kept in
// this browser), Listen / Whisper / Barge (barge asks first), switching modes on the same leg,
// Stop; who is on the call; what the server said.
import { useEffect, useState } from "preact/hooks";
import { CallState, ContactKind, PartyMode, PartyState, type CallParty } from "@gen/tandem/common/v1/common_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { problem, unary, type Api } from "./api";

const contactKey = "tandem.supervisor.monitorContact";

export interface MonitorContact {
  kind: "pstn" | "sip" | "user";
  target: string;
}

const kinds: Record<MonitorContact["kind"], ContactKind> = { pstn: ContactKind.PSTN, sip: ContactKind.SIP, user: ContactKind.USER };

/** The contact the supervisor last rang himself at, from localStorage. */
export function loadMonitorContact(store: Pick<Storage, "getItem"> = localStorage): MonitorContact {
  try {
    const v = JSON.parse(store.getItem(contactKey) ?? "") as Partial<MonitorContact>;
    if ((v.kind === "pstn" || v.kind === "sip" || v.kind === "user") && typeof v.target === "string") return { kind: v.kind, target: v.target };
  } catch {
    // nothing kept yet
  }
  return { kind: "pstn", target: "" };
}

export function saveMonitorContact(c: MonitorContact, store: Pick<Storage, "setItem"> = localStorage) {
  store.setItem(contactKey, JSON.stringify(c));
}

const modeNames: Record<number, string> = {
  [PartyMode.CONFERENCE]: "added to the call",
  [PartyMode.LISTEN]: "listening",
  [PartyMode.WHISPER]: "whispering to the operator",
  [PartyMode.BARGE]: "barged in",
};
const stateNames: Record<number, string> = {
  [PartyState.DIALING]: "ringing",
  [PartyState.JOINED]: "on the call",
  [PartyState.LEFT]: "left",
  [PartyState.FAILED]: "failed",
};

/** One party in words: who, how, where his leg is, and why it ended. */
export function describeParty(p: CallParty): string {
  const who = p.operatorId || p.contact?.target || "someone";
  const by = p.monitor ? `${p.addedBy} (supervisor)` : who;
  return `${by} — ${modeNames[p.mode] ?? "on the call"}, ${stateNames[p.state] ?? "?"}${p.reason ? ` (${p.reason})` : ""}`;
}

/** The call's live monitoring leg, if any. */
export function liveMonitor(call: Call | null): CallParty | null {
  return call?.parties.find((p) => p.monitor && (p.state === PartyState.DIALING || p.state === PartyState.JOINED)) ?? null;
}

/**
 * Monitor: on a connected call, Listen / Whisper / Barge with the supervisor's phone; once he
 * monitors, the buttons switch the mode (no new dial) and Stop ends it. Parties are listed.
 */
export function Monitor({ api, callId, confirm = (q) => window.confirm(q) }: { api: Api; callId: string; confirm?: (question: string) => boolean }) {
  const [call, setCall] = useState<Call | null>(null);
  const [contact, setContact] = useState<MonitorContact>(() => loadMonitorContact());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    setCall(null);
    setMessage("");
    setError("");
    const load = () =>
      api.assignment.getCall({ callId }, unary).then(
        (r) => setCall(r.call ?? null),
        () => undefined,
      );
    void load();
    const t = setInterval(load, 3000); // the legs move at the cloud's pace
    return () => clearInterval(t);
  }, [api, callId]);
  if (!call || call.state !== CallState.CONNECTED) {
    return call && call.parties.length > 0 ? <Parties parties={call.parties} /> : null;
  }
  const mon = liveMonitor(call);
  const monitor = async (mode: PartyMode) => {
    if (mode === PartyMode.BARGE && !confirm("Barge in? The caller and the operator will both hear you.")) return;
    if (!mon && !contact.target.trim()) {
      setError("Type where to ring you first: your phone, SIP address or Voximplant user.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      const c = { kind: kinds[contact.kind], target: contact.target.trim() };
      if (!mon) saveMonitorContact({ kind: contact.kind, target: c.target });
      const r = await api.assignment.monitorCall({ callId, mode, contact: mon ? undefined : c }, unary);
      setCall(r.call ?? call);
      setMessage(mon ? `Switched: you are ${modeNames[mode]}.` : `Ringing you at ${c.target}: answer to start ${modeNames[mode]}.`);
    } catch (e) {
      setError(problem(e).message);
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setBusy(true);
    setError("");
    try {
      const r = await api.assignment.stopMonitor({ callId }, unary);
      setCall(r.call ?? call);
      setMessage("Monitoring stopped.");
    } catch (e) {
      setError(problem(e).message);
    } finally {
      setBusy(false);
    }
  };
  const mode = (m: PartyMode, label: string, id: string) => (
    <button data-testid={`monitor-${id}`} disabled={busy || mon?.mode === m} aria-pressed={mon?.mode === m} onClick={() => void monitor(m)}>
      {label}
    </button>
  );
  return (
    <section class="monitor" data-testid="monitor" aria-label="Monitor this call">
      <h3>Monitor</h3>
      {!mon && (
        <p class="monitor-contact">
          <label>
            Ring me at{" "}
            <select value={contact.kind} onChange={(e) => setContact({ ...contact, kind: e.currentTarget.value as MonitorContact["kind"] })}>
              <option value="pstn">phone</option>
              <option value="sip">SIP</option>
              <option value="user">Voximplant user</option>
            </select>
          </label>{" "}
          <input data-testid="monitor-contact" value={contact.target} placeholder="+14155550100" onInput={(e) => setContact({ ...contact, target: e.currentTarget.value })} />
        </p>
      )}
      <p class="monitor-modes">
        {mode(PartyMode.LISTEN, "Listen", "listen")} {mode(PartyMode.WHISPER, "Whisper", "whisper")} {mode(PartyMode.BARGE, "Barge", "barge")}{" "}
        {mon && (
          <button data-testid="monitor-stop" disabled={busy} onClick={() => void stop()}>
            Stop
          </button>
        )}
      </p>
      {message && (
        <p class="muted" role="status" data-testid="monitor-message">
          {message}
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="monitor-error">
          {error}
        </p>
      )}
      <Parties parties={call.parties} />
    </section>
  );
}

function Parties({ parties }: { parties: CallParty[] }) {
  if (parties.length === 0) return null;
  return (
    <ul class="parties" data-testid="parties">
      {parties.map((p) => (
        <li key={p.partyId} data-state={stateNames[p.state]}>
          {describeParty(p)}
        </li>
      ))}
    </ul>
  );
}
