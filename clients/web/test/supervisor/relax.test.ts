import { afterEach, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { QueueSchema, RelaxStepSchema } from "@gen/tandem/admin/v1/admin_pb";
import { DecisionRelaxationSchema } from "@gen/tandem/assignment/v1/assignment_pb";
import { setLang } from "../../src/i18n/i18n";
import { excludedWords, relaxationWords, relaxFormOf, relaxFrom } from "../../src/supervisor/relax";

describe("a queue's skills relaxation in the configuration", () => {
  const queue = create(QueueSchema, {
    queueId: "vip",
    minLevel: 4,
    relax: [create(RelaxStepSchema, { afterS: 30, minLevel: 2 }), create(RelaxStepSchema, { afterS: 60, alsoQueueIds: ["sales", "billing"] })],
  });

  it("edits what the queue has, and a new queue starts with none", () => {
    expect(relaxFormOf(queue)).toEqual({
      minLevel: "4",
      steps: [
        { after: "30", level: "2", queues: [] },
        { after: "60", level: "", queues: ["sales", "billing"] },
      ],
    });
    expect(relaxFormOf(null)).toEqual({ minLevel: "", steps: [] });
  });

  it("sends the steps in order, blank ones left out, empty as 0 (the server's default)", () => {
    const out = relaxFrom({
      minLevel: " 3 ",
      steps: [
        { after: "30", level: "2", queues: [] },
        { after: " ", level: "", queues: [] },
        { after: "90", level: "", queues: ["sales"] },
      ],
    });
    expect(out.minLevel).toBe(3);
    expect(out.relax.map((s) => [s.afterS, s.minLevel, s.alsoQueueIds])).toEqual([
      [30, 2, []],
      [90, 0, ["sales"]],
    ]);
    expect(relaxFrom({ minLevel: "", steps: [] })).toMatchObject({ minLevel: 0, relax: [] });
  });

  it("round-trips a queue's relaxation", () => {
    const back = relaxFrom(relaxFormOf(queue));
    expect(back.minLevel).toBe(4);
    expect(back.relax.map((s) => [s.afterS, s.minLevel, s.alsoQueueIds])).toEqual([
      [30, 2, []],
      [60, 0, ["sales", "billing"]],
    ]);
  });
});

describe("the relaxation step of a routing decision", () => {
  afterEach(() => setLang("en"));
  const at60 = create(DecisionRelaxationSchema, { step: 2, afterS: 60, minLevel: 2, alsoQueueIds: ["sales"] });
  const start = create(DecisionRelaxationSchema, { step: 0, minLevel: 4 });

  it("says the step in force, in English and in Russian", () => {
    setLang("en");
    expect(relaxationWords(at60)).toBe("Relaxed at 60 s: level 2 and up; operators of sales too");
    expect(relaxationWords(start)).toBe("At the start: level 4 and up");
    setLang("ru");
    expect(relaxationWords(at60)).toBe("Расширено через 60 с: уровень 2 и выше; также операторы sales");
    expect(relaxationWords(start)).toBe("В начале: уровень 4 и выше");
  });

  it("says why an operator below the step's level was left out; other reasons stay as the server gave them", () => {
    setLang("ru");
    expect(excludedWords("level 1 below 2")).toBe("уровень 1 ниже 2");
    setLang("en");
    expect(excludedWords("level 1 below 2")).toBe("level 1 below 2");
    expect(excludedWords("taken by an earlier call in line")).toBe("taken by an earlier call in line");
  });
});
