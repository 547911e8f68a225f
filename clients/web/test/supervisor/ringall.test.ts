// Ring-all in the supervisor pages: the strategy and its "ring at once" in the queue editor, a
// leg another operator beat on the call's timeline, a ring's legs on the call's floor page.
import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { QueueSchema } from "@gen/tandem/admin/v1/admin_pb";
import { TimelineEntrySchema } from "@gen/tandem/analytics/v1/analytics_pb";
import { OfferSchema } from "@gen/tandem/assignment/v1/assignment_pb";
import { OfferState } from "@gen/tandem/common/v1/common_pb";
import { queueFormOf, queueFrom, strategies } from "../../src/supervisor/config";
import { offersOut } from "../../src/supervisor/floor";
import { describeEntry, kindLabels } from "../../src/supervisor/timeline";
import { setLang, t } from "../../src/i18n/i18n";

afterEach(() => setLang("en"));

describe("queue form: ring all", () => {
  it("offers ring_all among the strategies, in words", () => {
    expect(strategies).toContain("ring_all");
    expect(t("config.strategy.ring_all")).toBe("ring all at once (the first to answer takes it)");
    expect(t("config.q.ringAtOnceHint", { lo: 2, hi: 50, default: 5 })).toBe("2–50; empty: 5");
  });

  it("shows and sends how many are rung at once; empty leaves it to the server (5)", () => {
    const old = create(QueueSchema, { queueId: "sales", strategy: "ring_all", ringAtOnce: 7 });
    const f = queueFormOf(old);
    expect(f).toMatchObject({ strategy: "ring_all", ring_at_once: "7" });
    expect(queueFrom(old, { ...f, ring_at_once: "3" }, false, [], false).ringAtOnce).toBe(3);
    expect(queueFrom(old, { ...f, ring_at_once: "" }, false, [], false).ringAtOnce).toBe(0);
    // Out of range is the server's to judge: it refuses queue.ring_at_once, shown by the field.
    expect(queueFrom(old, { ...f, ring_at_once: "99" }, false, [], false).ringAtOnce).toBe(99);
    expect(queueFormOf(null)).toMatchObject({ ring_at_once: "" });
    expect(queueFormOf(create(QueueSchema, { queueId: "new", strategy: "ring_all" }))).toMatchObject({ ring_at_once: "" });
  });

  it("another strategy keeps what the queue had: the hidden field is never sent", () => {
    const old = create(QueueSchema, { queueId: "sales", strategy: "ring_all", ringAtOnce: 7 });
    const q = queueFrom(old, { ...queueFormOf(old), strategy: "longest_idle", ring_at_once: "99" }, false, [], false);
    expect(q.strategy).toBe("longest_idle");
    expect(q.ringAtOnce).toBe(7);
    const plain = create(QueueSchema, { queueId: "support", strategy: "round_robin" });
    expect(queueFrom(plain, { ...queueFormOf(plain), ring_at_once: "4" }, false, [], false).ringAtOnce).toBe(0);
  });
});

describe("timeline: a leg of a ring another operator beat", () => {
  const name = (id: string) => (id === "op_a" ? "Anna" : id);
  const cancelled = create(TimelineEntrySchema, { kind: "offer_cancelled", operatorId: "op_a", text: "another operator answered first" });

  it("says the offer was cancelled because another answered, and that it is no miss", () => {
    expect(kindLabels["offer_cancelled"]).toBe("Offer cancelled");
    expect(describeEntry(cancelled, name)).toBe("Offer cancelled to Anna: another operator answered first (not a miss)");
  });

  it("speaks Russian", () => {
    setLang("ru");
    expect(describeEntry(cancelled, name)).toBe("Предложение отменено — Anna: первым ответил другой оператор (не пропуск)");
    expect(t("config.strategy.ring_all")).toBe("всем сразу (берёт первый ответивший)");
  });
});

describe("floor: the offers out for a call", () => {
  const name = (id: string) => ({ op_a: "Anna", op_b: "Boris" })[id] ?? id;
  const offer = (operatorId: string, state: OfferState) => create(OfferSchema, { offerId: `of_${operatorId}`, operatorId, state });

  it("names every leg of a ring, and asks before withdrawing them all", () => {
    const out = offersOut({ offers: [offer("op_a", OfferState.PENDING), offer("op_b", OfferState.PENDING), offer("op_c", OfferState.FAILED)] }, name);
    expect(out.ringing.map((o) => o.operatorId)).toEqual(["op_a", "op_b"]);
    expect(out.now).toBe("Ringing Anna, Boris at once: the first to answer takes the call.");
    expect(out.confirm).toBe("Withdraw the offers to Anna, Boris? Their phones stop ringing and the call goes back to its place in line.");
  });

  it("says one offer as before, and nothing when none is out", () => {
    const one = offersOut({ offers: [offer("op_a", OfferState.PENDING), offer("op_b", OfferState.CANCELLED)] }, name);
    expect(one.now).toBe("Ringing Anna.");
    expect(one.confirm).toMatch(/^Withdraw the offer to Anna\?/);
    expect(offersOut({ offers: [offer("op_a", OfferState.ANSWERED)] }, name)).toMatchObject({ ringing: [], now: "" });
  });
});
