// A queue's business hours, closures, what it does while closed, its caps with their exits and
// its callback settings (issue 22), in the configuration's queue form; and a queue's hours in a
// line for the table.
import { create } from "@bufbuild/protobuf";
import type { ComponentChildren } from "preact";
import { ClosureSchema, OpenSpanSchema, QueueCallbackSchema, QueueExitSchema, QueueHoursSchema, type Queue, type QueueCallback, type QueueExit } from "@gen/tandem/admin/v1/admin_pb";
import { t, useLang, type Key } from "../i18n/i18n";
import { Field, uint } from "./form";

const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** An exit as edited: its kind ("" none) and what each kind needs. */
export interface ExitForm {
  kind: string;
  text: string;
  number: string;
  queueId: string;
}

/** The callback settings as edited (Queue.callback): empty or 0 is the server's default. */
export interface CallbackForm {
  offerAfter: string;
  offerOverWait: string;
  digit: string;
  /** One per line. */
  words: string;
  attempts: string;
  retryAfter: string;
  callerId: string;
  /** Separated by spaces or commas. */
  forbidden: string;
}

/** The hours, caps, exits and callback settings as edited: every row is sent, in order, so errors name it. */
export interface HoursForm {
  timeZone: string;
  spans: { day: string; from: string; to: string }[];
  closures: { first: string; last: string; name: string }[];
  closedExit: ExitForm;
  exitAtClose: boolean;
  maxWaiting: string;
  maxWaitingExit: ExitForm;
  longestWait: string;
  longestWaitExit: ExitForm;
  callback: CallbackForm;
}

function exitFormOf(x: QueueExit | undefined): ExitForm {
  return { kind: x?.kind ?? "", text: x?.text ?? "", number: x?.number ?? "", queueId: x?.queueId ?? "" };
}

const zeroEmpty = (n: number | undefined) => (n ? String(n) : "");

export function callbackFormOf(c: QueueCallback | undefined): CallbackForm {
  return {
    offerAfter: zeroEmpty(c?.offerAfterS),
    offerOverWait: zeroEmpty(c?.offerOverWaitS),
    digit: c?.digit ?? "",
    words: (c?.words ?? []).join("\n"),
    attempts: zeroEmpty(c?.attempts),
    retryAfter: zeroEmpty(c?.retryAfterS),
    callerId: c?.callerId ?? "",
    forbidden: (c?.forbiddenPrefixes ?? []).join(", "),
  };
}

/** The Queue's callback settings from the form; none when every field is empty (the defaults, not offered while waiting). */
export function callbackFrom(f: CallbackForm): QueueCallback | undefined {
  const c = create(QueueCallbackSchema, {
    offerAfterS: uint(f.offerAfter),
    offerOverWaitS: uint(f.offerOverWait),
    digit: f.digit.trim(),
    words: f.words
      .split("\n")
      .map((w) => w.trim())
      .filter(Boolean),
    attempts: uint(f.attempts),
    retryAfterS: uint(f.retryAfter),
    callerId: f.callerId.trim(),
    forbiddenPrefixes: f.forbidden.split(/[\s,]+/).filter(Boolean),
  });
  const set = c.offerAfterS || c.offerOverWaitS || c.digit || c.words.length || c.attempts || c.retryAfterS || c.callerId || c.forbiddenPrefixes.length;
  return set ? c : undefined;
}

/** The form's hours, caps, exits and callback settings from a queue (none for a new one). */
export function hoursFormOf(q: Queue | null): HoursForm {
  return {
    timeZone: q?.hours?.timeZone ?? "",
    spans: (q?.hours?.weekly ?? []).map((s) => ({ day: s.day, from: s.from, to: s.to })),
    closures: (q?.hours?.closures ?? []).map((c) => ({ first: c.first, last: c.last, name: c.name })),
    closedExit: exitFormOf(q?.closedExit),
    exitAtClose: q?.exitWaitingAtClose ?? false,
    maxWaiting: String(q?.maxWaiting ?? 0),
    maxWaitingExit: exitFormOf(q?.maxWaitingExit),
    longestWait: String(q?.longestWaitS ?? 0),
    longestWaitExit: exitFormOf(q?.longestWaitExit),
    callback: callbackFormOf(q?.callback),
  };
}

function exitFrom(x: ExitForm): QueueExit | undefined {
  if (!x.kind) return undefined;
  return create(QueueExitSchema, {
    kind: x.kind,
    text: x.text.trim(),
    number: x.kind === "number" ? x.number.trim() : "",
    queueId: x.kind === "queue" ? x.queueId : "",
  });
}

type HoursPart = Pick<Queue, "hours" | "closedExit" | "exitWaitingAtClose" | "maxWaiting" | "maxWaitingExit" | "longestWaitS" | "longestWaitExit" | "callback">;

/** The Queue's hours, caps, exits and callback settings from the form; the server judges them. */
export function hoursFrom(f: HoursForm): HoursPart {
  const set = f.timeZone.trim() !== "" || f.spans.length > 0 || f.closures.length > 0;
  return {
    hours: set
      ? create(QueueHoursSchema, {
          timeZone: f.timeZone.trim(),
          weekly: f.spans.map((s) => create(OpenSpanSchema, { day: s.day, from: s.from.trim(), to: s.to.trim() })),
          closures: f.closures.map((c) => create(ClosureSchema, { first: c.first.trim(), last: c.last.trim(), name: c.name.trim() })),
        })
      : undefined,
    closedExit: exitFrom(f.closedExit),
    exitWaitingAtClose: f.exitAtClose,
    maxWaiting: uint(f.maxWaiting),
    maxWaitingExit: exitFrom(f.maxWaitingExit),
    longestWaitS: uint(f.longestWait),
    longestWaitExit: exitFrom(f.longestWaitExit),
    callback: callbackFrom(f.callback),
  };
}

/**
 * The exit kinds a place offers, as the server's Exit.Check allows them: the spare overflow at
 * the longest wait only; voicemail and callback everywhere (a callback needs the server's
 * Voximplant flags: it says so, by the kind's field, when they are missing).
 */
export function exitKinds(overflow: boolean): string[] {
  return ["message", "number", "queue", "voicemail", "callback", ...(overflow ? ["overflow"] : [])];
}

const textHints: Record<string, Key> = {
  message: "hours.exit.messageHint",
  number: "hours.exit.numberTextHint",
  voicemail: "hours.exit.voicemailHint",
  callback: "hours.exit.callbackHint",
};

/** An exit's editor: its kind, then what that kind needs. field is its place ("queue.closed_exit"). */
function ExitFields({ field, label, value, onChange, errors, queues, overflow }: { field: string; label: string; value: ExitForm; onChange: (x: ExitForm) => void; errors: Record<string, string>; queues: string[]; overflow?: boolean }) {
  const set = (k: keyof ExitForm, v: string) => onChange({ ...value, [k]: v });
  const kinds = exitKinds(overflow ?? false);
  const textHint = textHints[value.kind];
  return (
    <div class="sv-grid" data-testid={`exit-${field}`}>
      <Field label={label} name={`${field}.kind`} errors={errors}>
        <select name={`${field}.kind`} value={value.kind} onChange={(e) => set("kind", e.currentTarget.value)}>
          <option value="">{t("hours.exit.none")}</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t(`hours.exit.${k}` as "hours.exit.message")}
            </option>
          ))}
        </select>
      </Field>
      {value.kind === "number" && (
        <Field label={t("hours.exit.numberLabel")} name={`${field}.number`} errors={errors} hint={t("hours.exit.numberHint")}>
          <input name={`${field}.number`} value={value.number} onInput={(e) => set("number", e.currentTarget.value)} autocomplete="off" spellcheck={false} />
        </Field>
      )}
      {value.kind === "queue" && (
        <Field label={t("hours.exit.queueLabel")} name={`${field}.queue_id`} errors={errors}>
          <select name={`${field}.queue_id`} value={value.queueId} onChange={(e) => set("queueId", e.currentTarget.value)}>
            <option value="">{t("hours.exit.chooseQueue")}</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </Field>
      )}
      {textHint && (
        <Field label={t("hours.exit.textLabel")} name={`${field}.text`} errors={errors} hint={t(textHint)}>
          <textarea name={`${field}.text`} rows={2} value={value.text} onInput={(e) => set("text", e.currentTarget.value)} />
        </Field>
      )}
    </div>
  );
}

/** The queue form's hours and caps. errors are the server's by field ("queue.hours.weekly[1].to"). */
export function HoursFields({ value, onChange, errors, queues }: { value: HoursForm; onChange: (f: HoursForm) => void; errors: Record<string, string>; queues: string[] }) {
  useLang();
  const setSpan = (i: number, k: "day" | "from" | "to", v: string) => onChange({ ...value, spans: value.spans.map((s, j) => (j === i ? { ...s, [k]: v } : s)) });
  const setClosure = (i: number, k: "first" | "last" | "name", v: string) => onChange({ ...value, closures: value.closures.map((c, j) => (j === i ? { ...c, [k]: v } : c)) });
  const groupError = (name: string) =>
    errors[name] && (
      <span class="field-error" role="alert" data-testid={`error-${name}`}>
        {errors[name]}
      </span>
    );
  return (
    <>
      <fieldset data-testid="hours" data-field="queue.hours">
        <legend>{t("hours.legend")}</legend>
        <p class="muted small">{t("hours.hint")}</p>
        {groupError("queue.hours")}
        <Field label={t("hours.timeZone")} name="queue.hours.time_zone" errors={errors} hint={t("hours.timeZoneHint")}>
          <input name="time_zone" value={value.timeZone} onInput={(e) => onChange({ ...value, timeZone: e.currentTarget.value })} autocomplete="off" spellcheck={false} />
        </Field>
        {value.spans.length === 0 && <p class="muted small">{t("hours.allWeek")}</p>}
        <ol class="sv-dispositions">
          {value.spans.map((s, i) => (
            <li key={i} class="sv-grid" data-testid="hours-row" data-field={`queue.hours.weekly[${i}]`}>
              <Field label={t("hours.day", { n: i + 1 })} name={`queue.hours.weekly[${i}].day`} errors={errors}>
                <select value={s.day} onChange={(e) => setSpan(i, "day", e.currentTarget.value)}>
                  {days.map((d) => (
                    <option key={d} value={d}>
                      {t(`hours.day.${d}` as "hours.day.mon")}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t("hours.from", { n: i + 1 })} name={`queue.hours.weekly[${i}].from`} errors={errors} hint={t("hours.timeHint")}>
                <input value={s.from} onInput={(e) => setSpan(i, "from", e.currentTarget.value)} autocomplete="off" />
              </Field>
              <Field label={t("hours.to", { n: i + 1 })} name={`queue.hours.weekly[${i}].to`} errors={errors} hint={t("hours.timeHint")}>
                <input value={s.to} onInput={(e) => setSpan(i, "to", e.currentTarget.value)} autocomplete="off" />
              </Field>
              <button type="button" class="link" onClick={() => onChange({ ...value, spans: value.spans.filter((_, j) => j !== i) })} aria-label={t("hours.removeSpan", { n: i + 1 })}>
                {t("hours.remove")}
              </button>
              {groupError(`queue.hours.weekly[${i}]`)}
            </li>
          ))}
        </ol>
        {groupError("queue.hours.weekly")}
        <button type="button" class="link" onClick={() => onChange({ ...value, spans: [...value.spans, { day: "mon", from: "09:00", to: "18:00" }] })}>
          {t("hours.addSpan")}
        </button>
        <h4>{t("hours.closures")}</h4>
        {value.closures.length === 0 && <p class="muted small">{t("hours.noClosures")}</p>}
        <ol class="sv-dispositions">
          {value.closures.map((c, i) => (
            <li key={i} class="sv-grid" data-testid="closure-row">
              <Field label={t("hours.first", { n: i + 1 })} name={`queue.hours.closures[${i}].first`} errors={errors} hint={t("hours.dateHint")}>
                <input value={c.first} onInput={(e) => setClosure(i, "first", e.currentTarget.value)} autocomplete="off" />
              </Field>
              <Field label={t("hours.last", { n: i + 1 })} name={`queue.hours.closures[${i}].last`} errors={errors} hint={t("hours.lastHint")}>
                <input value={c.last} onInput={(e) => setClosure(i, "last", e.currentTarget.value)} autocomplete="off" />
              </Field>
              <Field label={t("hours.closureName", { n: i + 1 })} name={`queue.hours.closures[${i}].name`} errors={errors}>
                <input value={c.name} onInput={(e) => setClosure(i, "name", e.currentTarget.value)} />
              </Field>
              <button type="button" class="link" onClick={() => onChange({ ...value, closures: value.closures.filter((_, j) => j !== i) })} aria-label={t("hours.removeClosure", { n: i + 1 })}>
                {t("hours.remove")}
              </button>
            </li>
          ))}
        </ol>
        <button type="button" class="link" onClick={() => onChange({ ...value, closures: [...value.closures, { first: "", last: "", name: "" }] })}>
          {t("hours.addClosure")}
        </button>
        <ExitFields field="queue.closed_exit" label={t("hours.closedExit")} value={value.closedExit} onChange={(x) => onChange({ ...value, closedExit: x })} errors={errors} queues={queues} />
        <label class="sv-check">
          <input type="checkbox" name="exit_waiting_at_close" checked={value.exitAtClose} onChange={(e) => onChange({ ...value, exitAtClose: e.currentTarget.checked })} /> {t("hours.exitAtClose")}
        </label>
      </fieldset>
      <fieldset data-testid="caps">
        <legend>{t("hours.caps")}</legend>
        <div class="sv-grid">
          <Field label={t("hours.maxWaiting")} name="queue.max_waiting" errors={errors} hint={t("config.q.zeroNoLimit")}>
            <input name="max_waiting" value={value.maxWaiting} onInput={(e) => onChange({ ...value, maxWaiting: e.currentTarget.value })} />
          </Field>
        </div>
        <ExitFields field="queue.max_waiting_exit" label={t("hours.maxWaitingExit")} value={value.maxWaitingExit} onChange={(x) => onChange({ ...value, maxWaitingExit: x })} errors={errors} queues={queues} />
        <div class="sv-grid">
          <Field label={t("hours.longestWait")} name="queue.longest_wait_s" errors={errors} hint={t("config.q.zeroNoLimit")}>
            <input name="longest_wait_s" value={value.longestWait} onInput={(e) => onChange({ ...value, longestWait: e.currentTarget.value })} />
          </Field>
        </div>
        <ExitFields field="queue.longest_wait_exit" label={t("hours.longestWaitExit")} value={value.longestWaitExit} onChange={(x) => onChange({ ...value, longestWaitExit: x })} errors={errors} queues={queues} overflow />
      </fieldset>
      <CallbackFields value={value.callback} onChange={(c) => onChange({ ...value, callback: c })} errors={errors} groupError={groupError} />
    </>
  );
}

/** The queue's callback settings (Queue.callback); empty fields are the server's defaults. */
function CallbackFields({ value, onChange, errors, groupError }: { value: CallbackForm; onChange: (c: CallbackForm) => void; errors: Record<string, string>; groupError: (name: string) => ComponentChildren }) {
  const input = (k: keyof CallbackForm, name: string, label: Key, hint: Key) => (
    <Field label={t(label)} name={`queue.callback.${name}`} errors={errors} hint={t(hint)}>
      <input name={`callback.${name}`} value={value[k]} onInput={(e) => onChange({ ...value, [k]: e.currentTarget.value })} autocomplete="off" spellcheck={false} />
    </Field>
  );
  return (
    <fieldset data-testid="callback" data-field="queue.callback">
      <legend>{t("callback.legend")}</legend>
      <p class="muted small">{t("callback.hint")}</p>
      {groupError("queue.callback")}
      <div class="sv-grid">
        {input("offerAfter", "offer_after_s", "callback.offerAfter", "callback.offerAfterHint")}
        {input("offerOverWait", "offer_over_wait_s", "callback.offerOverWait", "callback.offerOverWaitHint")}
        {input("digit", "digit", "callback.digit", "callback.digitHint")}
        <Field label={t("callback.words")} name="queue.callback.words" errors={errors} hint={t("callback.wordsHint")}>
          <textarea name="callback.words" rows={3} value={value.words} onInput={(e) => onChange({ ...value, words: e.currentTarget.value })} />
        </Field>
        {input("attempts", "attempts", "callback.attempts", "callback.attemptsHint")}
        {input("retryAfter", "retry_after_s", "callback.retryAfter", "callback.retryAfterHint")}
        {input("callerId", "caller_id", "callback.callerId", "callback.callerIdHint")}
        {input("forbidden", "forbidden_prefixes", "callback.forbidden", "callback.forbiddenHint")}
      </div>
    </fieldset>
  );
}

/** A queue's hours in a line, for the queues table: "closed until Mon 09:00", "open", "always open". */
export function hoursText(q: Queue): string {
  if (q.closedNow) return t("hours.closedNow", { why: q.closedWhy });
  const set = (q.hours?.weekly.length ?? 0) > 0 || (q.hours?.closures.length ?? 0) > 0;
  return set ? t("hours.openNow") : t("hours.always");
}
