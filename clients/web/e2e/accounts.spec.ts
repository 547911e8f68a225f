// Accounts, in Chromium against the real tandem: an admin makes a supervisor's account in the
// configuration, the supervisor signs in with it (and is offered no Accounts tab), the admin
// disables him, which ends his session and refuses his next sign-in; enabled again with a new
// password and the admin's role, he signs in as an admin. Bad input is refused by field.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, shot, signInSupervisor, test } from "./fixtures";
import { ADMIN_KEY, AdminApi, WAIT } from "./world";

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

/** A fresh browser of its own (its own sessionStorage) where a person signs in with a password. */
async function personSignsIn(browser: Browser, url: string, name: string, password: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${url}/supervisor#config`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in with password" }).click();
  return page;
}

test("an admin makes a supervisor's account, the supervisor signs in; disabled, he is refused", async ({ page, server, browser }) => {
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Accounts" }).click();
  const list = page.getByTestId("accounts");
  await expect(list).toBeVisible();
  await expect(list.locator("tbody tr")).toHaveCount(0);

  // Bad input: each field says what is wrong, and nothing is made.
  await page.getByRole("button", { name: "New account" }).click();
  const form = page.getByTestId("account-form");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByTestId("error-name")).toHaveText("Enter the sign-in name.");
  await expect(form.getByTestId("error-password")).toHaveText("Enter a password.");
  await form.getByLabel("Sign-in name").fill("olga");
  await form.getByLabel("Password").fill("short");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByTestId("error-name")).toHaveCount(0);
  await expect(form.getByTestId("error-password")).toHaveText("Too short: at least 8 characters.");
  // The server's own refusal lands on the field it names.
  await form.getByLabel("Sign-in name").fill("Olga Petrova");
  await form.getByLabel("Password").fill("demo-password");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByTestId("error-name")).toContainText("lowercase letters");
  await expect(form.getByTestId("error-password")).toHaveCount(0);
  expect((await new AdminApi(server.url).admin.listAccounts({})).accounts).toEqual([]);

  await form.getByLabel("Sign-in name").fill("olga");
  await form.getByLabel("Shown as").fill("Olga Petrova");
  await expect(form.getByLabel("Role")).toHaveValue(/./);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form).toHaveCount(0);
  const olga = list.locator('tr[data-account="olga"]');
  await expect(olga).toContainText("Olga Petrova");
  await expect(olga.getByTestId("account-status")).toHaveText("active");
  await expect(olga.getByLabel("Role of olga").locator("option:checked")).toHaveText("supervisor");
  await shot(page, "accounts");

  // She signs in with it, as a supervisor: she looks, and the Accounts tab is not hers.
  const hers = await personSignsIn(browser, server.url, "olga", "demo-password");
  await expect(hers.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
  await expect(hers.getByTestId("sv-who")).toHaveText("Olga Petrova");
  await expect(hers.getByTestId("sv-role")).toContainText("view only");
  await expect(hers.getByRole("tab", { name: "Operators" })).toBeVisible();
  await expect(hers.getByRole("tab", { name: "Accounts" })).toHaveCount(0);
  const token = await hers.evaluate(() => (JSON.parse(sessionStorage.getItem("tandem.supervisor") ?? "{}") as { key: string }).key);
  await expect(new AdminApi(server.url, token).admin.whoAmI({})).resolves.toMatchObject({ name: "olga" });

  // Disabled: her session ends and her next sign-in is refused.
  await page.getByRole("button", { name: "Disable olga" }).click();
  await expect(olga.getByTestId("account-status")).toHaveText("disabled");
  await expect(new AdminApi(server.url, token).admin.whoAmI({})).rejects.toThrow(/unauthenticated|sign in again/i);
  const again = await personSignsIn(browser, server.url, "olga", "demo-password");
  await expect(again.getByTestId("sv-signin-error")).toHaveText("This account is disabled: ask an admin.");
  await expect(again.getByRole("navigation", { name: "Supervisor pages" })).toHaveCount(0);

  // Enabled again, made an admin, with a new password (too short first): she signs in as an admin.
  await page.getByRole("button", { name: "Enable olga" }).click();
  await expect(olga.getByTestId("account-status")).toHaveText("active");
  await olga.getByLabel("Role of olga").selectOption({ label: "admin" });
  await expect(olga.getByLabel("Role of olga").locator("option:checked")).toHaveText("admin");
  await page.getByRole("button", { name: "Set a new password for olga" }).click();
  const pw = page.getByTestId("password-form");
  await pw.getByLabel("New password").fill("1234567");
  await pw.getByRole("button", { name: "Set password" }).click();
  await expect(pw.getByTestId("error-password")).toHaveText("Too short: at least 8 characters.");
  await pw.getByLabel("New password").fill("another-password");
  await pw.getByRole("button", { name: "Set password" }).click();
  await expect(pw).toHaveCount(0);
  const old = await personSignsIn(browser, server.url, "olga", "demo-password");
  await expect(old.getByTestId("sv-signin-error")).toHaveText("Wrong name or password.");
  const admin = await personSignsIn(browser, server.url, "olga", "another-password");
  await expect(admin.getByTestId("sv-role")).toHaveText("admin", { timeout: WAIT });
  await admin.getByRole("tab", { name: "Accounts" }).click();
  await expect(admin.getByTestId("accounts").locator('tr[data-account="olga"]')).toBeVisible();
});

test("an admin gives people browser phones by their names, a taken user is refused by field, and removes one", async ({ page, server }) => {
  const api = new AdminApi(server.url);
  await signInSupervisor(page, server.url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "Accounts" }).click();
  const phones = page.getByTestId("people-phones");
  await expect(phones.getByText("Nobody has a browser phone yet.")).toBeVisible({ timeout: WAIT });
  const form = phones.getByTestId("phone-form");
  const give = async (person: string, user: string, password: string) => {
    await form.getByLabel("Person's sign-in name").fill(person);
    await form.getByLabel("Voximplant user").fill(user);
    await form.getByLabel("Voximplant password").fill(password);
    await form.getByRole("button", { name: "Give a browser phone" }).click();
  };
  // A name single sign-on gives: no account needed.
  await give("olga@acme.example", "olga", "vox-olga-1");
  await expect(phones.locator('tr[data-person="olga@acme.example"]')).toContainText("olga", { timeout: WAIT });
  await give("ivan", "olga", "vox-ivan-1");
  await expect(form.getByTestId("error-softphone_user")).toContainText("olga@acme.example", { timeout: WAIT });
  await give("ivan", "ivan", "");
  await expect(form.getByTestId("error-softphone_password")).toBeVisible({ timeout: WAIT });
  expect((await api.admin.listPersonSoftphones({})).softphones.map((p) => p.person)).toEqual(["olga@acme.example"]);
  await phones.getByRole("button", { name: "Remove the browser phone of olga@acme.example" }).click();
  await expect(phones.getByText("Nobody has a browser phone yet.")).toBeVisible({ timeout: WAIT });
  expect((await api.admin.listPersonSoftphones({})).softphones).toEqual([]);
});
