// The supervisor's sign-in screen and the configuration in Russian, chosen on the sign-in screen
// itself: labels, buttons, tabs, hints, the page's own checks and the refusals' words (the
// server's messages stay English), numbers written the Russian way.
import { expect, shot, test } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";

test("the sign-in screen and the configuration speak Russian when it is chosen", async ({ page, server, ids }) => {
  expect(ids.anna).toBeTruthy();
  await page.goto(`${server.url}/supervisor#config`);
  await expect(page.getByLabel("Access key")).toBeVisible();
  await page.getByLabel("Language").selectOption("ru");
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expect(page).toHaveTitle("Вход супервизора · Tandem");
  await expect(page.getByText("Супервизоры и администраторы: войдите под своим именем")).toBeVisible();
  await expect(page.getByRole("link", { name: "Вы оператор? Войдите со своим именем и паролем" })).toBeVisible();
  await shot(page, "signin-ru");
  await page.getByRole("button", { name: "Войти по паролю" }).click();
  await expect(page.getByTestId("sv-signin-error")).toHaveText("Введите имя и пароль.");
  await page.getByLabel("Имя").fill("nobody");
  await page.getByLabel("Пароль").fill("not-a-password");
  await page.getByRole("button", { name: "Войти по паролю" }).click();
  await expect(page.getByTestId("sv-signin-error")).toHaveText("Неверное имя или пароль.");
  await page.getByLabel("Ключ доступа").fill("tdk_not-a-key");
  await page.getByRole("button", { name: "Войти", exact: true }).click();
  await expect(page.getByTestId("sv-login-error")).toHaveText("Ключ доступа отклонён (неверный, отозван или истёк). Войдите снова.");

  await page.getByLabel("Ключ доступа").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Войти", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Настройки", { timeout: WAIT });
  await expect(page).toHaveTitle("Настройки · Tandem");
  for (const tab of ["Операторы", "Очереди", "Менеджеры", "Отсутствия", "Резервные номера", "Учётные записи"]) {
    await expect(page.getByRole("tab", { name: tab, exact: true })).toBeVisible();
  }
  await expect(page.getByRole("columnheader", { name: "Очереди (уровень)" })).toBeVisible();
  await expect(page.locator('tr[data-operator="anna"]')).toContainText("активен");
  await page.getByRole("button", { name: "Изменить anna" }).click();
  await expect(page.getByTestId("operator-form").getByRole("heading")).toHaveText("Оператор anna");
  await expect(page.getByText("Очереди и уровни (1 — новичок, 5 — эксперт)")).toBeVisible();
  await page.getByTestId("operator-form").getByRole("button", { name: "Отмена" }).click();

  // A queue: Russian labels and hints, and a refusal on its field under a Russian heading.
  await page.getByRole("tab", { name: "Очереди" }).click();
  const support = page.locator('tr[data-queue="support"]');
  await expect(support).toContainText("по умолчанию");
  await expect(support).toContainText(/80 % за 20 с/);
  await page.getByRole("button", { name: "Изменить support" }).click();
  const form = page.getByTestId("queue-form");
  await shot(page, "config-queue-ru");
  await expect(form.getByLabel("Стратегия").locator("option:checked")).toHaveText("дольше всех свободен");
  await form.getByLabel("Время вызова (с)").fill("3");
  await form.getByRole("button", { name: "Сохранить" }).click();
  await expect(form.getByTestId("save-error")).toContainText("Не сохранено —");
  await expect(form.locator('[data-field="queue.offer_timeout_s"] .field-error')).toHaveText("must be 5 to 120 seconds");
  await form.getByRole("button", { name: "Отмена" }).click();

  // A personal manager assigned here: the list says how, in Russian.
  await page.getByRole("tab", { name: "Менеджеры" }).click();
  await page.getByLabel("Номер клиента").fill("+14155550100");
  await page.getByLabel("Его менеджер").selectOption(ids.anna!);
  await page.getByRole("button", { name: "Назначить" }).click();
  await expect(page.getByTestId("clients").locator("tbody tr")).toContainText(["назначил администратор"]);

  // Accounts: the form's own checks in Russian, with the Russian plural.
  await page.getByRole("tab", { name: "Учётные записи" }).click();
  await page.getByRole("button", { name: "Новая учётная запись" }).click();
  const account = page.getByTestId("account-form");
  await expect(account.getByText("не менее 8 символов")).toBeVisible();
  await account.getByLabel("Пароль").fill("short");
  await account.getByRole("button", { name: "Создать учётную запись" }).click();
  await expect(account.getByTestId("error-name")).toHaveText("Введите имя для входа.");
  await expect(account.getByTestId("error-password")).toHaveText("Слишком короткий: нужно не менее 8 символов.");

  // Remembered: still Russian after a reload, English again when chosen.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Настройки", { timeout: WAIT });
  await page.getByLabel("Язык").selectOption("en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Configuration");
  await expect(page.getByRole("tab", { name: "Accounts" })).toBeVisible();
});
