// The supervisor's hands on the floor: on an operator's page, Set away (with a reason), Log out,
// Lift ban and his queues and levels (live, AdminService.UpdateOperator); on a call's page,
// Withdraw offer, Requeue, Move to queue… and its priority (AssignmentService.RequeueCall). An
// action that disturbs a call asks first, inline (a real button, Escape or Cancel to keep things
// as they are); each shows what came of it, the new state or the server's words with the field,
// without reloading. A button that does not apply now is disabled, with the reason beside it.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { QueueSkill } from "@gen/tandem/admin/v1/admin_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { CallState, OfferState } from "@gen/tandem/common/v1/common_pb";
import type { OperatorStatus } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { problem, unary, type Api, type Problem, type Role } from "./api";
import { callStates, stateKeys, stateLabels } from "./words";

/** Every word of these actions, together (for the catalogs to come). */
export const floorWords = {
  operatorActions: "Actions",
  state: "State",
  offerFor: (call: string) => `ringing with call ${call}`,
  talkingOn: (call: string) => `on call ${call}`,
  reason: "Reason",
  reasonDefault: "break",
  setAway: "Set away",
  logOut: "Log out",
  liftBan: "Lift ban",
  refresh: "Refresh",
  awayBusy: "He is on a call or his phone rings: set him away after it.",
  awayBanned: "He is banned: lift the ban first.",
  alreadyOffline: "He is offline already.",
  logOutTalking: "He is talking: log him out after the call.",
  notBanned: "He is not banned.",
  confirmLogOut: (call: string) => `A call (${call}) is ringing for him: logging him out withdraws that offer, and the call goes to the next operator. Log him out?`,
  nowIn: (name: string, state: string) => `${name} is now ${state}.`,
  queuesTitle: "Queues and levels",
  queue: "Queue",
  level: "Level (1–5)",
  remove: "Remove",
  addQueue: "Add a queue",
  saveQueues: "Save queues",
  adminOnly: "Changing his queues needs an admin key.",
  queuesSaved: (n: number) => `Saved: he serves ${n} queue${n === 1 ? "" : "s"} from now on.`,
  callActions: "Act on this call",
  waitingIn: (queue: string, position: number, priority: number) => `Waiting in ${queue}${position ? `, position ${position}` : ""}, priority ${priority}.`,
  ringing: (op: string) => `Ringing ${op}.`,
  talking: (op: string) => `Talking with ${op}.`,
  withdraw: "Withdraw offer",
  requeue: "Requeue",
  moveTo: "Move to queue…",
  move: "Move",
  priority: "Priority (0–100)",
  setPriority: "Raise priority",
  noOffer: "No offer is out for this call.",
  notWaiting: "Only a waiting call can be requeued, moved or reprioritised.",
  sameQueue: "Pick another queue.",
  confirmWithdraw: (op: string) => `Withdraw the offer to ${op}? His phone stops ringing and the call goes back to its place in line.`,
  confirmRequeue: "Requeue this call? An offer out for it is withdrawn and it goes back to its place in line.",
  confirmMove: (q: string) => `Move this call to ${q}? It keeps its arrival time; an offer out for it is withdrawn.`,
  confirmPriority: (p: number) => `Set the priority to ${p}? The offer out for it is withdrawn and it is filed again by its new priority.`,
  withdrawn: "Offer withdrawn: the call is back in line.",
  withdrawReason: "withdrawn by supervisor",
  requeued: (c: Call) => `Back in line in ${c.queueId} at priority ${c.priority}.`,
  cancel: "Cancel",
  ended: "This call has ended: nothing to act on.",
  working: "Working…",
};
const w = floorWords;

/**
 * An inline confirmation: the question, the button that does it (focused when it opens) and
 * Cancel; Escape cancels too.
 */
export function Confirm({ question, yes, onYes, onNo }: { question: string; yes: string; onYes: () => void; onNo: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      class="fl-confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="fl-confirm-q"
      data-testid="confirm"
      onKeyDown={(e) => {
        if (e.key === "Escape") onNo();
      }}
    >
      <p id="fl-confirm-q">{question}</p>
      <button ref={ref} class="primary" data-testid="confirm-yes" onClick={onYes}>
        {yes}
      </button>{" "}
      <button data-testid="confirm-no" onClick={onNo}>
        {w.cancel}
      </button>
    </div>
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
  const t = setTimeout(() => ctrl.abort(), unary.timeoutMs);
  try {
    for await (const r of api.presence.watchOperator({ operatorId }, { signal: ctrl.signal })) {
      if (r.event.case === "snapshot") return r.event.value;
    }
    throw new Error("no status");
  } finally {
    clearTimeout(t);
    ctrl.abort();
  }
}

/** Set away, Log out, Lift ban, and his queues: on an operator's page. */
export function OperatorActions({ api, operatorId, role }: { api: Api; operatorId: string; role: Role }) {
  const [st, setSt] = useState<OperatorStatus | null>(null);
  const [loadError, setLoadError] = useState("");
  const [reason, setReason] = useState(w.reasonDefault);
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
    return w.nowIn(name, stateLabels[stateKeys[s?.state ?? st.state]]);
  };
  const busyOnCall = key === "reserved" || key === "on_call";
  const offerCall = st.offer?.callId ?? "";
  return (
    <section class="sv-card fl-actions" aria-labelledby="fl-op-title" data-testid="operator-actions">
      <h2 id="fl-op-title">
        {w.operatorActions} · {name}
      </h2>
      <p data-testid="op-state" data-state={key}>
        {w.state}: <strong>{stateLabels[key]}</strong>
        {st.reason ? ` — ${st.reason}` : ""}
        {offerCall ? ` (${w.offerFor(offerCall)})` : st.callId && key === "on_call" ? ` (${w.talkingOn(st.callId)})` : ""}{" "}
        <button class="link" onClick={() => void load()}>
          {w.refresh}
        </button>
      </p>
      <div class="fl-row">
        <ActButton
          id="away"
          label={w.setAway}
          why={busyOnCall ? w.awayBusy : key === "banned" ? w.awayBanned : ""}
          busy={busy}
          onClick={() => act(async () => shown((await api.presence.goAway({ operatorId, reason }, unary)).status))}
        >
          <label>
            {w.reason} <input name="away-reason" value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>{" "}
        </ActButton>
        <ActButton
          id="logout"
          label={w.logOut}
          why={key === "offline" ? w.alreadyOffline : key === "on_call" ? w.logOutTalking : ""}
          busy={busy}
          onClick={() => act(async () => shown((await api.presence.logOut({ operatorId }, unary)).status), key === "reserved" ? w.confirmLogOut(offerCall) : undefined, w.logOut)}
        />
        <ActButton
          id="liftban"
          label={w.liftBan}
          why={key === "banned" ? "" : w.notBanned}
          busy={busy}
          onClick={() =>
            act(async () => {
              const r = await api.assignment.liftBan({ operatorId }, unary);
              setSt({ ...st, state: r.state, reason: "" } as OperatorStatus);
              return w.nowIn(name, stateLabels[stateKeys[r.state]]);
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
      <legend>{w.queuesTitle}</legend>
      {skills.map((s, i) => (
        <p key={i} class="fl-skill" data-testid="op-queue">
          <label>
            {w.queue}{" "}
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
            {w.level} <input name={`level-${i}`} type="number" min={1} max={5} size={3} value={s.level} onInput={(e) => set(i, { ...s, level: e.currentTarget.value })} />
          </label>{" "}
          <button onClick={() => setSkills(skills.filter((_, j) => j !== i))}>{w.remove}</button>
        </p>
      ))}
      <p>
        <button onClick={() => setSkills([...skills, { queueId: queues.find((q) => !skills.some((s) => s.queueId === q.id))?.id ?? queues[0]?.id ?? "", level: "3" }])}>{w.addQueue}</button>{" "}
        <ActButton
          id="save-queues"
          label={w.saveQueues}
          why={admin ? "" : w.adminOnly}
          busy={busy}
          onClick={() =>
            act(async () => {
              const r = await api.admin.updateOperator({ operatorId, replaceQueues: true, queues: skills.map((s) => ({ queueId: s.queueId, level: Math.trunc(Number(s.level)) || 0 })) }, unary);
              const saved = r.operator?.queues ?? [];
              setSkills(saved.map((s) => ({ queueId: s.queueId, level: String(s.level) })));
              return w.queuesSaved(saved.length);
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
  const offer = call.offers.find((o) => o.state === OfferState.PENDING);
  const waiting = call.state === CallState.WAITING;
  const notWaiting = waiting ? "" : w.notWaiting;
  const others = queues.filter((q) => q.id !== call.queueId);
  const target = others.some((q) => q.id === to) ? to : (others[0]?.id ?? "");
  const queueName = (id: string) => queues.find((q) => q.id === id)?.name ?? id;
  // The call as the server answered, then as it stands (its position comes with a fresh read).
  const requeue = async (r: { queueId?: string; priority?: number }) => {
    try {
      const res = await api.assignment.requeueCall({ callId, ...r }, unary);
      return res.call ? w.requeued(res.call) : "";
    } finally {
      await load();
    }
  };
  const p = Math.trunc(Number(priority));
  return (
    <section class="fl-actions" aria-labelledby="fl-call-title" data-testid="call-actions" data-state={callStates[call.state]}>
      <h3 id="fl-call-title">{w.callActions}</h3>
      <p data-testid="call-now">
        {offer ? w.ringing(name(offer.operatorId)) : waiting ? w.waitingIn(queueName(call.queueId), call.position, call.priority) : w.talking(name(call.operatorId))}{" "}
        <button class="link" onClick={() => void load()}>
          {w.refresh}
        </button>
      </p>
      <div class="fl-row">
        <ActButton
          id="withdraw"
          label={w.withdraw}
          why={offer ? "" : w.noOffer}
          busy={busy}
          onClick={() =>
            offer &&
            act(
              async () => {
                try {
                  await api.assignment.withdrawOffer({ offerId: offer.offerId, reason: w.withdrawReason }, unary);
                  return w.withdrawn;
                } finally {
                  await load();
                }
              },
              w.confirmWithdraw(name(offer.operatorId)),
              w.withdraw,
            )
          }
        />
        <ActButton id="requeue" label={w.requeue} why={notWaiting} busy={busy} onClick={() => act(() => requeue({}), w.confirmRequeue, w.requeue)} />
      </div>
      <div class="fl-row">
        <ActButton id="move" label={w.move} why={notWaiting || (others.length ? "" : w.sameQueue)} busy={busy} onClick={() => act(() => requeue({ queueId: target }), w.confirmMove(queueName(target)), w.move)}>
          <label>
            {w.moveTo}{" "}
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
          label={w.setPriority}
          why={notWaiting}
          busy={busy}
          onClick={() => act(() => requeue({ priority: Number.isFinite(p) && p >= 0 ? p : 0 }), offer ? w.confirmPriority(p) : undefined, w.setPriority)}
        >
          <label>
            {w.priority} <input name="priority" type="number" min={0} max={100} size={4} value={priority} onInput={(e) => setPriority(e.currentTarget.value)} />
          </label>{" "}
        </ActButton>
      </div>
      {busy && <p class="muted small">{w.working}</p>}
      {confirm}
      <OutcomeLine outcome={outcome} />
    </section>
  );
}
