// The example against the real server: `tandem serve` ($TANDEM_BIN, or built from the source)
// on a temp database, a queue and an operator made with the generated Admin client, the example
// run as its own process, and a call placed the way the cloud scenario places it — signed JSON
// to POST /v1/calls — with the dial command received on a local accessURL.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/tandem/admin/v1/admin_pb";
import { ContactKind } from "../src/gen/tandem/common/v1/common_pb";

const REPO = path.resolve(__dirname, "..", "..", "..", "..", "..");
const EXAMPLE = path.resolve(__dirname, "..", "src", "operator.js");
const SECRET = "example-cloud-secret";
const ADMIN_KEY = "example-admin-key";
const NUMBER = "+18005550100";
const WAIT = 15000;

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The tandem binary: $TANDEM_BIN, or built into a temp dir. */
function tandemBinary(): string {
  if (process.env.TANDEM_BIN) return path.resolve(process.env.TANDEM_BIN);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "operator-node-bin-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, "tandem");
  execFileSync("go", ["build", "-o", out, "./server/cmd/tandem"], { cwd: REPO, stdio: "inherit", env: { ...process.env, GOFLAGS: "-buildvcs=false" } });
  return out;
}

/** Lines of a child's output, with a way to wait for one that matches. */
class Lines {
  all: string[] = [];
  private waiters: Array<() => void> = [];
  constructor(stream: NodeJS.ReadableStream) {
    let buf = "";
    stream.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        this.all.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      this.waiters.forEach((w) => w());
    });
  }
  /** Resolves with the first line at or after index `from` that matches. */
  waitFor(re: RegExp, from = 0): Promise<{ line: string; index: number; match: RegExpMatchArray }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.all.length; i++) {
          const match = this.all[i].match(re);
          if (match) {
            clearTimeout(timer);
            this.waiters = this.waiters.filter((w) => w !== check);
            resolve({ line: this.all[i], index: i, match });
            return;
          }
        }
      };
      const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${WAIT} ms:\n${this.all.join("\n")}`)), WAIT);
      this.waiters.push(check);
      check();
    });
  }
}

/** Starts tandem serve on a free port and a temp database; resolves with its URL. */
async function startTandem(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "operator-node-"));
  const child = spawn(tandemBinary(), ["serve", "--addr", "127.0.0.1:0", "--db", path.join(dir, "tandem.db"), "--cloud-secret", SECRET, "--admin-key", ADMIN_KEY], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  cleanups.push(() => stopChild(child), () => fs.rmSync(dir, { recursive: true, force: true }));
  const log = new Lines(child.stderr!);
  // Logs are JSON lines; the first "tandem serving" says where it listens.
  const { line } = await log.waitFor(/"msg":"tandem serving"/);
  return JSON.parse(line).url;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * POSTs a JSON body to Tandem as the cloud scenario does: Standard Webhooks headers, the HMAC
 * keyed with the secret's bytes as they are, over "id.timestamp.body".
 */
async function cloudPost(url: string, body: object): Promise<any> {
  const raw = JSON.stringify(body);
  const id = `msg_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000).toString();
  const sig = createHmac("sha256", SECRET).update(`${id}.${ts}.${raw}`).digest("base64");
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` },
    body: raw,
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Checks Tandem's signature on a command it POSTed to the accessURL. */
function verified(headers: http.IncomingHttpHeaders, raw: string): boolean {
  const id = String(headers["webhook-id"]);
  const ts = String(headers["webhook-timestamp"]);
  const want = createHmac("sha256", SECRET).update(`${id}.${ts}.${raw}`).digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((s) => {
      const [v, b64] = s.split(",");
      const got = Buffer.from(b64 ?? "", "base64");
      return v === "v1" && got.length === want.length && timingSafeEqual(got, want);
    });
}

test("the operator app logs in, goes ready, sees the offer, ends wrap-up and logs out", async () => {
  const url = await startTandem();
  const admin = createClient(AdminService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  const asAdmin = { headers: { Authorization: `Bearer ${ADMIN_KEY}` } };
  await admin.createQueue({ queue: { queueId: "support", name: "Support", dialedNumbers: [NUMBER], wrapUpS: 60, offerTimeoutS: 30 } }, asAdmin);
  await admin.createOperator(
    { name: "anna", displayName: "Anna", password: "anna-password", contact: { kind: ContactKind.USER, target: "anna" }, queues: [{ queueId: "support", level: 3 }] },
    asAdmin,
  );

  // The call session's accessURL: Tandem POSTs its signed commands here.
  const commands: Array<{ ok: boolean; cmd: any }> = [];
  const session = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      commands.push({ ok: verified(req.headers, raw), cmd: JSON.parse(raw) });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => session.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => session.close(() => resolve())));
  const accessUrl = `http://127.0.0.1:${(session.address() as AddressInfo).port}/request/s-1`;

  // The example, as an operator would run it.
  const app = spawn(process.execPath, [EXAMPLE, "--url", url, "--name", "anna", "--password", "anna-password", "--end-wrap-up", "--note", "all good"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => stopChild(app));
  const out = new Lines(app.stdout!);
  const errOut = new Lines(app.stderr!);
  await out.waitFor(/^logged in as anna \(op_\w+\)/);
  const ready = await out.waitFor(/^state: ready$/);

  // A call, as the scenario registers it.
  const reg = await cloudPost(`${url}/v1/calls`, {
    request_id: "r-1",
    session_id: "s-1",
    access_url: accessUrl,
    caller_number: "+15557654321",
    dialed_number: NUMBER,
    display_name: "Jane",
  });
  assert.equal(reg.queue_id, "support");
  const offer = await out.waitFor(new RegExp(`^offer (offer_\\w+): call ${reg.call_id} from \\+15557654321 \\(Jane\\) in queue support, rings until \\d\\d:\\d\\d:\\d\\dZ$`), ready.index);
  await out.waitFor(/^state: reserved$/, ready.index);
  const offerId = offer.match[1];

  // Tandem told the cloud to dial anna, signed with the secret.
  const deadline = Date.now() + WAIT;
  while (!commands.some((c) => c.cmd.type === "dial") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const dial = commands.find((c) => c.cmd.type === "dial");
  assert.ok(dial, `no dial command: ${JSON.stringify(commands)}`);
  assert.ok(dial.ok, "the dial command's signature does not verify");
  assert.deepEqual([dial.cmd.offer_id, dial.cmd.contact], [offerId, { kind: "user", target: "anna" }]);

  // She answers, talks, the caller hangs up; the app ends her wrap-up with the note.
  await cloudPost(`${url}/v1/calls/${reg.call_id}/events`, { request_id: "r-2", offer_id: offerId, operator_answered: { ring_time_ms: 1500 } });
  await out.waitFor(new RegExp(`^state: on call \\(${reg.call_id}\\)$`), offer.index);
  await cloudPost(`${url}/v1/calls/${reg.call_id}/events`, { request_id: "r-3", call_ended: { hung_up_by: "HANGUP_PARTY_CALLER", talk_time_ms: 42000 } });
  const wrap = await out.waitFor(/^state: wrap-up until \d\d:\d\d:\d\dZ$/, offer.index);
  const done = await out.waitFor(/^wrap-up ended: "all good"$/, wrap.index);
  await out.waitFor(/^state: ready$/, done.index);

  // Ctrl-C: it logs out and exits 0.
  const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
  app.kill("SIGINT");
  assert.equal(await exited, 0, errOut.all.join("\n"));
  assert.equal(out.all.at(-1), "logged out");
});

test("a wrong password: exit 1, the Connect code in the message", async () => {
  const url = await startTandem();
  const app = spawn(process.execPath, [EXAMPLE, "--url", url, "--name", "nobody", "--password", "wrong-password"], { stdio: ["ignore", "pipe", "pipe"] });
  const errOut = new Lines(app.stderr!);
  const code = await new Promise<number | null>((resolve) => app.once("exit", (c) => resolve(c)));
  assert.equal(code, 1);
  await errOut.waitFor(/^operator-node: \[unauthenticated\] /);
});
