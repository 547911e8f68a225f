// IVR menus in the supervisor's configuration, in Chromium against the real tandem binary: a
// good menu is saved (nodes, prompts, keys and words, defaults) and listed; a cycle, a node
// nothing leads to and a key used twice are each refused with the error by the field at fault,
// and nothing is saved. The page in Russian.
import { expect, shot, signInSupervisor, test, watchConsole } from "./fixtures";
import { expectAccessible } from "./accessible";
import { ADMIN_KEY, SUPPORT_LINE, WAIT } from "./world";
import type { Locator, Page } from "@playwright/test";

/** The menu form's n-th node (from 1). */
const node = (form: Locator, n: number) => form.getByTestId("menu-node").nth(n - 1);

/** Sets where a choice or a default leads: its kind, then the target. */
async function leadsTo(form: Locator, what: string, kind: "a queue" | "a number" | "another node" | "a queue's voicemail", target: string): Promise<void> {
  await form.getByLabel(`${what}: kind`).selectOption({ label: kind });
  if (kind === "a number") await form.getByLabel(`${what}: number`).fill(target);
  else await form.getByLabel(`${what}: where`).selectOption(target);
}

async function openMenus(page: Page, url: string): Promise<Locator> {
  await signInSupervisor(page, url, "config", ADMIN_KEY);
  await page.getByRole("tab", { name: "IVR menus" }).click();
  await expect(page.getByTestId("menus")).toContainText("No menus", { timeout: WAIT });
  await page.getByRole("button", { name: "New menu" }).click();
  return page.getByTestId("menu-form");
}

test("a supervisor builds an IVR menu: saved with its nodes, choices and defaults; a cycle, an unreachable node and a key used twice are refused by their fields", async ({ page, server, api, ids }) => {
  expect(ids.anna).toBeTruthy(); // the support queue exists
  await api.admin.createQueue({ queue: { queueId: "sales", name: "Sales" } });
  const errors = watchConsole(page);
  const form = await openMenus(page, server.url);

  // The start: 1 or "sales" → sales, 2 → the second node; silence → support.
  await form.getByLabel("Menu id").fill("main");
  await form.getByLabel("Name").fill("Main line");
  await form.getByLabel("Dialed numbers").fill(SUPPORT_LINE);
  const start = node(form, 1);
  await start.getByLabel("Node 1 prompt to speak").fill("Press 1 or say sales for sales, 2 for support.");
  await start.getByLabel("Node 1 repeats").fill("1");
  await start.getByRole("button", { name: "Add a choice to node 1" }).click();
  await start.getByLabel("Node 1 choice 1 key").fill("1");
  await start.getByLabel("Node 1 choice 1 words").fill("sales, buy");
  await leadsTo(start, "Node 1 choice 1 leads to", "a queue", "sales");
  await start.getByRole("button", { name: "Add a choice to node 1" }).click();
  await start.getByLabel("Node 1 choice 2 key").fill("2");
  await leadsTo(start, "Node 1 then (default)", "a queue", "support");
  // The second node: a recording; 0 → the front desk's number, 9 → support's voicemail; silence → support.
  await form.getByRole("button", { name: "Add a node" }).click();
  const more = node(form, 2);
  await more.getByLabel("Node 2 id").fill("more");
  await more.getByLabel("Node 2 prompt recording (URL)").fill("https://media.example.com/more.mp3");
  await more.getByRole("button", { name: "Add a choice to node 2" }).click();
  await more.getByLabel("Node 2 choice 1 key").fill("0");
  await leadsTo(more, "Node 2 choice 1 leads to", "a number", "+14155550177");
  await more.getByRole("button", { name: "Add a choice to node 2" }).click();
  await more.getByLabel("Node 2 choice 2 key").fill("9");
  await leadsTo(more, "Node 2 choice 2 leads to", "a queue's voicemail", "support");
  await leadsTo(start, "Node 1 choice 2 leads to", "another node", "more");

  // A cycle: the second node's default back to the start.
  await leadsTo(more, "Node 2 then (default)", "another node", "start");
  await form.getByRole("button", { name: "Save" }).click();
  const cycle = more.locator('[data-field="menu.nodes[1].default_action"]');
  await expect(cycle.locator(".field-error")).toContainText("leads back to node start");
  await expect(cycle).toHaveClass(/invalid/);
  await expect(page.getByTestId("save-error")).toContainText("Not saved");
  await shot(page, "menus-01-cycle");
  expect((await api.admin.listMenus({})).menus).toEqual([]);

  // An unreachable node: the default fixed, but choice 2 of the start sent to support.
  await leadsTo(more, "Node 2 then (default)", "a queue", "support");
  await leadsTo(start, "Node 1 choice 2 leads to", "a queue", "support");
  await form.getByRole("button", { name: "Save" }).click();
  const unreachable = more.locator('[data-field="menu.nodes[1].node_id"]');
  await expect(unreachable.locator(".field-error")).toContainText("cannot be reached from the first node");
  await expect(cycle.locator(".field-error")).toHaveCount(0);
  expect((await api.admin.listMenus({})).menus).toEqual([]);

  // A key used twice in the start.
  await leadsTo(start, "Node 1 choice 2 leads to", "another node", "more");
  await start.getByLabel("Node 1 choice 2 key").fill("1");
  await form.getByRole("button", { name: "Save" }).click();
  const twice = start.locator('[data-field="menu.nodes[0].choices[1].digit"]');
  await expect(twice.locator(".field-error")).toContainText("digit 1 is already choice 0");
  await expect(unreachable.locator(".field-error")).toHaveCount(0);
  await shot(page, "menus-02-digit-twice");
  await expectAccessible(page, "the menu editor with an error");
  expect((await api.admin.listMenus({})).menus).toEqual([]);

  // Put right: saved, listed with its nodes and where it leads.
  await start.getByLabel("Node 1 choice 2 key").fill("2");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  const row = page.locator('tr[data-menu="main"]');
  await expect(row.getByTestId("menu-nodes")).toHaveText("start, more");
  await expect(row.getByTestId("menu-exits")).toHaveText("queue sales, queue support, number +14155550177, voicemail of support");
  await shot(page, "menus-03-saved");
  const saved = (await api.admin.listMenus({})).menus;
  expect(saved.length).toBe(1);
  const m = saved[0]!;
  expect(m.dialedNumbers).toEqual([SUPPORT_LINE]);
  expect(m.nodes.map((n) => [n.nodeId, n.promptText, n.promptUrl, n.timeoutS, n.repeats])).toEqual([
    ["start", "Press 1 or say sales for sales, 2 for support.", "", 5, 1],
    ["more", "", "https://media.example.com/more.mp3", 5, 1], // a new node repeats once unless told
  ]);
  expect(m.nodes[0]!.choices.map((c) => [c.digit, c.words, c.action?.to])).toEqual([
    ["1", ["sales", "buy"], { case: "queueId", value: "sales" }],
    ["2", [], { case: "nodeId", value: "more" }],
  ]);
  expect(m.nodes[1]!.choices.map((c) => c.action?.to)).toEqual([
    { case: "number", value: "+14155550177" },
    { case: "voicemailQueueId", value: "support" },
  ]);

  // Edited again: the form shows what was saved; a change is kept.
  await row.getByRole("button", { name: "Edit main" }).click();
  const again = page.getByTestId("menu-form");
  await expect(node(again, 1).getByLabel("Node 1 choice 1 words")).toHaveValue("sales, buy");
  await node(again, 1).getByLabel("Node 1 choice 1 words").fill("sales");
  await again.getByRole("button", { name: "Save" }).click();
  await expect(again).toHaveCount(0);
  expect((await api.admin.listMenus({})).menus[0]!.nodes[0]!.choices[0]!.words).toEqual(["sales"]);
  expect(errors).toEqual([]);
});

test("the menus tab in Russian", async ({ page, server, ids }) => {
  expect(ids.anna).toBeTruthy();
  await page.goto(`${server.url}/supervisor#config`);
  await page.getByLabel("Language").selectOption("ru");
  await page.getByLabel("Ключ доступа").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Войти", exact: true }).click();
  await page.getByRole("tab", { name: "Голосовые меню" }).click();
  await expect(page.getByTestId("menus")).toContainText("Меню нет", { timeout: WAIT });
  await page.getByRole("button", { name: "Новое меню" }).click();
  await expect(page.getByTestId("menu-form")).toContainText("Узел 1 (начало)");
});

test("a call through the menu: its detail shows the way the caller took, and its timeline the choice", async ({ page, server, api, ids, cloud }) => {
  expect(ids.anna).toBeTruthy();
  await api.admin.putMenu({
    menu: {
      menuId: "main",
      dialedNumbers: [SUPPORT_LINE],
      nodes: [{ nodeId: "start", promptText: "Press 1.", timeoutS: 1, choices: [{ digit: "1", action: { to: { case: "queueId", value: "support" } } }], defaultAction: { to: { case: "queueId", value: "support" } } }],
    },
  });
  const call = cloud.call();
  const intake = await call.s.waitFor((r) => r.type === "http-out" && r.code === 200 && typeof r.url === "string" && new URL(r.url).pathname === "/v1/calls", WAIT, "intake");
  const callId = String(JSON.parse(String(intake.text)).call_id);
  await call.reported("menu_chosen"); // silence: the default, support
  await signInSupervisor(page, server.url, `call/${callId}`, ADMIN_KEY);
  await expect(page.getByTestId("call-menu")).toHaveText("IVR menu main: start: no answer (default) → queue:support", { timeout: WAIT });
  await expect(page.getByTestId("timeline").locator('[data-kind="menu"]')).toContainText("Chose in the IVR menu");
  await shot(page, "menus-04-call-detail");
  // The period's report counts it: entered the menu, left for support by the default.
  await page.goto(`${server.url}/supervisor#reports`);
  const report = page.getByTestId("menu-report");
  await expect(report.locator('tr[data-menu="main"]')).toContainText("entered the menu", { timeout: WAIT });
  await expect(report.locator('tr[data-menu="main"]')).toContainText("1");
  await expect(report.locator('tr[data-exit="queue:support"]')).toContainText("left for queue:support");
  await expect(report.locator('tr[data-node="start"][data-answer="timeout"]')).toContainText("at start: no answer (default)");
  await shot(page, "menus-05-report");
});
