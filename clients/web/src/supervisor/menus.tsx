// IVR menus in the configuration (AdminService.PutMenu, DeleteMenu, ListMenus): a menu per
// dialed number(s), its nodes with their prompts, choices (a key, words or both), timeout,
// repeats and default. The server checks the whole menu (cycles, nodes nothing leads to, a key
// or a word used twice, unknown queues, bad numbers) and names the field at fault, which is
// shown where it was typed: every row is sent as it stands, so the places match.
import { useEffect, useState } from "preact/hooks";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { MenuReport as MenuFigures } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { MenuActionSchema, MenuChoiceSchema, MenuNodeSchema, MenuSchema, type Menu, type MenuAction } from "@gen/tandem/common/v1/common_pb";
import { num, t, useLang, type Key } from "../i18n/i18n";
import { problem, unary, type Api } from "./api";
import { Field, SaveError, uint, useList, useSave } from "./form";

type ActionKind = "queue" | "number" | "node" | "voicemail";
interface ActionForm {
  kind: ActionKind;
  value: string;
}
interface ChoiceForm {
  digit: string;
  words: string; // comma-separated
  action: ActionForm;
}
interface NodeForm {
  nodeId: string;
  text: string;
  url: string;
  timeoutS: string;
  repeats: string;
  choices: ChoiceForm[];
  fallback: ActionForm; // the default action
}
interface MenuForm {
  menuId: string;
  name: string;
  numbers: string; // comma-separated
  nodes: NodeForm[];
}

const actionKinds: [ActionKind, Key][] = [
  ["queue", "menus.action.queue"],
  ["number", "menus.action.number"],
  ["node", "menus.action.node"],
  ["voicemail", "menus.action.voicemail"],
];

function actionFormOf(a: MenuAction | undefined): ActionForm {
  switch (a?.to.case) {
    case "queueId":
      return { kind: "queue", value: a.to.value };
    case "number":
      return { kind: "number", value: a.to.value };
    case "nodeId":
      return { kind: "node", value: a.to.value };
    case "voicemailQueueId":
      return { kind: "voicemail", value: a.to.value };
  }
  return { kind: "queue", value: "" };
}

function actionOf(f: ActionForm): MenuAction | undefined {
  const value = f.value.trim();
  if (!value) return undefined;
  const to = {
    queue: { case: "queueId", value } as const,
    number: { case: "number", value } as const,
    node: { case: "nodeId", value } as const,
    voicemail: { case: "voicemailQueueId", value } as const,
  }[f.kind];
  return create(MenuActionSchema, { to });
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export function menuFormOf(m: Menu | null): MenuForm {
  if (!m) return { menuId: "", name: "", numbers: "", nodes: [newNode("start")] };
  return {
    menuId: m.menuId,
    name: m.name,
    numbers: m.dialedNumbers.join(", "),
    nodes: m.nodes.map((n) => ({
      nodeId: n.nodeId,
      text: n.promptText,
      url: n.promptUrl,
      timeoutS: n.timeoutS ? String(n.timeoutS) : "",
      repeats: String(n.repeats),
      choices: n.choices.map((c) => ({ digit: c.digit, words: c.words.join(", "), action: actionFormOf(c.action) })),
      fallback: actionFormOf(n.defaultAction),
    })),
  };
}

function newNode(id: string): NodeForm {
  return { nodeId: id, text: "", url: "", timeoutS: "", repeats: "1", choices: [], fallback: { kind: "queue", value: "" } };
}

/** The Menu from the form: every node and choice as typed (the server judges them). */
export function menuOf(f: MenuForm): Menu {
  return create(MenuSchema, {
    menuId: f.menuId.trim(),
    name: f.name.trim(),
    dialedNumbers: list(f.numbers),
    nodes: f.nodes.map((n) =>
      create(MenuNodeSchema, {
        nodeId: n.nodeId.trim(),
        promptText: n.text.trim(),
        promptUrl: n.url.trim(),
        timeoutS: uint(n.timeoutS),
        repeats: uint(n.repeats),
        defaultAction: actionOf(n.fallback),
        choices: n.choices.map((c) => create(MenuChoiceSchema, { digit: c.digit.trim(), words: list(c.words), action: actionOf(c.action) })),
      }),
    ),
  });
}

/** Where a menu's callers go, once each: "queue sales, number +14155550177". */
function exitsText(m: Menu): string {
  const seen: string[] = [];
  const add = (a: MenuAction | undefined) => {
    const s =
      a?.to.case === "queueId"
        ? t("menus.exit.queue", { queue: a.to.value })
        : a?.to.case === "number"
          ? t("menus.exit.number", { number: a.to.value })
          : a?.to.case === "voicemailQueueId"
            ? t("menus.exit.voicemail", { queue: a.to.value })
            : "";
    if (s && !seen.includes(s)) seen.push(s);
  };
  for (const n of m.nodes) {
    n.choices.forEach((c) => add(c.action));
    add(n.defaultAction);
  }
  return seen.join(", ");
}

export function Menus({ api, canWrite }: { api: Api; canWrite: boolean }) {
  useLang();
  const menus = useList(async () => (await api.admin.listMenus({}, unary)).menus, [api]);
  const queues = useList(async () => (await api.admin.listQueues({}, unary)).queues, [api]);
  const [editing, setEditing] = useState<Menu | "new" | null>(null);
  const del = useSave();
  return (
    <section class="sv-card" aria-label={t("config.tab.menus")}>
      <p class="muted small">{t("menus.intro")}</p>
      {menus.error && <p class="error" role="alert">{menus.error}</p>}
      <SaveError error={del.error} />
      {canWrite && !editing && (
        <button class="primary" onClick={() => setEditing("new")}>
          {t("menus.new")}
        </button>
      )}
      {editing && (
        <MenuEditor
          api={api}
          menu={editing === "new" ? null : editing}
          queues={queues.items ?? []}
          done={(changed) => {
            setEditing(null);
            if (changed) menus.reload();
          }}
        />
      )}
      <table class="sv-table" data-testid="menus">
        <thead>
          <tr>
            <th>{t("menus.col.menu")}</th>
            <th>{t("menus.col.numbers")}</th>
            <th>{t("menus.col.nodes")}</th>
            <th>{t("menus.col.exits")}</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(menus.items ?? []).length === 0 && (
            <tr>
              <td colSpan={canWrite ? 5 : 4} class="muted">
                {t("menus.none")}
              </td>
            </tr>
          )}
          {(menus.items ?? []).map((m) => (
            <tr key={m.menuId} data-menu={m.menuId}>
              <td>
                {m.name || m.menuId} <span class="muted">{m.menuId}</span>
              </td>
              <td>{m.dialedNumbers.join(", ")}</td>
              <td data-testid="menu-nodes">{m.nodes.map((n) => n.nodeId).join(", ")}</td>
              <td data-testid="menu-exits">{exitsText(m)}</td>
              {canWrite && (
                <td>
                  <button class="link" onClick={() => setEditing(m)} aria-label={t("config.editWho", { name: m.menuId })}>
                    {t("config.edit")}
                  </button>{" "}
                  <button
                    class="link"
                    aria-label={t("menus.deleteWho", { name: m.menuId })}
                    onClick={async () => {
                      if (!window.confirm(t("menus.deleteConfirm", { name: m.name || m.menuId }))) return;
                      if (await del.run(() => api.admin.deleteMenu({ menuId: m.menuId }, unary))) menus.reload();
                    }}
                  >
                    {t("menus.delete")}
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

function MenuEditor({ api, menu, queues, done }: { api: Api; menu: Menu | null; queues: Queue[]; done: (changed: boolean) => void }) {
  const [f, setF] = useState<MenuForm>(() => menuFormOf(menu));
  const save = useSave();
  const setNode = (i: number, n: Partial<NodeForm>) => setF({ ...f, nodes: f.nodes.map((x, j) => (j === i ? { ...x, ...n } : x)) });
  const setChoice = (i: number, k: number, c: Partial<ChoiceForm>) => setNode(i, { choices: (f.nodes[i]?.choices ?? []).map((x, j) => (j === k ? { ...x, ...c } : x)) });
  const nodeIds = f.nodes.map((n) => n.nodeId.trim()).filter(Boolean);
  async function submit(ev: Event) {
    ev.preventDefault();
    if (await save.run(() => api.admin.putMenu({ menu: menuOf(f) }, unary))) done(true);
  }
  return (
    <form class="sv-form" onSubmit={submit} aria-label={menu ? t("menus.editForm", { name: menu.menuId }) : t("menus.new")} data-testid="menu-form">
      <h3>{menu ? t("menus.formTitle", { name: menu.menuId }) : t("menus.new")}</h3>
      <div class="sv-grid">
        {!menu && (
          <Field label={t("menus.id")} name="menu.menu_id" errors={save.fields} hint={t("menus.idHint")}>
            <input value={f.menuId} onInput={(e) => setF({ ...f, menuId: e.currentTarget.value })} autocomplete="off" spellcheck={false} />
          </Field>
        )}
        <Field label={t("menus.name")} name="menu.name" errors={save.fields}>
          <input value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />
        </Field>
        <Field label={t("menus.numbers")} name="menu.dialed_numbers" errors={save.fields} hint={t("menus.numbersHint")}>
          <input value={f.numbers} onInput={(e) => setF({ ...f, numbers: e.currentTarget.value })} />
        </Field>
      </div>
      <p class="muted small">{t("menus.nodesHint")}</p>
      {f.nodes.map((n, i) => {
        const at = `menu.nodes[${i}]`;
        return (
          <fieldset key={i} class="sv-menu-node" data-testid="menu-node" data-field={at}>
            <legend>{i === 0 ? t("menus.node.first", { n: i + 1 }) : t("menus.node.legend", { n: i + 1 })}</legend>
            <div class="sv-grid">
              <Field label={t("menus.node.id", { n: i + 1 })} name={`${at}.node_id`} errors={save.fields}>
                <input value={n.nodeId} onInput={(e) => setNode(i, { nodeId: e.currentTarget.value })} autocomplete="off" spellcheck={false} />
              </Field>
              <Field label={t("menus.node.text", { n: i + 1 })} name={`${at}.prompt_text`} errors={save.fields} hint={t("menus.node.textHint")}>
                <textarea rows={2} value={n.text} onInput={(e) => setNode(i, { text: e.currentTarget.value })} />
              </Field>
              <Field label={t("menus.node.url", { n: i + 1 })} name={`${at}.prompt_url`} errors={save.fields}>
                <input value={n.url} onInput={(e) => setNode(i, { url: e.currentTarget.value })} />
              </Field>
              <Field label={t("menus.node.timeout", { n: i + 1 })} name={`${at}.timeout_s`} errors={save.fields} hint={t("menus.node.timeoutHint")}>
                <input inputMode="numeric" value={n.timeoutS} onInput={(e) => setNode(i, { timeoutS: e.currentTarget.value })} />
              </Field>
              <Field label={t("menus.node.repeats", { n: i + 1 })} name={`${at}.repeats`} errors={save.fields} hint={t("menus.node.repeatsHint")}>
                <input inputMode="numeric" value={n.repeats} onInput={(e) => setNode(i, { repeats: e.currentTarget.value })} />
              </Field>
            </div>
            <ol class="sv-menu-choices">
              {n.choices.map((c, k) => {
                const cat = `${at}.choices[${k}]`;
                const which = { n: i + 1, k: k + 1 };
                return (
                  <li key={k} class="sv-grid" data-testid="menu-choice">
                    <Field label={t("menus.choice.digit", which)} name={`${cat}.digit`} errors={save.fields} hint={t("menus.choice.digitHint")}>
                      <input value={c.digit} size={2} onInput={(e) => setChoice(i, k, { digit: e.currentTarget.value })} autocomplete="off" />
                    </Field>
                    <Field label={t("menus.choice.words", which)} name={`${cat}.words`} errors={save.fields} hint={t("menus.choice.wordsHint")}>
                      <input value={c.words} onInput={(e) => setChoice(i, k, { words: e.currentTarget.value })} />
                    </Field>
                    <ActionFields label={t("menus.choice.action", which)} name={`${cat}.action`} value={c.action} onChange={(a) => setChoice(i, k, { action: a })} queues={queues} nodeIds={nodeIds} errors={save.fields} />
                    <button type="button" class="link" onClick={() => setNode(i, { choices: n.choices.filter((_, j) => j !== k) })} aria-label={t("menus.choice.removeLabel", which)}>
                      {t("menus.remove")}
                    </button>
                  </li>
                );
              })}
            </ol>
            {save.fields[`${at}.choices`] && (
              <span class="field-error" role="alert" data-testid={`error-${at}.choices`}>
                {save.fields[`${at}.choices`]}
              </span>
            )}
            <button type="button" class="link" onClick={() => setNode(i, { choices: [...n.choices, { digit: "", words: "", action: { kind: "queue", value: "" } }] })} aria-label={t("menus.choice.addLabel", { n: i + 1 })}>
              {t("menus.choice.add")}
            </button>
            <ActionFields label={t("menus.node.default", { n: i + 1 })} name={`${at}.default_action`} value={n.fallback} onChange={(a) => setNode(i, { fallback: a })} queues={queues} nodeIds={nodeIds} errors={save.fields} />
            {f.nodes.length > 1 && (
              <button type="button" class="link" onClick={() => setF({ ...f, nodes: f.nodes.filter((_, j) => j !== i) })} aria-label={t("menus.node.removeLabel", { n: i + 1 })}>
                {t("menus.node.remove")}
              </button>
            )}
          </fieldset>
        );
      })}
      {save.fields["menu.nodes"] && (
        <span class="field-error" role="alert" data-testid="error-menu.nodes">
          {save.fields["menu.nodes"]}
        </span>
      )}
      <button type="button" class="link" onClick={() => setF({ ...f, nodes: [...f.nodes, newNode("")] })}>
        {t("menus.node.add")}
      </button>
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

/** Where a choice or a default leads: a queue or its voicemail (picked), a number (typed) or a node of the menu (picked). */
function ActionFields({ label, name, value, onChange, queues, nodeIds, errors }: { label: string; name: string; value: ActionForm; onChange: (a: ActionForm) => void; queues: Queue[]; nodeIds: string[]; errors: Record<string, string> }) {
  return (
    <Field label={label} name={name} errors={errors}>
      <span class="sv-menu-action">
        <select aria-label={t("menus.action.kindOf", { what: label })} value={value.kind} onChange={(e) => onChange({ kind: e.currentTarget.value as ActionKind, value: "" })}>
          {actionKinds.map(([k, l]) => (
            <option key={k} value={k}>
              {t(l)}
            </option>
          ))}
        </select>
        {value.kind === "number" ? (
          <input aria-label={t("menus.action.numberOf", { what: label })} value={value.value} placeholder={t("menus.action.numberHint")} onInput={(e) => onChange({ ...value, value: e.currentTarget.value })} />
        ) : (
          <select aria-label={t("menus.action.targetOf", { what: label })} value={value.value} onChange={(e) => onChange({ ...value, value: e.currentTarget.value })}>
            <option value="">{t("menus.action.choose")}</option>
            {value.kind === "queue" || value.kind === "voicemail"
              ? queues.map((q) => (
                  <option key={q.queueId} value={q.queueId}>
                    {q.name || q.queueId}
                  </option>
                ))
              : nodeIds.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
            {/* A value the lists lack (a node renamed, a queue gone) stays visible. */}
            {value.value && !(value.kind === "node" ? nodeIds.includes(value.value) : queues.some((q) => q.queueId === value.value)) && <option value={value.value}>{value.value}</option>}
          </select>
        )}
      </span>
    </Field>
  );
}

/** The IVR menus' share of a period's report (AnalyticsService.GetMenuReport): the calls that
 * entered each menu, how they left it and the answers given at its nodes. Nothing when no call
 * went through a menu. */
export function MenuReport({ api, from, to }: { api: Api; from: number; to: number }) {
  useLang();
  const [menus, setMenus] = useState<MenuFigures[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    let gone = false;
    api.analytics.getMenuReport({ range: { from: timestampFromMs(from), to: timestampFromMs(to) } }, unary).then(
      (r) => {
        if (gone) return;
        setMenus(r.menus);
        setError("");
      },
      (e) => !gone && setError(problem(e).message),
    );
    return () => void (gone = true);
  }, [api, from, to]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (menus.length === 0) return null;
  const exitWords = (exit: string) => (exit === "hangup" ? t("menus.report.hangup") : exit === "" ? t("menus.report.stillIn") : exit);
  const answerWords = (a: string) => (a === "timeout" ? t("menus.report.timeout") : a === "words" ? t("menus.report.words") : t("menus.report.key", { key: a }));
  return (
    <div data-testid="menu-report">
      <h3>{t("menus.report.title")}</h3>
      <p class="muted small">{t("menus.report.hint")}</p>
      <table class="sv-table">
        <thead>
          <tr>
            <th>{t("menus.col.menu")}</th>
            <th>{t("menus.report.way")}</th>
            <th>{t("menus.report.calls")}</th>
          </tr>
        </thead>
        <tbody>
          {menus.map((m) => [
            <tr key={m.menuId} data-menu={m.menuId}>
              <td>{m.menuId}</td>
              <td>{t("menus.report.entered")}</td>
              <td>{num(Number(m.calls))}</td>
            </tr>,
            ...m.exits.map((x) => (
              <tr key={`${m.menuId}-exit-${x.exit}`} data-exit={x.exit}>
                <td>{m.menuId}</td>
                <td>{t("menus.report.left", { exit: exitWords(x.exit) })}</td>
                <td>{num(Number(x.calls))}</td>
              </tr>
            )),
            ...m.choices.map((x) => (
              <tr key={`${m.menuId}-${x.nodeId}-${x.answer}`} data-node={x.nodeId} data-answer={x.answer}>
                <td>{m.menuId}</td>
                <td>{t("menus.report.answered", { node: x.nodeId, answer: answerWords(x.answer) })}</td>
                <td>{num(Number(x.calls))}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </div>
  );
}
