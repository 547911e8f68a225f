// An operator's drill-down (AnalyticsService.GetOperatorDrillDown): pick him, then today's
// states as a strip and a list, his calls and offers (each linking to the call's page), his
// score per day as stacked bars (points, lost to misses, lost to slow answers), his misses and
// bans with their reasons.
import { useEffect, useState } from "preact/hooks";
import { t, useLang } from "../i18n/i18n";
import type { GetOperatorDrillDownResponse, OperatorEvent } from "@gen/tandem/analytics/v1/analytics_pb";
import { problem, unary, type Api, type Role } from "./api";
import { OperatorActions } from "./floor";
import { drillWords as w, reasonLabel, scoreBars, stateStrip } from "./drill";
import { ms } from "./live";
import { useOperators } from "./names";
import { kindLabels } from "./timeline";
import { secs, stateKeys, stateLabels, utcMidnight } from "./words";

function hm(at: number): string {
  return at ? new Date(at).toISOString().slice(11, 19) : "";
}

export function Operators({ api, role, operatorId, choose }: { api: Api; role: Role; operatorId: string; choose: (id: string) => void }) {
  const operators = useOperators(api);
  const lang = useLang();
  useEffect(() => {
    document.title = `${w.operatorsTitle} · Tandem`;
  }, [lang]);
  return (
    <div class="sv-page">
      <h1>{w.operatorsTitle}</h1>
      <form class="sv-inline" aria-label={w.pickOne} onSubmit={(e) => e.preventDefault()}>
        <label>
          {w.pick}
          <select name="operator" value={operatorId} onChange={(e) => choose(e.currentTarget.value)}>
            <option value="">{w.pickOne}</option>
            {operators.map((o) => (
              <option key={o.operatorId} value={o.operatorId}>
                {o.displayName || o.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {operatorId && <OperatorActions api={api} operatorId={operatorId} role={role} />}
      {operatorId && <DrillDown api={api} operatorId={operatorId} />}
    </div>
  );
}

function eventText(e: OperatorEvent): string {
  const parts = [kindLabels[e.kind] ?? e.kind];
  if (e.failureCode) parts.push(t("drill.sip", { code: String(e.failureCode) }));
  if (e.ringTimeMs) parts.push(t("drill.afterRinging", { time: secs(e.ringTimeMs) }));
  if (e.talkTimeMs) parts.push(t("drill.talk", { time: secs(Number(e.talkTimeMs)) }));
  return parts.join(" ") + (e.text ? `: ${e.text}` : "");
}

function DrillDown({ api, operatorId }: { api: Api; operatorId: string }) {
  useLang();
  const [d, setD] = useState<GetOperatorDrillDownResponse | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    setD(null);
    setError("");
    api.analytics.getOperatorDrillDown({ operator: operatorId }, unary).then(
      (r) => {
        setD(r);
        setNow(Date.now());
      },
      (e) => setError(problem(e).message),
    );
  }, [api, operatorId]);
  if (error) {
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  }
  if (!d) return <p class="muted">{w.loading}</p>;
  const strip = stateStrip(d.states, utcMidnight(now), now);
  return (
    <div data-testid="drilldown" data-operator={d.operatorId}>
      <section class="sv-card" aria-labelledby="dd-today">
        <h2 id="dd-today">
          {d.name} · {t("drill.utc", { title: w.timeline })}
        </h2>
        <div class="dd-strip" role="img" aria-label={strip.map((p) => `${stateLabels[p.key]} ${hm(p.from)}–${hm(p.to)}`).join(", ")}>
          {strip.map((p, i) => (
            <span key={i} class={`dd-part st-${p.key}`} style={{ left: `${p.left}%`, width: `${p.width}%` }} title={`${stateLabels[p.key]} ${hm(p.from)}–${hm(p.to)}${p.reason ? `: ${reasonLabel(p.reason)}` : ""}`} />
          ))}
        </div>
        <ol class="dd-states" data-testid="dd-states">
          {d.states.map((s, i) => (
            <li key={i} data-state={stateKeys[s.state]}>
              <time>{hm(ms(s.since))}</time> {stateLabels[stateKeys[s.state]]}
              {s.reason ? ` — ${reasonLabel(s.reason)}` : ""}
            </li>
          ))}
        </ol>
      </section>
      <section class="sv-card" aria-labelledby="dd-calls">
        <h2 id="dd-calls">{w.calls}</h2>
        {d.events.length === 0 && <p class="muted">{w.noEvents}</p>}
        <ol class="dd-events" data-testid="dd-events">
          {d.events.map((e, i) => (
            <li key={i} data-kind={e.kind}>
              <time>{hm(ms(e.at))}</time> {eventText(e)} · <a href={`#call/${encodeURIComponent(e.callId)}`}>{t("drill.openCall", { call: e.callId })}</a>
            </li>
          ))}
        </ol>
      </section>
      <section class="sv-card" aria-labelledby="dd-scores">
        <h2 id="dd-scores">{w.scores}</h2>
        {d.scores.length === 0 ? <p class="muted">{w.noScores}</p> : <ScoreChart d={d} />}
      </section>
      <section class="sv-card" aria-labelledby="dd-misses">
        <h2 id="dd-misses">{w.misses}</h2>
        {d.misses.length === 0 && <p class="muted">{w.noMisses}</p>}
        <ul data-testid="dd-misses">
          {d.misses.map((e, i) => (
            <li key={i}>
              <time>{hm(ms(e.at))}</time> {eventText(e)} · <a href={`#call/${encodeURIComponent(e.callId)}`}>{w.open}</a>
            </li>
          ))}
        </ul>
        <h2 id="dd-bans">{w.bans}</h2>
        {d.bans.length === 0 && <p class="muted">{w.noBans}</p>}
        <ul data-testid="dd-bans">
          {d.bans.map((b, i) => (
            <li key={i}>
              <time>{hm(ms(b.since))}</time>–<time>{hm(ms(b.until))}</time> {b.reason}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** Stacked bars, one a day: points (dark), lost to misses, lost to slow answers. */
function ScoreChart({ d }: { d: GetOperatorDrillDownResponse }) {
  const width = 600;
  const height = 160;
  const bars = scoreBars(d.scores, width);
  const bw = Math.max(4, width / Math.max(1, bars.length) - 4);
  const y = (v: number) => (v / 100) * height;
  const last = d.scores[d.scores.length - 1];
  return (
    <figure class="dd-scores" data-testid="dd-score-chart" data-days={bars.length}>
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-labelledby="dd-score-desc" width="100%">
        <desc id="dd-score-desc">
          {bars.map((b) => t("drill.dayScore", { day: b.day, points: Math.round(b.points), misses: Math.round(b.misses), slow: Math.round(b.slow) })).join("; ")}
        </desc>
        {bars.map((b) => (
          <g key={b.day}>
            <rect class="dd-points" x={b.x} y={height - y(b.points)} width={bw} height={y(b.points)} />
            <rect class="dd-lost-misses" x={b.x} y={height - y(b.points + b.misses)} width={bw} height={y(b.misses)} />
            <rect class="dd-lost-slow" x={b.x} y={height - y(b.points + b.misses + b.slow)} width={bw} height={y(b.slow)} />
          </g>
        ))}
      </svg>
      <figcaption class="small">
        <span class="dd-key dd-points" /> {t("drill.points")} <span class="dd-key dd-lost-misses" /> {t("drill.lostToMisses")} <span class="dd-key dd-lost-slow" /> {t("drill.lostToSlow")}
        {last && (
          <>
            {" · "}
            {t("drill.lastScore", { day: last.day, points: Math.round(last.points) })}
          </>
        )}
      </figcaption>
    </figure>
  );
}
