// The wallboard's and alerts' words in both languages: the "and N more" line's plurals and its
// offline variants, and every key of theirs translated (not English copied into ru.ts).
import { afterEach, describe, expect, it } from "vitest";
import { moreText } from "../../src/supervisor/wallboard";
import { setLang } from "../../src/i18n/i18n";
import { en } from "../../src/i18n/en";
import { ru } from "../../src/i18n/ru";

afterEach(() => setLang("en"));

describe("the TV's 'and N more' line", () => {
  it("counts in English", () => {
    setLang("en");
    expect(moreText(1, 0)).toBe("and 1 more operator — see Operators for everyone");
    expect(moreText(1, 1)).toBe("and 1 more operator, offline — see Operators for everyone");
    expect(moreText(12, 12)).toBe("and 12 more operators, all offline — see Operators for everyone");
    expect(moreText(12, 5)).toBe("and 12 more operators, 5 of them offline — see Operators for everyone");
  });
  it("counts in Russian, one/few/many", () => {
    setLang("ru");
    expect(moreText(1, 0)).toBe("и ещё 1 оператор — все на странице «Операторы»");
    expect(moreText(3, 0)).toBe("и ещё 3 оператора — все на странице «Операторы»");
    expect(moreText(11, 11)).toBe("и ещё 11 операторов, все не в сети — все на странице «Операторы»");
    expect(moreText(21, 2)).toBe("и ещё 21 оператор, из них не в сети 2 — все на странице «Операторы»");
  });
});

describe("the wallboard's, alerts' and header's catalog entries", () => {
  const mine = (Object.keys(en) as (keyof typeof en)[]).filter((k) => /^(wallboard|alerts|sv)\./.test(k));
  it("are many", () => {
    expect(mine.length).toBeGreaterThan(80);
  });
  // Same in both: symbols, numbers, holes and the names of measures (ASA).
  const same = new Set(["wallboard.utc", "wallboard.retryIn", "wallboard.asa", "alerts.historyLine", "alerts.config.waitingHint", "alerts.config.longestWaitHint", "alerts.config.missesHint"]);
  it.each(mine.filter((k) => !same.has(k)))("%s is in Russian", (k) => {
    expect(JSON.stringify(ru[k])).not.toBe(JSON.stringify(en[k]));
    expect(JSON.stringify(ru[k])).toMatch(/[а-яё]/i);
  });
});
