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
import { t } from "../i18n/i18n";

/** What an alert says: its queue, what crossed which threshold. */
function what(a: Alert, queue: string, operator: string): string {
  const p = { queue, operator, value: a.value, threshold: a.threshold, count: a.value, kind: a.kind };
  switch (a.kind) {
    case "waiting":
      return t("alerts.waiting", p);
    case "longest_wait":
      return t("alerts.longestWait", { ...p, value: Math.round(a.value) });
    case "misses_in_row":
      return t("alerts.misses", p);
    case "service_level":
      return t("alerts.serviceLevel", p);
    case "abandonment":
      return t("alerts.abandonment", p);
    default:
      return t("alerts.other", p);
  }
}

/** The time of day (UTC) an alert was raised: 14:03:27. */
function raisedAt(a: Alert): string {
  return a.raisedAt ? timestampDate(a.raisedAt).toISOString().slice(11, 19) : "";
}

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
  const describe = (a: Alert) => what(a, queueNames.get(a.queueId) || a.queueId, names.get(a.operatorId) || a.operatorId);
  const acknowledge = async (a: Alert) => {
    setError("");
    try {
      await api.analytics.acknowledgeAlert({ alertId: a.alertId });
    } catch (e) {
      setError(t("alerts.failed", { why: e instanceof Error ? e.message : String(e) }));
    }
  };
  return (
    <section class="wb-alerts" aria-label={t("alerts.region")} data-testid="alerts">
      {/* Announced politely when an alert comes or goes; the running "since" is shown only. */}
      <div role="status">
        {alerts.length > 0 && (
          <ul class="wb-alert-list">
            {alerts.map((a) => (
              <li key={String(a.alertId)} class={`wb-alert${a.acknowledgedBy ? " wb-alert-acked" : ""}`} data-testid={`alert-${a.kind}`}>
                <strong>{describe(a)}</strong>{" "}
                <span class="wb-alert-since" aria-hidden="true">
                  {t("alerts.since", { time: clock(Math.max(0, now - ms(a.raisedAt))) })}
                </span>
                <span class="sr-only">{t("alerts.raisedAt", { time: raisedAt(a) })}</span>{" "}
                {a.acknowledgedBy ? (
                  <span class="wb-alert-ack">{t("alerts.acknowledged", { who: a.acknowledgedBy })}</span>
                ) : (
                  <button type="button" onClick={() => void acknowledge(a)} aria-label={t("alerts.acknowledgeWhat", { what: describe(a) })}>
                    {t("alerts.acknowledge")}
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
      <summary>{t("alerts.history")}</summary>
      {list && list.length === 0 && <p>{t("alerts.noHistory")}</p>}
      {list && list.length > 0 && (
        <ul data-testid="alert-history">
          {list.map((a) => (
            <li key={String(a.alertId)}>
              {t("alerts.historyLine", {
                time: raisedAt(a),
                what: describe(a),
                state: [a.clearedAt ? t("alerts.cleared") : t("alerts.open"), ...(a.acknowledgedBy ? [t("alerts.acknowledged", { who: a.acknowledgedBy })] : [])].join(", "),
              })}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
