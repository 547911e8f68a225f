// Monitoring a live call from the call's detail: where to ring the supervisor (his key's browser
// phone in this tab when he has one, by default; or a phone typed once and kept in this browser),
// Listen / Whisper / Barge (barge asks first), Answer when it rings in the tab, switching modes
// on the same leg, Stop; who is on the call; what the server said.
import { useContext, useEffect, useState } from "preact/hooks";
import { CallState, ContactKind, PartyMode, PartyState, type CallParty } from "@gen/tandem/common/v1/common_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { problem, unary, type Api } from "./api";
import { PhoneContext, usePhone, type KeyPhone } from "./phone";

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

/**
 * Where MonitorCall rings the supervisor: his browser phone's Voximplant user when it is ready
 * and he did not choose the typed contact; else the typed one (null: nothing typed yet).
 */
export function monitorContact(phoneUser: string, ringTyped: boolean, typed: MonitorContact): MonitorContact | null {
  if (phoneUser && !ringTyped) return { kind: "user", target: phoneUser };
  const target = typed.target.trim();
  return target ? { kind: typed.kind, target } : null;
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
  const phone: KeyPhone | null = useContext(PhoneContext);
  usePhone(phone);
  const phoneUser = phone?.user() ?? "";
  const [call, setCall] = useState<Call | null>(null);
  const [contact, setContact] = useState<MonitorContact>(() => loadMonitorContact());
  const [ringTyped, setRingTyped] = useState(false);
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
    const to = monitorContact(phoneUser, ringTyped, contact);
    if (!mon && !to) {
      setError("Type where to ring you first: your phone, SIP address or Voximplant user.");
      return;
    }
    const inBrowser = !mon && phoneUser !== "" && !ringTyped;
    setBusy(true);
    setError("");
    try {
      const c = to && { kind: kinds[to.kind], target: to.target };
      if (!mon && !inBrowser && to) saveMonitorContact(to);
      const r = await api.assignment.monitorCall({ callId, mode, contact: mon || !c ? undefined : c }, unary);
      const leg = liveMonitor(r.call ?? null);
      if (inBrowser && leg) phone?.expect(leg.partyId);
      setCall(r.call ?? call);
      setMessage(
        mon ? `Switched: you are ${modeNames[mode]}.` : inBrowser ? `Ringing you in this browser: answer to start ${modeNames[mode]}.` : `Ringing you at ${to?.target ?? ""}: answer to start ${modeNames[mode]}.`,
      );
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
      {!mon && phoneUser && (
        <p class="monitor-where" role="radiogroup" aria-label="Ring me">
          <label>
            <input type="radio" name="monitor-where" data-testid="monitor-in-browser" checked={!ringTyped} onChange={() => setRingTyped(false)} /> Ring me in this browser ({phoneUser})
          </label>{" "}
          <label>
            <input type="radio" name="monitor-where" data-testid="monitor-elsewhere" checked={ringTyped} onChange={() => setRingTyped(true)} /> elsewhere
          </label>
        </p>
      )}
      {!mon && (!phoneUser || ringTyped) && (
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
      {phone?.phone.ringing() && (
        <p class="monitor-ringing" role="status">
          Your monitoring call is ringing in this browser.{" "}
          <button class="primary" data-testid="monitor-answer" onClick={() => phone.phone.answer()}>
            Answer
          </button>
        </p>
      )}
      {mon && phone?.phone.inCall() && (
        <p class="muted" data-testid="monitor-in-call">
          You are on the monitoring call in this browser.
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
