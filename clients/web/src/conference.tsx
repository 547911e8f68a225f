// "Add to call" on the talk card: the operator brings a third party into the call he talks on —
// a phone number, a SIP address, a Voximplant user or a colleague (by operator id, who must be
// ready) — sees who is on the call and drops the parties he added. AssignmentService through
// the generated client; the server's refusal is shown in its own words.
import { useState } from "preact/hooks";
import { ConnectError, createClient } from "@connectrpc/connect";
import { AssignmentService } from "@gen/tandem/assignment/v1/assignment_pb";
import { ContactKind } from "@gen/tandem/common/v1/common_pb";
import { transport } from "./api";
import type { Party } from "./model";
import { t, type Key } from "./i18n/i18n";

/** What Add to call asks of the server. */
export interface ConferenceApi {
  add(callId: string, target: Target): Promise<void>;
  remove(callId: string, partyId: string): Promise<void>;
}

export type Target = { kind: "pstn" | "sip" | "user"; target: string } | { kind: "operator"; operatorId: string };

const contactKinds = { pstn: ContactKind.PSTN, sip: ContactKind.SIP, user: ContactKind.USER };

export function conferenceApi(baseUrl: string, token: string): ConferenceApi {
  const assignment = createClient(AssignmentService, transport(baseUrl, token));
  const opts = { timeoutMs: 15000 };
  return {
    async add(callId, t) {
      if (t.kind === "operator") await assignment.addToCall({ callId, operatorId: t.operatorId }, opts);
      else await assignment.addToCall({ callId, contact: { kind: contactKinds[t.kind], target: t.target } }, opts);
    },
    async remove(callId, partyId) {
      await assignment.removeFromCall({ callId, partyId }, opts);
    },
  };
}

/** A refusal in the operator's words: the server's message names the field. */
export function refusal(e: unknown): string {
  const err = ConnectError.from(e);
  return err.rawMessage || err.message;
}

const modeWords: Record<Party["mode"], Key | ""> = {
  conference: "op.party.conference",
  listen: "op.party.listen",
  whisper: "op.party.whisper",
  barge: "op.party.barge",
  unknown: "",
};
const stateWords: Record<Party["state"], Key | ""> = { dialing: "op.party.dialing", joined: "", left: "op.party.left", failed: "op.party.failed", unknown: "" };
const say = (k: Key | "") => (k ? t(k) : "");

/** One party in words, for the list. */
export function partyLine(p: Party): string {
  const state = say(stateWords[p.state]);
  const mode = p.state === "joined" ? say(modeWords[p.mode]) : "";
  return [p.who, mode, state].filter(Boolean).join(" — ") + (p.reason && p.state !== "joined" ? ` (${p.reason})` : "");
}

// transferring: a transfer of the call is under way; Tandem adds nobody meanwhile, so the form is
// not shown.
export function Conference({ api, callId, parties, transferring }: { api: ConferenceApi; callId: string; parties: Party[]; transferring: boolean }) {
  const [kind, setKind] = useState<Target["kind"]>("pstn");
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const add = async (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    if (!v) {
      setError(t("op.party.typeWhom"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      await api.add(callId, kind === "operator" ? { kind, operatorId: v } : { kind, target: v });
      setValue("");
    } catch (err) {
      setError(t("op.party.couldNotAdd", { why: refusal(err) }));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (partyId: string) => {
    setBusy(true);
    setError("");
    try {
      await api.remove(callId, partyId);
    } catch (err) {
      setError(t("op.party.couldNotRemove", { why: refusal(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="conference" data-testid="conference">
      {parties.length > 0 && (
        <ul class="parties" data-testid="parties">
          {parties.map((p) => (
            <li key={p.partyId} data-state={p.state}>
              {partyLine(p)}{" "}
              {!p.monitor && (p.state === "dialing" || p.state === "joined") && (
                <button class="link" data-testid="remove-party" disabled={busy} onClick={() => void remove(p.partyId)}>
                  {t("op.party.remove")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!transferring && (
        <form class="add-to-call" onSubmit={(e) => void add(e)}>
          <select aria-label={t("op.party.whom")} data-testid="add-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Target["kind"])}>
            <option value="pstn">{t("op.party.kindPhone")}</option>
            <option value="sip">SIP</option>
            <option value="user">{t("op.party.kindUser")}</option>
            <option value="operator">{t("op.party.kindOperator")}</option>
          </select>
          <input
            aria-label={t("op.party.target")}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "add-error" : undefined}
            data-testid="add-target"
            value={value}
            placeholder={kind === "operator" ? t("op.party.phOperator") : kind === "pstn" ? "+14155550100" : kind === "sip" ? "sip:name@pbx" : t("op.party.phUser")}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <button type="submit" data-testid="add-to-call" disabled={busy}>
            {t("op.party.add")}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert" id="add-error" data-testid="add-error">
          {error}
        </p>
      )}
    </div>
  );
}
