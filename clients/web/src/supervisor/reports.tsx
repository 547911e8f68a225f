// Reports: calls and service level per interval, today against a past day (GetHistory); the
// answer-time distribution; the operators' table, sortable (GetOperatorStats); the CSV of today's
// rows (ExportHistory).
import { useEffect, useMemo, useState } from "preact/hooks";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Interval, type Figures, type GetHistoryResponse, type OperatorStats } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import type uPlot from "uplot";
import { problem, unary, type Api } from "./api";
import { Chart, utc } from "./chart";
import { dayMs, daySeries, download, sortOperatorStats, type OperatorSortKey } from "./history";
import { clock, histogramLabels, percent, secs, utcDate, utcMidnight } from "./words";

interface Query {
  queueId: string;
  interval: Interval;
  pastDate: string;
}

/** A whole UTC day's rows (today's end is in the future: the rows stop at now). */
function historyRequest(q: Query, dayStart: number) {
  return {
    queueId: q.queueId,
    interval: q.interval,
    range: { from: timestampFromMs(dayStart), to: timestampFromMs(dayStart + dayMs) },
  };
}

export function Reports({ api }: { api: Api }) {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [q, setQ] = useState<Query>(() => ({ queueId: "", interval: Interval.INTERVAL_HOUR, pastDate: utcDate(Date.now() - dayMs) }));
  const [today, setToday] = useState<GetHistoryResponse | null>(null);
  const [past, setPast] = useState<GetHistoryResponse | null>(null);
  const [loadedAt, setLoadedAt] = useState(0);
  const [error, setError] = useState("");
  const [csvError, setCsvError] = useState("");
  const todayStart = utcMidnight(loadedAt || Date.now());
  useEffect(() => {
    document.title = "Reports · Tandem";
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues),
      () => setQueues([]),
    );
  }, [api]);
  const load = () => {
    const now = Date.now();
    const start = utcMidnight(now);
    const pastStart = Date.parse(`${q.pastDate}T00:00:00Z`);
    setError("");
    Promise.all([
      api.analytics.getHistory(historyRequest(q, start), unary),
      Number.isFinite(pastStart) ? api.analytics.getHistory(historyRequest(q, pastStart), unary) : Promise.resolve(null),
    ]).then(
      ([t, p]) => {
        setToday(t);
        setPast(p);
        setLoadedAt(now);
      },
      (e) => setError(problem(e).message),
    );
  };
  useEffect(load, [api, q]);

  async function exportCsv() {
    setCsvError("");
    try {
      const res = await api.analytics.exportHistory({ history: historyRequest(q, utcMidnight(Date.now())) }, unary);
      download(res.csv, res.fileName);
    } catch (e) {
      setCsvError(problem(e).message);
    }
  }

  const series = useMemo(() => {
    if (!today) return null;
    const pastStart = Date.parse(`${q.pastDate}T00:00:00Z`);
    return daySeries(today.rows, todayStart, past?.rows ?? [], pastStart, q.interval, loadedAt);
  }, [today, past, loadedAt]);

  const callsOpts = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      tzDate: utc,
      scales: { x: { time: true }, sl: { range: [0, 100] } },
      series: [
        {},
        { label: "Calls today", stroke: "#1f6f5c", width: 2, fill: "rgba(31,111,92,0.12)" },
        { label: `Calls ${q.pastDate}`, stroke: "#8a9794", width: 1, dash: [6, 4] },
        { label: "SL % today", stroke: "#b86e00", width: 2, scale: "sl", spanGaps: true },
        { label: `SL % ${q.pastDate}`, stroke: "#d8b27a", width: 1, dash: [3, 3], scale: "sl", spanGaps: true },
      ],
      axes: [{}, { label: "calls" }, { side: 1, scale: "sl", label: "SL %", grid: { show: false } }],
    }),
    [q.pastDate],
  );
  const data = useMemo<uPlot.AlignedData | null>(() => (series ? [series.x, series.calls, series.pastCalls, series.sl, series.pastSl] : null), [series]);

  return (
    <div class="sv-page">
      <h1>Reports</h1>
      <form class="sv-inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Queue
          <select name="queue" value={q.queueId} onChange={(e) => setQ({ ...q, queueId: e.currentTarget.value })}>
            <option value="">The whole center</option>
            {queues.map((x) => (
              <option key={x.queueId} value={x.queueId}>
                {x.name || x.queueId}
              </option>
            ))}
          </select>
        </label>
        <label>
          Interval
          <select name="interval" value={String(q.interval)} onChange={(e) => setQ({ ...q, interval: Number(e.currentTarget.value) as Interval })}>
            <option value={String(Interval.INTERVAL_15_MINUTES)}>15 minutes</option>
            <option value={String(Interval.INTERVAL_HOUR)}>hour</option>
          </select>
        </label>
        <label>
          Compare with (UTC day)
          <input type="date" name="past-date" value={q.pastDate} onChange={(e) => setQ({ ...q, pastDate: e.currentTarget.value })} />
        </label>
        <button type="button" class="link" onClick={load}>
          Refresh
        </button>
        <button type="button" class="primary" onClick={exportCsv} data-testid="download-csv">
          Download CSV (today)
        </button>
      </form>
      {csvError && (
        <p class="error" role="alert">
          {csvError}
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="reports-error">
          {error}
        </p>
      )}
      {today?.total && <Totals f={today.total} />}
      {data && (
        <section class="sv-card" aria-labelledby="per-interval" data-testid="per-interval" data-past-rows={past?.rows.length ?? 0}>
          <h2 id="per-interval">Calls and service level per {q.interval === Interval.INTERVAL_15_MINUTES ? "15 minutes" : "hour"} (UTC)</h2>
          <Chart options={callsOpts} data={data} label="Calls received and service level per interval, today against the chosen day" />
        </section>
      )}
      {today?.total && <Histogram f={today.total} />}
      <OperatorTable api={api} />
    </div>
  );
}

function Totals({ f }: { f: Figures }) {
  return (
    <dl class="sv-totals" data-testid="totals">
      <div>
        <dt>Calls today</dt>
        <dd>{f.callsReceived}</dd>
      </div>
      <div>
        <dt>Answered</dt>
        <dd>{f.callsAnswered}</dd>
      </div>
      <div>
        <dt>Service level</dt>
        <dd>{percent(f.serviceLevel)}</dd>
      </div>
      <div>
        <dt>ASA</dt>
        <dd>{secs(f.asaMs)}</dd>
      </div>
      <div>
        <dt>AHT</dt>
        <dd>{secs(f.ahtMs)}</dd>
      </div>
      <div>
        <dt>Abandoned</dt>
        <dd>{percent(f.abandonmentRate)}</dd>
      </div>
    </dl>
  );
}

function Histogram({ f }: { f: Figures }) {
  const labels = histogramLabels();
  const counts = labels.map((_, i) => f.answerTimeHistogram[i] ?? 0);
  const max = Math.max(1, ...counts);
  return (
    <section class="sv-card" aria-labelledby="histogram-title">
      <h2 id="histogram-title">Answer times today</h2>
      <table class="sv-histogram" data-testid="histogram">
        <tbody>
          {labels.map((l, i) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              <td>
                <span class="bar" style={{ width: `${((counts[i] ?? 0) / max) * 100}%` }} />
              </td>
              <td class="count">{counts[i]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const columns: [OperatorSortKey, string][] = [
  ["name", "Operator"],
  ["calls", "Calls"],
  ["score", "Score"],
  ["misses", "Missed"],
  ["aht", "AHT"],
];

function OperatorTable({ api }: { api: Api }) {
  const [ops, setOps] = useState<OperatorStats[] | null>(null);
  const [error, setError] = useState("");
  const [sort, setSort] = useState<{ key: OperatorSortKey; desc: boolean }>({ key: "score", desc: true });
  useEffect(() => {
    api.analytics.getOperatorStats({}, unary).then(
      (r) => setOps(r.operators),
      (e) => setError(problem(e).message),
    );
  }, [api]);
  const rows = ops ? sortOperatorStats(ops, sort.key, sort.desc) : [];
  return (
    <section class="sv-card" aria-labelledby="ops-title">
      <h2 id="ops-title">Operators today</h2>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="sv-table" data-testid="operator-table">
        <thead>
          <tr>
            {columns.map(([k, label]) => (
              <th key={k} aria-sort={sort.key === k ? (sort.desc ? "descending" : "ascending") : "none"}>
                <button class="link" onClick={() => setSort({ key: k, desc: sort.key === k ? !sort.desc : k !== "name" })}>
                  {label}
                  {sort.key === k ? (sort.desc ? " ▼" : " ▲") : ""}
                </button>
              </th>
            ))}
            <th>Talk time</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.operatorId}>
              <td>{o.name || o.operatorId}</td>
              <td>{o.figures?.callsAnswered ?? o.callsAnswered}</td>
              <td>{Math.round(o.marks?.score ?? 0)}</td>
              <td>{o.figures?.offersMissed ?? o.offersMissed}</td>
              <td>{secs(o.figures?.ahtMs)}</td>
              <td>{clock(Number(o.figures?.talkTimeMs ?? o.talkTimeMs))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
