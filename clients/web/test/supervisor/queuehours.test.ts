// The queue editor's callback settings and exit kinds (issue 22): what the form sends, what it
// shows of a saved queue, and which exit kinds each place offers (as the server allows them).
import { create } from "@bufbuild/protobuf";
import { QueueCallbackSchema, QueueSchema } from "@gen/tandem/admin/v1/admin_pb";
import { describe, expect, it } from "vitest";
import { callbackFormOf, callbackFrom, exitKinds, hoursFormOf, hoursFrom } from "../../src/supervisor/queuehours";

describe("the callback settings", () => {
  it("send nothing when every field is empty: the defaults, not offered while waiting", () => {
    expect(callbackFrom(callbackFormOf(undefined))).toBeUndefined();
    expect(hoursFrom(hoursFormOf(null)).callback).toBeUndefined();
  });

  it("send every field, words one per line and prefixes by spaces or commas", () => {
    const c = callbackFrom({
      offerAfter: "120",
      offerOverWait: " 600 ",
      digit: " 5 ",
      words: "ring me back\n\n  call me \n",
      attempts: "4",
      retryAfter: "900",
      callerId: "+14155550100 ",
      forbidden: "+1900, +1976  +44",
    });
    expect(c && [c.offerAfterS, c.offerOverWaitS, c.digit, c.words, c.attempts, c.retryAfterS, c.callerId, c.forbiddenPrefixes]).toEqual([
      120,
      600,
      "5",
      ["ring me back", "call me"],
      4,
      900,
      "+14155550100",
      ["+1900", "+1976", "+44"],
    ]);
  });

  it("a setting alone is sent (the server judges it: a bad key, or no dialer)", () => {
    expect(callbackFrom({ ...callbackFormOf(undefined), digit: "12" })?.digit).toBe("12");
  });

  it("show a saved queue's, 0 as empty, and send them back unchanged", () => {
    const saved = create(QueueCallbackSchema, { offerAfterS: 60, digit: "1", words: ["call me back", "callback"], attempts: 3, retryAfterS: 300, forbiddenPrefixes: ["+1900"] });
    const f = hoursFormOf(create(QueueSchema, { queueId: "support", callback: saved })).callback;
    expect(f).toEqual({ offerAfter: "60", offerOverWait: "", digit: "1", words: "call me back\ncallback", attempts: "3", retryAfter: "300", callerId: "", forbidden: "+1900" });
    expect(callbackFrom(f)).toEqual(saved);
  });
});

describe("the exit kinds", () => {
  it("offer voicemail and callback everywhere, the spare overflow at the longest wait only", () => {
    expect(exitKinds(false)).toEqual(["message", "number", "queue", "voicemail", "callback"]);
    expect(exitKinds(true)).toEqual(["message", "number", "queue", "voicemail", "callback", "overflow"]);
  });

  it("send a voicemail's prompt, and no number or queue with it", () => {
    const f = hoursFormOf(null);
    f.maxWaitingExit = { kind: "voicemail", text: " Leave a message. ", number: "+1415", queueId: "sales" };
    const x = hoursFrom(f).maxWaitingExit;
    expect(x && [x.kind, x.text, x.number, x.queueId]).toEqual(["voicemail", "Leave a message.", "", ""]);
  });
});
