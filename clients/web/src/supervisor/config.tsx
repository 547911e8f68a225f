// Configuration (AdminService): operators, queues, managers (clients), absences and spare
// numbers. Each form shows the server's complaint next to the field it names (BadRequest).
// Only admin keys see the write actions; the server enforces it anyway.
import { useEffect, useState } from "preact/hooks";
import { clone, create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { OverflowSchema, QueueSchema, SpareSchema, type Absence, type Client as CallerClient, type ListLoginFailuresResponse, type Operator, type Queue, type Spare } from "@gen/tandem/admin/v1/admin_pb";
import { ContactKind, ContactSchema } from "@gen/tandem/common/v1/common_pb";
import { problem, unary, type Api, type Role } from "./api";
import { Field, SaveError, uint, useList, useSave } from "./form";
import { AlertThresholdFields, alertFormOf, alertsFrom } from "./alertconfig";
import { DispositionFields, dispositionsFormOf, dispositionsFrom, dispositionsHeading, dispositionsText } from "./dispositions";
import { HoursFields, hoursFormOf, hoursFrom, hoursText } from "./queuehours";
import { RelaxFields, relaxFormOf, relaxFrom } from "./relax";
import { ms } from "./live";
import { backOffsText, failuresText } from "./logins";
import { t, useLang, type Key } from "../i18n/i18n";
import { Accounts } from "./accounts";
import { Menus } from "./menus";

const tabs = [
  ["operators", "config.tab.operators"],
  ["queues", "config.tab.queues"],
  ["managers", "config.tab.managers"],
  ["absences", "config.tab.absences"],
  ["spares", "config.tab.spares"],
  ["menus", "config.tab.menus"],
  ["accounts", "config.tab.accounts"],
] as const satisfies readonly (readonly [string, Key])[];
type Tab = (typeof tabs)[number][0];

export const strategies = ["longest_idle", "round_robin", "fewest_calls", "least_talk", "best_marks", "skill_level", "random", "ring_all"];
export const abandonRules = ["count_against", "ignore", "count_within_threshold_as_met"];
const contactKinds: [ContactKind, Key][] = [
  [ContactKind.USER, "config.contact.user"],
  [ContactKind.SIP, "config.contact.sip"],
  [ContactKind.PSTN, "config.contact.pstn"],
];
const strategyKeys: Record<string, Key> = {
  longest_idle: "config.strategy.longest_idle",
  round_robin: "config.strategy.round_robin",
  fewest_calls: "config.strategy.fewest_calls",
  least_talk: "config.strategy.least_talk",
  best_marks: "config.strategy.best_marks",
  skill_level: "config.strategy.skill_level",
  random: "config.strategy.random",
  ring_all: "config.strategy.ring_all",
};
const abandonRuleKeys: Record<string, Key> = {
  count_against: "config.abandon.count_against",
  ignore: "config.abandon.ignore",
  count_within_threshold_as_met: "config.abandon.count_within_threshold_as_met",
};
const absenceKinds: Record<string, Key> = { vacation: "config.absence.vacation", sick: "config.absence.sick" };
/** How a caller got his personal manager (Client.how). */
const clientHows: Record<string, Key> = { voice: "config.m.how.voice", admin: "config.m.how.admin", import: "config.m.how.import" };

/** A word from a table of catalog keys, or the server's own word when the table lacks it. */
function wordOf(table: Record<string, Key>, id: string): string {
  const k = table[id];
  return k ? t(k) : id;
}

export function Config({ api, role }: { api: Api; role: Role }) {
  const [tab, setTab] = useState<Tab>("operators");
  const canWrite = role === "admin";
  const l = useLang();
  useEffect(() => {
    document.title = t("config.pageTitle");
  }, [l]);
  // Accounts are an admin's business only: the server refuses their list to anyone else.
  const shown = tabs.filter(([k]) => k !== "accounts" || canWrite);
  return (
    <div class="sv-page">
      <h1 id="config-title">{t("config.title")}</h1>
      <div class="sv-tabs" role="tablist" aria-labelledby="config-title" onKeyDown={(e) => tabKeys(e, shown, tab, setTab)}>
        {shown.map(([k, label]) => (
          <button key={k} id={`tab-${k}`} role="tab" aria-selected={tab === k} aria-controls="config-panel" tabIndex={tab === k ? 0 : -1} class={tab === k ? "chosen" : ""} onClick={() => setTab(k)}>
            {t(label)}
          </button>
        ))}
      </div>
      {!canWrite && (
        <p class="notice" data-testid="read-only">
          {t("config.readOnly")}
        </p>
      )}
      <div role="tabpanel" id="config-panel" aria-labelledby={`tab-${tab}`}>
        {tab === "operators" && <Operators api={api} canWrite={canWrite} />}
        {tab === "queues" && <Queues api={api} canWrite={canWrite} />}
        {tab === "managers" && <Managers api={api} canWrite={canWrite} />}
        {tab === "absences" && <Absences api={api} canWrite={canWrite} />}
        {tab === "spares" && <Spares api={api} canWrite={canWrite} />}
        {tab === "menus" && <Menus api={api} canWrite={canWrite} />}
        {tab === "accounts" && canWrite && <Accounts api={api} />}
      </div>
    </div>
  );
}

/** The tabs' keys (WAI-ARIA tabs): arrows move to the next or previous of the tabs shown and open it, Home and End to the ends. */
function tabKeys(e: KeyboardEvent, shown: readonly (readonly [Tab, unknown])[], tab: Tab, setTab: (t: Tab) => void) {
  const i = shown.findIndex(([k]) => k === tab);
  const n = shown.length;
  const to = e.key === "ArrowRight" ? (i + 1) % n : e.key === "ArrowLeft" ? (i - 1 + n) % n : e.key === "Home" ? 0 : e.key === "End" ? n - 1 : -1;
  const next = shown[to]?.[0];
  if (!next) return;
  e.preventDefault();
  setTab(next);
  document.getElementById(`tab-${next}`)?.focus();
}

function contactText(c: { kind: ContactKind; target: string } | undefined): string {
  if (!c) return "";
  const k = contactKinds.find(([x]) => x === c.kind)?.[1];
  if (!c.target) return "";
  return k ? t("config.contact.text", { target: c.target, kind: t(k) }) : c.target;
}

function ContactFields({ prefix, kind, target, setKind, setTarget, errors, kinds = contactKinds }: { prefix: string; kind: ContactKind; target: string; setKind: (k: ContactKind) => void; setTarget: (s: string) => void; errors: Record<string, string>; kinds?: [ContactKind, Key][] }) {
  return (
    <>
      <Field label={t("config.contact.reachedBy")} name={`${prefix}.kind`} errors={errors}>
        <select value={String(kind)} onChange={(e) => setKind(Number(e.currentTarget.value) as ContactKind)}>
          {kinds.map(([k, l]) => (
            <option key={k} value={String(k)}>
              {t(l)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t("config.contact.contact")} name={`${prefix}.target`} errors={errors} hint={t("config.contact.hint")}>
        <input value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
      </Field>
    </>
  );
}

// ——— Operators ———

function Operators({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const ops = useList(async () => (await api.admin.listOperators({}, unary)).operators, [api]);
  const queues = useList(async () => (await api.admin.listQueues({}, unary)).queues, [api]);
  const [editing, setEditing] = useState<Operator | "new" | null>(null);
  const logins = useLoginFailures(api);
  const failures = new Map((logins.list?.operators ?? []).map((f) => [f.operatorId, f]));
  const now = Date.now();
  return (
    <section class="sv-card" aria-label={t("config.tab.operators")}>
      {ops.error && <p class="error" role="alert">{ops.error}</p>}
      {logins.error && <p class="error" role="alert">{logins.error}</p>}
      {canWrite && !editing && (
        <button class="primary" onClick={() => setEditing("new")}>
          {t("config.op.new")}
        </button>
      )}
      {editing && (
        <OperatorForm
          api={api}
          op={editing === "new" ? null : editing}
          queues={queues.items ?? []}
          done={(changed) => {
            setEditing(null);
            if (changed) ops.reload();
          }}
        />
      )}
      <table class="sv-table" data-testid="operators">
        <thead>
          <tr>
            <th>{t("config.op.col.name")}</th>
            <th>{t("config.op.col.shownAs")}</th>
            <th>{t("config.op.col.contact")}</th>
            <th>{t("config.op.col.queues")}</th>
            <th>{t("config.op.col.status")}</th>
            {logins.list && <th>{t("config.op.col.failedLogins")}</th>}
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(ops.items ?? []).map((o) => {
            const offs = backOffsText(failures.get(o.operatorId)?.backedOff ?? [], now);
            return (
              <tr key={o.operatorId} data-operator={o.name} class={o.disabled ? "disabled" : ""}>
                <td>{o.name}</td>
                <td>{o.displayName}</td>
                <td>{contactText(o.contact)}</td>
                <td>{o.queues.map((q) => `${q.queueId} (${q.level})`).join(", ")}</td>
                <td>{o.disabled ? t("config.op.disabled") : t("config.op.active")}</td>
                {logins.list && (
                  <td data-testid="failed-logins">
                    {failuresText(failures.get(o.operatorId))}
                    {offs.map((b) => (
                      <div key={b} class="muted">
                        {t("config.op.backedOff", { what: b })}
                      </div>
                    ))}
                    {offs.length > 0 && (
                      <button class="link" aria-label={t("config.op.unlockWho", { name: o.name })} onClick={() => logins.unlock({ operatorId: o.operatorId })}>
                        {t("config.op.unlock")}
                      </button>
                    )}
                  </td>
                )}
                {canWrite && (
                  <td>
                    <button class="link" onClick={() => setEditing(o)} aria-label={t("config.editWho", { name: o.name })}>
                      {t("config.edit")}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {logins.list && logins.list.addresses.some((a) => a.until) && (
        <div data-testid="backed-off-addresses">
          <h3>{t("config.op.addresses")}</h3>
          <ul>
            {logins.list.addresses
              .filter((a) => a.until)
              .map((a) => (
                <li key={a.address}>
                  {backOffsText([a], now)[0] ?? a.address}{" "}
                  <button class="link" aria-label={t("config.op.unlockWho", { name: a.address })} onClick={() => logins.unlock({ address: a.address })}>
                    {t("config.op.unlock")}
                  </button>
                </li>
              ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The failed logins (null when this key may not see them: read-only keys), and unlocking. */
function useLoginFailures(api: Api): { list: ListLoginFailuresResponse | null; error: string; unlock: (who: { operatorId?: string; address?: string }) => void } {
  const [list, setList] = useState<ListLoginFailuresResponse | null>(null);
  const [error, setError] = useState("");
  const [n, setN] = useState(0);
  useEffect(() => {
    api.admin.listLoginFailures({}, unary).then(
      (l) => setList(l),
      (e) => {
        const p = problem(e);
        if (p.code !== Code.PermissionDenied) setError(p.message);
      },
    );
  }, [api, n]);
  return {
    list,
    error,
    unlock(who) {
      api.admin.unlockLogin(who, unary).then(
        () => setN((k) => k + 1),
        (e) => setError(problem(e).message),
      );
    },
  };
}

function OperatorForm({ api, op, queues, done }: { api: Api; op: Operator | null; queues: Queue[]; done: (changed: boolean) => void }) {
  const [name, setName] = useState(op?.name ?? "");
  const [displayName, setDisplayName] = useState(op?.displayName ?? "");
  const [password, setPassword] = useState("");
  const [voxPassword, setVoxPassword] = useState("");
  const [kind, setKind] = useState<ContactKind>(op?.contact?.kind || ContactKind.USER);
  const [target, setTarget] = useState(op?.contact?.target ?? "");
  const [levels, setLevels] = useState<Record<string, number>>(() => Object.fromEntries((op?.queues ?? []).map((q) => [q.queueId, q.level || 3])));
  const [disabled, setDisabled] = useState(op?.disabled ?? false);
  const save = useSave();
  const skills = Object.entries(levels).map(([queueId, level]) => ({ queueId, level }));
  async function submit(ev: Event) {
    ev.preventDefault();
    const contact = { kind, target: target.trim() };
    const ok = await save.run(() =>
      op
        ? api.admin.updateOperator(
            {
              operatorId: op.operatorId,
              displayName,
              ...(password ? { password } : {}),
              ...(voxPassword ? { softphonePassword: voxPassword } : {}),
              contact,
              queues: skills,
              replaceQueues: true,
              disabled,
            },
            unary,
          )
        : api.admin.createOperator({ name: name.trim(), displayName, password, contact, queues: skills }, unary),
    );
    if (ok) done(true);
  }
  return (
    <form class="sv-form sv-grid" onSubmit={submit} aria-label={op ? t("config.op.editForm", { name: op.name }) : t("config.op.new")} data-testid="operator-form">
      <h3>{op ? t("config.op.formTitle", { name: op.name }) : t("config.op.new")}</h3>
      {!op && (
        <Field label={t("config.op.loginName")} name="name" errors={save.fields}>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="off" />
        </Field>
      )}
      <Field label={t("config.op.col.shownAs")} name="display_name" errors={save.fields}>
        <input value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </Field>
      <Field label={op ? t("config.op.newPassword") : t("config.op.password")} name="password" errors={save.fields} hint={t("config.op.passwordHint")}>
        <input type="password" value={password} autocomplete="new-password" onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <ContactFields prefix="contact" kind={kind} target={target} setKind={setKind} setTarget={setTarget} errors={save.fields} />
      {op && kind === ContactKind.USER && (
        <Field
          label={t("config.op.voxPassword")}
          name="softphone_password"
          errors={save.fields}
          hint={t("config.op.voxPasswordHint")}
        >
          <input type="password" value={voxPassword} autocomplete="new-password" data-testid="softphone-password" onInput={(e) => setVoxPassword(e.currentTarget.value)} />
        </Field>
      )}
      <fieldset class="sv-queues" data-field="queues">
        <legend>{t("config.op.queuesLegend")}</legend>
        {queues.map((q) => (
          <div key={q.queueId} class="sv-queue-level">
            <label>
              <input
                type="checkbox"
                checked={levels[q.queueId] !== undefined}
                onChange={(e) => {
                  const next = { ...levels };
                  if (e.currentTarget.checked) next[q.queueId] = 3;
                  else delete next[q.queueId];
                  setLevels(next);
                }}
              />{" "}
              {q.name || q.queueId}
            </label>
            {levels[q.queueId] !== undefined && (
              <select aria-label={t("config.op.levelIn", { queue: q.name || q.queueId })} value={String(levels[q.queueId])} onChange={(e) => setLevels({ ...levels, [q.queueId]: Number(e.currentTarget.value) })}>
                {[1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={String(l)}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </div>
        ))}
        {save.fields.queues && (
          <span class="field-error" role="alert" data-testid="error-queues">
            {save.fields.queues}
          </span>
        )}
      </fieldset>
      {op && (
        <label class="sv-check">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} /> {t("config.op.disabledCheck")}
        </label>
      )}
      <SaveError error={save.error} />
      <div class="sv-actions">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("config.save")}
        </button>
        <button type="button" class="link" onClick={() => done(false)}>
          {t("config.cancel")}
        </button>
      </div>
    </form>
  );
}

// ——— Queues ———

function Queues({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const queues = useList(async () => (await api.admin.listQueues({}, unary)).queues, [api]);
  const spares = useList(async () => (await api.admin.listSpares({}, unary)).spares, [api]);
  const [editing, setEditing] = useState<Queue | "new" | null>(null);
  return (
    <section class="sv-card" aria-label={t("config.tab.queues")}>
      {queues.error && <p class="error" role="alert">{queues.error}</p>}
      {canWrite && !editing && (
        <button class="primary" onClick={() => setEditing("new")}>
          {t("config.q.new")}
        </button>
      )}
      {editing && (
        <QueueForm
          api={api}
          queue={editing === "new" ? null : editing}
          spares={spares.items ?? []}
          queues={(queues.items ?? []).map((q) => q.queueId)}
          done={(changed) => {
            setEditing(null);
            if (changed) queues.reload();
          }}
        />
      )}
      <table class="sv-table" data-testid="queues">
        <thead>
          <tr>
            <th>{t("config.q.col.queue")}</th>
            <th>{t("config.q.col.numbers")}</th>
            <th>{t("config.q.col.strategy")}</th>
            <th>{t("config.q.col.ringWrap")}</th>
            <th>{t("config.q.col.slTarget")}</th>
            <th>{t("config.q.col.overflow")}</th>
            <th>{dispositionsHeading()}</th>
            <th>{t("hours.column")}</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(queues.items ?? []).map((q) => (
            <tr key={q.queueId} data-queue={q.queueId}>
              <td>
                {q.name || q.queueId} <span class="muted">{q.queueId}</span>
                {q.isDefault && <span class="badge">{t("config.q.default")}</span>}
              </td>
              <td>{q.dialedNumbers.join(", ")}</td>
              <td data-testid="strategy" title={wordOf(strategyKeys, q.strategy || "longest_idle")}>
                {q.strategy || "longest_idle"}
                {q.strategy === "ring_all" && <span class="muted"> {t("config.q.ringAtOnceShort", { n: q.ringAtOnce || 5 })}</span>}
              </td>
              <td>{t("config.q.ringWrap", { ring: q.offerTimeoutS || 20, wrap: q.wrapUpS })}</td>
              <td>{t("config.q.slTarget", { target: q.serviceLevelTargetPercent || 80, threshold: q.serviceLevelThresholdS || 20 })}</td>
              <td>{q.overflow?.afterS ? t("config.q.overflowAfter", { after: q.overflow.afterS, spares: q.overflow.spareIds.join(", ") }) : t("config.q.never")}</td>
              <td data-testid="queue-dispositions">{dispositionsText(q)}</td>
              <td data-testid="queue-hours">{hoursText(q)}</td>
              {canWrite && (
                <td>
                  <button class="link" onClick={() => setEditing(q)} aria-label={t("config.editWho", { name: q.queueId })}>
                    {t("config.edit")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The queue form's text fields (numbers as typed), from a queue. */
export function queueFormOf(q: Queue | null): Record<string, string> {
  const n = (v: number | undefined) => (v ? String(v) : "");
  return {
    queue_id: q?.queueId ?? "",
    name: q?.name ?? "",
    dialed_numbers: (q?.dialedNumbers ?? []).join("\n"),
    strategy: q?.strategy || "longest_idle",
    ring_at_once: n(q?.ringAtOnce),
    offer_timeout_s: n(q?.offerTimeoutS) || "20",
    wrap_up_s: String(q?.wrapUpS ?? 0),
    priority: String(q?.priority ?? 0),
    announce_every_s: String(q?.announceEveryS ?? 0),
    away_after_misses: n(q?.awayAfterMisses),
    ban_after_misses: n(q?.banAfterMisses),
    away_after_declines: String(q?.awayAfterDeclines ?? 0),
    service_level_threshold_s: n(q?.serviceLevelThresholdS) || "20",
    service_level_target_percent: n(q?.serviceLevelTargetPercent) || "80",
    service_level_abandoned: q?.serviceLevelAbandoned || "count_against",
    short_abandon_s: q ? String(q.shortAbandonS) : "5",
    "overflow.after_s": String(q?.overflow?.afterS ?? 0),
    "overflow.max_at_once": String(q?.overflow?.maxAtOnce ?? 0),
    "overflow.order": q?.overflow?.order || "in_turn",
    record_calls: q?.recordCalls ? "yes" : "",
    recording_notice: q?.recordingNotice ?? "",
    ...alertFormOf(q),
  };
}

/**
 * The queue to send: the old one with the form's fields over it (UpdateQueue replaces all).
 * Ring at once is the ring_all strategy's own field (shown with it alone): another strategy
 * keeps what the queue had, so a hidden field is never what the server refuses.
 */
export function queueFrom(old: Queue | null, f: Record<string, string>, isDefault: boolean, spareIds: string[], onPredictedWait: boolean): Queue {
  const s = (k: string) => (f[k] ?? "").trim();
  const q = old ? clone(QueueSchema, old) : create(QueueSchema);
  const overflow = q.overflow ?? create(OverflowSchema);
  Object.assign(overflow, {
    afterS: uint(s("overflow.after_s")),
    maxAtOnce: uint(s("overflow.max_at_once")),
    order: s("overflow.order"),
    spareIds,
    onPredictedWait,
  });
  return Object.assign(q, {
    queueId: s("queue_id"),
    name: s("name"),
    dialedNumbers: s("dialed_numbers")
      .split(/[\n,;]+/)
      .map((x) => x.trim())
      .filter(Boolean),
    strategy: s("strategy"),
    ringAtOnce: s("strategy") === "ring_all" ? uint(s("ring_at_once")) : q.ringAtOnce,
    offerTimeoutS: uint(s("offer_timeout_s")),
    wrapUpS: uint(s("wrap_up_s")),
    priority: uint(s("priority")),
    isDefault,
    announceEveryS: uint(s("announce_every_s")),
    awayAfterMisses: uint(s("away_after_misses")),
    banAfterMisses: uint(s("ban_after_misses")),
    awayAfterDeclines: uint(s("away_after_declines")),
    serviceLevelThresholdS: uint(s("service_level_threshold_s")),
    serviceLevelTargetPercent: uint(s("service_level_target_percent")),
    serviceLevelAbandoned: s("service_level_abandoned"),
    shortAbandonS: uint(s("short_abandon_s")),
    overflow,
    recordCalls: s("record_calls") === "yes",
    recordingNotice: s("recording_notice"),
    ...alertsFrom(s),
  });
}

function QueueForm({ api, queue, spares, queues, done }: { api: Api; queue: Queue | null; spares: Spare[]; queues: string[]; done: (changed: boolean) => void }) {
  const [f, setF] = useState<Record<string, string>>(() => queueFormOf(queue));
  const [isDefault, setIsDefault] = useState(queue?.isDefault ?? false);
  const [spareIds, setSpareIds] = useState<string[]>(queue?.overflow?.spareIds ?? []);
  const [predicted, setPredicted] = useState(queue?.overflow?.onPredictedWait ?? false);
  const [dispositions, setDispositions] = useState(() => dispositionsFormOf(queue));
  const [hours, setHours] = useState(() => hoursFormOf(queue));
  const [relax, setRelax] = useState(() => relaxFormOf(queue));
  const save = useSave();
  const set = (k: string) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const text = (k: string, label: string, hint?: string) => (
    <Field label={label} name={`queue.${k}`} errors={save.fields} {...(hint ? { hint } : {})}>
      <input name={k} value={f[k] ?? ""} onInput={set(k)} />
    </Field>
  );
  async function submit(ev: Event) {
    ev.preventDefault();
    const q = Object.assign(queueFrom(queue, f, isDefault, spareIds, predicted), dispositionsFrom(dispositions), hoursFrom(hours), relaxFrom(relax));
    const ok = await save.run(() => (queue ? api.admin.updateQueue({ queue: q }, unary) : api.admin.createQueue({ queue: q }, unary)));
    if (ok) done(true);
  }
  return (
    <form class="sv-form" onSubmit={submit} aria-label={queue ? t("config.q.editForm", { id: queue.queueId }) : t("config.q.new")} data-testid="queue-form">
      <h3>{queue ? t("config.q.formTitle", { id: queue.queueId }) : t("config.q.new")}</h3>
      <div class="sv-grid">
        {!queue && text("queue_id", t("config.q.queueId"), t("config.idHint"))}
        {text("name", t("config.name"))}
        <Field label={t("config.q.dialedNumbers")} name="queue.dialed_numbers" errors={save.fields}>
          <textarea name="dialed_numbers" rows={2} value={f.dialed_numbers} onInput={set("dialed_numbers")} />
        </Field>
        <Field label={t("config.q.col.strategy")} name="queue.strategy" errors={save.fields}>
          <select name="strategy" value={f.strategy} onChange={set("strategy")}>
            {strategies.map((s) => (
              <option key={s} value={s}>
                {wordOf(strategyKeys, s)}
              </option>
            ))}
          </select>
        </Field>
        {f.strategy === "ring_all" && text("ring_at_once", t("config.q.ringAtOnce"), t("config.q.ringAtOnceHint", { lo: 2, hi: 50, default: 5 }))}
        {text("offer_timeout_s", t("config.q.ringTime"), t("config.range", { lo: 5, hi: 120 }))}
        {text("wrap_up_s", t("config.q.wrapUp"), t("config.range", { lo: 0, hi: 600 }))}
        {text("priority", t("config.priority"), t("config.q.priorityHint"))}
        {text("announce_every_s", t("config.q.announce"), t("config.q.announceHint"))}
        {text("away_after_misses", t("config.q.awayAfterMisses"), t("config.q.awayAfterMissesHint"))}
        {text("ban_after_misses", t("config.q.banAfterMisses"), t("config.q.banAfterMissesHint"))}
        {text("away_after_declines", t("config.q.awayAfterDeclines"), t("config.q.awayAfterDeclinesHint"))}
      </div>
      <fieldset>
        <legend>{t("config.q.serviceLevel")}</legend>
        <div class="sv-grid">
          {text("service_level_threshold_s", t("config.q.slThreshold"), t("config.range", { lo: 1, hi: 600 }))}
          {text("service_level_target_percent", t("config.q.slTargetPercent"), t("config.range", { lo: 1, hi: 100 }))}
          <Field label={t("config.q.abandoned")} name="queue.service_level_abandoned" errors={save.fields}>
            <select name="service_level_abandoned" value={f.service_level_abandoned} onChange={set("service_level_abandoned")}>
              {abandonRules.map((s) => (
                <option key={s} value={s}>
                  {wordOf(abandonRuleKeys, s)}
                </option>
              ))}
            </select>
          </Field>
          {text("short_abandon_s", t("config.q.shortAbandon"), t("config.range", { lo: 0, hi: 60 }))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("config.q.overflowLegend")}</legend>
        <div class="sv-grid">
          {text("overflow.after_s", t("config.q.overflowAfterS"), t("config.q.zeroNever"))}
          {text("overflow.max_at_once", t("config.q.overflowMaxAtOnce"), t("config.q.zeroNoLimit"))}
          <Field label={t("config.q.overflowOrder")} name="queue.overflow.order" errors={save.fields}>
            <select value={f["overflow.order"]} onChange={set("overflow.order")}>
              <option value="in_turn">{t("config.q.order.in_turn")}</option>
              <option value="least_used">{t("config.q.order.least_used")}</option>
              <option value="priority">{t("config.q.order.priority")}</option>
            </select>
          </Field>
          <label class="sv-check">
            <input type="checkbox" checked={predicted} onChange={(e) => setPredicted(e.currentTarget.checked)} /> {t("config.q.onPredictedWait")}
          </label>
        </div>
        <div data-field="queue.overflow.spare_ids">
          {spares.map((sp) => (
            <label key={sp.spareId} class="sv-check">
              <input
                type="checkbox"
                checked={spareIds.includes(sp.spareId)}
                onChange={(e) => setSpareIds(e.currentTarget.checked ? [...spareIds, sp.spareId] : spareIds.filter((x) => x !== sp.spareId))}
              />{" "}
              {sp.name || sp.spareId}
            </label>
          ))}
          {spares.length === 0 && <span class="muted small">{t("config.q.noSpares")}</span>}
          {save.fields["queue.overflow.spare_ids"] && <span class="field-error" role="alert">{save.fields["queue.overflow.spare_ids"]}</span>}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("config.q.recording")}</legend>
        <label class="sv-check">
          <input
            type="checkbox"
            name="record_calls"
            checked={f.record_calls === "yes"}
            onChange={(e) => setF({ ...f, record_calls: e.currentTarget.checked ? "yes" : "" })}
          />{" "}
          {t("config.q.recordCalls")}
        </label>
        <Field label={t("config.q.recordingNotice")} name="queue.recording_notice" errors={save.fields} hint={t("config.q.recordingNoticeHint")}>
          <textarea name="recording_notice" rows={2} value={f.recording_notice} onInput={set("recording_notice")} />
        </Field>
      </fieldset>
      <AlertThresholdFields text={text} />
      <DispositionFields value={dispositions} onChange={setDispositions} errors={save.fields} />
      <HoursFields value={hours} onChange={setHours} errors={save.fields} queues={queues.filter((id) => id !== queue?.queueId)} />
      <RelaxFields value={relax} onChange={setRelax} errors={save.fields} queues={queues.filter((id) => id !== queue?.queueId)} />
      <label class="sv-check">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.currentTarget.checked)} /> {t("config.q.isDefault")}
      </label>
      {save.fields["queue.is_default"] && <span class="field-error" role="alert">{save.fields["queue.is_default"]}</span>}
      <SaveError error={save.error} />
      <div class="sv-actions">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("config.save")}
        </button>
        <button type="button" class="link" onClick={() => done(false)}>
          {t("config.cancel")}
        </button>
      </div>
    </form>
  );
}

// ——— Managers (personal managers of caller numbers) ———

function Managers({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const ops = useList(async () => (await api.admin.listOperators({}, unary)).operators, [api]);
  const [managerId, setManagerId] = useState("");
  const [orphans, setOrphans] = useState(false);
  const clients = useList(async () => (await api.admin.listClients({ managerId, orphans }, unary)).clients, [api, managerId, orphans]);
  const [number, setNumber] = useState("");
  const [assignTo, setAssignTo] = useState("");
  const save = useSave();
  const name = (id: string) => {
    const o = (ops.items ?? []).find((x) => x.operatorId === id);
    return o ? o.displayName || o.name : id;
  };
  async function assign(ev: Event) {
    ev.preventDefault();
    if (await save.run(() => api.admin.setClient({ number, managerId: assignTo }, unary))) {
      setNumber("");
      clients.reload();
    }
  }
  async function remove(c: CallerClient) {
    if (await save.run(() => api.admin.removeClient({ number: c.number }, unary))) clients.reload();
  }
  return (
    <section class="sv-card" aria-label={t("config.tab.managers")}>
      <form class="sv-inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("config.m.manager")}
          <select value={managerId} onChange={(e) => setManagerId(e.currentTarget.value)}>
            <option value="">{t("config.m.everyone")}</option>
            {(ops.items ?? []).map((o) => (
              <option key={o.operatorId} value={o.operatorId}>
                {o.displayName || o.name}
              </option>
            ))}
          </select>
        </label>
        <label class="sv-check">
          <input type="checkbox" checked={orphans} onChange={(e) => setOrphans(e.currentTarget.checked)} /> {t("config.m.orphans")}
        </label>
      </form>
      {canWrite && (
        <form class="sv-form sv-grid" onSubmit={assign} aria-label={t("config.m.assignForm")}>
          <Field label={t("config.m.callerNumber")} name="number" errors={save.fields}>
            <input value={number} onInput={(e) => setNumber(e.currentTarget.value)} placeholder="+1 415 555 0100" />
          </Field>
          <Field label={t("config.m.hisManager")} name="manager_id" errors={save.fields}>
            <select value={assignTo} onChange={(e) => setAssignTo(e.currentTarget.value)}>
              <option value="">{t("config.choose")}</option>
              {(ops.items ?? [])
                .filter((o) => !o.disabled)
                .map((o) => (
                  <option key={o.operatorId} value={o.operatorId}>
                    {o.displayName || o.name}
                  </option>
                ))}
            </select>
          </Field>
          <div class="sv-actions">
            <button type="submit" class="primary" disabled={save.busy}>
              {t("config.m.assign")}
            </button>
          </div>
        </form>
      )}
      <SaveError error={save.error} />
      {clients.error && <p class="error" role="alert">{clients.error}</p>}
      <table class="sv-table" data-testid="clients">
        <thead>
          <tr>
            <th>{t("config.m.col.caller")}</th>
            <th>{t("config.m.manager")}</th>
            <th>{t("config.m.col.how")}</th>
            <th>{t("config.m.col.since")}</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(clients.items ?? []).map((c) => (
            <tr key={c.number}>
              <td>{c.number}</td>
              <td>{c.managerId ? name(c.managerId) : "—"}</td>
              <td>{wordOf(clientHows, c.how)}</td>
              <td>{c.assignedAt ? new Date(ms(c.assignedAt)).toISOString().slice(0, 10) : ""}</td>
              {canWrite && (
                <td>
                  <button class="link" onClick={() => void remove(c)}>
                    {t("config.m.remove")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// ——— Absences ———

function Absences({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const ops = useList(async () => (await api.admin.listOperators({}, unary)).operators, [api]);
  const absences = useList(async () => (await api.admin.listAbsences({}, unary)).absences, [api]);
  const [f, setF] = useState({ operatorId: "", kind: "vacation", from: "", to: "" });
  const save = useSave();
  const name = (id: string) => {
    const o = (ops.items ?? []).find((x) => x.operatorId === id);
    return o ? o.displayName || o.name : id;
  };
  async function add(ev: Event) {
    ev.preventDefault();
    if (await save.run(() => api.admin.createAbsence(f, unary))) absences.reload();
  }
  async function remove(a: Absence) {
    if (await save.run(() => api.admin.deleteAbsence({ absenceId: a.absenceId }, unary))) absences.reload();
  }
  return (
    <section class="sv-card" aria-label={t("config.tab.absences")}>
      {canWrite && (
        <form class="sv-form sv-grid" onSubmit={add} aria-label={t("config.a.new")}>
          <Field label={t("config.a.operator")} name="operator_id" errors={save.fields}>
            <select value={f.operatorId} onChange={(e) => setF({ ...f, operatorId: e.currentTarget.value })}>
              <option value="">{t("config.choose")}</option>
              {(ops.items ?? []).map((o) => (
                <option key={o.operatorId} value={o.operatorId}>
                  {o.displayName || o.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("config.a.kind")} name="kind" errors={save.fields}>
            <select value={f.kind} onChange={(e) => setF({ ...f, kind: e.currentTarget.value })}>
              <option value="vacation">{t("config.absence.vacation")}</option>
              <option value="sick">{t("config.absence.sick")}</option>
            </select>
          </Field>
          <Field label={t("config.a.from")} name="from" errors={save.fields}>
            <input type="date" value={f.from} onInput={(e) => setF({ ...f, from: e.currentTarget.value })} />
          </Field>
          <Field label={t("config.a.toIncluded")} name="to" errors={save.fields}>
            <input type="date" value={f.to} onInput={(e) => setF({ ...f, to: e.currentTarget.value })} />
          </Field>
          <div class="sv-actions">
            <button type="submit" class="primary" disabled={save.busy}>
              {t("config.a.add")}
            </button>
          </div>
        </form>
      )}
      <SaveError error={save.error} />
      {absences.error && <p class="error" role="alert">{absences.error}</p>}
      <table class="sv-table" data-testid="absences">
        <thead>
          <tr>
            <th>{t("config.a.operator")}</th>
            <th>{t("config.a.kind")}</th>
            <th>{t("config.a.from")}</th>
            <th>{t("config.a.to")}</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(absences.items ?? []).map((a) => (
            <tr key={a.absenceId}>
              <td>{name(a.operatorId)}</td>
              <td>{wordOf(absenceKinds, a.kind)}</td>
              <td>{a.from}</td>
              <td>{a.to}</td>
              {canWrite && (
                <td>
                  <button class="link" onClick={() => void remove(a)}>
                    {t("config.a.delete")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// ——— Spare numbers ———

function Spares({ api, canWrite }: { api: Api; canWrite: boolean }) {
  const spares = useList(async () => (await api.admin.listSpares({}, unary)).spares, [api]);
  const [editing, setEditing] = useState<Spare | "new" | null>(null);
  return (
    <section class="sv-card" aria-label={t("config.tab.spares")}>
      {spares.error && <p class="error" role="alert">{spares.error}</p>}
      {canWrite && !editing && (
        <button class="primary" onClick={() => setEditing("new")}>
          {t("config.s.new")}
        </button>
      )}
      {editing && (
        <SpareForm
          api={api}
          spare={editing === "new" ? null : editing}
          done={(changed) => {
            setEditing(null);
            if (changed) spares.reload();
          }}
        />
      )}
      <table class="sv-table" data-testid="spares">
        <thead>
          <tr>
            <th>{t("config.s.col.spare")}</th>
            <th>{t("config.op.col.contact")}</th>
            <th>{t("config.s.col.atOnce")}</th>
            <th>{t("config.s.col.aDay")}</th>
            <th>{t("config.priority")}</th>
            <th>{t("config.s.col.now")}</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(spares.items ?? []).map((s) => (
            <tr key={s.spareId} class={s.disabled ? "disabled" : ""}>
              <td>
                {s.name || s.spareId} <span class="muted">{s.spareId}</span>
                {s.disabled && <span class="badge">{t("config.op.disabled")}</span>}
              </td>
              <td>{contactText(s.contact)}</td>
              <td>{s.maxConcurrent || 1}</td>
              <td>{s.dailyCap || t("config.s.noCap")}</td>
              <td>{s.priority}</td>
              <td>
                {t("config.s.now", { active: s.use?.active ?? 0, today: s.use?.callsToday ?? 0 })}
              </td>
              {canWrite && (
                <td>
                  <button class="link" onClick={() => setEditing(s)} aria-label={t("config.editWho", { name: s.spareId })}>
                    {t("config.edit")}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SpareForm({ api, spare, done }: { api: Api; spare: Spare | null; done: (changed: boolean) => void }) {
  const [f, setF] = useState({
    spareId: spare?.spareId ?? "",
    name: spare?.name ?? "",
    maxConcurrent: String(spare?.maxConcurrent || 1),
    dailyCap: String(spare?.dailyCap ?? 0),
    priority: String(spare?.priority ?? 0),
    cooldownS: String(spare?.cooldownS || 600),
    holidays: (spare?.holidays ?? []).join(", "),
  });
  const [kind, setKind] = useState<ContactKind>(spare?.contact?.kind || ContactKind.PSTN);
  const [target, setTarget] = useState(spare?.contact?.target ?? "");
  const [disabled, setDisabled] = useState(spare?.disabled ?? false);
  const save = useSave();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  async function submit(ev: Event) {
    ev.preventDefault();
    const s = spare ? clone(SpareSchema, spare) : create(SpareSchema);
    s.use = undefined; // read only
    Object.assign(s, {
      spareId: f.spareId.trim(),
      name: f.name.trim(),
      contact: create(ContactSchema, { kind, target: target.trim() }),
      maxConcurrent: uint(f.maxConcurrent),
      dailyCap: uint(f.dailyCap),
      priority: uint(f.priority),
      cooldownS: uint(f.cooldownS),
      holidays: f.holidays
        .split(/[\s,;]+/)
        .map((x) => x.trim())
        .filter(Boolean),
      disabled,
    });
    const ok = await save.run(() => (spare ? api.admin.updateSpare({ spare: s }, unary) : api.admin.createSpare({ spare: s }, unary)));
    if (ok) done(true);
  }
  const field = (k: keyof typeof f, name: string, label: string, hint?: string) => (
    <Field label={label} name={`spare.${name}`} errors={save.fields} {...(hint ? { hint } : {})}>
      <input value={f[k]} onInput={set(k)} />
    </Field>
  );
  return (
    <form class="sv-form sv-grid" onSubmit={submit} aria-label={spare ? t("config.s.editForm", { id: spare.spareId }) : t("config.s.new")}>
      <h3>{spare ? t("config.s.formTitle", { id: spare.spareId }) : t("config.s.new")}</h3>
      {!spare && field("spareId", "spare_id", t("config.s.spareId"), t("config.idHint"))}
      {field("name", "name", t("config.name"))}
      <ContactFields prefix="spare.contact" kind={kind} target={target} setKind={setKind} setTarget={setTarget} errors={save.fields} kinds={contactKinds.filter(([k]) => k !== ContactKind.USER)} />
      {field("maxConcurrent", "max_concurrent", t("config.s.maxConcurrent"))}
      {field("dailyCap", "daily_cap", t("config.s.dailyCap"), t("config.s.dailyCapHint"))}
      {field("priority", "priority", t("config.priority"))}
      {field("cooldownS", "cooldown_s", t("config.s.cooldown"))}
      {field("holidays", "holidays", t("config.s.holidays"), t("config.s.holidaysHint"))}
      <label class="sv-check">
        <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} /> {t("config.s.disabled")}
      </label>
      <SaveError error={save.error} />
      <div class="sv-actions">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("config.save")}
        </button>
        <button type="button" class="link" onClick={() => done(false)}>
          {t("config.cancel")}
        </button>
      </div>
    </form>
  );
}
