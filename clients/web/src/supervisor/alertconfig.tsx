// A queue's alert thresholds in the configuration's queue form: the fields, as typed, and back
// to the Queue message. 0 or empty turns a threshold off.
import type { JSX } from "preact";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { uint } from "./form";

const words = {
  legend: "Alerts (0: off)",
  waiting: ["Calls waiting over", "0–100000"],
  longestWait: ["Longest wait over (s)", "0–86400"],
  misses: ["An operator's misses in a row", "0–100"],
  serviceLevel: ["Service level under (%)", "over the window; 0–100"],
  abandonment: ["Abandonment over (%)", "over the window; 0–99"],
  window: ["Window (s)", "empty: 900; 60–86400"],
  hold: ["Held for (s) before raised or cleared", "empty: 10; 0–600"],
} as const;

/** The alert fields of the queue form, by their API field names. */
export function alertFormOf(q: Queue | null): Record<string, string> {
  const n = (v: number | undefined) => (v ? String(v) : "");
  return {
    alert_waiting_over: String(q?.alertWaitingOver ?? 0),
    alert_longest_wait_over_s: String(q?.alertLongestWaitOverS ?? 0),
    alert_misses_in_row: String(q?.alertMissesInRow ?? 0),
    alert_service_level_under_percent: String(q?.alertServiceLevelUnderPercent ?? 0),
    alert_abandonment_over_percent: String(q?.alertAbandonmentOverPercent ?? 0),
    alert_window_s: n(q?.alertWindowS),
    alert_hold_s: n(q?.alertHoldS),
  };
}

/** The Queue's alert fields from the form (s reads a field as typed). */
export function alertsFrom(s: (k: string) => string): Partial<Queue> {
  return {
    alertWaitingOver: uint(s("alert_waiting_over")),
    alertLongestWaitOverS: uint(s("alert_longest_wait_over_s")),
    alertMissesInRow: uint(s("alert_misses_in_row")),
    alertServiceLevelUnderPercent: uint(s("alert_service_level_under_percent")),
    alertAbandonmentOverPercent: uint(s("alert_abandonment_over_percent")),
    alertWindowS: uint(s("alert_window_s")),
    alertHoldS: uint(s("alert_hold_s")),
  };
}

export function AlertThresholdFields({ text }: { text: (k: string, label: string, hint?: string) => JSX.Element }) {
  return (
    <fieldset>
      <legend>{words.legend}</legend>
      <div class="sv-grid">
        {text("alert_waiting_over", ...words.waiting)}
        {text("alert_longest_wait_over_s", ...words.longestWait)}
        {text("alert_misses_in_row", ...words.misses)}
        {text("alert_service_level_under_percent", ...words.serviceLevel)}
        {text("alert_abandonment_over_percent", ...words.abandonment)}
        {text("alert_window_s", ...words.window)}
        {text("alert_hold_s", ...words.hold)}
      </div>
    </fieldset>
  );
}
