// The wallboard in Russian, in Chromium against the real tandem with the emulator as the cloud:
// the header, the queue tiles, the staff line, the alert and its Acknowledge button, TV mode and
// the page's title speak Russian (plurals by the count) once the supervisor picks it, the page
// still passes axe (lang="ru"), and back in English everything is English again.
import { expectAccessible } from "./accessible";
import { expect, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

test("the wallboard in Russian: tiles, staff, alert, TV mode, title", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  const errors = watchConsole(page);
  const support = (await api.admin.getQueue({ queueId: "support" })).queue;
  if (!support) throw new Error("no support queue");
  support.alertWaitingOver = 1;
  support.alertHoldS = 1;
  await api.admin.updateQueue({ queue: support });
  // anna talks with one caller; two more wait (over the threshold of one: an alert).
  const annaOff = await api.online("anna");
  const first = cloud.call("+15557654321", "Jane Caller");
  expect(await first.dialed()).toBe("anna");
  await first.answer();
  cloud.call("+15551112222", "Ivan Caller");
  cloud.call("+15553334444", "Sara Caller");

  await signInSupervisor(page, server.url, "wallboard", ADMIN_KEY);
  const tile = page.getByTestId("queue-support");
  await expect(tile.getByTestId("waiting")).toHaveText("2", { timeout: WAIT });
  await expect(page.getByTestId("alerts").getByTestId("alert-waiting")).toContainText("Support: 2 calls waiting (over 1)", { timeout: WAIT });

  await page.getByLabel("Language").selectOption("ru");
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Табло");
  await expect(page).toHaveTitle("Табло · Tandem");
  const nav = page.getByRole("navigation", { name: "Страницы супервизора" });
  await expect(nav.getByRole("link", { name: "Табло" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Настройки" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Выйти" })).toBeVisible();
  await expect(page.getByTestId("wb-conn")).toHaveText("На связи");

  await expect(page.getByRole("region", { name: "Очереди" })).toBeVisible();
  await expect(page.getByRole("article", { name: "Очередь Support" })).toBeVisible();
  for (const label of ["Ждут", "Дольше всех", "SL сегодня", "ASA", "Потеряно"]) await expect(tile.locator(".wb-label", { hasText: label })).toBeVisible();
  await expect(tile.locator(".wb-staff")).toContainText("1 в разговоре");
  await expect(tile.locator(".wb-staff")).toContainText("0 готовы");
  // anna's tile: her state in words, her calls counted.
  const anna = page.getByTestId(`operator-${ids.anna}`);
  await expect(anna.locator(".wb-op-state")).toHaveText("Разговор");
  await expect(anna.locator(".wb-op-meta")).toContainText("балл");
  await expect(tile.getByRole("list", { name: "Ждущие звонки" }).getByRole("button", { name: /\+15551112222/ })).toHaveAttribute("title", "Объяснить этот звонок");

  // The alert: its count's plural (2 → «звонка»), since when, and Acknowledge.
  const alert = page.getByTestId("alerts").getByTestId("alert-waiting");
  await expect(alert).toContainText("Support: ждут 2 звонка (больше 1)");
  await expect(alert).toContainText(/уже 0:\d\d/);
  await alert.getByRole("button", { name: "Принять: Support: ждут 2 звонка (больше 1)" }).click();
  await expect(alert).toContainText("принял(а) admin-key", { timeout: WAIT });
  await page.getByTestId("alerts").getByText("Недавние тревоги").click();
  await expect(page.getByTestId("alert-history")).toContainText("Support: ждут 2 звонка (больше 1) — открыта, принял(а) admin-key", { timeout: WAIT });
  await expectAccessible(page, "the wallboard in Russian");

  // TV mode in Russian, and out of it.
  await page.getByRole("button", { name: "Режим ТВ" }).click();
  await expect(nav).toBeHidden();
  await page.getByRole("button", { name: "Выйти из режима ТВ" }).click();
  await expect(nav).toBeVisible();

  // Back to English: nothing Russian left.
  await page.getByLabel("Язык").selectOption("en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Wallboard");
  await expect(page).toHaveTitle("Wallboard · Tandem");
  await expect(tile.locator(".wb-staff")).toContainText("1 on call");
  await expect(alert).toContainText("Support: 2 calls waiting (over 1)");
  await expect(page.getByRole("button", { name: "TV mode" })).toBeVisible();
  await annaOff();
  expect(errors).toEqual([]);
});
