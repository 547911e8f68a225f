// Staffing: how many operators for this traffic and this target (CalculateStaffing: Erlang C,
// and Erlang A when callers' patience is given), and "replay a recorded day with N operators"
// (ReplayDay).
import { useEffect, useState } from "preact/hooks";
import type { CalculateStaffingResponse, ReplayDayResponse } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { problem, unary, type Api } from "./api";
import { Field, num, uint } from "./form";
import { percent, secs, utcDate } from "./words";

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
  if (!(callsPerHour > 0)) errors.calls_per_hour = "Enter the calls per hour (more than 0).";
  if (!(ahtS > 0)) errors.aht_s = "Enter the average handle time in seconds (more than 0).";
  if (!(targetPercent > 0 && targetPercent < 100)) errors.target_percent = "Enter a target between 1 and 99 %.";
  if (!(thresholdS > 0) || !Number.isInteger(thresholdS)) errors.threshold_s = "Enter whole seconds (more than 0).";
  if (!(patienceS >= 0)) errors.patience_s = "Enter the patience in seconds, or leave it empty.";
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, req: { callsPerHour, ahtS, targetPercent, thresholdS, patienceS } };
}

export function Staffing({ api }: { api: Api }) {
  useEffect(() => {
    document.title = "Staffing · Tandem";
  }, []);
  return (
    <div class="sv-page">
      <h1>Staffing</h1>
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
      <h2 id="calc-title">Operators needed</h2>
      <form class="sv-form sv-grid" onSubmit={submit}>
        <Field label="Calls per hour" name="calls_per_hour" errors={errors}>
          <input inputMode="decimal" value={f.callsPerHour} onInput={set("callsPerHour")} />
        </Field>
        <Field label="Average handle time (s)" name="aht_s" errors={errors} hint="talk + wrap-up">
          <input inputMode="decimal" value={f.ahtS} onInput={set("ahtS")} />
        </Field>
        <Field label="Target (%)" name="target_percent" errors={errors}>
          <input inputMode="decimal" value={f.targetPercent} onInput={set("targetPercent")} />
        </Field>
        <Field label="Answered within (s)" name="threshold_s" errors={errors}>
          <input inputMode="numeric" value={f.thresholdS} onInput={set("thresholdS")} />
        </Field>
        <Field label="Callers' patience (s, optional)" name="patience_s" errors={errors} hint="adds Erlang A">
          <input inputMode="decimal" value={f.patienceS} onInput={set("patienceS")} />
        </Field>
        <div class="sv-actions">
          <button type="submit" class="primary" disabled={busy}>
            Calculate
          </button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {res && (
        <div data-testid="staffing-result">
          <p class="sv-answer" role="status">
            <strong data-testid="operators-needed">{res.operatorsNeeded}</strong> operators (Erlang C)
            {hasA && (
              <>
                {" "}
                · <strong data-testid="operators-needed-a">{res.operatorsNeededErlangA}</strong> with callers giving up (Erlang A)
              </>
            )}{" "}
            · traffic {res.trafficErlangs.toFixed(1)} Erlangs
          </p>
          <table class="sv-table" data-testid="staffing-rows">
            <thead>
              <tr>
                <th>Operators</th>
                <th>Service level</th>
                <th>Chance to wait</th>
                <th>ASA</th>
                <th>Occupancy</th>
                {hasA && <th>SL (Erlang A)</th>}
                {hasA && <th>Abandoned</th>}
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
      <h2 id="replay-title">Replay a day with N operators</h2>
      <form class="sv-form sv-grid" onSubmit={submit}>
        <Field label="Queue" name="queue_id" errors={errors}>
          <select value={queueId} onChange={(e) => setQueueId(e.currentTarget.value)}>
            {queues.map((q) => (
              <option key={q.queueId} value={q.queueId}>
                {q.name || q.queueId}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Day (UTC)" name="date" errors={errors}>
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </Field>
        <Field label="Operators" name="operators" errors={errors}>
          <input inputMode="numeric" value={operators} onInput={(e) => setOperators(e.currentTarget.value)} />
        </Field>
        <div class="sv-actions">
          <button type="submit" class="primary" disabled={busy || !queueId}>
            {busy ? "Replaying…" : "Replay"}
          </button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {res && (
        <table class="sv-table" data-testid="replay-result">
          <thead>
            <tr>
              <th />
              <th>Calls</th>
              <th>Answered</th>
              <th>Abandoned</th>
              <th>Service level</th>
              <th>ASA</th>
              <th>Occupancy</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>Recorded</th>
              <td>{res.calls}</td>
              <td>{res.recorded?.callsAnswered ?? "—"}</td>
              <td>{res.recorded?.callsAbandoned ?? "—"}</td>
              <td>{percent(res.recorded?.serviceLevel)}</td>
              <td>{secs(res.recorded?.asaMs)}</td>
              <td>{percent(res.recorded?.occupancy)}</td>
            </tr>
            <tr>
              <th>With {operators} operators</th>
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
