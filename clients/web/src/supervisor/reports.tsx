// Reports: a period's report (a day, week or month in a time zone's days, or days chosen) per
// queue or per operator — its chart, its table with the wrap-up codes, its CSV (GetHistory and
// ExportHistory); then today against a past day per interval, the answer-time distribution and
// the operators' table, sortable (GetOperatorStats), the CSV of today's rows.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Interval, type DispositionCount, type Figures, type GetHistoryResponse, type HistoryRow, type OperatorStats } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import type uPlot from "uplot";
import { problem, unary, type Api } from "./api";
import { Chart, inZone, utc } from "./chart";
import {
  browserZone,
  chartInterval,
  dayMs,
  daySeries,
  download,
  periodRange,
  periodSeries,
  periodSlots,
  sortOperatorStats,
  zoneDate,
  type OperatorSortKey,
  type PeriodKind,
} from "./history";
import { MenuReport } from "./menus";
import { useOperatorNames } from "./names";
import { clock, histogramBounds, utcDate, utcMidnight } from "./words";
import { dateTime, num, percent, t, useLang, type Key } from "../i18n/i18n";

/** A share in the language ("87.3 %"), "—" when undefined. */
function pct(rate: number | undefined): string {
  return rate === undefined || !Number.isFinite(rate) ? t("reports.none") : percent(rate);
}

/** A duration: seconds under two minutes ("3.5 s", "42 s"), then m:ss; "—" when undefined. */
export function seconds(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return t("reports.none");
  if (ms >= 120000) return clock(ms);
  return t("reports.seconds", { n: num(ms / 1000, { maximumFractionDigits: ms < 10000 ? 1 : 0, minimumFractionDigits: ms < 10000 ? 1 : 0 }) });
}

/** The average hold of the answered calls, undefined when none was answered. */
export function averageHoldMs(f: Figures | undefined): number | undefined {
  return f?.callsAnswered ? Number(f.holdTimeMs) / f.callsAnswered : undefined;
}

/** A row's wrap-up codes: "sale 3, callback 1", most first as the server gives them. */
/** Calls that left by a queue's exit: closed-hours calls and cap exits ("—" when none). */
function exits(f: Figures | undefined): string {
  const closed = f?.exitsClosed ?? 0;
  const caps = (f?.exitsMaxWaiting ?? 0) + (f?.exitsLongestWait ?? 0);
  return closed || caps ? t("reports.period.exitsCell", { closed: num(closed), caps: num(caps) }) : "—";
}

function dispositions(ds: DispositionCount[] | undefined): string {
  return (ds ?? []).map((d) => `${d.code} ${num(d.calls)}`).join(", ");
}

export function Reports({ api }: { api: Api }) {
  useLang();
  const [queues, setQueues] = useState<Queue[]>([]);
  useEffect(() => {
    document.title = `${t("reports.title")} · Tandem`;
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues),
      () => setQueues([]),
    );
  }, [api]);
  return (
    <div class="sv-page">
      <h1>{t("reports.title")}</h1>
      <PeriodReport api={api} queues={queues} />
      <TodayReport api={api} queues={queues} />
      <OperatorTable api={api} />
    </div>
  );
}

interface PeriodQuery {
  kind: PeriodKind;
  date: string;
  last: string;
  split: "queue" | "operator";
  /** "" until one is typed: the browser's (the supervisor's, at the center). */
  zone: string;
}

function PeriodReport({ api, queues }: { api: Api; queues: Queue[] }) {
  const lang = useLang();
  const [q, setQ] = useState<PeriodQuery>(() => {
    const today = zoneDate(Date.now(), browserZone());
    return { kind: "week", date: today, last: today, split: "queue", zone: "" };
  });
  const zone = q.zone || browserZone();
  const [chart, setChart] = useState<GetHistoryResponse | null>(null);
  const [table, setTable] = useState<GetHistoryResponse | null>(null);
  const [error, setError] = useState("");
  const seq = useRef(0);
  const names = useOperatorNames(api);
  const period = useMemo(() => (q.date && (q.kind !== "custom" || q.last) ? periodRange(q.kind, q.date, q.last, zone) : null), [q, zone]);
  const interval = period ? chartInterval(period.first, period.last) : Interval.INTERVAL_DAY;
  const range = period ? { from: timestampFromMs(period.from), to: timestampFromMs(period.to) } : undefined;
  const tableRequest = { range, interval: Interval.INTERVAL_RANGE, timeZone: zone, byQueue: q.split === "queue", byOperator: q.split === "operator" };

  useEffect(() => {
    const n = ++seq.current;
    setError("");
    if (!period) {
      setError(t("reports.period.errDate"));
      return;
    }
    if (period.last < period.first) {
      setError(t("reports.period.errOrder"));
      return;
    }
    Promise.all([api.analytics.getHistory({ range, interval, timeZone: zone }, unary), api.analytics.getHistory(tableRequest, unary)]).then(
      ([c, r]) => {
        if (n !== seq.current) return;
        setChart(c);
        setTable(r);
      },
      (e) => {
        if (n !== seq.current) return;
        setChart(null);
        setTable(null);
        setError(problem(e).message);
      },
    );
  }, [api, period, q.split]);

  async function exportCsv() {
    setError("");
    try {
      const res = await api.analytics.exportHistory({ history: tableRequest }, unary);
      download(res.csv, res.fileName);
    } catch (e) {
      setError(problem(e).message);
    }
  }

  const slots = useMemo(() => (period ? periodSlots(period.first, period.last, zone, interval) : []), [period, zone, interval]);
  const data = useMemo<uPlot.AlignedData | null>(() => {
    if (!chart) return null;
    const s = periodSeries(chart.rows, slots);
    return [s.x, s.received, s.answered, s.abandoned, s.sl];
  }, [chart, slots]);
  const hourly = interval === Interval.INTERVAL_HOUR;
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      tzDate: inZone(zone),
      scales: { x: { time: true }, sl: { range: [0, 100] } },
      series: [
        {},
        { label: t("reports.period.received"), stroke: "#1f6f5c", width: 2, fill: "rgba(31,111,92,0.12)" },
        { label: t("reports.period.answered"), stroke: "#2f5d9e", width: 2 },
        { label: t("reports.period.abandoned"), stroke: "#b3261e", width: 1, dash: [6, 4] },
        { label: t("reports.chart.sl"), stroke: "#b86e00", width: 2, scale: "sl", spanGaps: true },
      ],
      axes: [
        {
          // Whole hours or whole days only: no day written three times.
          incrs: hourly ? [3600, 2 * 3600, 3 * 3600, 6 * 3600] : [86400, 2 * 86400, 7 * 86400, 14 * 86400],
          values: (_u: uPlot, splits: number[]) =>
            splits.map((s) => dateTime(s * 1000, hourly ? { hour: "2-digit", minute: "2-digit", timeZone: zone } : { day: "numeric", month: "short", timeZone: zone })),
        },
        { label: t("reports.chart.calls") },
        { side: 1, scale: "sl", label: t("reports.chart.sl"), grid: { show: false } },
      ],
    }),
    [zone, hourly, lang],
  );

  const set = (patch: Partial<PeriodQuery>) => setQ({ ...q, ...patch });
  const who = (r: HistoryRow) => (r.queueId ? (queues.find((x) => x.queueId === r.queueId)?.name ?? r.queueId) : names(r.operatorId));
  const day = (ms: number) => dateTime(ms, { dateStyle: "medium", timeZone: zone });
  return (
    <section class="sv-card" aria-labelledby="period-title" data-testid="period-report">
      <h2 id="period-title">{t("reports.period.title")}</h2>
      <form class="sv-inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("reports.period.kind")}
          <select name="period" value={q.kind} onChange={(e) => set({ kind: e.currentTarget.value as PeriodKind })}>
            <option value="day">{t("reports.period.day")}</option>
            <option value="week">{t("reports.period.week")}</option>
            <option value="month">{t("reports.period.month")}</option>
            <option value="custom">{t("reports.period.custom")}</option>
          </select>
        </label>
        <label>
          {q.kind === "custom" ? t("reports.period.first") : t("reports.period.date")}
          <input type="date" name="period-date" value={q.date} onInput={(e) => set({ date: e.currentTarget.value })} />
        </label>
        {q.kind === "custom" && (
          <label>
            {t("reports.period.last")}
            <input type="date" name="period-last" value={q.last} onInput={(e) => set({ last: e.currentTarget.value })} />
          </label>
        )}
        <label>
          {t("reports.period.split")}
          <select name="split" value={q.split} onChange={(e) => set({ split: e.currentTarget.value as PeriodQuery["split"] })}>
            <option value="queue">{t("reports.period.byQueue")}</option>
            <option value="operator">{t("reports.period.byOperator")}</option>
          </select>
        </label>
        <label>
          {t("reports.period.zone")}
          <input name="zone" value={zone} onChange={(e) => set({ zone: e.currentTarget.value.trim() })} />
        </label>
        <button type="button" class="primary" onClick={exportCsv} data-testid="period-csv">
          {t("reports.period.csv")}
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="period-error">
          {error}
        </p>
      )}
      {period && table && (
        <p class="muted" data-testid="period-days">
          {t("reports.period.days", { first: day(period.from), last: day(period.to - 1), zone })}
        </p>
      )}
      {chart?.total && (
        <dl class="sv-totals" data-testid="period-totals">
          <Total k="reports.period.received" v={num(chart.total.callsReceived)} />
          <Total k="reports.period.answered" v={num(chart.total.callsAnswered)} />
          <Total k="reports.period.abandoned" v={num(chart.total.callsAbandoned)} />
          <Total k="reports.period.serviceLevel" v={pct(chart.total.serviceLevel)} />
          <Total k="reports.period.abandonment" v={pct(chart.total.abandonmentRate)} />
          <Total k="reports.period.asa" v={seconds(chart.total.asaMs)} />
          <Total k="reports.period.aht" v={seconds(chart.total.ahtMs)} />
          <Total k="reports.period.hold" v={seconds(averageHoldMs(chart.total))} />
        </dl>
      )}
      {data && (
        <div data-testid="period-chart" data-rows={chart?.rows.length ?? 0}>
          <h3>{hourly ? t("reports.period.chartHour") : t("reports.period.chartDay")}</h3>
          <Chart options={options} data={data} label={t("reports.period.chartLabel")} />
        </div>
      )}
      {table && table.rows.length === 0 && <p class="muted">{t("reports.period.noRows")}</p>}
      {table && table.rows.length > 0 && (
        <table class="sv-table" data-testid="period-table">
          <thead>
            <tr>
              <th>{q.split === "queue" ? t("reports.period.queue") : t("reports.period.operator")}</th>
              <th>{t("reports.period.received")}</th>
              <th>{t("reports.period.answered")}</th>
              <th>{t("reports.period.abandoned")}</th>
              <th>{t("reports.period.serviceLevel")}</th>
              <th>{t("reports.period.abandonment")}</th>
              <th>{t("reports.period.asa")}</th>
              <th>{t("reports.period.aht")}</th>
              <th>{t("reports.period.hold")}</th>
              <th>{t("reports.period.exits")}</th>
              <th>{t("reports.period.dispositions")}</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <PeriodRow key={r.queueId || r.operatorId} id={r.queueId || r.operatorId} name={who(r)} f={r.figures} />
            ))}
          </tbody>
          <tfoot>
            <PeriodRow id="" name={t("reports.period.total")} f={table.total} />
          </tfoot>
        </table>
      )}
      {period && period.last >= period.first && <MenuReport api={api} from={period.from} to={period.to} />}
    </section>
  );
}

function Total({ k, v }: { k: Key; v: string }) {
  return (
    <div>
      <dt>{t(k)}</dt>
      <dd>{v}</dd>
    </div>
  );
}

function PeriodRow({ id, name, f }: { id: string; name: string; f: Figures | undefined }) {
  return (
    <tr data-id={id || undefined}>
      <th scope="row">{name}</th>
      <td>{num(f?.callsReceived ?? 0)}</td>
      <td>{num(f?.callsAnswered ?? 0)}</td>
      <td>{num(f?.callsAbandoned ?? 0)}</td>
      <td>{pct(f?.serviceLevel)}</td>
      <td>{pct(f?.abandonmentRate)}</td>
      <td>{seconds(f?.asaMs)}</td>
      <td>{seconds(f?.ahtMs)}</td>
      <td>{seconds(averageHoldMs(f))}</td>
      <td>{exits(f)}</td>
      <td>{dispositions(f?.dispositions)}</td>
    </tr>
  );
}

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

function TodayReport({ api, queues }: { api: Api; queues: Queue[] }) {
  const lang = useLang();
  const [q, setQ] = useState<Query>(() => ({ queueId: "", interval: Interval.INTERVAL_HOUR, pastDate: utcDate(Date.now() - dayMs) }));
  const [today, setToday] = useState<GetHistoryResponse | null>(null);
  const [past, setPast] = useState<GetHistoryResponse | null>(null);
  const [loadedAt, setLoadedAt] = useState(0);
  const [error, setError] = useState("");
  const [csvError, setCsvError] = useState("");
  const todayStart = utcMidnight(loadedAt || Date.now());
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
        { label: t("reports.chart.callsToday"), stroke: "#1f6f5c", width: 2, fill: "rgba(31,111,92,0.12)" },
        { label: t("reports.chart.callsOn", { day: q.pastDate }), stroke: "#8a9794", width: 1, dash: [6, 4] },
        { label: t("reports.chart.slToday"), stroke: "#b86e00", width: 2, scale: "sl", spanGaps: true },
        { label: t("reports.chart.slOn", { day: q.pastDate }), stroke: "#d8b27a", width: 1, dash: [3, 3], scale: "sl", spanGaps: true },
      ],
      axes: [
        { values: (_u: uPlot, splits: number[]) => splits.map((s) => dateTime(s * 1000, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })) },
        { label: t("reports.chart.calls") },
        { side: 1, scale: "sl", label: t("reports.chart.sl"), grid: { show: false } },
      ],
    }),
    [q.pastDate, lang],
  );
  const data = useMemo<uPlot.AlignedData | null>(() => (series ? [series.x, series.calls, series.pastCalls, series.sl, series.pastSl] : null), [series]);

  return (
    <>
      <h2>{t("reports.today.title")}</h2>
      <form class="sv-inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("reports.queue")}
          <select name="queue" value={q.queueId} onChange={(e) => setQ({ ...q, queueId: e.currentTarget.value })}>
            <option value="">{t("reports.wholeCenter")}</option>
            {queues.map((x) => (
              <option key={x.queueId} value={x.queueId}>
                {x.name || x.queueId}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("reports.interval")}
          <select name="interval" value={String(q.interval)} onChange={(e) => setQ({ ...q, interval: Number(e.currentTarget.value) as Interval })}>
            <option value={String(Interval.INTERVAL_15_MINUTES)}>{t("reports.interval.15min")}</option>
            <option value={String(Interval.INTERVAL_HOUR)}>{t("reports.interval.hour")}</option>
          </select>
        </label>
        <label>
          {t("reports.compareWith")}
          <input type="date" name="past-date" value={q.pastDate} onChange={(e) => setQ({ ...q, pastDate: e.currentTarget.value })} />
        </label>
        <button type="button" class="link" onClick={load}>
          {t("reports.refresh")}
        </button>
        <button type="button" class="primary" onClick={exportCsv} data-testid="download-csv">
          {t("reports.csvToday")}
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
          <h2 id="per-interval">{q.interval === Interval.INTERVAL_15_MINUTES ? t("reports.perInterval.15min") : t("reports.perInterval.hour")}</h2>
          <Chart options={callsOpts} data={data} label={t("reports.chart.label")} />
        </section>
      )}
      {today?.total && <Histogram f={today.total} />}
    </>
  );
}

function Totals({ f }: { f: Figures }) {
  return (
    <dl class="sv-totals" data-testid="totals">
      <Total k="reports.callsToday" v={num(f.callsReceived)} />
      <Total k="reports.answered" v={num(f.callsAnswered)} />
      <Total k="reports.serviceLevel" v={pct(f.serviceLevel)} />
      <Total k="reports.asa" v={seconds(f.asaMs)} />
      <Total k="reports.aht" v={seconds(f.ahtMs)} />
      <Total k="reports.abandoned" v={pct(f.abandonmentRate)} />
    </dl>
  );
}

/** The answer-time histogram's buckets as the proto bounds them, in the language. */
export function histogramWords(): string[] {
  const out: string[] = [];
  let lo = 0;
  for (const hi of histogramBounds) {
    out.push(t("reports.histogram.bucket", { lo: num(lo), hi: num(hi) }));
    lo = hi;
  }
  out.push(t("reports.histogram.last", { lo: num(lo) }));
  return out;
}

function Histogram({ f }: { f: Figures }) {
  const labels = histogramWords();
  const counts = labels.map((_, i) => f.answerTimeHistogram[i] ?? 0);
  const max = Math.max(1, ...counts);
  return (
    <section class="sv-card" aria-labelledby="histogram-title">
      <h2 id="histogram-title">{t("reports.histogram.title")}</h2>
      <table class="sv-histogram" data-testid="histogram">
        <tbody>
          {labels.map((l, i) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              <td>
                <span class="bar" style={{ width: `${((counts[i] ?? 0) / max) * 100}%` }} />
              </td>
              <td class="count">{num(counts[i] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const columns: [OperatorSortKey, Key][] = [
  ["name", "reports.ops.operator"],
  ["calls", "reports.ops.calls"],
  ["score", "reports.ops.score"],
  ["misses", "reports.ops.missed"],
  ["aht", "reports.ops.aht"],
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
      <h2 id="ops-title">{t("reports.ops.title")}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="sv-table" data-testid="operator-table">
        <thead>
          <tr>
            {columns.map(([k, label]) => (
              <th key={k} aria-sort={sort.key === k ? (sort.desc ? "descending" : "ascending") : "none"}>
                <button class="link" onClick={() => setSort({ key: k, desc: sort.key === k ? !sort.desc : k !== "name" })}>
                  {t(label)}
                  {sort.key === k ? (sort.desc ? " ▼" : " ▲") : ""}
                </button>
              </th>
            ))}
            <th>{t("reports.ops.talkTime")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.operatorId}>
              <td>{o.name || o.operatorId}</td>
              <td>{num(o.figures?.callsAnswered ?? o.callsAnswered)}</td>
              <td>{num(Math.round(o.marks?.score ?? 0))}</td>
              <td>{num(o.figures?.offersMissed ?? o.offersMissed)}</td>
              <td>{seconds(o.figures?.ahtMs)}</td>
              <td>{clock(Number(o.figures?.talkTimeMs ?? o.talkTimeMs))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
