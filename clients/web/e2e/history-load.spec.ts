// How long a busy day's history takes to reach the chart: a day of 20 000 calls (stored by
// `tandem simulate` through the same recorder as the server, on the simulator's day 2026-01-05)
// against an empty day, in the same run. From choosing the day on the reports page to the
// chart holding its rows at the next animation frame; several samples, medians, written to
// test-results/history-load.json and printed. A measurement, not a timed assertion.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ADMIN_KEY, TandemServer, WAIT } from "./world";

const CALLS = Number(process.env.HISTORY_CALLS) || 20_000;
const SAMPLES = Number(process.env.HISTORY_SAMPLES) || 5;
const BUSY_DAY = "2026-01-05"; // simulate.Epoch
const EMPTY_DAY = "2025-12-01";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Chooses the comparison day and returns the ms until the chart holds its rows, drawn. */
async function loadDay(page: Page, day: string, wantRows: (n: number) => boolean): Promise<number> {
  const chart = page.getByTestId("per-interval");
  const t0 = await page.evaluate(() => performance.now());
  await page.locator('input[name="past-date"]').fill(day);
  await expect.poll(async () => wantRows(Number(await chart.getAttribute("data-past-rows"))), { timeout: WAIT, intervals: [5] }).toBe(true);
  const t1 = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
  return t1 - t0;
}

test.describe.configure({ timeout: 180_000 });

test(`a day of ${CALLS} calls reaches the history chart`, async ({ page }) => {
  const server = await TandemServer.start((db) => {
    const bin = process.env.TANDEM_BIN as string;
    execFileSync(bin, ["simulate", "--calls", String(CALLS), "--calls-per-hour", "1000", "--aht", "3m", "--operators", "55", "--db", db], { stdio: "ignore" });
  });
  try {
    await page.goto(`${server.url}/supervisor#reports`);
    await page.getByLabel("Access key").fill(ADMIN_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('select[name="interval"]').selectOption({ label: "15 minutes" });
    await expect(page.getByTestId("per-interval")).toBeVisible({ timeout: WAIT });

    const busy: number[] = [];
    const empty: number[] = [];
    let rows = 0;
    for (let i = 0; i < SAMPLES; i++) {
      empty.push(await loadDay(page, EMPTY_DAY, (n) => n === 0));
      busy.push(await loadDay(page, BUSY_DAY, (n) => n > 0));
      rows = Number(await page.getByTestId("per-interval").getAttribute("data-past-rows"));
    }
    expect(rows).toBeGreaterThan(70); // 20 hours of quarter-hours
    const result = {
      calls: CALLS,
      rows,
      busy_day_ms_median: Math.round(median(busy)),
      empty_day_ms_median: Math.round(median(empty)),
      ratio: Math.round((median(busy) / median(empty)) * 100) / 100,
      busy_day_ms: busy.map(Math.round),
      empty_day_ms: empty.map(Math.round),
    };
    const dir = join(__dirname, "..", "test-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "history-load.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(`history chart, a day of ${CALLS} calls: median ${result.busy_day_ms_median} ms; an empty day ${result.empty_day_ms_median} ms (ratio ${result.ratio})`);
  } finally {
    await server.close();
  }
});
