// A queue's dispositions (wrap-up codes) in the configuration's queue form — each code with the
// name operators read, and whether operators must choose one before they are ready again — and
// the disposition set on a call, for the call's detail.
import { create } from "@bufbuild/protobuf";
import { useEffect, useState } from "preact/hooks";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { DispositionSchema } from "@gen/tandem/common/v1/common_pb";
import { t, useLang } from "../i18n/i18n";
import { unary, type Api } from "./api";
import { Field } from "./form";

/** The dispositions as edited: rows as typed (blank rows are dropped on save), and required. */
export interface DispositionsForm {
  rows: { code: string; label: string }[];
  required: boolean;
}

/** The form's dispositions from a queue (none for a new one). */
export function dispositionsFormOf(q: Queue | null): DispositionsForm {
  return { rows: (q?.dispositions ?? []).map((d) => ({ code: d.code, label: d.label })), required: q?.dispositionRequired ?? false };
}

/** The Queue's dispositions from the form: rows trimmed, blank ones left out; the server judges the rest. */
export function dispositionsFrom(f: DispositionsForm): Pick<Queue, "dispositions" | "dispositionRequired"> {
  return {
    dispositions: f.rows
      .map((r) => ({ code: r.code.trim(), label: r.label.trim() }))
      .filter((r) => r.code || r.label)
      .map((r) => create(DispositionSchema, r)),
    dispositionRequired: f.required,
  };
}

/** The queue form's dispositions fieldset. errors are the server's by field ("queue.dispositions[1].code"). */
export function DispositionFields({ value, onChange, errors }: { value: DispositionsForm; onChange: (f: DispositionsForm) => void; errors: Record<string, string> }) {
  useLang();
  const setRow = (i: number, k: "code" | "label", v: string) => onChange({ ...value, rows: value.rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)) });
  // Errors name rows by their place among those sent, so blank rows (left out) must not shift them.
  let sent = -1;
  return (
    <fieldset data-testid="dispositions" data-field="queue.dispositions">
      <legend>{t("dispositions.legend")}</legend>
      <p class="muted small">{t("dispositions.hint")}</p>
      {value.rows.length === 0 && <p class="muted small">{t("dispositions.none")}</p>}
      <ol class="sv-dispositions">
        {value.rows.map((r, i) => {
          const blank = !r.code.trim() && !r.label.trim();
          if (!blank) sent++;
          const at = blank ? "" : `queue.dispositions[${sent}]`;
          return (
            <li key={i} class="sv-grid" data-testid="disposition-row">
              <Field label={t("dispositions.code", { n: i + 1 })} name={`${at}.code`} errors={errors} hint={t("dispositions.codeHint")}>
                <input name={`disposition-code-${i}`} value={r.code} onInput={(e) => setRow(i, "code", e.currentTarget.value)} autocomplete="off" spellcheck={false} />
              </Field>
              <Field label={t("dispositions.name", { n: i + 1 })} name={`${at}.label`} errors={errors} hint={t("dispositions.nameHint")}>
                <input name={`disposition-label-${i}`} value={r.label} onInput={(e) => setRow(i, "label", e.currentTarget.value)} />
              </Field>
              <button type="button" class="link" onClick={() => onChange({ ...value, rows: value.rows.filter((_, j) => j !== i) })} aria-label={t("dispositions.removeLabel", { n: i + 1, code: r.code || "—" })}>
                {t("dispositions.remove")}
              </button>
            </li>
          );
        })}
      </ol>
      {errors["queue.dispositions"] && (
        <span class="field-error" role="alert" data-testid="error-queue.dispositions">
          {errors["queue.dispositions"]}
        </span>
      )}
      <button type="button" class="link" onClick={() => onChange({ ...value, rows: [...value.rows, { code: "", label: "" }] })}>
        {t("dispositions.add")}
      </button>
      <label class="sv-check">
        <input type="checkbox" name="disposition_required" checked={value.required} onChange={(e) => onChange({ ...value, required: e.currentTarget.checked })} /> {t("dispositions.required")}
      </label>
      {errors["queue.disposition_required"] && (
        <span class="field-error" role="alert" data-testid="error-queue.disposition_required">
          {errors["queue.disposition_required"]}
        </span>
      )}
    </fieldset>
  );
}

/** The queues table's column heading. */
export function dispositionsHeading(): string {
  return t("dispositions.column");
}

/** The call search's column heading: the disposition of each call. */
export function dispositionOfCallHeading(): string {
  return t("dispositions.callColumn");
}

/** A queue's dispositions in a line, for the queues table: "sale, callback (required)". */
export function dispositionsText(q: Queue): string {
  if (q.dispositions.length === 0) return t("dispositions.noneShort");
  const codes = q.dispositions.map((d) => d.code).join(", ");
  return q.dispositionRequired ? t("dispositions.requiredShort", { codes }) : codes;
}

/** The disposition set on a call (AssignmentService.GetCall), with the name its queue gives it. */
export function CallDisposition({ api, callId }: { api: Api; callId: string }) {
  useLang();
  const [shown, setShown] = useState<{ code: string; label: string } | null>(null);
  useEffect(() => {
    setShown(null);
    let gone = false;
    void (async () => {
      try {
        const call = (await api.assignment.getCall({ callId }, unary)).call;
        if (!call || gone) return;
        let label = "";
        if (call.disposition) {
          // The name as the queue has it now; a code it no longer has shows alone.
          const q = await api.admin.getQueue({ queueId: call.queueId }, unary).catch(() => null);
          label = q?.queue?.dispositions.find((d) => d.code === call.disposition)?.label ?? "";
        }
        if (!gone) setShown({ code: call.disposition, label });
      } catch {
        // The timeline says what went wrong with the call id.
      }
    })();
    return () => void (gone = true);
  }, [api, callId]);
  if (!shown) return null;
  return (
    <p class="small" data-testid="call-disposition">
      {shown.code ? t("dispositions.ofCall", { disposition: shown.label && shown.label !== shown.code ? `${shown.label} (${shown.code})` : shown.code }) : t("dispositions.ofCallNone")}
    </p>
  );
}
