// Call search (AnalyticsService.SearchCalls): ended calls by number, operator, queue, end time
// and outcome, a page at a time; the table is walked with the arrow keys and Enter opens the
// call's page (#call/<id>); the rows found so far download as CSV.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { CallOutcome, type CallSummary } from "@gen/tandem/analytics/v1/analytics_pb";
import { fieldError, problem, unary, type Api, type Problem } from "./api";
import { callsCsv, emptySearch, moveRow, outcomeLabels, searchRequest, type SearchForm } from "./drill";
import { dispositionOfCallHeading } from "./dispositions";
import { download } from "./history";
import { ms } from "./live";
import { useOperators } from "./names";
import { seconds } from "./reports";
import { dateTime, t, useLang } from "../i18n/i18n";

const outcomes = [CallOutcome.ANSWERED, CallOutcome.ABANDONED, CallOutcome.TRANSFERRED, CallOutcome.AT_SPARE, CallOutcome.DECLINED, CallOutcome.EXITED, CallOutcome.LOST];

/** When a call ended, in UTC as the search's fields are, in the language's date and time. */
function when(ms: number): string {
  return ms ? dateTime(ms, { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" }) : "";
}

export function CallSearch({ api, openCall }: { api: Api; openCall: (id: string) => void }) {
  useLang();
  const [form, setForm] = useState<SearchForm>(emptySearch);
  const [calls, setCalls] = useState<CallSummary[] | null>(null);
  const [next, setNext] = useState("");
  const [err, setErr] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [row, setRow] = useState(0);
  const [queues, setQueues] = useState<Queue[]>([]);
  const operators = useOperators(api);
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    document.title = `${t("search.title")} · Tandem`;
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues),
      () => setQueues([]),
    );
  }, [api]);
  const set = (patch: Partial<SearchForm>) => setForm({ ...form, ...patch });

  async function run(token: string) {
    setBusy(true);
    setErr(null);
    try {
      const r = await api.analytics.searchCalls(searchRequest(form, token), unary);
      setCalls(token ? [...(calls ?? []), ...r.calls] : r.calls);
      setNext(r.nextPageToken);
      if (!token) setRow(0);
    } catch (e) {
      setErr(problem(e));
    } finally {
      setBusy(false);
    }
  }
  function onKey(e: KeyboardEvent) {
    if (!calls) return;
    if (e.key === "Enter" && calls[row]) {
      e.preventDefault();
      openCall(calls[row].callId);
      return;
    }
    const to = moveRow(e.key, row, calls.length);
    if (to === null) return;
    e.preventDefault();
    setRow(to);
    body.current?.querySelectorAll<HTMLTableRowElement>("tr")[to]?.focus();
  }
  const fe = (f: string) => (err ? fieldError(err.fields, f) : "");
  return (
    <div class="sv-page">
      <h1>{t("search.title")}</h1>
      <form
        class="sv-inline"
        aria-label={t("search.title")}
        onSubmit={(e) => {
          e.preventDefault();
          void run("");
        }}
      >
        <label>
          {t("search.number")}
          <input name="number" type="search" inputMode="tel" value={form.number} onInput={(e) => set({ number: e.currentTarget.value })} />
        </label>
        <label>
          <input name="contains" type="checkbox" checked={form.contains} onChange={(e) => set({ contains: e.currentTarget.checked })} /> {t("search.contains")}
        </label>
        <label>
          {t("search.operator")}
          <select name="operator" value={form.operator} onChange={(e) => set({ operator: e.currentTarget.value })} aria-invalid={fe("operator") ? true : undefined}>
            <option value="">{t("search.anyOperator")}</option>
            {operators.map((o) => (
              <option key={o.operatorId} value={o.operatorId}>
                {o.displayName || o.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("search.queue")}
          <select name="queue" value={form.queue} onChange={(e) => set({ queue: e.currentTarget.value })}>
            <option value="">—</option>
            {queues.map((q) => (
              <option key={q.queueId} value={q.queueId}>
                {q.name || q.queueId}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("search.from")}
          <input name="from" type="datetime-local" value={form.from} onInput={(e) => set({ from: e.currentTarget.value })} aria-invalid={fe("range") ? true : undefined} />
        </label>
        <label>
          {t("search.to")}
          <input name="to" type="datetime-local" value={form.to} onInput={(e) => set({ to: e.currentTarget.value })} aria-invalid={fe("range") ? true : undefined} />
        </label>
        <label>
          {t("search.outcome")}
          <select name="outcome" value={String(form.outcome)} onChange={(e) => set({ outcome: Number(e.currentTarget.value) as CallOutcome })}>
            <option value={String(CallOutcome.UNSPECIFIED)}>{t("search.anyOutcome")}</option>
            {outcomes.map((o) => (
              <option key={o} value={String(o)}>
                {outcomeLabels[o]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t("search.submit")}
        </button>
      </form>
      {err && (
        <p class="error" role="alert" data-testid="search-error">
          {err.message}
        </p>
      )}
      {calls && calls.length === 0 && <p class="muted">{t("search.noCalls")}</p>}
      {calls && calls.length > 0 && (
        <section class="sv-card" aria-label={t("search.found")}>
          <p>
            <button class="link" onClick={() => download(new TextEncoder().encode(callsCsv(calls)), "tandem-calls.csv")}>
              {t("search.csv")}
            </button>
          </p>
          <table class="sv-table" data-testid="search-results" onKeyDown={onKey}>
            <thead>
              <tr>
                <th>{t("search.col.ended")}</th>
                <th>{t("search.col.caller")}</th>
                <th>{t("search.col.queue")}</th>
                <th>{t("search.col.operator")}</th>
                <th>{t("search.col.outcome")}</th>
                <th>{t("search.col.waited")}</th>
                <th>{t("search.col.talked")}</th>
                <th>{dispositionOfCallHeading()}</th>
              </tr>
            </thead>
            <tbody ref={body}>
              {calls.map((c, i) => (
                <tr
                  key={c.callId}
                  tabIndex={i === row ? 0 : -1}
                  class={i === row ? "chosen" : undefined}
                  aria-selected={i === row}
                  data-call={c.callId}
                  onClick={() => setRow(i)}
                  onFocus={() => setRow(i)}
                >
                  <td>{when(ms(c.endedAt))}</td>
                  <td>
                    <a href={`#call/${encodeURIComponent(c.callId)}`}>{c.callerNumber || t("search.unknownNumber")}</a>
                  </td>
                  <td>{c.queueId}</td>
                  <td>{c.operatorId ? <a href={`#operators/${encodeURIComponent(c.operatorId)}`}>{c.operatorName || c.operatorId}</a> : ""}</td>
                  <td>{outcomeLabels[c.outcome]}</td>
                  <td>{seconds(c.waitMs)}</td>
                  <td>{c.talkTimeMs ? seconds(Number(c.talkTimeMs)) : ""}</td>
                  <td data-testid="search-disposition">{c.disposition}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next && (
            <button onClick={() => void run(next)} disabled={busy}>
              {t("search.more")}
            </button>
          )}
        </section>
      )}
    </div>
  );
}
