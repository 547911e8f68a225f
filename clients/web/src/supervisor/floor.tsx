// The supervisor's hands on the floor: on an operator's page, Set away (with a reason), Log out,
// Lift ban and his queues and levels (live, AdminService.UpdateOperator); on a call's page,
// Withdraw offer, Requeue, Move to queue… and its priority (AssignmentService.RequeueCall). An
// action that disturbs a call asks first, inline (a real button, Escape or Cancel to keep things
// as they are); each shows what came of it, the new state or the server's words with the field,
// without reloading. A button that does not apply now is disabled, with the reason beside it.
// A callback (a virtual call) reads "Callback to +1… (attempt n)", with the voicemail it answers.
// Every word comes from the catalogs (../i18n: floor.*), in English or Russian.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { QueueSkill } from "@gen/tandem/admin/v1/admin_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { CallState, OfferState } from "@gen/tandem/common/v1/common_pb";
import type { OperatorStatus } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { awayReasonLabel } from "../format";
import { t, useLang } from "../i18n/i18n";
import { problem, unary, type Api, type Problem, type Role } from "./api";
import { reasonLabel } from "./drill";
import { callStates, stateKeys, stateLabels } from "./words";

/** The reason an offer withdrawn from here is stored with (the timeline's data, not a word on screen). */
const withdrawReason = "withdrawn by supervisor";

/**
 * The offers out for a call, pending: one, or the legs of a ring (a ring_all queue rings several
 * operators at once); what the call's page says of them and asks before withdrawing them all.
 */
export function offersOut(call: Pick<Call, "offers">, name: (id: string) => string): { ringing: Call["offers"]; now: string; confirm: string } {
  const ringing = call.offers.filter((o) => o.state === OfferState.PENDING);
  const who = ringing.map((o) => name(o.operatorId)).join(", ");
  if (ringing.length > 1) return { ringing, now: t("floor.ringingAll", { operators: who }), confirm: t("floor.confirmWithdrawAll", { operators: who }) };
  return { ringing, now: ringing.length ? t("floor.ringing", { operator: who }) : "", confirm: t("floor.confirmWithdraw", { operator: who }) };
}

/** The away reason sent when none is typed. */
const defaultAwayReason = "break";

/**
 * An inline confirmation: the question, the button that does it (focused when it opens) and
 * Cancel; Escape cancels too.
 */
export function Confirm({ question, yes, onYes, onNo }: { question: string; yes: string; onYes: () => void; onNo: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      class="fl-confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={id}
      data-testid="confirm"
      onKeyDown={(e) => {
        if (e.key === "Escape") onNo();
      }}
    >
      <p id={id}>{question}</p>
      <button ref={ref} class="primary" data-testid="confirm-yes" onClick={onYes}>
        {yes}
      </button>{" "}
      <button data-testid="confirm-no" onClick={onNo}>
        {t("floor.cancel")}
      </button>
    </div>
  );
}

/**
 * A callback (a virtual call: nobody on the line) in words, "Callback to +1… (attempt 2)", and
 * the message it answers as a player when it came from a voicemail and the key may hear it
 * (GetCall and ListCalls give the URL to admins and supervisors only).
 */
export function CallbackNote({ call }: { call: Call }) {
  const cb = call.callback;
  if (!cb) return null;
  return (
    <span class="fl-callback" data-testid="callback-note">
      {t("floor.callbackTo", { number: cb.number, attempt: cb.attempt })}
      {cb.voicemailUrl && (
        <>
          {" "}
          <span class="fl-voicemail" data-testid="voicemail">
            {t("floor.voicemailPlay")} <audio controls preload="none" src={cb.voicemailUrl} aria-label={t("floor.voicemail", { s: Math.round(cb.voicemailLengthMs / 1000) })} />
          </span>
        </>
      )}
    </span>
  );
}

type Outcome = { ok: string } | { error: Problem } | null;

/** What came of the last action: a status line, or the server's error (with its field) as an alert. */
function OutcomeLine({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  if ("ok" in outcome) {
    return (
      <p class="fl-ok" role="status" data-testid="action-result">
        {outcome.ok}
      </p>
    );
  }
  const fields = Object.keys(outcome.error.fields);
  return (
    <p class="error" role="alert" data-testid="action-error" data-field={fields.join(" ")}>
      {outcome.error.message}
    </p>
  );
}

/** A button that may not apply now: disabled, with the reason next to it. */
function ActButton({ id, label, why, busy, onClick, children }: { id: string; label: string; why: string; busy: boolean; onClick: () => void; children?: ComponentChildren }) {
  const whyId = `fl-why-${id}`;
  return (
    <span class="fl-act">
      {children}
      <button data-testid={`act-${id}`} disabled={busy || why !== ""} aria-describedby={why ? whyId : undefined} onClick={onClick}>
        {label}
      </button>
      {why && (
        <span id={whyId} class="muted small fl-why">
          {why}
        </span>
      )}
    </span>
  );
}

/** An action in flight, its confirmation, and its outcome. */
function useActions() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [asking, setAsking] = useState<{ question: string; yes: string; run: () => Promise<string> } | null>(null);
  const run = async (act: () => Promise<string>) => {
    setAsking(null);
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome({ ok: await act() });
    } catch (e) {
      setOutcome({ error: problem(e) });
    } finally {
      setBusy(false);
    }
  };
  /** Runs act, after asking when question is given. */
  const act = (act: () => Promise<string>, question?: string, yes?: string) => {
    if (question) setAsking({ question, yes: yes ?? question, run: act });
    else void run(act);
  };
  const confirm = asking && <Confirm question={asking.question} yes={asking.yes} onYes={() => void run(asking.run)} onNo={() => setAsking(null)} />;
  return { busy, outcome, act, confirm };
}

/** The operator's status now: the first snapshot of a (non-presence) watch. */
async function readStatus(api: Api, operatorId: string): Promise<OperatorStatus> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), unary.timeoutMs);
  try {
    for await (const r of api.presence.watchOperator({ operatorId }, { signal: ctrl.signal })) {
      if (r.event.case === "snapshot") return r.event.value;
    }
    throw new Error(t("floor.noStatus"));
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}

/** Set away, Log out, Lift ban, and his queues: on an operator's page. */
export function OperatorActions({ api, operatorId, role }: { api: Api; operatorId: string; role: Role }) {
  const [st, setSt] = useState<OperatorStatus | null>(null);
  const [loadError, setLoadError] = useState("");
  useLang();
  const [reason, setReason] = useState("");
  const { busy, outcome, act, confirm } = useActions();
  const load = () =>
    readStatus(api, operatorId).then(
      (s) => {
        setSt(s);
        setLoadError("");
      },
      (e) => setLoadError(problem(e).message),
    );
  useEffect(() => {
    setSt(null);
    void load();
  }, [api, operatorId]);
  if (loadError) return <p class="error" role="alert">{loadError}</p>;
  if (!st) return null;
  const key = stateKeys[st.state];
  const name = st.displayName || st.name;
  const shown = (s: OperatorStatus | undefined) => {
    if (s) setSt(s);
    return t("floor.nowIn", { name, state: stateLabels[stateKeys[s?.state ?? st.state]] });
  };
  const busyOnCall = key === "reserved" || key === "on_call";
  const offerCall = st.offer?.callId ?? "";
  return (
    <section class="sv-card fl-actions" aria-labelledby="fl-op-title" data-testid="operator-actions">
      <h2 id="fl-op-title">
        {t("floor.operatorActions")} · {name}
      </h2>
      <p data-testid="op-state" data-state={key}>
        {t("floor.state")}: <strong>{stateLabels[key]}</strong>
        {st.reason ? ` — ${reasonLabel(st.reason)}` : ""}
        {offerCall ? ` (${t("floor.offerFor", { call: offerCall })})` : st.callId && key === "on_call" ? ` (${t("floor.talkingOn", { call: st.callId })})` : ""}{" "}
        <button class="link" onClick={() => void load()}>
          {t("floor.refresh")}
        </button>
      </p>
      <div class="fl-row">
        <ActButton
          id="away"
          label={t("floor.setAway")}
          why={busyOnCall ? t("floor.awayBusy") : key === "banned" ? t("floor.awayBanned") : ""}
          busy={busy}
          onClick={() => act(async () => shown((await api.presence.goAway({ operatorId, reason: reason.trim() || defaultAwayReason }, unary)).status))}
        >
          <label>
            {t("floor.reason")}{" "}
            <input name="away-reason" value={reason} placeholder={awayReasonLabel(defaultAwayReason)} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>{" "}
        </ActButton>
        <ActButton
          id="logout"
          label={t("floor.logOut")}
          why={key === "offline" ? t("floor.alreadyOffline") : key === "on_call" ? t("floor.logOutTalking") : ""}
          busy={busy}
          onClick={() =>
            act(async () => shown((await api.presence.logOut({ operatorId }, unary)).status), key === "reserved" ? t("floor.confirmLogOut", { call: offerCall }) : undefined, t("floor.logOut"))
          }
        />
        <ActButton
          id="liftban"
          label={t("floor.liftBan")}
          why={key === "banned" ? "" : t("floor.notBanned")}
          busy={busy}
          onClick={() =>
            act(async () => {
              const r = await api.assignment.liftBan({ operatorId }, unary);
              setSt({ ...st, state: r.state, reason: "" } as OperatorStatus);
              return t("floor.nowIn", { name, state: stateLabels[stateKeys[r.state]] });
            })
          }
        />
      </div>
      {confirm}
      <OutcomeLine outcome={outcome} />
      <QueueSkills api={api} operatorId={operatorId} role={role} />
    </section>
  );
}

/** His queues and levels, edited and saved at once (UpdateOperator with replace_queues). */
function QueueSkills({ api, operatorId, role }: { api: Api; operatorId: string; role: Role }) {
  const [skills, setSkills] = useState<{ queueId: string; level: string }[] | null>(null);
  const [queues, setQueues] = useState<{ id: string; name: string }[]>([]);
  const { busy, outcome, act } = useActions();
  useLang();
  useEffect(() => {
    setSkills(null);
    api.admin.getOperator({ operatorId }, unary).then(
      (r) => setSkills((r.operator?.queues ?? []).map((s: QueueSkill) => ({ queueId: s.queueId, level: String(s.level) }))),
      () => setSkills([]),
    );
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues.map((q) => ({ id: q.queueId, name: q.name || q.queueId }))),
      () => setQueues([]),
    );
  }, [api, operatorId]);
  if (!skills) return null;
  const set = (i: number, s: { queueId: string; level: string }) => setSkills(skills.map((x, j) => (j === i ? s : x)));
  const admin = role === "admin";
  return (
    <fieldset class="fl-skills" data-testid="op-queues" disabled={busy}>
      <legend>{t("floor.queuesTitle")}</legend>
      {skills.map((s, i) => (
        <p key={i} class="fl-skill" data-testid="op-queue">
          <label>
            {t("floor.queue")}{" "}
            <select name={`queue-${i}`} value={s.queueId} onChange={(e) => set(i, { ...s, queueId: e.currentTarget.value })}>
              {queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
              {!queues.some((q) => q.id === s.queueId) && <option value={s.queueId}>{s.queueId}</option>}
            </select>
          </label>{" "}
          <label>
            {t("floor.level")} <input name={`level-${i}`} type="number" min={1} max={5} size={3} value={s.level} onInput={(e) => set(i, { ...s, level: e.currentTarget.value })} />
          </label>{" "}
          <button onClick={() => setSkills(skills.filter((_, j) => j !== i))}>{t("floor.remove")}</button>
        </p>
      ))}
      <p>
        <button onClick={() => setSkills([...skills, { queueId: queues.find((q) => !skills.some((s) => s.queueId === q.id))?.id ?? queues[0]?.id ?? "", level: "3" }])}>{t("floor.addQueue")}</button>{" "}
        <ActButton
          id="save-queues"
          label={t("floor.saveQueues")}
          why={admin ? "" : t("floor.adminOnly")}
          busy={busy}
          onClick={() =>
            act(async () => {
              const r = await api.admin.updateOperator({ operatorId, replaceQueues: true, queues: skills.map((s) => ({ queueId: s.queueId, level: Math.trunc(Number(s.level)) || 0 })) }, unary);
              const saved = r.operator?.queues ?? [];
              setSkills(saved.map((s) => ({ queueId: s.queueId, level: String(s.level) })));
              return t("floor.queuesSaved", { count: saved.length });
            })
          }
        />
      </p>
      <OutcomeLine outcome={outcome} />
    </fieldset>
  );
}

/** Withdraw offer, Requeue, Move to queue…, priority: on a call's page, while it is live. */
export function CallActions({ api, callId, name }: { api: Api; callId: string; name: (id: string) => string }) {
  const [call, setCall] = useState<Call | null>(null);
  const [queues, setQueues] = useState<{ id: string; name: string }[]>([]);
  const [to, setTo] = useState("");
  const [priority, setPriority] = useState("");
  const { busy, outcome, act, confirm } = useActions();
  useLang();
  const load = () =>
    api.assignment.getCall({ callId }, unary).then(
      (r) => {
        setCall(r.call ?? null);
        setPriority(String(r.call?.priority ?? 0));
      },
      () => setCall(null),
    );
  useEffect(() => {
    setCall(null);
    void load();
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues.map((q) => ({ id: q.queueId, name: q.name || q.queueId }))),
      () => setQueues([]),
    );
  }, [api, callId]);
  if (!call) return null;
  if (call.state !== CallState.WAITING && call.state !== CallState.CONNECTED) {
    return outcome ? <OutcomeLine outcome={outcome} /> : null;
  }
  const out = offersOut(call, name);
  const ringing = out.ringing;
  const offer = ringing[0];
  const waiting = call.state === CallState.WAITING;
  const notWaiting = waiting ? "" : t("floor.notWaiting");
  const others = queues.filter((q) => q.id !== call.queueId);
  const target = others.some((q) => q.id === to) ? to : (others[0]?.id ?? "");
  const queueName = (id: string) => queues.find((q) => q.id === id)?.name ?? id;
  // The call as the server answered, then as it stands (its position comes with a fresh read).
  const requeue = async (r: { queueId?: string; priority?: number }) => {
    try {
      const res = await api.assignment.requeueCall({ callId, ...r }, unary);
      return res.call ? t("floor.requeued", { queue: res.call.queueId, priority: res.call.priority }) : "";
    } finally {
      await load();
    }
  };
  const p = Math.trunc(Number(priority));
  return (
    <section class="fl-actions" aria-labelledby="fl-call-title" data-testid="call-actions" data-state={callStates[call.state]}>
      <h3 id="fl-call-title">{t("floor.callActions")}</h3>
      {call.callback && (
        <p>
          <CallbackNote call={call} />
        </p>
      )}
      <p data-testid="call-now">
        {offer
          ? out.now
          : waiting
            ? t(call.position ? "floor.waitingAt" : "floor.waitingIn", { queue: queueName(call.queueId), position: call.position, priority: call.priority })
            : t("floor.talking", { operator: name(call.operatorId) })}{" "}
        <button class="link" onClick={() => void load()}>
          {t("floor.refresh")}
        </button>
      </p>
      <div class="fl-row">
        <ActButton
          id="withdraw"
          label={t("floor.withdraw")}
          why={offer ? "" : t("floor.noOffer")}
          busy={busy}
          onClick={() =>
            offer &&
            act(
              async () => {
                try {
                  for (const o of ringing) await api.assignment.withdrawOffer({ offerId: o.offerId, reason: withdrawReason }, unary);
                  return t("floor.withdrawn");
                } finally {
                  await load();
                }
              },
              out.confirm,
              t("floor.withdraw"),
            )
          }
        />
        <ActButton id="requeue" label={t("floor.requeue")} why={notWaiting} busy={busy} onClick={() => act(() => requeue({}), t("floor.confirmRequeue"), t("floor.requeue"))} />
      </div>
      <div class="fl-row">
        <ActButton
          id="move"
          label={t("floor.move")}
          why={notWaiting || (others.length ? "" : t("floor.noOtherQueue"))}
          busy={busy}
          onClick={() => act(() => requeue({ queueId: target }), t("floor.confirmMove", { queue: queueName(target) }), t("floor.move"))}
        >
          <label>
            {t("floor.moveTo")}{" "}
            <select name="move-to" value={target} onChange={(e) => setTo(e.currentTarget.value)}>
              {others.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </label>{" "}
        </ActButton>
        <ActButton
          id="priority"
          label={t("floor.setPriority")}
          why={notWaiting}
          busy={busy}
          onClick={() => act(() => requeue({ priority: Number.isFinite(p) && p >= 0 ? p : 0 }), offer ? t("floor.confirmPriority", { priority: p }) : undefined, t("floor.setPriority"))}
        >
          <label>
            {t("floor.priority")} <input name="priority" type="number" min={0} max={100} size={4} value={priority} onInput={(e) => setPriority(e.currentTarget.value)} />
          </label>{" "}
        </ActButton>
      </div>
      {busy && <p class="muted small">{t("floor.working")}</p>}
      {confirm}
      <OutcomeLine outcome={outcome} />
    </section>
  );
}
