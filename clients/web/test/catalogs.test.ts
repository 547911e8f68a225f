// No words in the code outside the catalogs (issue 21): every page speaks through t(). This
// reads each component's source for text a reader would see — JSX text, and the aria-label,
// title, placeholder and alt attributes given as literals — and fails on any with a letter,
// naming the file and line. The catalogs, tests and a few names that are not words (the
// product's name, an access key's prefix) are left alone.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(__dirname, "..", "src");

/** Text that is the same in every language. */
const notWords = new Set(["Tandem", "tdk_…", "SIP"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".tsx"))
    .map((e) => join(e.parentPath, e.name));
}

/** The visible literal text of one source, with its line numbers. */
export function visibleText(source: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const lines = source.split("\n");
  const add = (i: number, text: string) => {
    const s = text.trim();
    if (/\p{L}/u.test(s) && !notWords.has(s)) found.push({ line: i + 1, text: s });
  };
  lines.forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    // Text between a tag's end and the next tag on the same line: <b>Text</b>, <br />Text<i>.
    // (Not a key's name in <kbd>, nor the types of a signature: Map<string, string>; x: Map<…>.)
    for (const m of line.matchAll(/(?<![=\-])>([^<>{}=;:]*)<(?!\/kbd)\/?[A-Za-z]/g)) add(i, m[1] ?? "");
    // A literal attribute a reader meets.
    for (const m of line.matchAll(/\b(?:aria-label|title|placeholder|alt)="([^"]*)"/g)) add(i, m[1] ?? "");
    // A line of text alone between tags.
    const prev = lines[i - 1]?.trimEnd() ?? "";
    if (/^\s*\p{L}[^<>{}=;()]*$/u.test(line) && prev.endsWith(">") && !prev.endsWith("=>")) add(i, line);
  });
  return found;
}

describe("the pages' words", () => {
  it("finds text a reader sees (so the check below can fail)", () => {
    expect(visibleText('<p title="Hello">Hi <b>there</b></p>\n<span>\n  Plain words\n</span>\n<p>{t("k")}</p>').map((f) => f.text)).toEqual([
      "Hi",
      "there",
      "Hello",
      "Plain words",
    ]);
  });

  it("are all in the catalogs", () => {
    const left: string[] = [];
    for (const file of sources(src)) {
      for (const f of visibleText(readFileSync(file, "utf8"))) left.push(`${relative(src, file)}:${f.line}: ${f.text}`);
    }
    expect(left).toEqual([]);
  });
});
