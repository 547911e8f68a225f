// People sign in to the supervisor pages as themselves, in Chromium against the real tandem:
// with an account's name and password, and through an OpenID Connect provider (mockoidc, run by
// the small Go helper e2e/oidcprovider) whose role claim says what the person may. Wrong
// passwords and a person the provider gives no role get clear errors and no session; the audit
// log names each person and how he signed in; the access-key form stays for machines.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { expect, test as base } from "./fixtures";
import { AdminApi, TandemServer, WAIT } from "./world";

interface Provider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  control: string;
  /** Queues the person the provider signs in next (it has no login page). */
  next(subject: string, username: string, groups: string[]): Promise<void>;
}

const repo = join(__dirname, "..", "..", "..");
let providerBin = "";

async function startProvider(): Promise<{ provider: Provider; child: ChildProcess }> {
  if (!providerBin) {
    providerBin = join(mkdtempSync(join(tmpdir(), "tandem-oidc-")), "oidcprovider");
    execFileSync("go", ["build", "-o", providerBin, "./clients/web/e2e/oidcprovider"], { cwd: repo, stdio: "inherit", env: { ...process.env, GOFLAGS: "-buildvcs=false" } });
  }
  const child = spawn(providerBin, [], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the OIDC provider did not start")), WAIT);
    createInterface({ input: child.stdout! }).once("line", (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const cfg = JSON.parse(line) as Omit<Provider, "next">;
  const provider: Provider = {
    ...cfg,
    async next(subject, username, groups) {
      const res = await fetch(`${cfg.control}/user`, { method: "POST", body: JSON.stringify({ subject, preferred_username: username, groups }) });
      expect(res.status).toBe(204);
    },
  };
  return { provider, child };
}

const test = base.extend<{ provider: Provider }>({
  provider: async ({}, use) => {
    const { provider, child } = await startProvider();
    await use(provider);
    child.stdin?.end();
    child.kill();
  },
  server: async ({ provider }, use) => {
    const secret = join(mkdtempSync(join(tmpdir(), "tandem-oidc-secret-")), "secret");
    writeFileSync(secret, provider.clientSecret + "\n");
    const s = await TandemServer.start(undefined, (url) => [
      "--oidc-issuer", provider.issuer,
      "--oidc-client-id", provider.clientId,
      "--oidc-client-secret-file", secret,
      "--oidc-redirect-url", `${url}/auth/oidc/callback`,
      "--oidc-role-claim", "groups",
      "--oidc-scopes", "groups",
      "--oidc-roles", "cc-floor=supervisor,cc-admins=admin",
      "--oidc-provider-name", "Mock",
    ]);
    await use(s);
    await s.close();
  },
  api: async ({ server }, use) => {
    const api = new AdminApi(server.url);
    await api.admin.createAccount({ name: "olga", displayName: "Olga Petrova", role: KeyRole.SUPERVISOR, password: "demo-password" });
    await use(api);
  },
});

test("a supervisor signs in with his password; a wrong one is refused; his change is audited under his name", async ({ page, server, api, ids }) => {
  await page.goto(`${server.url}/supervisor`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  // The key form stays, for machines and kiosks.
  await expect(page.getByText("Machines and kiosks")).toBeVisible();
  await expect(page.getByLabel("Access key")).toBeVisible();

  await page.getByLabel("Name").fill("olga");
  await page.getByLabel("Password").fill("not-her-password");
  await page.getByRole("button", { name: "Log in with password" }).click();
  await expect(page.getByTestId("sv-signin-error")).toHaveText("Wrong name or password.");
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toHaveCount(0);

  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Log in with password" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("sv-who")).toHaveText("Olga Petrova");
  await expect(page.getByTestId("sv-role")).toContainText("view only");

  // Her token is a session of hers: a change made with it is audited as olga, by password.
  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("tandem.supervisor") ?? "{}") as { key: string }).key);
  expect(token).toMatch(/^tkp_/);
  await new AdminApi(server.url, token).presence.goAway({ operatorId: ids.anna, reason: "coaching" });
  const log = await api.admin.listAuditEntries({ procedure: "GoAway" });
  expect(log.entries.map((e) => [e.actor, e.actorRole, e.actorSignIn])).toEqual([["olga", "supervisor", "password"]]);

  // Signing out ends the session on the server, not only in the tab.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Name")).toBeVisible();
  await expect(new AdminApi(server.url, token).admin.whoAmI({})).rejects.toThrow(/unauthenticated|sign in again/i);
});

test("a person signs in through the OpenID Connect provider with the role his claim gives", async ({ page, server, api, provider }) => {
  await provider.next("s-vera", "vera", ["staff", "cc-admins"]);
  await page.goto(`${server.url}/supervisor`);
  await page.getByRole("link", { name: "Sign in with Mock" }).click();
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toBeVisible({ timeout: WAIT });
  await expect(page.getByTestId("sv-who")).toHaveText("vera");
  await expect(page.getByTestId("sv-role")).toHaveText("admin");
  // The token left the address bar.
  expect(page.url()).not.toContain("signin_token");

  // As an admin she configures: the audit log says vera, by OIDC.
  await page.goto(`${server.url}/supervisor#config`);
  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("tandem.supervisor") ?? "{}") as { key: string }).key);
  await new AdminApi(server.url, token).admin.createAccount({ name: "ivan", role: KeyRole.SUPERVISOR, password: "password-ivan" });
  const log = await api.admin.listAuditEntries({ procedure: "CreateAccount" });
  expect(log.entries.map((e) => [e.actor, e.actorSignIn])).toContainEqual(["vera", "oidc"]);
});

test("a person the provider gives no Tandem role is told so and not signed in", async ({ page, server, provider }) => {
  await provider.next("s-boris", "boris", ["staff"]);
  await page.goto(`${server.url}/supervisor`);
  await page.getByRole("link", { name: "Sign in with Mock" }).click();
  await expect(page.getByTestId("sv-signin-error")).toContainText('"groups" claim gives no Tandem role', { timeout: WAIT });
  await expect(page.getByRole("navigation", { name: "Supervisor pages" })).toHaveCount(0);
  expect(page.url()).not.toContain("signin_error");
});
