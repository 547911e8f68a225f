// The disposition picker of the call in hand: a labelled select of the queue's dispositions,
// marked when the queue requires one, showing what the server kept.
import { useEffect, useState } from "preact/hooks";
import { dispositionWords as w } from "./dispositionwords";
import type { DispositionView } from "./state";

export function DispositionPicker({ view, onPick }: { view: DispositionView; onPick: (code: string) => void }) {
  // What he picked, shown at once while it is on its way; the server's word wins after.
  const [picked, setPicked] = useState("");
  useEffect(() => setPicked(""), [view.callId, view.saved]);
  const value = picked || view.saved;
  const id = `disposition-${view.callId}`;
  return (
    <div class="disposition" data-testid="disposition">
      <label for={id}>
        {w.label}
        {view.required && (
          <span class="required" data-testid="disposition-required">
            {" "}
            ({w.required})
          </span>
        )}
      </label>
      <select
        id={id}
        data-testid="disposition-select"
        value={value}
        required={view.required}
        aria-required={view.required}
        disabled={view.busy}
        onChange={(e) => {
          const code = e.currentTarget.value;
          if (!code || code === view.saved) return;
          setPicked(code);
          onPick(code);
        }}
      >
        {!view.saved && <option value="">{w.choose}</option>}
        {view.options.map((d) => (
          <option key={d.code} value={d.code}>
            {d.label}
          </option>
        ))}
      </select>
      <span class="disposition-status muted" data-testid="disposition-saved" role="status">
        {view.busy ? w.saving : view.saved ? w.saved(view.savedLabel) : w.notSet}
      </span>
    </div>
  );
}
