// Explain a call: the calls in progress (AssignmentService.ListCalls) or any call by id, and its
// timeline (AnalyticsService.GetCallTimeline): intake, announcements, each offer with the
// candidates and the rule that chose, failures, the answer, who hung up, the caller's answer.
import { useEffect, useState } from "preact/hooks";
import type { GetCallTimelineResponse, TimelineEntry } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { problem, unary, type Api } from "./api";
import { ms } from "./live";
import { Monitor } from "./monitor";
import { CallDisposition } from "./dispositions";
import { useOperatorNames } from "./names";
import { callStates, hangupParties, secs, stateKeys, stateLabels } from "./words";

export const kindLabels: Record<string, string> = {
  arrived: "Arrived",
  announced: "Caller heard",
  offered: "Offered",
  offer_failed: "Offer failed",
  offer_expired: "Offer expired (no answer)",
  offer_withdrawn: "Offer withdrawn",
  offer_declined: "Offer declined by the operator",
  answered: "Answered",
  overflowed: "Overflowed",
  requeued: "Back in line",
  ended: "Ended",
  abandoned: "Caller hung up waiting",
  lost: "Lost",
  asked: "Asked about a personal manager",
  manager_accepted: "Said yes to a personal manager",
  manager_declined: "Said no to a personal manager",
  party_dialed: "Third party dialed",
  party_joined: "Third party joined",
  party_failed: "Third party did not join",
  party_left: "Third party left",
  monitor_mode: "Monitoring switched",
};

/** One entry in a sentence (apart from its time and its decision table). */
export function describeEntry(e: TimelineEntry, name: (id: string) => string): string {
  const who = e.operatorId ? name(e.operatorId) : e.spareId ? `spare ${e.spareId}` : "";
  const parts: string[] = [kindLabels[e.kind] ?? e.kind];
  if (who) parts.push(e.kind === "offered" || e.kind === "overflowed" || e.kind.startsWith("offer_") ? `to ${who}` : `by ${who}`);
  if (e.failureCode) parts.push(`(SIP ${e.failureCode})`);
  if (e.ringTimeMs) parts.push(`after ${secs(e.ringTimeMs)} ringing`);
  const side = hangupParties[e.hungUpBy];
  if (e.kind === "ended" && side) parts.push(`— ${side} hung up`);
  let s = parts.join(" ");
  if (e.text) s += `: ${e.text}`;
  return s;
}

function time(at: number): string {
  return at ? new Date(at).toISOString().slice(11, 21) : "";
}

export function Calls({ api, callId, openCall }: { api: Api; callId: string; openCall: (id: string) => void }) {
  const [id, setId] = useState(callId);
  useEffect(() => {
    document.title = "Calls · Tandem";
    setId(callId);
  }, [callId]);
  return (
    <div class="sv-page">
      <h1>Explain a call</h1>
      <form
        class="sv-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) openCall(id.trim());
        }}
      >
        <label>
          Call id
          <input name="call-id" size={40} value={id} onInput={(e) => setId(e.currentTarget.value)} placeholder="call_…" />
        </label>
        <button type="submit" class="primary">
          Explain
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
        Calls in progress{" "}
        <button class="link" onClick={load}>
          Refresh
        </button>
      </h2>
      {error && <p class="error" role="alert">{error}</p>}
      {calls && calls.length === 0 && <p class="muted">No call is waiting or talking.</p>}
      {calls && calls.length > 0 && (
        <table class="sv-table" data-testid="calls-now">
          <thead>
            <tr>
              <th>Arrived</th>
              <th>Caller</th>
              <th>Queue</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.callId}>
                <td>{time(ms(c.arrivedAt))}</td>
                <td>{c.callerNumber}</td>
                <td>{c.queueId}</td>
                <td>{callStates[c.state]}</td>
                <td>
                  <button class="link" onClick={() => openCall(c.callId)}>
                    Explain
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
      Recording: <audio controls preload="none" src={url} /> <a href={url} rel="noreferrer noopener" target="_blank">open</a>
    </p>
  );
}

export function Timeline({ api, callId }: { api: Api; callId: string }) {
  const [t, setT] = useState<GetCallTimelineResponse | null>(null);
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
  if (!t) return <p class="muted">Loading the call…</p>;
  return (
    <section class="sv-card" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">
        Call {t.callId} · {t.callerNumber || "unknown number"} · queue {t.queueId} · {callStates[t.state]}
      </h2>
      <Recording api={api} callId={callId} />
      <CallDisposition api={api} callId={callId} />
      <Monitor api={api} callId={callId} />
      <OperatorLinks ids={[...new Set(t.entries.map((e) => e.operatorId).filter(Boolean))]} name={name} />
      <p class="muted small">Times in UTC, to the tenth of a second.</p>
      <ol class="timeline">
        {t.entries.map((e, i) => (
          <li key={i} class={`tl-${e.kind}`} data-kind={e.kind}>
            <time>{time(ms(e.at))}</time>
            <div>
              <p>{describeEntry(e, name)}</p>
              {e.decision && e.kind === "offered" && (
                <details open={e.decision.candidates.length <= 6}>
                  <summary>
                    Why: {e.decision.rule || "—"} ({e.decision.strategy})
                  </summary>
                  <table class="sv-table small">
                    <thead>
                      <tr>
                        <th>Candidate</th>
                        <th>State</th>
                        <th>Eligible</th>
                        <th>Value</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.decision.candidates.map((c) => (
                        <tr key={c.operatorId}>
                          <td>{name(c.operatorId)}</td>
                          <td>{stateLabels[stateKeys[c.state]]}</td>
                          <td>{c.eligible ? "yes" : `no — ${c.excludedBecause}`}</td>
                          <td>{c.valueText}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {e.decision.eligibleCount + e.decision.excludedCount > 0 && (
                    <p class="muted small" data-testid="decision-counts">
                      {e.decision.eligibleCount} free, {e.decision.excludedCount} others left out
                      {Object.entries(e.decision.excludedByReason)
                        .sort((a, b) => b[1] - a[1])
                        .map(([why, n], i) => `${i === 0 ? ": " : ", "}${n} ${why}`)
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
      Operators:{" "}
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <a href={`#operators/${encodeURIComponent(id)}`}>{name(id)}</a>
        </span>
      ))}
    </p>
  );
}
