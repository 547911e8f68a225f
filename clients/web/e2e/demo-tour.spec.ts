// The demo's tour (README, "Two commands") in Chromium, on the demo as `make demo` runs it: the
// launcher (clients/voxengine/demo/run.js) starts the emulated Web SDK endpoint, tandem demo on a
// temp database and the traffic (a few simulated operators, calls more often than the demo's,
// short talks, transfers more often). A visitor logs in as anna with the printed password; her
// browser phone (the real browserphone.ts over the emulated Web SDK) rings with a demo call; she
// answers, mutes, sends a tone, holds and resumes, adds a number to the call and removes it, a
// supervisor listens from the call's page, and she transfers the call blind to sales; she
// answers a second one and transfers it warm to boris, logged in in a second page (the demo's
// second line: in no queue, his desk phone picks up by itself): consult, complete. What happened
// is checked through the Admin and Assignment APIs (the generated client), and so is a transfer
// made by a simulated operator meanwhile. Every wait is for an event, bounded.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import type { Call } from "@gen/tandem/assignment/v1/assignment_pb";
import { CallState, PartyState, TransferMode, TransferState } from "@gen/tandem/common/v1/common_pb";
import { desk, expect, logIn, shot, showsState, test, watchConsole } from "./fixtures";
import { AdminApi, WAIT, freePort } from "./world";

const vox = join(__dirname, "..", "..", "voxengine");
const results = join(__dirname, "..", "test-results");
const scale = Number(process.env.TANDEM_TEST_TIMEOUT_SCALE) || 1;
/** What tandem demo prints: the operators' password, the admin key, the visitor's operators. */
const DEMO_PASSWORD = "demo-password";
const DEMO_ADMIN_KEY = "demo-admin-key";
const ANNA = "op_anna";
const BORIS = "op_boris";
/** Phones outside the call center: the demo's traffic picks them up. */
const ADDED = "+14155550177";
const SUPERVISOR_PHONE = "+14155550188";

test.beforeAll(async () => {
  // The launcher's traffic runs over the emulator's generated client: build it as make demo does.
  test.setTimeout(180_000);
  if (!existsSync(join(vox, "node_modules", "@connectrpc", "connect-node"))) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: vox, stdio: "inherit" });
  }
  execFileSync("npm", ["run", "--silent", "build:gen"], { cwd: vox, stdio: "inherit" });
});

/**
 * anna answers the next call that rings in her tab. A demo caller may give up while it rings
 * (the offer goes, she is ready again, or away after a ring that ran out): then she answers the
 * next one. Returns the call's id.
 */
async function answerNext(page: Page, api: AdminApi): Promise<string> {
  const d = desk(page);
  const answer = page.getByTestId("answer");
  const deadline = Date.now() + 3 * WAIT;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error("no demo call stayed until anna answered it");
    const seen = await page.waitForFunction(
      () => {
        const st = document.querySelector('[data-testid="state"]')?.getAttribute("data-state");
        if (st === "on_call") return "talk";
        if (document.querySelector('[data-testid="answer"]')) return "ring";
        return st === "away" ? "away" : false;
      },
      undefined,
      { timeout: left, polling: 100 },
    );
    const what = await seen.jsonValue();
    if (what === "talk") break;
    if (what === "ring") {
      await answer.click({ timeout: WAIT }).catch(() => {}); // gone as she clicked: the caller gave up
      await expect(answer).toBeHidden({ timeout: WAIT }).catch(() => {}); // a new ring at once: seen next round
    } else {
      await d.toggle.click(); // Ready again
      await expect(d.state).not.toHaveAttribute("data-state", "away", { timeout: WAIT });
    }
  }
  await expect(d.talk).toBeVisible();
  const { calls } = await api.assignment.listCalls({});
  const mine = calls.find((c) => c.operatorId === ANNA && c.state === CallState.CONNECTED);
  expect(mine, "anna's connected call in ListCalls").toBeTruthy();
  return mine?.callId ?? "";
}

test("the demo tour: anna answers in the browser, holds, transfers to sales and to boris; the simulated operators transfer too", async ({ browser }) => {
  // Some forty steps, each a round trip through the browser, the server and the emulated cloud:
  // about a minute on a quiet machine, and CI's two cores run it beside other suites.
  test.setTimeout(240_000 * scale);
  const dir = mkdtempSync(join(tmpdir(), "tandem-web-demo-tour-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = "";
  // Five simulated operators (all in support, one in sales): sales' calls wait, so anna (support
  // and sales) is offered one as soon as she is Ready. Calls twice as often, short talks, and
  // every call a simulated operator answers (once) is transferred, so one is seen early; the
  // demo itself transfers one in twenty.
  const launcher: ChildProcess = spawn(
    process.execPath,
    [join(vox, "demo", "run.js"), "--bin", process.env.TANDEM_BIN ?? "", "--db", join(dir, "demo.db"), "--addr", `127.0.0.1:${port}`, "--duration", String(Math.round(300 * scale)), "--sims", "5", "--rate-scale", "2", "--talk", "5-12", "--transfer-share", "1"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  launcher.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  launcher.stderr?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  const exited = new Promise((resolve) => launcher.once("exit", resolve));
  const api = new AdminApi(url, DEMO_ADMIN_KEY);
  // Transfers the simulated operators make, as the Assignment API shows calls in progress.
  const simTransfers = new Map<string, Call>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const res = await api.assignment.listCalls({}).catch(() => null);
      for (const c of res?.calls ?? []) {
        const from = c.transfer?.fromOperatorId ?? "";
        if (from && from !== ANNA && from !== BORIS && !simTransfers.has(c.callId)) simTransfers.set(c.callId, c);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    await expect
      .poll(async () => (await fetch(url).catch(() => null))?.status ?? 0, { timeout: WAIT, intervals: [100] })
      .toBe(200);
    // The banner the visitor reads names the password and the second line.
    await expect.poll(() => out, { timeout: WAIT }).toContain(`log in as anna or boris / ${DEMO_PASSWORD}`);
    expect(out).toContain("boris is in no queue: transfer to him");

    // boris, in a second window: no browser phone (his desk phone is the demo's), Ready.
    const borisCtx = await browser.newContext();
    const boris = await borisCtx.newPage();
    const borisErrors = watchConsole(boris);
    await logIn(boris, url, "boris", DEMO_PASSWORD);
    await showsState(boris, "offline");
    await desk(boris).toggle.click();
    await showsState(boris, "ready");
    await expect(boris.getByTestId("softphone")).toHaveCount(0);

    // anna: her browser phone connects to the demo's emulated Voximplant; Ready; a call rings.
    const annaCtx = await browser.newContext();
    const anna = await annaCtx.newPage();
    const errors = watchConsole(anna);
    const d = desk(anna);
    await logIn(anna, url, "anna", DEMO_PASSWORD);
    await expect(anna.getByTestId("softphone")).toContainText("Browser phone ready", { timeout: WAIT });
    await d.toggle.click();
    const first = await answerNext(anna, api);
    const answered = (await api.assignment.getCall({ callId: first })).call;
    const arrived = answered?.arrivedAt;
    expect(arrived).toBeTruthy();
    await shot(anna, "demo-tour-01-answered");

    // Mute and a tone, in the browser phone.
    await anna.getByTestId("mute").click();
    await expect(anna.getByTestId("mute")).toHaveText("Unmute");
    await anna.getByTestId("mute").click();
    await expect(anna.getByTestId("mute")).toHaveText("Mute");
    await anna.getByTestId("keypad-toggle").click();
    await anna.getByTestId("key-1").click();
    await expect(anna.getByTestId("tones-sent")).toHaveText("1");

    // Hold, then Resume: the server's Call shows the caller held, then the hold's time.
    await anna.getByTestId("hold").click();
    await expect(anna.getByTestId("on-hold")).toBeVisible({ timeout: WAIT });
    await expect.poll(async () => !!(await api.assignment.getCall({ callId: first })).call?.heldSince, { timeout: WAIT }).toBe(true);
    await anna.getByTestId("hold").click();
    await expect(anna.getByTestId("on-hold")).toHaveCount(0, { timeout: WAIT });
    await expect.poll(async () => (await api.assignment.getCall({ callId: first })).call?.heldSince, { timeout: WAIT }).toBeUndefined();
    expect((await api.assignment.getCall({ callId: first })).call?.holdTimeMs).toBeGreaterThan(0);

    // Add to call: a number (the demo's phones outside the call center pick up), then Remove.
    const conf = anna.getByTestId("conference");
    await conf.getByTestId("add-kind").selectOption("pstn");
    await conf.getByTestId("add-target").fill(ADDED);
    await conf.getByTestId("add-to-call").click();
    await expect(conf.getByTestId("parties")).toContainText(`${ADDED} — on the call`, { timeout: WAIT });
    await shot(anna, "demo-tour-02-added");
    await conf.getByTestId("remove-party").click();
    await expect(conf.getByTestId("parties")).toContainText(`${ADDED} — left`, { timeout: WAIT });
    await expect
      .poll(async () => (await api.assignment.getCall({ callId: first })).call?.parties.map((p) => [p.contact?.target, p.monitor, p.state]), { timeout: WAIT })
      .toEqual([[ADDED, false, PartyState.LEFT]]);

    // The supervisor opens the call's detail (Calls) and listens, rung at his phone.
    const supCtx = await browser.newContext();
    const sup = await supCtx.newPage();
    const supErrors = watchConsole(sup);
    await sup.goto(`${url}/supervisor#call/${first}`);
    await sup.getByLabel("Access key").fill(DEMO_ADMIN_KEY);
    await sup.getByRole("button", { name: "Sign in" }).click();
    const mon = sup.getByTestId("monitor");
    await expect(mon).toBeVisible({ timeout: WAIT });
    await mon.getByTestId("monitor-contact").fill(SUPERVISOR_PHONE);
    await mon.getByTestId("monitor-listen").click();
    await expect(mon.getByTestId("monitor-message")).toContainText(`Ringing you at ${SUPERVISOR_PHONE}`);
    await expect(mon.getByTestId("parties")).toContainText("(supervisor) — listening, on the call", { timeout: WAIT });
    await shot(sup, "demo-tour-03-supervisor-listens");
    await expect(conf.getByTestId("parties")).not.toContainText("supervisor"); // anna is not told of a listen

    // Transfer blind to sales: anna lets go at once; the call is in sales' line by its arrival;
    // the supervisor's listening ends with the transfer.
    await anna.getByTestId("transfer-open").click();
    await anna.getByTestId("transfer-to-queue").check();
    await anna.getByTestId("transfer-queue").selectOption("sales");
    await anna.getByTestId("transfer-blind").check();
    await anna.getByTestId("transfer-go").click();
    await showsState(anna, "wrap_up");
    const toSales = (await api.assignment.getCall({ callId: first })).call;
    expect(toSales?.queueId).toBe("sales");
    expect(toSales?.arrivedAt).toEqual(arrived);
    expect(toSales?.transfer?.fromOperatorId).toBe(ANNA);
    expect(toSales?.transfer?.toQueueId).toBe("sales");
    expect(toSales?.transfer?.mode).toBe(TransferMode.BLIND);
    expect(toSales?.transfer?.state).toBe(TransferState.COMPLETED);
    expect(toSales?.operatorId).not.toBe(ANNA); // waiting, or with a simulated operator of sales
    await expect
      .poll(async () => (await api.assignment.getCall({ callId: first })).call?.parties.find((p) => p.monitor)?.state, { timeout: WAIT })
      .toBe(PartyState.LEFT);
    await supCtx.close();
    expect(supErrors).toEqual([]);
    // Sales requires a disposition: a sales call she let go of waits for one before Done, unless
    // the simulated sales operator who took it has given it one already (one per call).
    if (answered?.queueId === "sales" && (await anna.getByTestId("done").isDisabled())) {
      await anna.getByLabel("Disposition").selectOption("callback");
      await expect(anna.getByTestId("disposition-saved")).toHaveText("Saved: Call back later", { timeout: WAIT });
    }
    // Done: she is ready again, and calls wait, so the next one rings at once.
    await anna.getByTestId("done").click();
    await expect(d.wrapUp).toHaveCount(0, { timeout: WAIT });

    // A second call: anna transfers it warm to boris; his desk phone picks up; she completes.
    const second = await answerNext(anna, api);
    await anna.getByTestId("transfer-open").click();
    await anna.getByTestId("transfer-to-operator").check();
    const pick = anna.getByTestId("transfer-operator");
    await expect(pick.locator(`option[value="${BORIS}"]`)).toHaveText("Boris Ivanov", { timeout: WAIT }); // free: no "— why"
    await pick.selectOption(BORIS);
    await anna.getByTestId("transfer-warm").check();
    await anna.getByTestId("transfer-go").click();
    await expect(anna.getByTestId("transfer-state")).toHaveText("Talking with Boris Ivanov — the caller is on hold", { timeout: WAIT });
    await shot(anna, "demo-tour-04-consulting-boris");
    await anna.getByTestId("transfer-complete").click();
    await showsState(anna, "wrap_up");
    await showsState(boris, "on_call");
    const toBoris = (await api.assignment.getCall({ callId: second })).call;
    expect(toBoris?.operatorId).toBe(BORIS);
    expect(toBoris?.transfer?.fromOperatorId).toBe(ANNA);
    expect(toBoris?.transfer?.toOperatorId).toBe(BORIS);
    expect(toBoris?.transfer?.mode).toBe(TransferMode.WARM);
    expect(toBoris?.transfer?.state).toBe(TransferState.COMPLETED);
    const status = await api.admin.listOperators({});
    expect(status.operators.find((o) => o.operatorId === BORIS)?.queues).toEqual([]); // the second line
    // The timeline has both legs: offered to and answered by anna, then the transfer's leg to
    // boris offered, consulted and completed.
    await expect
      .poll(
        async () => {
          const tl = await api.analytics.getCallTimeline({ callId: second });
          return tl.entries.map((e) => `${e.kind} ${e.kind === "transfer" ? e.text : e.operatorId}`);
        },
        { timeout: WAIT },
      )
      .toEqual(
        expect.arrayContaining([
          `offered ${ANNA}`,
          `answered ${ANNA}`,
          `offered ${BORIS}`,
          `transfer warm transfer to operator ${BORIS}: consulting`,
          `transfer warm transfer to operator ${BORIS}: completed`,
        ]),
      );

    // Meanwhile the simulated operators transferred calls now and then: at least one is seen
    // (bounded), with its transfer on the call's timeline.
    await expect.poll(() => simTransfers.size, { timeout: 2 * WAIT }).toBeGreaterThan(0);
    const [simCall] = [...simTransfers.values()];
    const sims = new Set((await api.admin.listOperators({})).operators.filter((o) => o.operatorId !== ANNA && o.operatorId !== BORIS).map((o) => o.operatorId));
    expect(sims.has(simCall?.transfer?.fromOperatorId ?? "")).toBe(true);
    await expect
      .poll(async () => (await api.analytics.getCallTimeline({ callId: simCall?.callId ?? "" })).entries.some((e) => e.kind === "transfer" && e.operatorId === simCall?.transfer?.fromOperatorId), { timeout: WAIT })
      .toBe(true);

    await annaCtx.close();
    await borisCtx.close();
    expect(errors).toEqual([]);
    expect(borisErrors).toEqual([]);
  } finally {
    watching = false;
    await watcher;
    if (launcher.exitCode === null) launcher.kill("SIGTERM");
    const force = setTimeout(() => launcher.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(force);
    rmSync(dir, { recursive: true, force: true });
    await test.info().attach("launcher output", { body: out, contentType: "text/plain" });
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, "demo-tour-launcher.log"), out);
  }
  expect(out).toContain("demo: stopped");
});
