// The disposition picker of the call in hand: a labelled select of the queue's dispositions,
// marked when the queue requires one, showing what the server kept and its refusal.
import { useEffect, useState } from "preact/hooks";
import { t, useLang } from "./i18n/i18n";
import type { DispositionView } from "./state";

export function DispositionPicker({ view, onPick }: { view: DispositionView; onPick: (code: string) => void }) {
  useLang();
  // What he picked, shown at once while it is on its way; the server's word wins after.
  const [picked, setPicked] = useState("");
  useEffect(() => setPicked(""), [view.callId, view.saved, view.error]);
  const value = picked || view.saved;
  const id = `disposition-${view.callId}`;
  const errorId = `${id}-error`;
  return (
    <div class="disposition" data-testid="disposition">
      <label for={id}>
        {t("op.dispo.label")}
        {view.required && (
          <span class="required" data-testid="disposition-required">
            {" "}
            ({t("op.dispo.required")})
          </span>
        )}
      </label>
      <select
        id={id}
        data-testid="disposition-select"
        value={value}
        required={view.required}
        aria-required={view.required}
        aria-invalid={view.error ? true : undefined}
        aria-describedby={view.error ? errorId : undefined}
        disabled={view.busy}
        onChange={(e) => {
          const code = e.currentTarget.value;
          if (!code || code === view.saved) return;
          setPicked(code);
          onPick(code);
        }}
      >
        {!view.saved && <option value="">{t("op.dispo.choose")}</option>}
        {view.options.map((d) => (
          <option key={d.code} value={d.code}>
            {d.label}
          </option>
        ))}
      </select>
      <span class="disposition-status muted" data-testid="disposition-saved" role="status">
        {view.busy ? t("op.dispo.saving") : view.saved ? t("op.dispo.saved", { label: view.savedLabel }) : t("op.dispo.notSet")}
      </span>
      {view.error && (
        <p id={errorId} class="error field-error" role="alert" data-testid="disposition-error">
          {view.error}
        </p>
      )}
    </div>
  );
}
