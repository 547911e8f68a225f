// A queue's alert thresholds in the configuration's queue form: the fields, as typed, and back
// to the Queue message. 0 or empty turns a threshold off.
import { Fragment, type JSX } from "preact";
import type { Queue } from "@gen/tandem/admin/v1/admin_pb";
import { uint } from "./form";
import { t, type Key } from "../i18n/i18n";

/** Each threshold's field: its label and hint keys in the catalogs. */
const fields = [
  ["alert_waiting_over", "alerts.config.waiting", "alerts.config.waitingHint"],
  ["alert_longest_wait_over_s", "alerts.config.longestWait", "alerts.config.longestWaitHint"],
  ["alert_misses_in_row", "alerts.config.misses", "alerts.config.missesHint"],
  ["alert_service_level_under_percent", "alerts.config.serviceLevel", "alerts.config.serviceLevelHint"],
  ["alert_abandonment_over_percent", "alerts.config.abandonment", "alerts.config.abandonmentHint"],
  ["alert_window_s", "alerts.config.window", "alerts.config.windowHint"],
  ["alert_hold_s", "alerts.config.hold", "alerts.config.holdHint"],
] as const satisfies readonly (readonly [string, Key, Key])[];

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
      <legend>{t("alerts.config.legend")}</legend>
      <div class="sv-grid">
        {fields.map(([k, label, hint]) => (
          <Fragment key={k}>{text(k, t(label), t(hint))}</Fragment>
        ))}
      </div>
    </fieldset>
  );
}
