// Alerts on the wallboard: a queue's threshold crossed (set per queue in the configuration),
// shown above everything while open, with a sound when one is raised (once the page has been
// clicked or typed in: browsers let pages make sound only after a gesture), an Acknowledge
// button for supervisors, and the day's history on demand.
import { useEffect, useRef, useState } from "preact/hooks";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Alert } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Api } from "./api";
import { ring, unlockSound } from "../notify";
import { clock } from "./words";
import { ms } from "./live";

const words = {
  region: "Alerts",
  acknowledge: "Acknowledge",
  acknowledged: (by: string) => `acknowledged by ${by}`,
  since: "since",
  raisedAt: (hhmmss: string) => `raised at ${hhmmss} UTC`,
  history: "Recent alerts",
  noHistory: "No alerts in the last 24 hours.",
  cleared: "cleared",
  open: "open",
  failed: (why: string) => `Not acknowledged: ${why}`,
  what: (a: Alert, queue: string, operator: string): string => {
    switch (a.kind) {
      case "waiting":
        return `${queue}: ${a.value} calls waiting (over ${a.threshold})`;
      case "longest_wait":
        return `${queue}: a call waited ${Math.round(a.value)} s (over ${a.threshold} s)`;
      case "misses_in_row":
        return `${queue}: ${operator} missed ${a.value} offers in a row`;
      case "service_level":
        return `${queue}: service level ${a.value} % (under ${a.threshold} %)`;
      case "abandonment":
        return `${queue}: ${a.value} % of calls abandoned (over ${a.threshold} %)`;
      default:
        return `${queue}: ${a.kind} ${a.value} (threshold ${a.threshold})`;
    }
  },
};

const dayMs = 24 * 60 * 60 * 1000;

/** Sounds once for each alert id not seen before on this page (not for those open at load). */
function useAlertSound(alerts: Alert[]): void {
  const seen = useRef<Set<bigint> | null>(null);
  useEffect(() => {
    const unlock = () => unlockSound();
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);
    return () => {
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    };
  }, []);
  useEffect(() => {
    if (seen.current === null) {
      seen.current = new Set(alerts.map((a) => a.alertId));
      return;
    }
    let fresh = false;
    for (const a of alerts) {
      if (!seen.current.has(a.alertId)) {
        seen.current.add(a.alertId);
        fresh = true;
      }
    }
    if (fresh) ring();
  }, [alerts]);
}

export function Alerts({ api, alerts, queueNames, names, now }: { api: Api; alerts: Alert[]; queueNames: Map<string, string>; names: Map<string, string>; now: number }) {
  useAlertSound(alerts);
  const [error, setError] = useState("");
  const describe = (a: Alert) => words.what(a, queueNames.get(a.queueId) || a.queueId, names.get(a.operatorId) || a.operatorId);
  const acknowledge = async (a: Alert) => {
    setError("");
    try {
      await api.analytics.acknowledgeAlert({ alertId: a.alertId });
    } catch (e) {
      setError(words.failed(e instanceof Error ? e.message : String(e)));
    }
  };
  return (
    <section class="wb-alerts" aria-label={words.region} data-testid="alerts">
      {/* Announced politely when an alert comes or goes; the running "since" is shown only. */}
      <div role="status">
        {alerts.length > 0 && (
          <ul class="wb-alert-list">
            {alerts.map((a) => (
              <li key={String(a.alertId)} class={`wb-alert${a.acknowledgedBy ? " wb-alert-acked" : ""}`} data-testid={`alert-${a.kind}`}>
                <strong>{describe(a)}</strong>{" "}
                <span class="wb-alert-since" aria-hidden="true">
                  {words.since} {clock(Math.max(0, now - ms(a.raisedAt)))}
                </span>
                <span class="sr-only">{words.raisedAt(a.raisedAt ? timestampDate(a.raisedAt).toISOString().slice(11, 19) : "")}</span>{" "}
                {a.acknowledgedBy ? (
                  <span class="wb-alert-ack">{words.acknowledged(a.acknowledgedBy)}</span>
                ) : (
                  <button type="button" onClick={() => void acknowledge(a)} aria-label={`${words.acknowledge}: ${describe(a)}`}>
                    {words.acknowledge}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && (
        <p role="status" class="wb-alert-error">
          {error}
        </p>
      )}
      <AlertHistory api={api} describe={describe} />
    </section>
  );
}

function AlertHistory({ api, describe }: { api: Api; describe: (a: Alert) => string }) {
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<Alert[] | null>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void api.analytics
      .listAlerts({ since: timestampFromMs(Date.now() - dayMs) })
      .then((r) => live && setList(r.alerts))
      .catch(() => live && setList([]));
    return () => {
      live = false;
    };
  }, [open]);
  return (
    <details class="wb-alert-history" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{words.history}</summary>
      {list && list.length === 0 && <p>{words.noHistory}</p>}
      {list && list.length > 0 && (
        <ul data-testid="alert-history">
          {list.map((a) => (
            <li key={String(a.alertId)}>
              {a.raisedAt ? timestampDate(a.raisedAt).toISOString().slice(11, 19) : ""} {describe(a)} — {a.clearedAt ? words.cleared : words.open}
              {a.acknowledgedBy ? `, ${words.acknowledged(a.acknowledgedBy)}` : ""}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
