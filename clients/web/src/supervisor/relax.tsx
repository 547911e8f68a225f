// A queue's skills relaxation (issue 23) in the configuration's queue form — the starting level
// and the steps in time that let in lower levels and other queues' operators — and the step a
// routing decision was made at, in words, for the call's timeline.
import { create } from "@bufbuild/protobuf";
import { RelaxStepSchema, type Queue } from "@gen/tandem/admin/v1/admin_pb";
import type { DecisionRelaxation } from "@gen/tandem/assignment/v1/assignment_pb";
import { t, useLang } from "../i18n/i18n";
import { Field, uint } from "./form";
import { secs } from "./words";

/** The relaxation as edited: the starting level and the steps as typed ("" is 0: the server's default). */
export interface RelaxForm {
  minLevel: string;
  steps: { after: string; level: string; queues: string[] }[];
}

const zeroEmpty = (n: number) => (n ? String(n) : "");

/** The form's relaxation from a queue (none for a new one). */
export function relaxFormOf(q: Queue | null): RelaxForm {
  return {
    minLevel: zeroEmpty(q?.minLevel ?? 0),
    steps: (q?.relax ?? []).map((s) => ({ after: zeroEmpty(s.afterS), level: zeroEmpty(s.minLevel), queues: [...s.alsoQueueIds] })),
  };
}

/** Whether a step row is untouched: it is not sent. */
const blank = (s: RelaxForm["steps"][number]) => !s.after.trim() && !s.level.trim() && s.queues.length === 0;

/** The Queue's relaxation from the form: blank steps left out; the server judges the rest. */
export function relaxFrom(f: RelaxForm): Pick<Queue, "minLevel" | "relax"> {
  return {
    minLevel: uint(f.minLevel),
    relax: f.steps.filter((s) => !blank(s)).map((s) => create(RelaxStepSchema, { afterS: uint(s.after), minLevel: uint(s.level), alsoQueueIds: s.queues })),
  };
}

/** The queue form's relaxation fieldset. errors are the server's by field ("queue.relax[1].after_s"); queues are the other queues' ids. */
export function RelaxFields({ value, onChange, errors, queues }: { value: RelaxForm; onChange: (f: RelaxForm) => void; errors: Record<string, string>; queues: string[] }) {
  useLang();
  const setStep = (i: number, step: Partial<RelaxForm["steps"][number]>) => onChange({ ...value, steps: value.steps.map((s, j) => (j === i ? { ...s, ...step } : s)) });
  // Errors name steps by their place among those sent, so blank rows (left out) must not shift them.
  let sent = -1;
  return (
    <fieldset data-testid="relax" data-field="queue.relax">
      <legend>{t("relax.legend")}</legend>
      <p class="muted small">{t("relax.hint")}</p>
      <div class="sv-grid">
        <Field label={t("relax.minLevel")} name="queue.min_level" errors={errors} hint={t("relax.minLevelHint")}>
          <input name="min_level" inputMode="numeric" value={value.minLevel} onInput={(e) => onChange({ ...value, minLevel: e.currentTarget.value })} />
        </Field>
      </div>
      {value.steps.length === 0 && <p class="muted small">{t("relax.none")}</p>}
      <ol class="sv-relax">
        {value.steps.map((s, i) => {
          if (!blank(s)) sent++;
          const at = blank(s) ? "" : `queue.relax[${sent}]`;
          const others = queues.filter((q) => !s.queues.includes(q));
          return (
            <li key={i} class="sv-grid" data-testid="relax-step" data-field={at}>
              <Field label={t("relax.after", { n: i + 1 })} name={`${at}.after_s`} errors={errors} hint={t("relax.afterHint")}>
                <input name={`relax-after-${i}`} inputMode="numeric" value={s.after} onInput={(e) => setStep(i, { after: e.currentTarget.value })} />
              </Field>
              <Field label={t("relax.level", { n: i + 1 })} name={`${at}.min_level`} errors={errors} hint={t("relax.levelHint")}>
                <input name={`relax-level-${i}`} inputMode="numeric" value={s.level} onInput={(e) => setStep(i, { level: e.currentTarget.value })} />
              </Field>
              <div class="sv-field" data-field={`${at}.also_queue_ids`}>
                <span class="sv-field-label">{t("relax.also", { n: i + 1 })}</span>
                {[...s.queues, ...others].map((q) => (
                  <label key={q} class="sv-check">
                    <input
                      type="checkbox"
                      name={`relax-queue-${i}-${q}`}
                      checked={s.queues.includes(q)}
                      onChange={(e) => setStep(i, { queues: e.currentTarget.checked ? [...s.queues, q] : s.queues.filter((x) => x !== q) })}
                    />{" "}
                    {q}
                  </label>
                ))}
                {queues.length === 0 && s.queues.length === 0 && <span class="muted small">{t("relax.noQueues")}</span>}
                {Object.entries(errors)
                  .filter(([k]) => at && (k === `${at}.also_queue_ids` || k.startsWith(`${at}.also_queue_ids[`)))
                  .map(([k, msg]) => (
                    <span key={k} class="field-error" role="alert" data-testid={`error-${k}`}>
                      {msg}
                    </span>
                  ))}
                {at && errors[at] && (
                  <span class="field-error" role="alert" data-testid={`error-${at}`}>
                    {errors[at]}
                  </span>
                )}
              </div>
              <button type="button" class="link" onClick={() => onChange({ ...value, steps: value.steps.filter((_, j) => j !== i) })} aria-label={t("relax.removeLabel", { n: i + 1 })}>
                {t("relax.remove")}
              </button>
            </li>
          );
        })}
      </ol>
      {errors["queue.relax"] && (
        <span class="field-error" role="alert" data-testid="error-queue.relax">
          {errors["queue.relax"]}
        </span>
      )}
      <button type="button" class="link" onClick={() => onChange({ ...value, steps: [...value.steps, { after: "", level: "", queues: [] }] })}>
        {t("relax.add")}
      </button>
    </fieldset>
  );
}

/** The step a decision was made at, in words: "Relaxed at 30 s: level 2 and up; operators of sales too". */
export function relaxationWords(r: DecisionRelaxation): string {
  const what: string[] = [];
  if (r.step === 0) return t("relax.start", { level: Math.max(r.minLevel, 1) });
  what.push(t("relax.levelUp", { level: Math.max(r.minLevel, 1) }));
  if (r.alsoQueueIds.length > 0) what.push(t("relax.alsoQueues", { queues: r.alsoQueueIds.join(", ") }));
  return t("relax.at", { after: secs(r.afterS * 1000), what: what.join("; ") });
}

/** Why an operator was left out, in the current language where Tandem has words for it ("level 1 below 2"); else as the server said it. */
export function excludedWords(why: string): string {
  const m = /^level (\d) below (\d)$/.exec(why);
  return m ? t("relax.below", { level: Number(m[1]), min: Number(m[2]) }) : why;
}
