// Languages: the pages speak the browser's language when we have it, and the one chosen in the
// header from then on (remembered across reloads), with numbers and plurals in that language.
import type { Page } from "@playwright/test";
import { expect, signInSupervisor, test } from "./fixtures";
import { ADMIN_KEY } from "./world";

/** Counts the fetches of the Russian catalog's chunk (loaded only when Russian is spoken). */
function russianChunks(page: Page): () => number {
  let n = 0;
  page.on("request", (r) => {
    if (/\/assets\/ru-[\w-]+\.js$/.test(r.url())) n++;
  });
  return () => n;
}

test("the supervisor switches the staffing page to Russian and it stays Russian after a reload", async ({ page, server }) => {
  const ruFetched = russianChunks(page);
  await signInSupervisor(page, server.url, "staffing", ADMIN_KEY);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Staffing");
  expect(ruFetched()).toBe(0); // an English page does not carry the Russian catalog
  await page.getByLabel("Language").selectOption("ru");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Штат");
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await page.getByLabel("Звонков в час").fill("360");
  await page.getByLabel("Среднее время обработки (с)").fill("240");
  await page.getByRole("button", { name: "Рассчитать" }).click();
  const needed = Number(await page.getByTestId("operators-needed").textContent());
  const word = needed % 10 === 1 && needed % 100 !== 11 ? "оператор" : needed % 10 >= 2 && needed % 10 <= 4 && (needed % 100 < 12 || needed % 100 > 14) ? "оператора" : "операторов";
  await expect(page.getByTestId("staffing-result")).toContainText(`${needed} ${word} (Erlang C)`);
  await page.getByLabel("Звонков в час").fill("0");
  await page.getByRole("button", { name: "Рассчитать" }).click();
  await expect(page.getByTestId("error-calls_per_hour")).toHaveText("Введите число звонков в час (больше 0).");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Штат");
  await page.getByLabel("Язык").selectOption("en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Staffing");
});

test.describe("a browser that prefers Russian", () => {
  test.use({ locale: "ru-RU" });
  test("is spoken to in Russian without choosing", async ({ page, server }) => {
    const ruFetched = russianChunks(page);
    await signInSupervisor(page, server.url, "staffing", ADMIN_KEY);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Штат");
    expect(ruFetched()).toBe(1);
    await expect(page.getByLabel("Язык")).toHaveValue("ru");
  });
});
