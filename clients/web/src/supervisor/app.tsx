// The supervisor's shell: sign-in (signin.tsx: a person, or an access key), then the pages by the
// URL's hash: #wallboard, #reports, #calls (and #call/<id>), #search, #voicemail, #operators (and
// #operators/<id>), #config, #staffing.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { apiFor, type Api, type Role } from "./api";
import { Calls } from "./timeline";
import { CallSearch } from "./search";
import { Voicemails } from "./voicemails";
import { Operators } from "./operators";
import { Config } from "./config";
import { Reports } from "./reports";
import { clearSupervisor, loadSupervisor, saveSupervisor, type SupervisorSession } from "./session";
import { Staffing } from "./staffing";
import { Wallboard } from "./wallboard";
import { t, useLang, type Key } from "../i18n/i18n";
import { LanguagePicker } from "../i18n/picker";
import { PhoneContext, phoneForKey, phoneStatus, usePhone, type KeyPhone } from "./phone";
import { personSession, SignInScreen, signOutPerson, takeSignInFragment } from "./signin";

const pages = [
  ["wallboard", "sv.nav.wallboard"],
  ["reports", "sv.nav.reports"],
  ["calls", "sv.nav.calls"],
  ["search", "sv.nav.search"],
  ["voicemail", "sv.nav.voicemail"],
  ["operators", "sv.nav.operators"],
  ["config", "sv.nav.config"],
  ["staffing", "sv.nav.staffing"],
] as const satisfies readonly (readonly [string, Key])[];
type Page = (typeof pages)[number][0];

function readHash(): { page: Page; arg: string } {
  const h = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [p = "", ...rest] = h.split("/");
  if (p === "call") return { page: "calls", arg: rest.join("/") };
  const page = pages.find(([k]) => k === p)?.[0] ?? "wallboard";
  return { page, arg: rest.join("/") };
}

function useHash(): { page: Page; arg: string } {
  const [r, setR] = useState(readHash);
  useEffect(() => {
    const on = () => setR(readHash());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return r;
}

export function SupervisorApp({ baseUrl }: { baseUrl: string }) {
  useLang(); // every page re-renders in the language chosen
  const [session, setSession] = useState<SupervisorSession | null>(loadSupervisor);
  // Back from the OpenID Connect provider: a token to sign in with, or why not.
  const [back] = useState(takeSignInFragment);
  const [providerError, setProviderError] = useState(back?.error ?? "");
  const signedIn = (s: SupervisorSession) => {
    saveSupervisor(s);
    setSession(s);
  };
  useEffect(() => {
    if (back?.token) personSession(baseUrl, back.token).then(signedIn, (e: Error) => setProviderError(e.message));
  }, [back, baseUrl]);
  if (!session) {
    if (back?.token && !providerError) return null; // checking the token: a moment
    return <SignInScreen baseUrl={baseUrl} onSignedIn={signedIn} providerError={providerError} />;
  }
  return (
    <Shell
      baseUrl={baseUrl}
      session={session}
      onSignOut={() => {
        void signOutPerson(baseUrl, session);
        clearSupervisor();
        setSession(null);
      }}
    />
  );
}

function Shell({ baseUrl, session, onSignOut }: { baseUrl: string; session: SupervisorSession; onSignOut: () => void }) {
  const api: Api = useMemo(() => apiFor(baseUrl, session.key), [baseUrl, session.key]);
  const { page, arg } = useHash();
  const role: Role = session.role;
  // TV mode: the wallboard alone, full screen (Esc or the button leaves it).
  const [tv, setTv] = useState(false);
  useEffect(() => {
    const off = () => !document.fullscreenElement && setTv(false);
    document.addEventListener("fullscreenchange", off);
    return () => document.removeEventListener("fullscreenchange", off);
  }, []);
  const toggleTv = () => {
    const next = !tv;
    setTv(next);
    if (next) void document.documentElement.requestFullscreen?.().catch(() => undefined);
    else if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  };
  // Escape leaves TV mode, full screen or not (a kiosk, fullscreen refused, or a browser that
  // hands the key to the page).
  useEffect(() => {
    if (!tv) return;
    const esc = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setTv(false);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    };
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [tv]);
  const main = useRef<HTMLElement>(null);
  const openCall = (id: string) => {
    location.hash = `call/${encodeURIComponent(id)}`;
  };
  // The key's browser phone, if an admin gave it one: logged in while the pages are open.
  const phone = useMemo(() => phoneForKey(baseUrl, session.key), [baseUrl, session.key]);
  useEffect(() => {
    void phone.start();
    return () => void phone.stop();
  }, [phone]);
  return (
    <div class={`sv${page === "wallboard" ? " sv-wall" : ""}${tv && page === "wallboard" ? " sv-tv" : ""}`}>
      <header class="top sv-top">
        <a
          class="skip"
          href="#"
          onClick={(e) => {
            e.preventDefault();
            main.current?.focus();
          }}
        >
          {t("sv.skip")}
        </a>
        <span class="brand">
          <span class="logo" aria-hidden="true" />
          Tandem
        </span>
        <nav class="sv-nav" aria-label={t("sv.nav.label")}>
          {pages.map(([k, label]) => (
            <a key={k} href={`#${k}`} aria-current={k === page ? "page" : undefined}>
              {t(label)}
            </a>
          ))}
        </nav>
        <PhoneStatus phone={phone} />
        <LanguagePicker />
        {session.who && (
          <span class="small" data-testid="sv-who">
            {session.who}
          </span>
        )}
        <span class="muted small" data-testid="sv-role">
          {role === "admin" ? t("sv.role.admin") : t("sv.role.viewer")}
        </span>
        <button class="link" onClick={onSignOut}>
          {t("sv.signOut")}
        </button>
      </header>
      <PhoneContext.Provider value={phone}>
        <main class="sv-main" ref={main} tabIndex={-1}>
          {page === "wallboard" && <Wallboard api={api} queues={arg} openCall={openCall} tv={tv} onTv={toggleTv} />}
          {page === "reports" && <Reports api={api} />}
          {page === "calls" && <Calls api={api} callId={arg} openCall={openCall} />}
          {page === "search" && <CallSearch api={api} openCall={openCall} />}
          {page === "voicemail" && <Voicemails api={api} />}
          {page === "operators" && <Operators api={api} role={role} operatorId={arg} choose={(id) => (location.hash = id ? `operators/${encodeURIComponent(id)}` : "operators")} />}
          {page === "config" && <Config api={api} role={role} />}
          {page === "staffing" && <Staffing api={api} />}
        </main>
      </PhoneContext.Provider>
    </div>
  );
}

/** The key's browser phone in the header: ready, connecting, ringing, or why it failed. */
function PhoneStatus({ phone }: { phone: KeyPhone }) {
  usePhone(phone);
  const text = phoneStatus(phone);
  if (!text) return null;
  return (
    <span class={`small${phone.phone.state() === "error" ? " error" : " muted"}`} data-testid="sv-phone" data-state={phone.phone.state()}>
      {text}
    </span>
  );
}
