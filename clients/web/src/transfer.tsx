// The Transfer control on the talk card: the operator hands his call to a colleague, a queue or
// a number, blind or warm (consult first, then Complete or Cancel). The rules are Tandem's
// (AssignmentService.TransferCall); this file shows what may be picked and what is going on,
// and says why when something is refused or fails.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ConnectError } from "@connectrpc/connect";
import type { Party } from "./model";
import { t as tr } from "./i18n/i18n";

/** His call's transfer as the status stream shows it (CallInHand.transfer). */
export interface TransferInHand {
  from: string;
  mode: "blind" | "warm";
  toOperator: string;
  toQueue: string;
  toNumber: string;
  state: "" | "dialing" | "consulting" | "completed" | "cancelled" | "failed";
  reason: string;
}

/** A colleague as a target; busy says why a transfer to him would be refused ("" when free). */
export interface TargetOperator {
  id: string;
  name: string;
  displayName: string;
  busy: string;
}
export interface TargetQueue {
  id: string;
  name: string;
  free: number;
}
export interface Targets {
  operators: TargetOperator[];
  queues: TargetQueue[];
}

export type Mode = "blind" | "warm";
export type To = { operatorId: string } | { queueId: string } | { number: { kind: "pstn" | "sip"; target: string } };

/** What the control asks of Tandem (api.ts gives it the generated client). */
export interface TransferApi {
  targets(): Promise<Targets>;
  transfer(callId: string, to: To, mode: Mode, priority: number): Promise<void>;
  complete(callId: string): Promise<void>;
  cancel(callId: string): Promise<void>;
}

/** What the control shows of a transfer, and what the operator may press. */
export interface TransferView {
  /** The transfer in words ("" when there is none to show). */
  text: string;
  /** Why the last transfer failed ("" when it did not). */
  failure: string;
  canStart: boolean;
  canComplete: boolean;
  canCancel: boolean;
}

/** The target of t in words. */
export function targetName(t: TransferInHand, names: Record<string, string> = {}): string {
  if (t.toOperator) return names[t.toOperator] || t.toOperator;
  if (t.toQueue) return tr("op.transfer.queueName", { name: names[t.toQueue] || t.toQueue });
  return t.toNumber;
}

/** What to show of transfer t (null: none yet); names maps ids to display names. */
export function transferView(t: TransferInHand | null, names: Record<string, string> = {}): TransferView {
  const none: TransferView = { text: "", failure: "", canStart: true, canComplete: false, canCancel: false };
  if (!t) return none;
  const to = targetName(t, names);
  switch (t.state) {
    case "dialing":
      return t.mode === "warm"
        ? { text: tr("op.transfer.calling", { to }), failure: "", canStart: false, canComplete: false, canCancel: true }
        : { text: tr("op.transfer.transferring", { to }), failure: "", canStart: false, canComplete: false, canCancel: false };
    case "consulting":
      return { text: tr("op.transfer.talking", { to }), failure: "", canStart: false, canComplete: true, canCancel: true };
    case "failed":
      return { ...none, failure: tr("op.transfer.failed", { to, why: t.reason || tr("op.transfer.noReason") }) };
    case "cancelled":
      return { ...none, text: tr("op.transfer.cancelled", { to }) };
  }
  return none;
}

/** A transfer of t is under way: it decides what the caller hears, and nobody is added meanwhile. */
export function transferInProgress(t: TransferInHand | null): boolean {
  return t?.state === "dialing" || t?.state === "consulting";
}

/** Why the call cannot be transferred now ("" when it can): Tandem refuses while a party he added is on it. */
export function transferBlocked(parties: Party[]): string {
  const p = parties.find((x) => !x.monitor && (x.state === "dialing" || x.state === "joined"));
  return p ? tr("op.transfer.removeFirst", { who: p.who || tr("op.transfer.theParty") }) : "";
}

/** The colleagues to pick from, the free first; the others disabled, with why. */
export function operatorChoices(targets: Targets): { id: string; label: string; disabled: boolean }[] {
  const free = targets.operators.filter((o) => !o.busy);
  const busy = targets.operators.filter((o) => o.busy);
  return [...free, ...busy].map((o) => ({ id: o.id, label: o.busy ? `${o.displayName || o.name} — ${o.busy.replace(/^\S+ is /, "")}` : o.displayName || o.name, disabled: !!o.busy }));
}

/** A phone number (E.164) or a SIP URI typed by the operator, or null when it is neither. */
export function parseNumber(text: string): { kind: "pstn" | "sip"; target: string } | null {
  const s = text.trim().replace(/[\s()-]/g, "");
  if (/^\+[1-9][0-9]{6,14}$/.test(s)) return { kind: "pstn", target: s };
  if (/^sips?:[^@\s]+@[^@\s]+$/.test(text.trim())) return { kind: "sip", target: text.trim() };
  return null;
}

/** The request for what the form holds, or why it cannot be sent. */
export function requestFor(kind: "operator" | "queue" | "number", choice: string, number: string): { to: To } | { error: string } {
  switch (kind) {
    case "operator":
      return choice ? { to: { operatorId: choice } } : { error: tr("op.transfer.pickColleague") };
    case "queue":
      return choice ? { to: { queueId: choice } } : { error: tr("op.transfer.pickQueue") };
  }
  const n = parseNumber(number);
  return n ? { to: { number: n } } : { error: tr("op.transfer.badNumber") };
}

/** A refused request in the operator's words. */
export function errorText(e: unknown): string {
  const err = ConnectError.from(e);
  return err.rawMessage.replace(/^[a-z_]+: /, "") || tr("op.transfer.didNotGo");
}

/** The Transfer control of the call he talks on. */
export function TransferControls({ api, callId, transfer, parties }: { api: TransferApi; callId: string; transfer: TransferInHand | null; parties: Party[] }) {
  const [open, setOpen] = useState(false);
  const [targets, setTargets] = useState<Targets | null>(null);
  const [kind, setKind] = useState<"operator" | "queue" | "number">("operator");
  const [choice, setChoice] = useState("");
  const [number, setNumber] = useState("");
  const [mode, setMode] = useState<Mode>("blind");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  // The keyboard's focus: into the form when it opens, back to Transfer… when it closes.
  const opener = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLInputElement>(null);
  const [refocus, setRefocus] = useState(false);
  useEffect(() => {
    if (open) first.current?.focus();
    else if (refocus) {
      opener.current?.focus();
      setRefocus(false);
    }
  }, [open, refocus]);
  const close = () => {
    setOpen(false);
    setError("");
    setRefocus(true);
  };
  useEffect(() => {
    if (!open) return;
    let live = true;
    api.targets().then(
      (t) => live && setTargets(t),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [open, api]);
  const names: Record<string, string> = {};
  for (const o of targets?.operators ?? []) names[o.id] = o.displayName || o.name;
  for (const q of targets?.queues ?? []) names[q.id] = q.name;
  const view = transferView(transfer, names);
  const blocked = view.canStart ? transferBlocked(parties) : "";
  const run = async (fn: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    setError("");
    try {
      await fn();
      after?.();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const send = () => {
    const req = requestFor(kind, choice, number);
    if ("error" in req) {
      setError(req.error);
      return;
    }
    void run(() => api.transfer(callId, req.to, mode, 0), () => setOpen(false));
  };
  return (
    <section class="transfer" data-testid="transfer">
      {view.text && (
        <p data-testid="transfer-state" role="status">
          {view.text}
        </p>
      )}
      {view.failure && (
        <p class="error" data-testid="transfer-failure" role="alert">
          {view.failure}
        </p>
      )}
      {error && (
        <p class="error" data-testid="transfer-error" role="alert">
          {error}
        </p>
      )}
      {view.canComplete && (
        <button data-testid="transfer-complete" disabled={busy} onClick={() => void run(() => api.complete(callId))}>
          {tr("op.transfer.complete")}
        </button>
      )}
      {view.canCancel && (
        <button data-testid="transfer-cancel" disabled={busy} onClick={() => void run(() => api.cancel(callId))}>
          {tr("op.transfer.cancel")}
        </button>
      )}
      {blocked && (
        <p class="muted" data-testid="transfer-blocked">
          {blocked}
        </p>
      )}
      {view.canStart && (!open || blocked) && (
        <button ref={opener} data-testid="transfer-open" disabled={!!blocked} title={blocked} onClick={() => setOpen(true)}>
          {tr("op.transfer.open")}
        </button>
      )}
      {view.canStart && open && !blocked && (
        <div
          class="transfer-form"
          role="group"
          aria-label={tr("op.transfer.form")}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              close();
            }
          }}
        >
          <fieldset>
            <legend>{tr("op.transfer.to")}</legend>
            {(["operator", "queue", "number"] as const).map((k) => (
              <label key={k}>
                <input ref={kind === k ? first : undefined} type="radio" name="transfer-kind" data-testid={`transfer-to-${k}`} checked={kind === k} onChange={() => (setKind(k), setChoice(""))} />
                {k === "operator" ? tr("op.transfer.toColleague") : k === "queue" ? tr("op.transfer.toQueue") : tr("op.transfer.toNumber")}
              </label>
            ))}
          </fieldset>
          {kind === "operator" && (
            <select data-testid="transfer-operator" aria-label={tr("op.transfer.colleague")} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
              <option value="">{targets ? tr("op.transfer.pickColleagueOption") : tr("loading")}</option>
              {targets &&
                operatorChoices(targets).map((o) => (
                  <option key={o.id} value={o.id} disabled={o.disabled}>
                    {o.label}
                  </option>
                ))}
            </select>
          )}
          {kind === "queue" && (
            <select data-testid="transfer-queue" aria-label={tr("op.transfer.queue")} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
              <option value="">{targets ? tr("op.transfer.pickQueueOption") : tr("loading")}</option>
              {targets?.queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {tr("op.transfer.queueFree", { name: q.name, count: q.free })}
                </option>
              ))}
            </select>
          )}
          {kind === "number" && (
            <input data-testid="transfer-number" aria-label={tr("op.transfer.number")} placeholder={tr("op.transfer.numberPlaceholder")} value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          )}
          <fieldset>
            <legend>{tr("op.transfer.how")}</legend>
            <label>
              <input type="radio" name="transfer-mode" data-testid="transfer-blind" checked={mode === "blind"} onChange={() => setMode("blind")} />
              {tr("op.transfer.blind")}
            </label>
            <label>
              <input type="radio" name="transfer-mode" data-testid="transfer-warm" checked={mode === "warm"} onChange={() => setMode("warm")} />
              {tr("op.transfer.warm")}
            </label>
          </fieldset>
          <button data-testid="transfer-go" disabled={busy} onClick={send}>
            {tr("op.transfer.go")}
          </button>
          <button class="link" onClick={close}>
            {tr("close")}
          </button>
        </div>
      )}
    </section>
  );
}

/** The Transfer control for the call the operator talks on, on its own API; null otherwise. */
export function useTransfer<S extends { token: string }>(api: (session: S) => TransferApi, session: S | null, onCall: boolean, call: { callId: string; transfer: TransferInHand | null; parties: Party[] } | null) {
  const token = session?.token ?? "";
  // One API per session: a new login (a new token) makes a new one.
  const bound = useMemo(() => (session ? api(session) : null), [token]);
  if (!onCall || !call || !bound) return null;
  return <TransferControls key={call.callId} api={bound} callId={call.callId} transfer={call.transfer} parties={call.parties} />;
}
