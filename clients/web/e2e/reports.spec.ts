// The period report in Chromium against the real tandem, with the emulator as the cloud: a call
// answered (with a wrap-up code) and one abandoned, then the reports page's week, day and custom
// range in the browser's zone (Berlin), per queue and per operator, as GetHistory gives them;
// a range backwards and one too long refused; the CSV is ExportHistory's rows; the page in Russian.
import { readFileSync } from "node:fs";
import { Interval } from "@gen/tandem/analytics/v1/analytics_pb";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { DispositionSchema, OperatorState } from "@gen/tandem/common/v1/common_pb";
import { expect, shot, signInSupervisor, test, watchConsole } from "./fixtures";
import { ADMIN_KEY, WAIT } from "./world";
import { addDays, periodRange, zoneDate } from "../src/supervisor/history";

const ZONE = "Europe/Berlin";
test.use({ timezoneId: ZONE, locale: "en-GB" });

test("a period's report per queue and per operator, its CSV, and the page in Russian", async ({ page, server, api, ids, cloud }) => {
  const errors = watchConsole(page);
  const support = (await api.admin.getQueue({ queueId: "support" })).queue;
  if (!support) throw new Error("no support queue");
  support.dispositions = [create(DispositionSchema, { code: "sale", label: "Sale made" }), create(DispositionSchema, { code: "callback", label: "Call back later" })];
  await api.admin.updateQueue({ queue: support });

  // anna answers the first call and gives it a wrap-up code; the second caller gives up waiting.
  const annaOff = await api.online("anna");
  const first = cloud.call("+15557654321", "Jane Caller");
  expect(await first.dialed()).toBe("anna");
  await first.answer();
  await first.callerHangsUp();
  await expect.poll(async () => (await api.analytics.searchCalls({})).calls.length, { timeout: WAIT }).toBe(1);
  const answered = (await api.analytics.searchCalls({})).calls[0];
  await api.presence.setDisposition({ callId: answered?.callId ?? "", code: "sale" });
  const second = cloud.call("+15551112222", "Ivan Caller");
  await expect.poll(() => second.registeredAt, { timeout: WAIT }).toBeGreaterThan(0);
  second.s.callerHangup();
  await second.reported("caller_abandoned");
  await annaOff();
  // Her wrap-up time counts for support when she leaves wrap-up: when the server logs her out,
  // a grace after her app went. Until then the figures move, and two reads could differ.
  await expect.poll(async () => (await api.status(ids.anna ?? "")).state, { timeout: WAIT }).toBe(OperatorState.OFFLINE);

  // The API's answer for this week in Berlin, per queue: what the page must show.
  const today = zoneDate(Date.now(), ZONE);
  const week = periodRange("week", today, "", ZONE);
  const byQueue = {
    range: { from: timestampFromMs(week.from), to: timestampFromMs(week.to) },
    interval: Interval.INTERVAL_RANGE,
    timeZone: ZONE,
    byQueue: true,
  };
  const want = await api.analytics.getHistory(byQueue);
  expect(want.rows.map((r) => [r.queueId, r.figures?.callsReceived, r.figures?.callsAnswered, r.figures?.callsAbandoned])).toEqual([["support", 2, 1, 1]]);

  await signInSupervisor(page, server.url, "reports", ADMIN_KEY);
  const report = page.getByTestId("period-report");
  const table = page.getByTestId("period-table");
  const cells = (id: string) => table.locator(`tr[data-id="${id}"] td`);
  // This week, per queue (the page's first choice), in the browser's zone.
  await expect(report.locator('input[name="zone"]')).toHaveValue(ZONE);
  await expect(cells("support")).toHaveText(["2", "1", "1", /%$/, /%$/, /s$/, /s$/, /s$/, "—", "sale 1"], { timeout: WAIT });
  await expect(table.locator('tr[data-id="support"] th')).toHaveText("Support");
  await expect(page.getByTestId("period-totals")).toContainText("Received2");
  await expect(page.getByTestId("period-days")).toContainText(`(${ZONE})`);
  await expect(page.getByTestId("period-chart")).toHaveAttribute("data-rows", "1");
  await shot(page, "30-reports-week");

  // Per operator: anna's row, named, with her wrap-up code.
  await report.locator('select[name="split"]').selectOption("operator");
  await expect(cells(ids.anna ?? "")).toHaveText(["0", "1", "0", /./, /./, /./, /s$/, /s$/, "—", "sale 1"], { timeout: WAIT });
  await expect(table.locator(`tr[data-id="${ids.anna}"] th`)).toHaveText("Anna Tester");

  // Today alone: its hours.
  await report.locator('select[name="period"]').selectOption("day");
  await report.locator('input[name="period-date"]').fill(today);
  await expect(page.getByTestId("period-chart").locator("h3")).toHaveText("Calls and service level per hour", { timeout: WAIT });
  await expect(cells(ids.anna ?? "").first()).toHaveText("0");
  await expect(cells(ids.anna ?? "").nth(1)).toHaveText("1");

  // A custom range, yesterday to today, per queue; then one backwards, and one too long.
  await report.locator('select[name="period"]').selectOption("custom");
  await report.locator('select[name="split"]').selectOption("queue");
  await report.locator('input[name="period-date"]').fill(addDays(today, -1));
  await report.locator('input[name="period-last"]').fill(today);
  await expect(cells("support").first()).toHaveText("2", { timeout: WAIT });
  await expect(page.getByTestId("period-chart").locator("h3")).toHaveText("Calls and service level per day");
  await report.locator('input[name="period-date"]').fill(addDays(today, 1));
  await expect(page.getByTestId("period-error")).toHaveText("The last day comes before the first.");
  await report.locator('input[name="period-date"]').fill(addDays(today, -4 * 366));
  await expect(page.getByTestId("period-error")).toContainText("longer than", { timeout: WAIT });
  await report.locator('input[name="period-date"]').fill(addDays(today, -1));
  await expect(cells("support").first()).toHaveText("2", { timeout: WAIT });

  // The CSV: ExportHistory's rows for that range, per queue.
  const custom = periodRange("custom", addDays(today, -1), today, ZONE);
  const exported = await api.analytics.exportHistory({ history: { ...byQueue, range: { from: timestampFromMs(custom.from), to: timestampFromMs(custom.to) } } });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("period-csv").click()]);
  const csv = readFileSync(await download.path(), "utf8");
  expect(download.suggestedFilename()).toBe(exported.fileName);
  expect(download.suggestedFilename()).toMatch(/^tandem-center-by-queue-.+-total\.csv$/);
  expect(csv).toBe(new TextDecoder().decode(exported.csv));
  const lines = csv.trim().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]?.split(",").at(-1)).toBe("dispositions");
  expect(lines[1]?.split(",").slice(1, 4)).toEqual(["support", "", "2"]);
  expect(lines[1]?.split(",").at(-1)).toBe("sale=1");

  // In Russian: the page's words, and numbers as Russian writes them.
  await page.getByLabel("Language").selectOption("ru");
  await expect(page.getByRole("heading", { name: "Отчёт за период" })).toBeVisible();
  await expect(table.locator("thead")).toContainText("Поступило");
  await expect(page.getByTestId("period-totals")).toContainText("Поступило2");
  const sl = want.rows[0]?.figures?.serviceLevel;
  if (sl !== undefined) {
    await expect(cells("support").nth(3)).toHaveText(new Intl.NumberFormat("ru", { style: "percent", maximumFractionDigits: 1 }).format(sl));
  }
  await expect(cells("support").nth(6)).toHaveText(/ с$/);
  await expect(page.getByTestId("period-chart").locator("h3")).toHaveText("Звонки и уровень обслуживания по дням");
  await expect(page.getByTestId("totals")).toContainText("Звонков сегодня");
  await shot(page, "31-reports-ru");
  expect(errors).toEqual([]);
});
