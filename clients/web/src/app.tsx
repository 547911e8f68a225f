// The views: the login form, the operator screen, the takeover notice. They render what
// derive() says and turn clicks and keys into desk actions; the rules live in state.ts.
import { DispositionPicker } from "./disposition";
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { deskApi, logIn, LoginError, softphoneAccount, transferApi } from "./api";
import { Conference, conferenceApi } from "./conference";
import { transferInProgress, useTransfer } from "./transfer";
import { Desk } from "./desk";
import { awayReasonLabel, callbackText, clock, duration, failedLoginsText, outcomeLabel, when } from "./format";
import type { Callback, Offer, Stats } from "./model";
import { askNotificationPermission, clearOfferNotification, notifyOffer, ring, unlockSound } from "./notify";
import { AnswerButton, PhoneBadge, PhoneCallControls } from "./phonecontrols";
import { softphone } from "./softphone";
import { derive, type Card, type HoldView, type DeskStore, type Model, type Screen } from "./state";
import { clearSession, loadPrefs, savePrefs, saveSession, type Prefs } from "./storage";
import { useModel, useNow } from "./store";
import { dateTime, percent, t, useLang } from "./i18n/i18n";
import { LanguagePicker } from "./i18n/picker";

export const awayReasons = ["break", "lunch", "training", "meeting"];

export function App({ store, baseUrl }: { store: DeskStore; baseUrl: string }) {
  useLang(); // every screen re-renders in the language chosen
  const m = useModel(store);
  if (m.phase === "login" || !m.session) return <Login store={store} baseUrl={baseUrl} notice={m.loginNotice} />;
  if (m.phase === "taken_over") return <TakenOver store={store} name={m.session.name} />;
  return <Operator store={store} baseUrl={baseUrl} m={m} />;
}

function Login({ store, baseUrl, notice }: { store: DeskStore; baseUrl: string; notice: string }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${t("op.login.title")} · Tandem`;
  }, []);
  async function submit(ev: Event) {
    ev.preventDefault();
    unlockSound();
    if (!name.trim() || !password) {
      setError(!name.trim() ? t("op.login.enterName") : t("op.login.enterPassword"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      const { session, failedLogins } = await logIn(baseUrl, name, password);
      saveSession(session);
      store.dispatch({ type: "signed_in", session, failedLogins });
    } catch (e) {
      setError(e instanceof LoginError ? e.message : t("op.login.failed"));
      setBusy(false);
    }
  }
  return (
    <main class="login">
      <form class="login-box" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span class="logo" aria-hidden="true" />
          Tandem
        </h1>
        <p class="muted">{t("op.login.subtitle")}</p>
        {notice && (
          <p class="notice" role="status" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label>
          {t("op.login.name")}
          <input name="name" autocomplete="username" autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t("op.login.password")}
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("op.login.busy") : t("op.login.submit")}
        </button>
        <p class="small supervisor-link">
          <a href="/supervisor">{t("op.login.supervisorLink")}</a>
        </p>
        <LanguagePicker />
      </form>
    </main>
  );
}

function TakenOver({ store, name }: { store: DeskStore; name: string }) {
  useEffect(() => {
    document.title = `${t("op.takeover.title")} · Tandem`;
  }, []);
  return (
    <main class="login">
      <section class="login-box" role="alert" data-testid="takeover">
        <h1>{t("op.takeover.title")}</h1>
        <p>
          <strong>{name}</strong> {t("op.takeover.text")}
        </p>
        <button class="primary" onClick={() => store.dispatch({ type: "signed_out" })}>
          {t("op.takeover.again")}
        </button>
      </section>
    </main>
  );
}

function useDesk(store: DeskStore, baseUrl: string, m: Model): Desk | null {
  const token = m.session?.token ?? "";
  const [desk, setDesk] = useState<Desk | null>(null);
  useEffect(() => {
    const session = store.get().session;
    if (!session) return;
    const phone = softphone();
    const d = new Desk({
      api: deskApi(baseUrl, session),
      dispatch: store.dispatch,
      model: store.get,
      onOffer(o: Offer) {
        if (loadPrefs().sound) ring();
        notifyOffer(o);
        phone.offered(o);
      },
      onEnd(why) {
        clearSession(session.token);
        if (why === "taken_over") clearOfferNotification();
      },
    });
    void phone.start({ operatorId: session.operatorId, name: session.name }, softphoneAccount(baseUrl, session));
    setDesk(d);
    const online = () => d.retryNow();
    const visible = () => document.visibilityState === "visible" && d.retryNow();
    window.addEventListener("online", online);
    document.addEventListener("visibilitychange", visible);
    return () => {
      window.removeEventListener("online", online);
      document.removeEventListener("visibilitychange", visible);
      d.stop();
      // Log out, a takeover and a refused session all close the operator screen: the phone too.
      void phone.stop();
    };
  }, [store, baseUrl, token]);
  return desk;
}

function Operator({ store, baseUrl, m }: { store: DeskStore; baseUrl: string; m: Model }) {
  const desk = useDesk(store, baseUrl, m);
  const now = useNow(250);
  const screen = derive(m, now);
  const [prefs, setPrefsState] = useState<Prefs>(loadPrefs);
  const setPrefs = (p: Prefs) => {
    savePrefs(p);
    setPrefsState(p);
  };
  const callId = m.status?.callId ?? "";
  const confApi = useMemo(() => (m.session ? conferenceApi(baseUrl, m.session.token) : null), [baseUrl, m.session?.token]);
  const transfer = useTransfer((s) => transferApi(baseUrl, s), m.session, m.status?.state === "on_call", m.status?.call ?? null);
  // The note belongs to one call (the desk keeps it and saves it: it outlives the wrap-up card).
  const note = m.note && m.note.callId === callId ? m.note.text : "";
  const noteInput = {
    text: note,
    type: (text: string) => desk?.typeNote(callId, text),
    leave: () => void desk?.saveNote(),
  };

  const toggle = (reason?: string) => {
    unlockSound();
    const t = screen.toggle;
    if (!desk || !t.action || t.busy) return;
    if (t.action === "ready") {
      askNotificationPermission();
      void desk.act("ready");
    } else {
      const r = reason ?? prefs.awayReason;
      if (reason) setPrefs({ ...prefs, awayReason: reason });
      void desk.act("away", r);
    }
  };
  const toggleHold = () => {
    if (desk && screen.card?.kind === "talk" && !screen.card.hold.busy && !screen.card.hold.blocked) void desk.act(screen.card.hold.held ? "resume" : "hold");
  };
  const done = () => {
    if (desk && screen.card?.kind === "wrap_up" && screen.card.canDone) void desk.act("done", note.trim());
  };

  useShortcuts(toggle, done);

  const st = m.status?.state ?? "unknown";
  useEffect(() => {
    document.title = `${screen.conn.tone === "ok" ? screen.state.label : t("op.conn.disconnected")} · Tandem`;
    softphone().moved(st, callId);
    if (st !== "reserved") clearOfferNotification();
  }, [screen.state.label, screen.conn.tone, st, callId]);

  const logOut = async () => {
    if (!desk || !m.session) return;
    const why = await desk.logOut();
    if (why) {
      store.dispatch({ type: "action_failed", action: "away", message: t("op.logout.failed", { why }) });
      return;
    }
    clearSession(m.session.token);
    store.dispatch({ type: "signed_out" });
  };

  const name = m.status?.displayName || m.session?.name || "";
  return (
    <div class={`app tone-${screen.state.tone}${screen.state.stale ? " stale" : ""}`}>
      <header class="top">
        <span class="brand">
          <span class="logo" aria-hidden="true" />
          Tandem
        </span>
        <span class="who" data-testid="operator-name">
          {name}
        </span>
        <ConnBadge screen={screen} onRetry={() => desk?.retryNow()} />
        <PhoneBadge />
        <label class="sound" title={t("op.sound.hint")}>
          <input type="checkbox" checked={prefs.sound} onChange={(e) => setPrefs({ ...prefs, sound: e.currentTarget.checked })} /> {t("op.sound")}
        </label>
        <LanguagePicker />
        <button class="link" onClick={logOut} disabled={m.status?.state === "reserved" || m.status?.state === "on_call"}>
          {t("op.logout")}
        </button>
      </header>
      {m.conn.kind !== "live" && (
        <div class="banner" role="alert" data-testid="disconnected">
          <strong>{t("op.banner.down")}</strong> {screen.conn.detail && <span aria-hidden="true">{t("op.banner.reconnecting", { detail: screen.conn.detail })}</span>}{" "}
          <button class="link" onClick={() => desk?.retryNow()}>
            {t("op.banner.retry")}
          </button>
        </div>
      )}
      <main class="desk">
        <h1 class="sr-only">{t("op.desk.title", { name })}</h1>
        <section class="status-panel" aria-label={t("op.status.label")}>
          <div class="state" data-testid="state" data-state={screen.state.stale ? "stale" : screen.state.key} aria-live="polite">
            <span class="state-label">{screen.state.label}</span>
            {screen.state.detail && (
              <span class="state-detail" data-testid="state-detail">
                {screen.state.detail}
              </span>
            )}
            {m.status && !screen.state.stale && (
              <span class="state-for" data-testid="state-for" aria-hidden="true">
                {t("op.status.for", { time: clock(screen.state.forMs) })}
              </span>
            )}
          </div>
          {screen.card && (
            <CallCard card={screen.card} now={now} note={noteInput} onDone={done} onDispose={(code) => void desk?.act("dispose", code)} onDecline={() => void desk?.decline().then((offerId) => softphone().decline(offerId))} onHold={toggleHold}>
              {transfer}
            </CallCard>
          )}
          {screen.card?.kind === "talk" && confApi && <Conference api={confApi} callId={screen.card.callId} parties={m.status?.call?.parties ?? []} transferring={transferInProgress(m.status?.call?.transfer ?? null)} />}
          <ToggleButton screen={screen} compact={screen.card !== null} onPress={() => toggle()} />
          {(st === "ready" || st === "wrap_up") && !screen.state.stale && (
            <div class="reasons" role="group" aria-label={t("op.away.group")}>
              <span class="muted">{t("op.away.for")}</span>
              {awayReasons.map((r) => (
                <button key={r} class={`chip${r === prefs.awayReason ? " chosen" : ""}`} disabled={screen.toggle.busy} onClick={() => toggle(r)}>
                  {awayReasonLabel(r)}
                </button>
              ))}
            </div>
          )}
          {m.failedLogins && (
            <p class="notice" role="alert" data-testid="failed-logins">
              {failedLoginsText(m.failedLogins, now)}. {t("op.failedLogins.notYou")}{" "}
              <button class="link" onClick={() => store.dispatch({ type: "dismiss_failed_logins" })}>
                {t("op.dismiss")}
              </button>
            </p>
          )}
          {m.notice && (
            <p class="error" role="alert" data-testid="notice">
              {m.notice}{" "}
              <button class="link" onClick={() => store.dispatch({ type: "dismiss_notice" })}>
                {t("op.dismiss")}
              </button>
            </p>
          )}
          {screen.ban && (
            <div class="ban" role="alert" data-testid="ban">
              <strong>{screen.ban.until ? t("op.ban.until", { time: dateTime(screen.ban.until, { hour: "2-digit", minute: "2-digit" }) }) : t("op.ban.untilFurther")}</strong>
              {screen.ban.until > 0 && <span> {t("op.ban.left", { time: clock(screen.ban.leftMs) })}</span>}
              <p>{screen.ban.reason}</p>
            </div>
          )}
        </section>
        <Figures screen={screen} stats={m.stats} />
      </main>
      <footer class="keys muted">
        <span>
          <kbd>R</kbd> {t("op.keys.r")}
        </span>
        <span>
          <kbd>D</kbd> {t("op.keys.d")}
        </span>
        <span>
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> {t("op.keys.ctrlEnter")}
        </span>
      </footer>
    </div>
  );
}

function ConnBadge({ screen, onRetry }: { screen: Screen; onRetry: () => void }) {
  const c = screen.conn;
  return (
    <span class={`conn conn-${c.tone}`} role="status" data-testid="conn" data-tone={c.tone} title={c.detail} onClick={c.tone === "bad" ? onRetry : undefined}>
      <span class="dot" aria-hidden="true" />
      {c.label}
      {c.detail && (
        <span class="conn-detail" aria-hidden="true">
          {" "}
          · {c.detail}
        </span>
      )}
    </span>
  );
}

function ToggleButton({ screen, compact, onPress }: { screen: Screen; compact: boolean; onPress: () => void }) {
  const t = screen.toggle;
  return (
    <button
      class={`toggle ${t.on ? "on" : "off"}${t.action ? "" : " inert"}${compact ? " compact" : ""}`}
      data-testid="toggle"
      data-action={t.action ?? "none"}
      aria-pressed={t.on}
      disabled={!t.action || t.busy}
      onClick={onPress}
      title={t.hint}
    >
      <span class="toggle-label">{t.busy ? "…" : t.label}</span>
      <span class="toggle-hint">{t.hint}</span>
    </button>
  );
}

function Caller({ call, callId }: { call: Offer | null; callId: string }) {
  if (!call) return <p class="muted">{t("op.caller.call", { id: callId })}</p>;
  return (
    <div class="caller">
      <div class="caller-number" data-testid="caller-number">
        {call.callerNumber || t("op.caller.unknown")}
      </div>
      {call.callerName && (
        <div class="caller-name" data-testid="caller-name">
          {call.callerName}
        </div>
      )}
      <div class="caller-meta">
        <span data-testid="queue">{t("op.caller.queue", { queue: call.queueId })}</span>
        {call.yourClient && (
          <span class="badge" data-testid="your-client">
            {t("op.caller.yourClient")}
          </span>
        )}
      </div>
      {call.callback && <CallbackToMake callback={call.callback} />}
    </div>
  );
}

/** A call back to a customer: whom, which try, and the message he left to hear first. */
function CallbackToMake({ callback }: { callback: Callback }) {
  return (
    <div class="callback" data-testid="callback">
      <p class="badge" data-testid="callback-to">
        {callbackText(callback)}
      </p>
      {callback.voicemailUrl && (
        <p class="voicemail" data-testid="callback-voicemail">
          {t("op.callback.message", { length: clock(callback.voicemailLengthMs) })} <audio controls preload="none" src={callback.voicemailUrl} />
        </p>
      )}
    </div>
  );
}

function RecentCalls({ offer, now }: { offer: Offer; now: number }) {
  if (!offer.recentCalls.length) return <p class="muted recent-none">{t("op.recent.first")}</p>;
  return (
    <table class="recent" data-testid="recent-calls">
      <caption>{t("op.recent.caption")}</caption>
      <tbody>
        {offer.recentCalls.map((c) => (
          <tr key={c.callId}>
            <td>{when(c.arrivedAt, now)}</td>
            <td>{c.queueId}</td>
            <td class={`outcome-${c.outcome}`}>{outcomeLabel(c.outcome)}</td>
            <td>{c.operatorName || "—"}</td>
            <td>{c.talkTimeMs ? clock(c.talkTimeMs) : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The note field's value and what typing in it and leaving it do. */
interface NoteInput {
  text: string;
  type: (text: string) => void;
  leave: () => void;
}

function CallCard({
  card,
  now,
  note,
  onDone,
  onDecline,
  onHold,
  onDispose,
  children,
}: {
  card: Card;
  now: number;
  note: NoteInput;
  onDone: () => void;
  onDecline: () => void;
  onHold: () => void;
  onDispose: (code: string) => void;
  children?: ComponentChildren;
}) {
  if (card.kind === "offer") {
    const pct = Math.max(0, Math.min(100, (card.leftMs / card.totalMs) * 100));
    return (
      <article class="card card-offer" data-testid="offer-card" aria-labelledby="offer-title">
        <h2 id="offer-title">{t("op.offer.title")}</h2>
        <Caller call={card.offer} callId={card.offer.callId} />
        <div class="countdown" data-testid="ring-countdown">
          <div class="bar" style={{ width: `${pct}%` }} />
          <span>{t("op.offer.expires", { s: Math.ceil(card.leftMs / 1000) })}</span>
        </div>
        <AnswerButton />
        <RecentCalls offer={card.offer} now={now} />
        <button class="decline" data-testid="decline" disabled={!card.canDecline} onClick={onDecline}>
          {t("op.offer.decline")}
        </button>
      </article>
    );
  }
  if (card.kind === "talk") {
    return (
      <article class="card card-talk" data-testid="talk-card">
        <h2>
          {t("op.talk.title")} <span class="timer" data-testid="talk-timer">{clock(card.talkMs)}</span>
        </h2>
        <Caller call={card.call} callId={card.callId} />
        <HoldControls hold={card.hold} onHold={onHold} />
        {card.disposition && <DispositionPicker view={card.disposition} onPick={onDispose} />}
        <PhoneCallControls />
        {children}
      </article>
    );
  }
  return (
    <article class="card card-wrap" data-testid="wrapup-card">
      <h2>
        {t("op.wrap.title")}{" "}
        <span class="timer" data-testid="wrapup-countdown">
          {card.leftMs > 0 ? t("op.wrap.left", { time: clock(card.leftMs) }) : card.kept ? t("op.dispo.kept") : t("op.wrap.ending")}
        </span>
      </h2>
      <Caller call={card.call} callId={card.callId} />
      {card.disposition && <DispositionPicker view={card.disposition} onPick={onDispose} />}
      <label class="note">
        {t("op.wrap.note")}
        <textarea
          data-testid="note"
          maxLength={2000}
          rows={3}
          value={note.text}
          onInput={(e) => note.type(e.currentTarget.value)}
          onBlur={note.leave}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              onDone();
            }
          }}
          placeholder={t("op.wrap.notePlaceholder")}
        />
      </label>
      <button class="primary done" data-testid="done" disabled={!card.canDone} onClick={onDone} aria-describedby={card.doneBlocked ? "done-blocked" : undefined}>
        {t("op.wrap.done")} <kbd>D</kbd>
      </button>
      {card.doneBlocked && (
        <p id="done-blocked" class="done-blocked" data-testid="done-blocked">
          {card.doneBlocked}
        </p>
      )}
    </article>
  );
}

/** Hold/Resume for the call he talks on, with the time the caller has been held. */
function HoldControls({ hold, onHold }: { hold: HoldView; onHold: () => void }) {
  return (
    <div class="hold">
      {hold.held && (
        <p class="on-hold" data-testid="on-hold" role="status">
          {t("op.hold.on", { time: clock(hold.heldMs) })}
        </p>
      )}
      {hold.totalMs > 0 && (
        <p class="hold-total" data-testid="hold-total">
          {t("op.hold.total", { time: clock(hold.totalMs) })}
        </p>
      )}
      {hold.failure && (
        <p class="error" data-testid="hold-failure" role="alert">
          {hold.failure}
        </p>
      )}
      {hold.blocked && (
        <p class="muted" data-testid="hold-blocked">
          {hold.blocked}
        </p>
      )}
      <button data-testid="hold" disabled={hold.busy || !!hold.blocked} title={hold.blocked} onClick={onHold}>
        {hold.held ? t("op.hold.resume") : t("op.hold.hold")}
      </button>
    </div>
  );
}

function Figures({ screen, stats }: { screen: Screen; stats: Stats | null }) {
  const sc = screen.score;
  const answered = stats?.callsAnswered ?? 0;
  return (
    <aside class="figures" aria-label={t("op.figures.label")} data-testid="figures">
      <h2>{t("op.figures.today")}</h2>
      <dl class="stats">
        <div>
          <dt>{t("op.figures.calls")}</dt>
          <dd data-testid="calls-today">{answered}</dd>
        </div>
        <div>
          <dt>{t("op.figures.avgAnswer")}</dt>
          <dd data-testid="avg-answer">{stats && answered ? duration(stats.averageRingTimeMs) : "—"}</dd>
        </div>
        <div>
          <dt>{t("op.figures.missed")}</dt>
          <dd data-testid="missed-today">{stats?.offersMissed ?? 0}</dd>
        </div>
        <div>
          <dt>{t("op.figures.talk")}</dt>
          <dd>{stats ? clock(stats.talkTimeMs) : "—"}</dd>
        </div>
      </dl>
      {sc && (
        <div class="score" data-testid="score">
          <div class="score-head">
            <span>{t("op.score")}</span>
            <strong data-testid="score-value">{Math.round(sc.score)}</strong>
            <span class="muted">/ 100</span>
          </div>
          <div class="score-bar" aria-hidden="true">
            <div class="score-fill" style={{ width: `${Math.max(0, Math.min(100, sc.score))}%` }} />
            <div class="score-miss" style={{ width: `${Math.min(100, sc.missLoss)}%` }} />
          </div>
          <ul class="losses">
            <li>
              {t("op.score.missed")} <strong>−{Math.round(sc.missLoss)}</strong> <span class="muted">{t("op.score.answerRate", { rate: percent(sc.answerRate, 0) })}</span>
            </li>
            <li>
              {t("op.score.slow")} <strong>−{Math.round(sc.slowLoss)}</strong> <span class="muted">{t("op.score.ringTime", { time: duration(sc.ringTimeMs) })}</span>
            </li>
          </ul>
          <p class="muted small">{t("op.score.explain")}</p>
        </div>
      )}
    </aside>
  );
}

/** R: ready/away; D: done with wrap-up. Not while typing (Ctrl+Enter in the note is done). */
function useShortcuts(toggle: () => void, done: () => void) {
  const ref = useRef({ toggle, done });
  ref.current = { toggle, done };
  const handler = useMemo(
    () => (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      const k = e.key.toLowerCase();
      if (k === "r") {
        e.preventDefault();
        ref.current.toggle();
      } else if (k === "d") {
        e.preventDefault();
        ref.current.done();
      }
    },
    [],
  );
  useEffect(() => {
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [handler]);
}
