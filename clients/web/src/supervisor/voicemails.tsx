// Voicemail (AnalyticsService.ListVoicemails): the messages callers left on a day (UTC), in one
// queue or all, newest first, a page at a time: each with a player, its length, the caller, the
// queue, what became of the callback answering it, and a link to the call's page (#call/<id>).
import { useEffect, useState } from "preact/hooks";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import type { Voicemail } from "@gen/tandem/analytics/v1/analytics_pb";
import { fieldError, problem, unary, type Api, type Problem } from "./api";
import { ms } from "./live";
import { clock } from "./words";
import { useOperatorNames } from "./names";
import { todaysVoicemails, voicemailRequest, voicemailWork, type VoicemailFilter } from "./voicemail";
import { dateTime, t, useLang } from "../i18n/i18n";

/** When the call arrived, in UTC as the day filter is. */
function when(at: number): string {
  return at ? dateTime(at, { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" }) : "";
}

export function Voicemails({ api }: { api: Api }) {
  useLang();
  const [filter, setFilter] = useState<VoicemailFilter>(() => todaysVoicemails(Date.now()));
  const [list, setList] = useState<Voicemail[] | null>(null);
  const [next, setNext] = useState("");
  const [err, setErr] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [queues, setQueues] = useState<Queue[]>([]);
  const name = useOperatorNames(api);
  useEffect(() => {
    document.title = `${t("vm.title")} · Tandem`;
    api.admin.listQueues({}, unary).then(
      (r) => setQueues(r.queues),
      () => setQueues([]),
    );
    void run("", filter);
  }, [api]);

  async function run(token: string, f: VoicemailFilter) {
    setBusy(true);
    setErr(null);
    try {
      const r = await api.analytics.listVoicemails(voicemailRequest(f, token), unary);
      setList((prev) => (token ? [...(prev ?? []), ...r.voicemails] : r.voicemails));
      setNext(r.nextPageToken);
    } catch (e) {
      setErr(problem(e));
    } finally {
      setBusy(false);
    }
  }
  const fe = (f: string) => (err ? fieldError(err.fields, f) : "");
  return (
    <div class="sv-page">
      <h1>{t("vm.title")}</h1>
      <form
        class="sv-inline"
        aria-label={t("vm.filter")}
        onSubmit={(e) => {
          e.preventDefault();
          void run("", filter);
        }}
      >
        <label>
          {t("vm.queue")}
          <select name="queue" value={filter.queue} onChange={(e) => setFilter({ ...filter, queue: e.currentTarget.value })} aria-invalid={fe("queue_id") ? true : undefined}>
            <option value="">{t("vm.anyQueue")}</option>
            {queues.map((q) => (
              <option key={q.queueId} value={q.queueId}>
                {q.name || q.queueId}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("vm.day")}
          <input name="day" type="date" value={filter.day} onInput={(e) => setFilter({ ...filter, day: e.currentTarget.value })} aria-invalid={fe("range") ? true : undefined} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t("vm.show")}
        </button>
      </form>
      {err && (
        <p class="error" role="alert" data-testid="voicemail-error">
          {err.message}
        </p>
      )}
      {list && list.length === 0 && <p class="muted">{t("vm.none")}</p>}
      {list && list.length > 0 && (
        <section class="sv-card" aria-label={t("vm.found")}>
          <table class="sv-table" data-testid="voicemails">
            <thead>
              <tr>
                <th>{t("vm.col.left")}</th>
                <th>{t("vm.col.caller")}</th>
                <th>{t("vm.col.queue")}</th>
                <th>{t("vm.col.message")}</th>
                <th>{t("vm.col.work")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.callId} data-call={v.callId}>
                  <td>
                    <a href={`#call/${encodeURIComponent(v.callId)}`} title={t("vm.open")}>
                      {when(ms(v.arrivedAt))}
                    </a>
                  </td>
                  <td>
                    {v.callerNumber || t("vm.unknownNumber")}
                    {v.callerName && <div class="muted small">{v.callerName}</div>}
                  </td>
                  <td>{v.queueId}</td>
                  <td>
                    <audio controls preload="none" src={v.url} /> <span data-testid="voicemail-length">{clock(v.lengthMs)}</span>
                  </td>
                  <td data-testid="voicemail-work" data-state={v.state}>
                    {voicemailWork(v, name(v.operatorId))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {next && (
            <button onClick={() => void run(next, filter)} disabled={busy}>
              {t("vm.more")}
            </button>
          )}
        </section>
      )}
    </div>
  );
}
