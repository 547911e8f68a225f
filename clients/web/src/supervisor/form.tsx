// Small form parts shared by the supervisor's screens: a labelled field with its server error
// right under it, and a numeric parser that says what is wrong.
import type { ComponentChildren } from "preact";
import { fieldError } from "./api";

export function Field({ label, name, errors, children, hint }: { label: string; name: string; errors: Record<string, string>; children: ComponentChildren; hint?: string }) {
  const err = fieldError(errors, name);
  return (
    <label class={`sv-field${err ? " invalid" : ""}`} data-field={name}>
      <span class="sv-field-label">{label}</span>
      {children}
      {hint && !err && <span class="muted small">{hint}</span>}
      {err && (
        <span class="field-error" role="alert" data-testid={`error-${name}`}>
          {err}
        </span>
      )}
    </label>
  );
}

/** A number typed in a form; NaN when empty or not a number. */
export function num(s: string): number {
  const t = s.trim().replace(",", ".");
  return t === "" ? NaN : Number(t);
}

/** A whole non-negative number typed in a form (0 when empty): the server judges the range. */
export function uint(s: string): number {
  const n = Math.trunc(num(s));
  return Number.isFinite(n) && n > 0 ? n : 0;
}
