// People's browser phones (SetPersonSoftphone, ListPersonSoftphones): a person who signs in as
// himself — an account below, or a name his OpenID Connect provider gives, who has no account —
// gets a Voximplant user his pages log in as, and Monitor rings him there. Admins only, under
// the accounts. The password is kept by the server as a digest and never shown.
import { useState } from "preact/hooks";
import { t } from "../i18n/i18n";
import { unary, type Api } from "./api";
import { Field, SaveError, useList, useSave } from "./form";

export function PeoplePhones({ api }: { api: Api }) {
  const phones = useList(async () => (await api.admin.listPersonSoftphones({}, unary)).softphones, [api]);
  const [f, setF] = useState({ person: "", user: "", password: "" });
  const save = useSave();
  const remove = useSave();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  async function submit(ev: Event) {
    ev.preventDefault();
    const ok = await save.run(() => api.admin.setPersonSoftphone({ person: f.person.trim(), softphoneUser: f.user.trim(), softphonePassword: f.password }, unary));
    if (ok) {
      setF({ person: "", user: "", password: "" });
      phones.reload();
    }
  }
  async function drop(person: string) {
    if (await remove.run(() => api.admin.setPersonSoftphone({ person }, unary))) phones.reload();
  }
  return (
    <section class="sv-card" aria-labelledby="people-phones" data-testid="people-phones">
      <h3 id="people-phones">{t("phones.title")}</h3>
      <p class="muted small">{t("phones.intro")}</p>
      {phones.error && (
        <p class="error" role="alert">
          {phones.error}
        </p>
      )}
      <SaveError error={remove.error} />
      {(phones.items ?? []).length > 0 && (
        <table class="sv-table">
          <thead>
            <tr>
              <th>{t("phones.col.person")}</th>
              <th>{t("phones.col.user")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(phones.items ?? []).map((p) => (
              <tr key={p.person} data-person={p.person}>
                <td>{p.person}</td>
                <td>{p.softphoneUser}</td>
                <td>
                  <button class="link" disabled={remove.busy} onClick={() => void drop(p.person)} aria-label={t("phones.removeWho", { name: p.person })}>
                    {t("phones.remove")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {phones.items?.length === 0 && <p class="muted">{t("phones.none")}</p>}
      <form class="sv-form sv-grid" onSubmit={submit} aria-label={t("phones.give")} data-testid="phone-form" noValidate>
        <Field label={t("phones.field.person")} name="person" errors={save.fields} hint={t("phones.field.personHint")}>
          <input name="person" value={f.person} onInput={set("person")} autocomplete="off" />
        </Field>
        <Field label={t("phones.field.user")} name="softphone_user" errors={save.fields} hint={t("phones.field.userHint")}>
          <input name="softphone_user" value={f.user} onInput={set("user")} autocomplete="off" />
        </Field>
        <Field label={t("phones.field.password")} name="softphone_password" errors={save.fields}>
          <input name="softphone_password" type="password" value={f.password} onInput={set("password")} autocomplete="new-password" />
        </Field>
        <SaveError error={save.error} />
        <div class="sv-actions">
          <button type="submit" class="primary" disabled={save.busy}>
            {t("phones.give")}
          </button>
        </div>
      </form>
    </section>
  );
}
