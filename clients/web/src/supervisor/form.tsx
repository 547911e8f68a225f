// Small form parts shared by the supervisor's screens: a labelled field with its server error
// right under it, a numeric parser that says what is wrong, and the hooks of a configuration
// list (read, reload) and of a write (busy, the refusal in words and by field).
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/i18n";
import { fieldError, problem } from "./api";

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

/** A list read from the server, with its reload and its error. */
export function useList<T>(load: () => Promise<T[]>, deps: unknown[]): { items: T[] | null; reload: () => void; error: string } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState("");
  const [n, setN] = useState(0);
  useEffect(() => {
    load().then(
      (x) => {
        setItems(x);
        setError("");
      },
      (e) => setError(problem(e).message),
    );
  }, [...deps, n]);
  return { items, reload: () => setN((k) => k + 1), error };
}

/** Runs a write, with the message and the field errors of its failure. */
export function useSave(): { busy: boolean; error: string; fields: Record<string, string>; run: (f: () => Promise<unknown>) => Promise<boolean>; reset: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  return {
    busy,
    error,
    fields,
    reset: () => {
      setError("");
      setFields({});
    },
    async run(f) {
      setBusy(true);
      setError("");
      setFields({});
      try {
        await f();
        return true;
      } catch (e) {
        const p = problem(e);
        setError(Object.keys(p.fields).length ? t("config.notSaved", { why: p.message }) : p.message);
        setFields(p.fields);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export function SaveError({ error }: { error: string }) {
  return error ? (
    <p class="error" role="alert" data-testid="save-error">
      {error}
    </p>
  ) : null;
}
