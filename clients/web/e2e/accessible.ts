// The accessibility check every browser test may call: axe-core (WCAG 2.1 A and AA rules) finds
// no serious or critical violation on the page as it is now, the page has exactly one h1 and a
// main landmark, and nothing on it lies outside a landmark. The failure lists each rule with the
// elements at fault, so the message says what to fix.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** The WCAG levels the project promises: 2.0 and 2.1, A and AA. */
export const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Rules outside the WCAG tags that the pages keep too: one main, one h1, content in landmarks. */
const structureRules = ["landmark-one-main", "landmark-no-duplicate-main", "landmark-unique", "page-has-heading-one", "region"];

interface Finding {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown; failureSummary?: string }[];
}

function describe(v: Finding): string {
  const nodes = v.nodes
    .slice(0, 6)
    .map((n) => `    ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, " ").slice(0, 300)}` : ""}`)
    .join("\n");
  return `${v.id} (${v.impact ?? "?"}): ${v.help}\n${nodes}${v.nodes.length > 6 ? `\n    …and ${v.nodes.length - 6} more` : ""}`;
}

/**
 * Fails unless the page as it stands passes: no serious or critical WCAG 2.1 A/AA violation,
 * exactly one h1, one main landmark and all content in landmarks. what names the page or state
 * in the failure.
 */
export async function expectAccessible(page: Page, what = page.url()): Promise<void> {
  // One pass: the WCAG rules and the best practices, of which the structure rules count.
  const { violations } = await new AxeBuilder({ page }).withTags([...wcagTags, "best-practice"]).analyze();
  const found = violations.filter((v) => (v.tags.some((t) => wcagTags.includes(t)) && (v.impact === "serious" || v.impact === "critical")) || structureRules.includes(v.id));
  const h1s = await page.locator("h1").count();
  const problems = found.map(describe);
  if (h1s !== 1) problems.push(`${h1s} h1 elements: a page has exactly one`);
  if (process.env.A11Y_REPORT && problems.length) {
    console.log(`--- ${what}\n${problems.join("\n")}`);
    return;
  }
  expect(problems.join("\n"), `accessibility of ${what}`).toBe("");
}
