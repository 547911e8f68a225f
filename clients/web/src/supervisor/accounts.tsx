// Accounts: the people (supervisors, admins) who sign in to these pages as themselves
// (CreateAccount, ListAccounts, UpdateAccount, SetAccountPassword). Admins only: the tab is not
// offered to anyone else, and the server refuses them anyway. A password is never shown back.
import { useState } from "preact/hooks";
import { KeyRole, type Account } from "@gen/tandem/admin/v1/admin_pb";
import { dateTime, t, type Key } from "../i18n/i18n";
import { unary, type Api } from "./api";
import { Field, SaveError, useList, useSave } from "./form";
import { ms } from "./live";
import { PeoplePhones } from "./peoplephones";

/** The roles an account may have, as the server names them. */
const roles: [KeyRole, Key][] = [
  [KeyRole.SUPERVISOR, "accounts.role.supervisor"],
  [KeyRole.ADMIN, "accounts.role.admin"],
];

function roleWord(r: KeyRole): string {
  const k = roles.find(([x]) => x === r)?.[1];
  return k ? t(k) : t("accounts.role.unknown");
}

/** The shortest password the server takes (auth/password.go). */
export const minPassword = 8;

export interface NewAccountInput {
  name: string;
  displayName: string;
  password: string;
  role: KeyRole;
}

/** The fields of a new account that are wrong before asking the server (by proto field). */
export function newAccountErrors(f: NewAccountInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.name.trim()) errors.name = t("accounts.err.name");
  const pw = passwordError(f.password);
  if (pw) errors.password = pw;
  return errors;
}

/** What is wrong with a new password, or "". */
export function passwordError(password: string): string {
  if (!password) return t("accounts.err.passwordEmpty");
  if (password.length < minPassword) return t("accounts.err.passwordShort", { count: minPassword });
  return "";
}

export function Accounts({ api }: { api: Api }) {
  const accounts = useList(async () => (await api.admin.listAccounts({}, unary)).accounts, [api]);
  const [creating, setCreating] = useState(false);
  const [passwordFor, setPasswordFor] = useState<string | null>(null);
  const change = useSave();
  async function update(a: Account, patch: { role?: KeyRole; disabled?: boolean }) {
    if (await change.run(() => api.admin.updateAccount({ name: a.name, ...patch }, unary))) accounts.reload();
  }
  return (
    <section class="sv-card" aria-label={t("config.tab.accounts")}>
      <p class="muted small">{t("accounts.intro")}</p>
      {accounts.error && (
        <p class="error" role="alert">
          {accounts.error}
        </p>
      )}
      {!creating && (
        <button class="primary" onClick={() => setCreating(true)}>
          {t("accounts.new")}
        </button>
      )}
      {creating && (
        <NewAccountForm
          api={api}
          done={(changed) => {
            setCreating(false);
            if (changed) accounts.reload();
          }}
        />
      )}
      {passwordFor && (
        <PasswordForm
          api={api}
          name={passwordFor}
          done={(changed) => {
            setPasswordFor(null);
            if (changed) accounts.reload();
          }}
        />
      )}
      <SaveError error={change.error} />
      <table class="sv-table" data-testid="accounts">
        <thead>
          <tr>
            <th>{t("accounts.col.name")}</th>
            <th>{t("accounts.col.shownAs")}</th>
            <th>{t("accounts.col.role")}</th>
            <th>{t("accounts.col.status")}</th>
            <th>{t("accounts.col.created")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(accounts.items ?? []).map((a) => (
            <tr key={a.name} data-account={a.name} class={a.disabled ? "disabled" : ""}>
              <td>{a.name}</td>
              <td>{a.displayName}</td>
              <td>
                <select
                  aria-label={t("accounts.roleOf", { name: a.name })}
                  value={String(a.role)}
                  disabled={change.busy}
                  onChange={(e) => void update(a, { role: Number(e.currentTarget.value) as KeyRole })}
                >
                  {!roles.some(([r]) => r === a.role) && <option value={String(a.role)}>{roleWord(a.role)}</option>}
                  {roles.map(([r, k]) => (
                    <option key={r} value={String(r)}>
                      {t(k)}
                    </option>
                  ))}
                </select>
              </td>
              <td data-testid="account-status">{a.disabled ? t("accounts.disabled") : t("accounts.active")}</td>
              <td class="small">
                {a.createdAt ? dateTime(ms(a.createdAt), { dateStyle: "medium", timeStyle: "short" }) : ""}
                {a.createdBy && <span class="muted"> {t("accounts.by", { who: a.createdBy })}</span>}
              </td>
              <td>
                <button class="link" disabled={change.busy} onClick={() => void update(a, { disabled: !a.disabled })} aria-label={t(a.disabled ? "accounts.enableWho" : "accounts.disableWho", { name: a.name })}>
                  {a.disabled ? t("accounts.enable") : t("accounts.disable")}
                </button>{" "}
                <button class="link" onClick={() => setPasswordFor(a.name)} aria-label={t("accounts.setPasswordWho", { name: a.name })}>
                  {t("accounts.setPassword")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {accounts.items?.length === 0 && <p class="muted">{t("accounts.none")}</p>}
      <PeoplePhones api={api} />
    </section>
  );
}

function NewAccountForm({ api, done }: { api: Api; done: (changed: boolean) => void }) {
  const [f, setF] = useState<NewAccountInput>({ name: "", displayName: "", password: "", role: KeyRole.SUPERVISOR });
  const [mine, setMine] = useState<Record<string, string>>({});
  const save = useSave();
  const set = (k: "name" | "displayName" | "password") => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  async function submit(ev: Event) {
    ev.preventDefault();
    const errors = newAccountErrors(f);
    setMine(errors);
    if (Object.keys(errors).length) {
      save.reset();
      return;
    }
    const ok = await save.run(() => api.admin.createAccount({ name: f.name.trim(), displayName: f.displayName.trim(), password: f.password, role: f.role }, unary));
    if (ok) done(true);
  }
  const errors = { ...save.fields, ...mine };
  return (
    <form class="sv-form sv-grid" onSubmit={submit} aria-label={t("accounts.new")} data-testid="account-form" noValidate>
      <h3>{t("accounts.new")}</h3>
      <Field label={t("accounts.field.name")} name="name" errors={errors} hint={t("accounts.field.nameHint")}>
        <input name="name" value={f.name} onInput={set("name")} autocomplete="off" />
      </Field>
      <Field label={t("accounts.field.shownAs")} name="display_name" errors={errors} hint={t("accounts.field.shownAsHint")}>
        <input name="display_name" value={f.displayName} onInput={set("displayName")} autocomplete="off" />
      </Field>
      <Field label={t("accounts.field.password")} name="password" errors={errors} hint={t("accounts.field.passwordHint", { count: minPassword })}>
        <input name="password" type="password" value={f.password} onInput={set("password")} autocomplete="new-password" />
      </Field>
      <Field label={t("accounts.field.role")} name="role" errors={errors}>
        <select name="role" value={String(f.role)} onChange={(e) => setF({ ...f, role: Number(e.currentTarget.value) as KeyRole })}>
          {roles.map(([r, k]) => (
            <option key={r} value={String(r)}>
              {t(k)}
            </option>
          ))}
        </select>
      </Field>
      <SaveError error={save.error} />
      <div class="sv-actions">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("accounts.create")}
        </button>
        <button type="button" class="link" onClick={() => done(false)}>
          {t("config.cancel")}
        </button>
      </div>
    </form>
  );
}

function PasswordForm({ api, name, done }: { api: Api; name: string; done: (changed: boolean) => void }) {
  const [password, setPassword] = useState("");
  const [mine, setMine] = useState("");
  const save = useSave();
  async function submit(ev: Event) {
    ev.preventDefault();
    const err = passwordError(password);
    setMine(err);
    if (err) {
      save.reset();
      return;
    }
    if (await save.run(() => api.admin.setAccountPassword({ name, password }, unary))) done(true);
  }
  const errors = mine ? { ...save.fields, password: mine } : save.fields;
  return (
    <form class="sv-form sv-grid" onSubmit={submit} aria-label={t("accounts.passwordFormFor", { name })} data-testid="password-form" noValidate>
      <h3>{t("accounts.passwordFormFor", { name })}</h3>
      <p class="muted small">{t("accounts.passwordEndsSessions")}</p>
      <Field label={t("accounts.field.newPassword")} name="password" errors={errors} hint={t("accounts.field.passwordHint", { count: minPassword })}>
        <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" />
      </Field>
      <SaveError error={save.error} />
      <div class="sv-actions">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("accounts.setPassword")}
        </button>
        <button type="button" class="link" onClick={() => done(false)}>
          {t("config.cancel")}
        </button>
      </div>
    </form>
  );
}
