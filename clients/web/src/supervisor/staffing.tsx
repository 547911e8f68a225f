// Staffing: how many operators for this traffic and this target (CalculateStaffing: Erlang C,
// and Erlang A when callers' patience is given), and "replay a recorded day with N operators"
// (ReplayDay).
import { useEffect, useState } from "preact/hooks";
import type { CalculateStaffingResponse, ReplayDayResponse } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { problem, unary, type Api } from "./api";
import { Field, num, uint } from "./form";
import { num as numIn, t } from "../i18n/i18n";
import { percent, secs, utcDate } from "./words";

const num1 = (n: number) => numIn(n, { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export interface StaffingInput {
  callsPerHour: string;
  ahtS: string;
  targetPercent: string;
  thresholdS: string;
  patienceS: string;
}

/** The form's request, or the fields that are wrong before asking the server. */
export function staffingRequest(f: StaffingInput): { ok: true; req: { callsPerHour: number; ahtS: number; targetPercent: number; thresholdS: number; patienceS: number } } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const callsPerHour = num(f.callsPerHour);
  const ahtS = num(f.ahtS);
  const targetPercent = num(f.targetPercent);
  const thresholdS = num(f.thresholdS);
  const patienceS = f.patienceS.trim() ? num(f.patienceS) : 0;
  if (!(callsPerHour > 0)) errors.calls_per_hour = t("staffing.calc.errCallsPerHour");
  if (!(ahtS > 0)) errors.aht_s = t("staffing.calc.errAht");
  if (!(targetPercent > 0 && targetPercent < 100)) errors.target_percent = t("staffing.calc.errTarget");
  if (!(thresholdS > 0) || !Number.isInteger(thresholdS)) errors.threshold_s = t("staffing.calc.errThreshold");
  if (!(patienceS >= 0)) errors.patience_s = t("staffing.calc.errPatience");
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, req: { callsPerHour, ahtS, targetPercent, thresholdS, patienceS } };
}

export function Staffing({ api }: { api: Api }) {
  useEffect(() => {
    document.title = `${t("staffing.title")} · Tandem`;
  }, []);
  return (
    <div class="sv-page">
      <h1>{t("staffing.title")}</h1>
      <Calculator api={api} />
      <Replay api={api} />
    </div>
  );
}

function Calculator({ api }: { api: Api }) {
  const [f, setF] = useState<StaffingInput>({ callsPerHour: "360", ahtS: "240", targetPercent: "80", thresholdS: "20", patienceS: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [res, setRes] = useState<CalculateStaffingResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof StaffingInput) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  async function submit(ev: Event) {
    ev.preventDefault();
    const r = staffingRequest(f);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    setError("");
    setBusy(true);
    try {
      setRes(await api.analytics.calculateStaffing({ ...r.req, extraRows: 3 }, unary));
    } catch (e) {
      const p = problem(e);
      setErrors(p.fields);
      setError(p.message);
    } finally {
      setBusy(false);
    }
  }
  const hasA = res?.operatorsNeededErlangA !== undefined;
  return (
    <section class="sv-card" aria-labelledby="calc-title">
      <h2 id="calc-title">{t("staffing.calc.title")}</h2>
      <form class="sv-form sv-grid" onSubmit={submit}>
        <Field label={t("staffing.calc.callsPerHour")} name="calls_per_hour" errors={errors}>
          <input inputMode="decimal" value={f.callsPerHour} onInput={set("callsPerHour")} />
        </Field>
        <Field label={t("staffing.calc.aht")} name="aht_s" errors={errors} hint={t("staffing.calc.ahtHint")}>
          <input inputMode="decimal" value={f.ahtS} onInput={set("ahtS")} />
        </Field>
        <Field label={t("staffing.calc.target")} name="target_percent" errors={errors}>
          <input inputMode="decimal" value={f.targetPercent} onInput={set("targetPercent")} />
        </Field>
        <Field label={t("staffing.calc.threshold")} name="threshold_s" errors={errors}>
          <input inputMode="numeric" value={f.thresholdS} onInput={set("thresholdS")} />
        </Field>
        <Field label={t("staffing.calc.patience")} name="patience_s" errors={errors} hint={t("staffing.calc.patienceHint")}>
          <input inputMode="decimal" value={f.patienceS} onInput={set("patienceS")} />
        </Field>
        <div class="sv-actions">
          <button type="submit" class="primary" disabled={busy}>
            {t("staffing.calc.submit")}
          </button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {res && (
        <div data-testid="staffing-result">
          <p class="sv-answer" role="status">
            <strong data-testid="operators-needed">{res.operatorsNeeded}</strong> {t("staffing.calc.operatorsC", { count: res.operatorsNeeded })}
            {hasA && (
              <>
                {" "}
                · <strong data-testid="operators-needed-a">{res.operatorsNeededErlangA}</strong> {t("staffing.calc.operatorsA")}
              </>
            )}{" "}
            · {t("staffing.calc.traffic", { erlangs: num1(res.trafficErlangs) })}
          </p>
          <table class="sv-table" data-testid="staffing-rows">
            <thead>
              <tr>
                <th>{t("staffing.col.operators")}</th>
                <th>{t("staffing.col.serviceLevel")}</th>
                <th>{t("staffing.col.chanceToWait")}</th>
                <th>{t("staffing.col.asa")}</th>
                <th>{t("staffing.col.occupancy")}</th>
                {hasA && <th>{t("staffing.col.slErlangA")}</th>}
                {hasA && <th>{t("staffing.col.abandoned")}</th>}
              </tr>
            </thead>
            <tbody>
              {res.rows.map((r) => (
                <tr key={r.operators} class={r.operators === res.operatorsNeeded ? "chosen" : ""}>
                  <td>{r.operators}</td>
                  <td>{percent(r.serviceLevel, 1)}</td>
                  <td>{percent(r.probabilityOfWaiting, 1)}</td>
                  <td>{secs(r.asaS * 1000)}</td>
                  <td>{percent(r.occupancy, 1)}</td>
                  {hasA && <td>{percent(r.serviceLevelErlangA, 1)}</td>}
                  {hasA && <td>{percent(r.abandonmentRate, 1)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Replay({ api }: { api: Api }) {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [queueId, setQueueId] = useState("");
  const [date, setDate] = useState(() => utcDate(Date.now()));
  const [operators, setOperators] = useState("5");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [res, setRes] = useState<ReplayDayResponse | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.admin.listQueues({}, unary).then(
      (r) => {
        setQueues(r.queues);
        setQueueId((q) => q || r.queues[0]?.queueId || "");
      },
      (e) => setError(problem(e).message),
    );
  }, [api]);
  async function submit(ev: Event) {
    ev.preventDefault();
    setBusy(true);
    setError("");
    setErrors({});
    try {
      setRes(await api.analytics.replayDay({ queueId, date, operators: uint(operators) }, { timeoutMs: 60000 }));
    } catch (e) {
      const p = problem(e);
      setErrors(p.fields);
      setError(p.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="sv-card" aria-labelledby="replay-title">
      <h2 id="replay-title">{t("staffing.replay.title")}</h2>
      <form class="sv-form sv-grid" onSubmit={submit}>
        <Field label={t("staffing.replay.queue")} name="queue_id" errors={errors}>
          <select value={queueId} onChange={(e) => setQueueId(e.currentTarget.value)}>
            {queues.map((q) => (
              <option key={q.queueId} value={q.queueId}>
                {q.name || q.queueId}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("staffing.replay.day")} name="date" errors={errors}>
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </Field>
        <Field label={t("staffing.replay.operators")} name="operators" errors={errors}>
          <input inputMode="numeric" value={operators} onInput={(e) => setOperators(e.currentTarget.value)} />
        </Field>
        <div class="sv-actions">
          <button type="submit" class="primary" disabled={busy || !queueId}>
            {busy ? t("staffing.replay.busy") : t("staffing.replay.submit")}
          </button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {res && (
        <table class="sv-table" data-testid="replay-result">
          <thead>
            <tr>
              <th />
              <th>{t("staffing.col.calls")}</th>
              <th>{t("staffing.col.answered")}</th>
              <th>{t("staffing.col.abandoned")}</th>
              <th>{t("staffing.col.serviceLevel")}</th>
              <th>{t("staffing.col.asa")}</th>
              <th>{t("staffing.col.occupancy")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>{t("staffing.replay.recorded")}</th>
              <td>{res.calls}</td>
              <td>{res.recorded?.callsAnswered ?? "—"}</td>
              <td>{res.recorded?.callsAbandoned ?? "—"}</td>
              <td>{percent(res.recorded?.serviceLevel)}</td>
              <td>{secs(res.recorded?.asaMs)}</td>
              <td>{percent(res.recorded?.occupancy)}</td>
            </tr>
            <tr>
              <th>{t("staffing.replay.with", { count: uint(operators) })}</th>
              <td>{res.calls}</td>
              <td>{res.answered}</td>
              <td>{res.abandoned}</td>
              <td>{percent(res.serviceLevel)}</td>
              <td>{secs(res.asaMs)}</td>
              <td>{percent(res.occupancy)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
