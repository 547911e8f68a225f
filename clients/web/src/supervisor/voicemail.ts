// The voicemail list's arithmetic, kept pure for the tests: the request of its filter (a queue
// and a UTC day) and each message's work in words — waiting with its next try, being called
// back, called back by whom and when, given up after its tries, or not to be called back.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ListVoicemailsRequestSchema, TimeRangeSchema, VoicemailState, type ListVoicemailsRequest, type Voicemail } from "@gen/tandem/analytics/v1/analytics_pb";
import { dateTime, t } from "../i18n/i18n";
import { ms } from "./live";
import { utcDate } from "./words";

export interface VoicemailFilter {
  queue: string; // "": every queue
  day: string; // a UTC day, "2026-12-07"
}

const dayMs = 24 * 60 * 60 * 1000;

/** Today's messages in every queue. */
export function todaysVoicemails(now: number): VoicemailFilter {
  return { queue: "", day: utcDate(now) };
}

/** The request of a filter and a page token: the calls that arrived on the day (UTC). */
export function voicemailRequest(f: VoicemailFilter, pageToken = "", pageSize = 50): ListVoicemailsRequest {
  const from = Date.parse(`${f.day}T00:00:00Z`);
  const range = Number.isFinite(from) ? create(TimeRangeSchema, { from: timestampFromMs(from), to: timestampFromMs(from + dayMs) }) : undefined;
  return create(ListVoicemailsRequestSchema, { queueId: f.queue, range, pageSize, pageToken });
}

/** 14:05 (UTC, as the page's times are). */
function hhmm(at: number): string {
  return dateTime(at, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
}

/** What became of a message, in words; name is the operator's display name. */
export function voicemailWork(v: Voicemail, name: string): string {
  const who = v.operatorName || name || v.operatorId;
  switch (v.state) {
    case VoicemailState.WAITING: {
      const next = ms(v.nextAttemptAt);
      return next ? t("vm.state.waitingUntil", { time: hhmm(next) }) : t("vm.state.waiting");
    }
    case VoicemailState.CALLING:
      return t("vm.state.calling", { name: who });
    case VoicemailState.CALLED_BACK: {
      const at = ms(v.calledBackAt);
      return at ? t("vm.state.calledBackAt", { name: who, time: hhmm(at) }) : t("vm.state.calledBack", { name: who });
    }
    case VoicemailState.GAVE_UP:
      return t("vm.state.gaveUp", { count: v.attempt });
    case VoicemailState.NOT_CALLED_BACK:
      return t("vm.state.notCalledBack");
  }
  return "";
}
