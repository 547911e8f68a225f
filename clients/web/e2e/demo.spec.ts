// The living demo (make demo) in Chromium: the launcher (clients/voxengine/demo/run.js) starts
// tandem demo on a temp database with its traffic; the supervisor's wallboard shows calls
// flowing, and a visitor logged in as anna presses Ready and answers a call in the browser (her
// browser phone over the demo's emulated Voximplant Web SDK). Measures the
// time from starting the launcher to the first call on the wallboard (printed, and written to
// test-results/demo.json).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { desk, expect, logIn, shot, showsState, test, watchConsole } from "./fixtures";
import { WAIT, freePort } from "./world";

const vox = join(__dirname, "..", "..", "voxengine");
const results = join(__dirname, "..", "test-results");

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  // The launcher runs the emulator's operators over the generated client: build it (make
  // demo does the same) — always, so it is never older than gen/ts.
  test.setTimeout(180_000);
  if (!existsSync(join(vox, "node_modules", "@connectrpc", "connect-node"))) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: vox, stdio: "inherit" });
  }
  execFileSync("npm", ["run", "--silent", "build:gen"], { cwd: vox, stdio: "inherit" });
});

test("the demo: calls flow on the wallboard within seconds, and anna takes one herself", async ({ page, browser }) => {
  const errors = watchConsole(page);
  const dir = mkdtempSync(join(tmpdir(), "tandem-web-demo-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = "";
  const startedAt = Date.now();
  // Fewer simulated operators than the demo has and calls twice as often: calls wait, so anna
  // is offered one as soon as she is ready. Short talks, so figures move within the test.
  const launcher: ChildProcess = spawn(
    process.execPath,
    [join(vox, "demo", "run.js"), "--bin", process.env.TANDEM_BIN ?? "", "--db", join(dir, "demo.db"), "--addr", `127.0.0.1:${port}`, "--duration", "85", "--sims", "5", "--rate-scale", "2", "--talk", "5-12", "--report", join(dir, "report.json")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  launcher.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  launcher.stderr?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  const exited = new Promise((resolve) => launcher.once("exit", resolve));
  try {
    // As soon as it serves, the supervisor opens the wallboard.
    await expect
      .poll(
        async () => {
          const res = await fetch(`${url}/supervisor`).catch(() => null);
          return res?.status ?? 0;
        },
        { timeout: WAIT, intervals: [100] },
      )
      .toBe(200);
    const serverUpAt = Date.now();
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${url}/supervisor#wallboard`);
    await page.getByLabel("Access key").fill("demo-admin-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("wb-conn")).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
    await expect(page.getByTestId("queue-support")).toBeVisible();
    await expect(page.getByTestId("queue-sales")).toBeVisible();
    await expect(page.getByTestId("queue-vip")).toBeVisible();

    // The first call on the wallboard: a call waiting in a queue, or an operator ringing or talking.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid^="operator-"][data-state="reserved"], [data-testid^="operator-"][data-state="on_call"]') !== null ||
        [...document.querySelectorAll('[data-testid="waiting"]')].some((e) => (e.textContent ?? "0").trim() !== "0"),
      undefined,
      { timeout: 2 * WAIT, polling: 50 },
    );
    const firstCallAt = Date.now();
    const timing = {
      launcherToFirstCallOnWallboardMs: firstCallAt - startedAt,
      launcherToServerUpMs: serverUpAt - startedAt,
      serverUpToFirstCallOnWallboardMs: firstCallAt - serverUpAt,
      measuredAt: new Date(firstCallAt).toISOString(),
    };
    console.log(`demo: first call on the wallboard ${(timing.launcherToFirstCallOnWallboardMs / 1000).toFixed(1)} s after the launcher started (server up after ${(timing.launcherToServerUpMs / 1000).toFixed(1)} s)`);
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, "demo.json"), JSON.stringify(timing, null, 2) + "\n");

    // Calls flow: operators answer them (a tile counts "1 call" or more) and the service level
    // of a queue has something to measure.
    const busyTiles = page.locator('[data-testid^="operator-"]').filter({ hasText: /\b[1-9]\d* calls? ·/ });
    await expect(busyTiles.first()).toBeVisible({ timeout: 2 * WAIT });
    await expect(page.locator('[data-testid="service-level"]').filter({ hasText: /\d+ %/ }).first()).toBeVisible({ timeout: 2 * WAIT });
    // The visitor's operators are nobody's puppets: offline until someone logs in as them.
    await expect(page.getByTestId("operator-op_anna")).toHaveAttribute("data-state", "offline");
    await expect(page.getByTestId("operator-op_boris")).toHaveAttribute("data-state", "offline");
    await shot(page, "30-demo-wallboard");

    // A visitor logs in as anna: her browser phone logs in to the demo's emulated Voximplant;
    // she presses Ready, the call rings in the tab and she answers it there.
    const ctx = await browser.newContext();
    const op = await ctx.newPage();
    const opErrors = watchConsole(op);
    await logIn(op, url, "anna", "demo-password");
    const d = desk(op);
    await expect(d.conn).toHaveAttribute("data-tone", "ok", { timeout: WAIT });
    await expect(op.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
    await expect(d.toggle).toHaveAttribute("data-action", "ready");
    await d.toggle.click();
    await expect(d.offer).toBeVisible({ timeout: 2 * WAIT });
    await shot(op, "31-demo-anna-offered");
    await op.getByTestId("answer").click({ timeout: WAIT });
    await showsState(op, "on_call");
    await expect(d.talk).toBeVisible();
    await expect(page.getByTestId("operator-op_anna")).toHaveAttribute("data-state", "on_call", { timeout: WAIT });
    await ctx.close();
    expect(opErrors).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    if (launcher.exitCode === null) launcher.kill("SIGTERM");
    const force = setTimeout(() => launcher.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(force);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(out).toContain("demo: stopped");
});
