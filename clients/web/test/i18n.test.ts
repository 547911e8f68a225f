import { describe, expect, it } from "vitest";
import { dateTime, detect, format, lang, num, percent, setLang, t } from "../src/i18n/i18n";

/** Intl separates with no-break spaces (U+00A0, U+202F): compare them as spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("which language the pages speak", () => {
  it("the one chosen, else the browser's first we have, else English", () => {
    expect(detect("ru", ["en-US"])).toBe("ru");
    expect(detect(null, ["de-DE", "ru-RU", "en"])).toBe("ru");
    expect(detect(null, ["EN-gb"])).toBe("en");
    expect(detect("klingon", ["fr"])).toBe("en");
    expect(detect(null, [])).toBe("en");
  });
});

describe("messages", () => {
  const calls = { one: "{count} call", other: "{count} calls" };
  const звонки = { one: "{count} звонок", few: "{count} звонка", many: "{count} звонков", other: "{count} звонка" };
  it("picks the plural of {count} by the language's rules", () => {
    expect(format(calls, { count: 1 }, "en")).toBe("1 call");
    expect(format(calls, { count: 0 }, "en")).toBe("0 calls");
    expect([1, 2, 5, 11, 21, 22, 25, 1.5].map((count) => format(звонки, { count }, "ru"))).toEqual([
      "1 звонок",
      "2 звонка",
      "5 звонков",
      "11 звонков",
      "21 звонок",
      "22 звонка",
      "25 звонков",
      "1,5 звонка",
    ]);
  });
  it("fills holes, writes numbers in the language, and leaves a hole without a value visible", () => {
    expect(format("{name} waits {n} s", { name: "anna", n: 1234.5 }, "en")).toBe("anna waits 1,234.5 s");
    expect(plain(format("{name} ждёт {n} с", { name: "anna", n: 1234.5 }, "ru"))).toBe("anna ждёт 1 234,5 с");
    expect(format("to {queue}", {}, "en")).toBe("to {queue}");
  });
  it("t speaks the current language and follows a change", () => {
    setLang("en");
    expect(t("staffing.title")).toBe("Staffing");
    expect(t("staffing.replay.with", { count: 1 })).toBe("With 1 operator");
    setLang("ru");
    expect(lang()).toBe("ru");
    expect(t("staffing.title")).toBe("Штат");
    expect(t("staffing.replay.with", { count: 5 })).toBe("С 5 операторами");
    expect(t("staffing.calc.operatorsC", { count: 22 })).toBe("оператора (Erlang C)");
    setLang("en");
  });
});

describe("numbers and dates through Intl", () => {
  it("percentages and dates in each language", () => {
    expect(percent(0.873, 1, "en")).toBe("87.3%");
    expect(plain(percent(0.873, 1, "ru"))).toBe("87,3 %");
    expect(plain(num(1234567, {}, "ru"))).toBe("1 234 567");
    const at = Date.UTC(2026, 11, 7, 14, 5);
    expect(dateTime(at, { day: "numeric", month: "long", timeZone: "UTC" }, "en")).toBe("December 7");
    expect(dateTime(at, { day: "numeric", month: "long", timeZone: "UTC" }, "ru")).toBe("7 декабря");
  });
});
