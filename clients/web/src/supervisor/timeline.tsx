// Explain a call: the calls in progress (AssignmentService.ListCalls) or any call by id, and its
// timeline (AnalyticsService.GetCallTimeline): intake, announcements, each offer with the
// candidates and the rule that chose, failures, the answer, who hung up, the caller's answer.
import { useEffect, useState } from "preact/hooks";
import { catalogWords, num, t, useLang } from "../i18n/i18n";
import type { GetCallTimelineResponse, TimelineEntry } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { problem, unary, type Api } from "./api";
import { ms } from "./live";
import { CallActions, CallbackNote } from "./floor";
import { Monitor } from "./monitor";
import { CallDisposition } from "./dispositions";
import { excludedWords, relaxationWords } from "./relax";
import { useOperatorNames } from "./names";
import { callStates, hangupParties, secs, stateKeys, stateLabels } from "./words";

/** The timeline's kinds of entry in words (a kind not listed reads as undefined: its callers
 * show the kind itself). */
export const kindLabels: Readonly<Record<string, string | undefined>> = catalogWords<string>({
  arrived: "timeline.kind.arrived",
  announced: "timeline.kind.announced",
  offered: "timeline.kind.offered",
  offer_failed: "timeline.kind.offer_failed",
  offer_expired: "timeline.kind.offer_expired",
  offer_withdrawn: "timeline.kind.offer_withdrawn",
  offer_declined: "timeline.kind.offer_declined",
  offer_cancelled: "timeline.kind.offer_cancelled",
  answered: "timeline.kind.answered",
  overflowed: "timeline.kind.overflowed",
  requeued: "timeline.kind.requeued",
  ended: "timeline.kind.ended",
  abandoned: "timeline.kind.abandoned",
  lost: "timeline.kind.lost",
  asked: "timeline.kind.asked",
  manager_accepted: "timeline.kind.manager_accepted",
  manager_declined: "timeline.kind.manager_declined",
  party_dialed: "timeline.kind.party_dialed",
  party_joined: "timeline.kind.party_joined",
  party_failed: "timeline.kind.party_failed",
  party_left: "timeline.kind.party_left",
  monitor_mode: "timeline.kind.monitor_mode",
  transfer: "timeline.kind.transfer",
  disposition: "timeline.kind.disposition",
  exited: "timeline.kind.exited",
  menu: "timeline.kind.menu",
});

/** One entry in a sentence (apart from its time and its decision table). */
export function describeEntry(e: TimelineEntry, name: (id: string) => string): string {
  const who = e.operatorId ? name(e.operatorId) : e.spareId ? t("timeline.spare", { spare: e.spareId }) : "";
  const parts: string[] = [kindLabels[e.kind] ?? e.kind];
  if (who) parts.push(t(e.kind === "offered" || e.kind === "overflowed" || e.kind.startsWith("offer_") ? "timeline.to" : "timeline.by", { who }));
  if (e.failureCode) parts.push(t("drill.sip", { code: String(e.failureCode) }));
  if (e.ringTimeMs) parts.push(t("drill.afterRinging", { time: secs(e.ringTimeMs) }));
  const side = hangupParties[e.hungUpBy];
  if (e.kind === "ended" && side) parts.push(t("timeline.hungUp", { side }));
  let s = parts.join(" ");
  // A leg of a ring that another operator beat: why, in the reader's language (the server's
  // reason says the same in English).
  const text = e.kind === "offer_cancelled" ? t("timeline.beaten") : e.text;
  if (text) s += `: ${text}`;
  return s;
}

/** The way the caller took through the IVR menu: each node and what took him on, then the exit. */
function MenuPath({ tl }: { tl: GetCallTimelineResponse }) {
  const steps = tl.menuPath.map((s) =>
    s.timedOut ? t("timeline.menu.silence", { node: s.nodeId }) : s.digit ? t("timeline.menu.key", { node: s.nodeId, key: s.digit }) : s.words ? t("timeline.menu.words", { node: s.nodeId, words: s.words }) : s.nodeId,
  );
  const exit = tl.menuExit === "hangup" ? t("timeline.menu.hangup") : tl.menuExit ? tl.menuExit : t("timeline.menu.stillIn");
  return (
    <p class="small" data-testid="call-menu">
      {t("timeline.menu", { menu: tl.menuId, path: steps.join(" → ") || "—", exit })}
    </p>
  );
}

function time(at: number): string {
  return at ? new Date(at).toISOString().slice(11, 21) : "";
}

export function Calls({ api, callId, openCall }: { api: Api; callId: string; openCall: (id: string) => void }) {
  const [id, setId] = useState(callId);
  const lang = useLang();
  useEffect(() => setId(callId), [callId]);
  useEffect(() => {
    document.title = `${t("timeline.callsTitle")} · Tandem`;
  }, [lang]);
  return (
    <div class="sv-page">
      <h1>{t("timeline.explainTitle")}</h1>
      <form
        class="sv-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) openCall(id.trim());
        }}
      >
        <label>
          {t("timeline.callId")}
          <input name="call-id" size={40} value={id} onInput={(e) => setId(e.currentTarget.value)} placeholder={t("timeline.callIdExample")} />
        </label>
        <button type="submit" class="primary">
          {t("timeline.explain")}
        </button>
      </form>
      {callId && <Timeline api={api} callId={callId} />}
      <CallsNow api={api} openCall={openCall} />
    </div>
  );
}

function CallsNow({ api, openCall }: { api: Api; openCall: (id: string) => void }) {
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [error, setError] = useState("");
  const load = () => {
    api.assignment.listCalls({}, unary).then(
      (r) => {
        setCalls(r.calls);
        setError("");
      },
      (e) => setError(problem(e).message),
    );
  };
  useEffect(load, [api]);
  return (
    <section class="sv-card" aria-labelledby="calls-now">
      <h2 id="calls-now">
        {t("timeline.callsNow")}{" "}
        <button class="link" onClick={load}>
          {t("floor.refresh")}
        </button>
      </h2>
      {error && <p class="error" role="alert">{error}</p>}
      {calls && calls.length === 0 && <p class="muted">{t("timeline.noCallsNow")}</p>}
      {calls && calls.length > 0 && (
        <table class="sv-table" data-testid="calls-now">
          <thead>
            <tr>
              <th>{t("timeline.arrived")}</th>
              <th>{t("timeline.caller")}</th>
              <th>{t("timeline.queue")}</th>
              <th>{t("timeline.state")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.callId}>
                <td>{time(ms(c.arrivedAt))}</td>
                <td>{c.callback ? <CallbackNote call={c} /> : c.callerNumber}</td>
                <td>{c.queueId}</td>
                <td>{callStates[c.state]}</td>
                <td>
                  <button class="link" onClick={() => openCall(c.callId)}>
                    {t("timeline.explain")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// Recording plays the call's recording (AssignmentService.GetCall gives its URL to admins and
// supervisors only); nothing shows when the call was not recorded or the key may not hear it.
function Recording({ api, callId }: { api: Api; callId: string }) {
  const [url, setUrl] = useState("");
  useEffect(() => {
    setUrl("");
    api.assignment.getCall({ callId }, unary).then(
      (r) => setUrl(r.call?.recordingUrl ?? ""),
      () => setUrl(""),
    );
  }, [api, callId]);
  if (!url) return null;
  return (
    <p class="recording" data-testid="recording">
      {t("timeline.recording")} <audio controls preload="none" src={url} />{" "}
      <a href={url} rel="noreferrer noopener" target="_blank">
        {t("timeline.openRecording")}
      </a>
    </p>
  );
}

export function Timeline({ api, callId }: { api: Api; callId: string }) {
  useLang();
  const [tl, setT] = useState<GetCallTimelineResponse | null>(null);
  const [error, setError] = useState("");
  const name = useOperatorNames(api);
  useEffect(() => {
    setT(null);
    setError("");
    api.analytics.getCallTimeline({ callId }, unary).then(setT, (e) => setError(problem(e).message));
  }, [api, callId]);
  if (error) {
    return (
      <p class="error" role="alert" data-testid="timeline-error">
        {error}
      </p>
    );
  }
  if (!tl) return <p class="muted">{t("timeline.loading")}</p>;
  return (
    <section class="sv-card" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">
        {t("timeline.heading", { call: tl.callId, number: tl.callerNumber || t("timeline.unknownNumber"), queue: tl.queueId, state: callStates[tl.state] })}
      </h2>
      <Recording api={api} callId={callId} />
      {tl.menuId && <MenuPath tl={tl} />}
      <CallDisposition api={api} callId={callId} />
      <CallActions key={callId} api={api} callId={callId} name={name} />
      <Monitor api={api} callId={callId} />
      <OperatorLinks ids={[...new Set(tl.entries.map((e) => e.operatorId).filter(Boolean))]} name={name} />
      <p class="muted small">{t("timeline.utc")}</p>
      <ol class="timeline">
        {tl.entries.map((e, i) => (
          <li key={i} class={`tl-${e.kind}`} data-kind={e.kind}>
            <time>{time(ms(e.at))}</time>
            <div>
              <p>{describeEntry(e, name)}</p>
              {e.decision && e.kind === "offered" && (
                <details open={e.decision.candidates.length <= 6}>
                  <summary>
                    {t("timeline.why", { rule: e.decision.rule || "—", strategy: e.decision.strategy })}
                  </summary>
                  {e.decision.relaxation && (
                    <p class="small" data-testid="decision-relaxation">
                      {relaxationWords(e.decision.relaxation)}
                    </p>
                  )}
                  <table class="sv-table small">
                    <thead>
                      <tr>
                        <th>{t("timeline.candidate")}</th>
                        <th>{t("timeline.state")}</th>
                        <th>{t("timeline.eligible")}</th>
                        <th>{t("timeline.value")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.decision.candidates.map((c) => (
                        <tr key={c.operatorId}>
                          <td>{name(c.operatorId)}</td>
                          <td>{stateLabels[stateKeys[c.state]]}</td>
                          <td>{c.eligible ? t("timeline.yes") : t("timeline.no", { why: excludedWords(c.excludedBecause) })}</td>
                          <td>{c.valueText}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {e.decision.eligibleCount + e.decision.excludedCount > 0 && (
                    <p class="muted small" data-testid="decision-counts">
                      {t("timeline.counts", { eligible: e.decision.eligibleCount, excluded: e.decision.excludedCount })}
                      {Object.entries(e.decision.excludedByReason)
                        .sort((a, b) => b[1] - a[1])
                        .map(([why, n], i) => `${i === 0 ? ": " : ", "}${num(n)} ${excludedWords(why)}`)
                        .join("")}
                    </p>
                  )}
                </details>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The operators the call went to, each linking to his day (#operators/<id>). */
function OperatorLinks({ ids, name }: { ids: string[]; name: (id: string) => string }) {
  if (ids.length === 0) return null;
  return (
    <p class="small" data-testid="call-operators">
      {t("timeline.operators")}{" "}
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <a href={`#operators/${encodeURIComponent(id)}`}>{name(id)}</a>
        </span>
      ))}
    </p>
  );
}
