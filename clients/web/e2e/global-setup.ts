// Builds what the browser tests run: the app (when dist/ has none, or is older than a source)
// and the tandem binary with it embedded. TANDEM_BIN skips the Go build (the Makefile passes the one it built).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const web = join(__dirname, "..");
const repo = join(web, "..", "..");

export default function globalSetup(): (() => void) | undefined {
  if (!existsSync("/usr/bin/chromium") && !process.env.CHROMIUM) {
    throw new Error("no /usr/bin/chromium: apt-get install -y chromium (make web-test does it)");
  }
  const built = join(web, "dist", "index.html");
  if (!existsSync(built) || newestIn(join(web, "src")) > statSync(built).mtimeMs) {
    execFileSync("npx", ["vite", "build"], { cwd: web, stdio: "inherit" });
  }
  if (process.env.TANDEM_BIN) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tandem-web-e2e-"));
  const out = join(dir, "tandem");
  execFileSync("go", ["build", "-o", out, "./server/cmd/tandem"], { cwd: repo, stdio: "inherit", env: { ...process.env, GOFLAGS: "-buildvcs=false" } });
  process.env.TANDEM_BIN = out;
  return () => rmSync(dir, { recursive: true, force: true });
}

/** The newest modification time of the files under dir. */
function newestIn(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}
