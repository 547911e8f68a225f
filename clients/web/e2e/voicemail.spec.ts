// Voicemail as work (issue 22), in Chromium against the real tandem started with the callback
// flags pointing at the emulator's Management API: a caller who finds the line full leaves a
// message; the supervisor's Voicemail page lists it with its player, waiting; anna goes Ready
// and is offered the callback with the message to hear; she answers, the customer answers, and
// the list says she called him back. Every wait is for an event.
import { create } from "@bufbuild/protobuf";
import { QueueExitSchema } from "@gen/tandem/admin/v1/admin_pb";
import { ADMIN_KEY, AdminApi, Cloud, legOf, TandemServer, WAIT, type EmuSession } from "./world";
import { expectAccessible } from "./accessible";
import { desk, expect, logIn, shot, showsState, signInSupervisor, test, watchConsole } from "./fixtures";

const CUSTOMER = "+15557654321";

/** Waits until Tandem took the scenario's report of this kind. */
async function reported(s: EmuSession, kind: string): Promise<void> {
  await s.waitFor((r) => r.type === "http-out" && r.code === 200 && typeof r.body === "string" && r.body.includes(`"${kind}"`), WAIT, `accepted ${kind}`);
}

test("a voicemail is listed with its player, offered to anna with the message to hear, and called back", async ({ browser }) => {
  const cb = await Cloud.withCallbacks();
  const server = await TandemServer.start(undefined, cb.serveArgs);
  cb.answer(server.url);
  try {
    const api = new AdminApi(server.url);
    await api.setup(["anna"]);
    const { queue } = await api.admin.getQueue({ queueId: "support" });
    await api.admin.updateQueue({ queue: { ...queue!, maxWaiting: 1, maxWaitingExit: create(QueueExitSchema, { kind: "voicemail", text: "Please leave a message." }) } });

    // One caller waits (nobody is ready); the next finds the line full and leaves a message.
    const first = cb.cloud.call("+15550001111", "First Caller");
    await first.s.waitFor((r) => r.type === "http-out" && r.code === 200 && typeof r.url === "string" && new URL(r.url).pathname === "/v1/calls", WAIT, "the first call in line");
    const vm = cb.cloud.call(CUSTOMER, "Vera Caller");
    await vm.s.waitFor((r) => r.type === "record", WAIT, "the message being recorded");
    vm.s.callerHangup();
    await reported(vm.s, "voicemail_recorded");
    first.s.callerHangup(); // he gives up: the callback is next in line
    await reported(first.s, "caller_abandoned");

    const sv = await (await browser.newContext()).newPage();
    const svErrors = watchConsole(sv);
    await signInSupervisor(sv, server.url, "voicemail", ADMIN_KEY);
    await expect(sv.getByRole("link", { name: "Voicemail" })).toHaveAttribute("aria-current", "page");
    const row = sv.getByTestId("voicemails").locator("tbody tr");
    await expect(row).toHaveCount(1, { timeout: WAIT });
    await expect(row).toContainText(CUSTOMER);
    await expect(row).toContainText("Vera Caller");
    await expect(row).toContainText("support");
    await expect(row.locator("audio[controls]")).toHaveAttribute("src", /^https:\/\//);
    await expect(row.locator("audio")).toHaveAttribute("preload", "none");
    await expect(row.getByTestId("voicemail-length")).toHaveText(/^\d+:\d\d$/);
    await expect(row.getByTestId("voicemail-work")).toHaveText("Waiting for a free operator");
    const url = await row.locator("audio").getAttribute("src");
    await shot(sv, "voicemail-01-waiting");
    await expectAccessible(sv, "supervisor: voicemail");

    // anna goes Ready: Tandem starts the callback scenario, which rings her first.
    const op = await (await browser.newContext()).newPage(); // her own browser
    const opErrors = watchConsole(op);
    const started = cb.cloud.nextCallback();
    await logIn(op, server.url, "anna");
    await showsState(op, "offline");
    await desk(op).toggle.click();
    const call = await started;
    await expect(desk(op).offer).toBeVisible({ timeout: WAIT });
    await expect(op.getByTestId("callback-to")).toHaveText(`Callback to ${CUSTOMER} (try 1 of 3)`);
    await expect(op.getByTestId("callback-voicemail").locator("audio[controls]")).toHaveAttribute("src", url ?? "");
    await expect(op.getByTestId("recent-calls")).toContainText("left a voicemail");
    await shot(op, "voicemail-02-offer");

    (await legOf(call, "anna")).remoteAnswer();
    await showsState(op, "on_call");
    await expect(desk(op).talk.getByTestId("callback-to")).toHaveText(`Callback to ${CUSTOMER} (try 1 of 3)`);
    await expect(desk(op).talk.getByTestId("callback-voicemail").locator("audio")).toHaveAttribute("src", url ?? "");
    await expectAccessible(op, "operator: on a callback, with the message"); // no offer's lease runs out meanwhile
    (await legOf(call, CUSTOMER)).remoteAnswer();
    await reported(call, "customer_answered");

    await expect(async () => {
      await sv.getByRole("button", { name: "Show" }).click();
      await expect(row.getByTestId("voicemail-work")).toHaveText(/^Called back by Anna Tester at \d\d:\d\d$/, { timeout: 1000 });
    }).toPass({ timeout: WAIT });
    await expect(row.getByRole("link")).toHaveAttribute("href", /^#call\//);
    await shot(sv, "voicemail-03-called-back");
    expect(svErrors.filter((e) => !/records\.emulator\.invalid/.test(e))).toEqual([]);
    expect(opErrors.filter((e) => !/records\.emulator\.invalid/.test(e))).toEqual([]);
  } finally {
    await server.close();
    await cb.cloud.close();
  }
});
