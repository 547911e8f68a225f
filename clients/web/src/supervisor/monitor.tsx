// Monitoring a live call from the call's detail: where to ring the supervisor (his key's browser
// phone in this tab when he has one, by default; or a phone typed once and kept in this browser),
// Listen / Whisper / Barge (barge asks first), Answer when it rings in the tab, switching modes
// on the same leg, Stop; who is on the call; what the server said.
import { useContext, useEffect, useState } from "preact/hooks";
import { CallState, ContactKind, PartyMode, PartyState, type CallParty } from "@gen/tandem/common/v1/common_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { catalogWords, t, useLang, type Key } from "../i18n/i18n";
import { problem, unary, type Api } from "./api";
import { Confirm } from "./floor";
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

/** How a party is on the call, and where his leg is, in words (read in the current language). */
const modeNames = catalogWords<number>({
  [PartyMode.CONFERENCE]: "monitor.mode.conference",
  [PartyMode.LISTEN]: "monitor.mode.listen",
  [PartyMode.WHISPER]: "monitor.mode.whisper",
  [PartyMode.BARGE]: "monitor.mode.barge",
});
const stateNames = catalogWords<number>({
  [PartyState.DIALING]: "monitor.state.dialing",
  [PartyState.JOINED]: "monitor.state.joined",
  [PartyState.LEFT]: "monitor.state.left",
  [PartyState.FAILED]: "monitor.state.failed",
});
/** A leg's state as the page's data (data-state), the same in every language. */
const stateCodes: Record<number, string> = { [PartyState.DIALING]: "dialing", [PartyState.JOINED]: "joined", [PartyState.LEFT]: "left", [PartyState.FAILED]: "failed" };

/** What the supervisor starts or switches to, in words. */
type Mode = "listen" | "whisper" | "barge";
const modeOf: Record<number, Mode> = { [PartyMode.LISTEN]: "listen", [PartyMode.WHISPER]: "whisper", [PartyMode.BARGE]: "barge" };
const switched: Record<Mode, Key> = { listen: "monitor.switched.listen", whisper: "monitor.switched.whisper", barge: "monitor.switched.barge" };
const starts: Record<Mode, Key> = { listen: "monitor.start.listen", whisper: "monitor.start.whisper", barge: "monitor.start.barge" };

/** One party in words: who, how, where his leg is, and why it ended. */
export function describeParty(p: CallParty): string {
  const who = p.operatorId || p.contact?.target || t("monitor.someone");
  const by = p.monitor ? t("monitor.supervisor", { who: p.addedBy }) : who;
  const params = { who: by, mode: modeNames[p.mode] || t("monitor.mode.unknown"), state: stateNames[p.state] || t("monitor.state.unknown"), reason: p.reason };
  return t(p.reason ? "monitor.partyWhy" : "monitor.party", params);
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
 * monitors, the buttons switch the mode (no new dial) and Stop ends it. Barge asks first, inline
 * (the caller hears him). Parties are listed.
 */
export function Monitor({ api, callId }: { api: Api; callId: string }) {
  useLang();
  const phone: KeyPhone | null = useContext(PhoneContext);
  usePhone(phone);
  const phoneUser = phone?.user() ?? "";
  const [call, setCall] = useState<Call | null>(null);
  const [contact, setContact] = useState<MonitorContact>(() => loadMonitorContact());
  const [ringTyped, setRingTyped] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    setCall(null);
    setAsking(false);
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
    setAsking(false);
    const to = monitorContact(phoneUser, ringTyped, contact);
    if (!mon && !to) {
      setError(t("monitor.needContact"));
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
      const m = modeOf[mode] ?? "listen";
      setMessage(mon ? t(switched[m]) : inBrowser ? t("monitor.ringingBrowser", { mode: t(starts[m]) }) : t("monitor.ringingAt", { target: to?.target ?? "", mode: t(starts[m]) }));
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
      setMessage(t("monitor.stopped"));
    } catch (e) {
      setError(problem(e).message);
    } finally {
      setBusy(false);
    }
  };
  const mode = (m: PartyMode, label: string, id: string) => (
    <button data-testid={`monitor-${id}`} disabled={busy || mon?.mode === m} aria-pressed={mon?.mode === m} onClick={() => (m === PartyMode.BARGE ? setAsking(true) : void monitor(m))}>
      {label}
    </button>
  );
  return (
    <section class="monitor" data-testid="monitor" aria-label={t("monitor.region")}>
      <h3>{t("monitor.title")}</h3>
      {!mon && phoneUser && (
        <p class="monitor-where" role="radiogroup" aria-label={t("monitor.ringMe")}>
          <label>
            <input type="radio" name="monitor-where" data-testid="monitor-in-browser" checked={!ringTyped} onChange={() => setRingTyped(false)} /> {t("monitor.inBrowser", { user: phoneUser })}
          </label>{" "}
          <label>
            <input type="radio" name="monitor-where" data-testid="monitor-elsewhere" checked={ringTyped} onChange={() => setRingTyped(true)} /> {t("monitor.elsewhere")}
          </label>
        </p>
      )}
      {!mon && (!phoneUser || ringTyped) && (
        <p class="monitor-contact">
          <label>
            {t("monitor.ringAtLabel")}{" "}
            <select value={contact.kind} onChange={(e) => setContact({ ...contact, kind: e.currentTarget.value as MonitorContact["kind"] })}>
              <option value="pstn">{t("monitor.kind.pstn")}</option>
              <option value="sip">{t("monitor.kind.sip")}</option>
              <option value="user">{t("monitor.kind.user")}</option>
            </select>
          </label>{" "}
          <input data-testid="monitor-contact" value={contact.target} placeholder="+14155550100" onInput={(e) => setContact({ ...contact, target: e.currentTarget.value })} />
        </p>
      )}
      {phone?.phone.ringing() && (
        <p class="monitor-ringing" role="status">
          {t("monitor.ringingHere")}{" "}
          <button class="primary" data-testid="monitor-answer" onClick={() => phone.phone.answer()}>
            {t("monitor.answer")}
          </button>
        </p>
      )}
      {mon && phone?.phone.inCall() && (
        <p class="muted" data-testid="monitor-in-call">
          {t("monitor.inCall")}
        </p>
      )}
      <p class="monitor-modes">
        {mode(PartyMode.LISTEN, t("monitor.listen"), "listen")} {mode(PartyMode.WHISPER, t("monitor.whisper"), "whisper")} {mode(PartyMode.BARGE, t("monitor.barge"), "barge")}{" "}
        {mon && (
          <button data-testid="monitor-stop" disabled={busy} onClick={() => void stop()}>
            {t("monitor.stop")}
          </button>
        )}
      </p>
      {asking && <Confirm question={t("monitor.confirmBarge")} yes={t("monitor.barge")} onYes={() => void monitor(PartyMode.BARGE)} onNo={() => setAsking(false)} />}
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
        <li key={p.partyId} data-state={stateCodes[p.state] ?? "unknown"}>
          {describeParty(p)}
        </li>
      ))}
    </ul>
  );
}
