// The supervisor pages' sign-in: a person signs in as himself, through the OpenID Connect
// provider when the server has one ("Sign in with …") or with his account's name and password;
// the access-key form stays for machines and kiosks (a wallboard TV, a shared screen).
import { useEffect, useState } from "preact/hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { apiFor, problem, signIn, unary } from "./api";
import type { SupervisorSession } from "./session";
import { t, useLang } from "../i18n/i18n";
import { LanguagePicker } from "../i18n/picker";


/** What the server sent back in the URL's fragment after the provider: a token or an error. */
export function takeSignInFragment(): { token: string; error: string } | null {
  const f = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = f.get("signin_token") ?? "";
  const error = f.get("signin_error") ?? "";
  if (!token && !error) return null;
  // The token must not stay in the address bar or the history.
  history.replaceState(null, "", location.pathname + location.search + "#wallboard");
  return { token, error };
}

/** The session of a person's token: who he is and what he may, from WhoAmI. */
export async function personSession(baseUrl: string, token: string): Promise<SupervisorSession> {
  try {
    const me = await apiFor(baseUrl, token).admin.whoAmI({}, unary);
    const via = me.signIn === "oidc" ? "oidc" : "password";
    return { key: token, role: me.role === KeyRole.ADMIN ? "admin" : "viewer", who: me.displayName || me.name, via };
  } catch (e) {
    throw problem(e);
  }
}

/** Ends a person's session on the server; a key has none (it is revoked by an admin). */
export async function signOutPerson(baseUrl: string, s: SupervisorSession): Promise<void> {
  if (s.via !== "password" && s.via !== "oidc") return;
  try {
    await apiFor(baseUrl, s.key).admin.signOut({}, unary);
  } catch {
    // Ended already, or the server is away: the token is forgotten here either way.
  }
}

function passwordProblem(e: unknown): string {
  const err = ConnectError.from(e);
  switch (err.code) {
    case Code.Unauthenticated:
      return t("signin.wrongPassword");
    case Code.PermissionDenied:
      return t("signin.disabled");
    case Code.ResourceExhausted:
      return t("signin.backedOff");
  }
  return problem(e).message;
}

export function SignInScreen({ baseUrl, onSignedIn, providerError }: { baseUrl: string; onSignedIn: (s: SupervisorSession) => void; providerError: string }) {
  const [provider, setProvider] = useState<{ name: string; path: string } | null>(null);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [personError, setPersonError] = useState(providerError ? t("signin.providerRefused", { why: providerError }) : "");
  const [key, setKey] = useState("");
  const [keyError, setKeyError] = useState("");
  const [busy, setBusy] = useState(false);
  const l = useLang();
  useEffect(() => {
    document.title = t("signin.title");
  }, [l]);
  useEffect(() => {
    apiFor(baseUrl, "")
      .admin.getSignInOptions({}, unary)
      .then((o) => o.oidcProvider && setProvider({ name: o.oidcProvider, path: o.oidcStartPath }))
      .catch(() => undefined); // no provider offered: name and password still work
  }, [baseUrl]);

  async function withPassword(ev: Event) {
    ev.preventDefault();
    if (!name.trim() || !password) {
      setPersonError(t("signin.needNamePassword"));
      return;
    }
    setBusy(true);
    setPersonError("");
    try {
      const res = await apiFor(baseUrl, "").admin.signIn({ name: name.trim(), password }, unary);
      onSignedIn(await personSession(baseUrl, res.token));
    } catch (e) {
      setPersonError(passwordProblem(e));
      setBusy(false);
    }
  }

  async function withKey(ev: Event) {
    ev.preventDefault();
    const k = key.trim();
    if (!k) {
      setKeyError(t("signin.needKey"));
      return;
    }
    setBusy(true);
    setKeyError("");
    try {
      const role = await signIn(apiFor(baseUrl, k));
      onSignedIn({ key: k, role, via: "key" });
    } catch (e) {
      setKeyError(e instanceof Error ? e.message : t("signin.failed"));
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <div class="login-box">
        <h1 id="sv-login-title">
          <span class="logo" aria-hidden="true" />
          Tandem
        </h1>
        <section aria-labelledby="sv-people">
          <p class="muted" id="sv-people">
            {t("signin.people")}
          </p>
          {provider && (
            <p>
              <a class="button primary" href={provider.path} data-testid="sv-oidc">
                {t("signin.withProvider", { provider: provider.name })}
              </a>
            </p>
          )}
          <form onSubmit={withPassword} aria-label={t("signin.or")}>
            {provider && <p class="small muted">{t("signin.or")}</p>}
            <label>
              {t("signin.name")}
              <input name="account-name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label>
              {t("signin.password")}
              <input name="account-password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
            {personError && (
              <p class="error" role="alert" data-testid="sv-signin-error">
                {personError}
              </p>
            )}
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t("signin.checking") : t("signin.passwordButton")}
            </button>
          </form>
        </section>
        <form onSubmit={withKey} aria-labelledby="sv-machines">
          <p class="muted small" id="sv-machines">
            {t("signin.machines")}
          </p>
          <label>
            {t("signin.accessKey")}
            <input name="access-key" type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="tdk_…" />
          </label>
          {keyError && (
            <p class="error" role="alert" data-testid="sv-login-error">
              {keyError}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? t("signin.checking") : t("signin.keyButton")}
          </button>
        </form>
        <p class="small">
          <a href="/">{t("signin.operator")}</a>
        </p>
        <LanguagePicker />
      </div>
    </main>
  );
}
