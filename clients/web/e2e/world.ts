// What the browser tests stand on: the real tandem binary on a temp database and a fixed free
// port (so it can be restarted under the page's feet), the Admin API through the generated
// client over connect-node, and the VoxEngine emulator from clients/voxengine placing calls
// with the real scenario. Every wait is for an event, bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AdminService } from "@gen/tandem/admin/v1/admin_pb";
import { AnalyticsService } from "@gen/tandem/analytics/v1/analytics_pb";
import { AssignmentService } from "@gen/tandem/assignment/v1/assignment_pb";
import { OperatorPresenceService, type OperatorStatus } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { ContactKind, OperatorState } from "@gen/tandem/common/v1/common_pb";

export const SECRET = "web-e2e-cloud-secret";
export const ADMIN_KEY = "web-e2e-admin-key";
export const SUPPORT_LINE = "+15550001000";
export const PASSWORD = "password-anna";
/** The Voximplant application the servers name (--voximplant-app) for browser phones. */
export const VOX_APP = "cc.e2e.voximplant.com";
/** Bound for every wait. */
export const WAIT = 20_000 * (Number(process.env.TANDEM_TEST_TIMEOUT_SCALE) || 1);

// The emulator is CommonJS JavaScript with no dependencies of its own.
const { Emulator, CALLBACK_SCENARIOS } = require("../../voxengine/emulator/voxengine.js") as { Emulator: EmulatorCtor; CALLBACK_SCENARIOS: string[] };

// The parts of the emulator these tests use (see clients/voxengine/emulator/voxengine.js).
export interface Rec {
  t: number;
  type: string;
  [key: string]: unknown;
}
export interface EmuCall {
  id(): string;
  remoteAnswer(): void;
  remoteHangup(): void;
}
export interface EmuSession {
  startedAt: number;
  calls: Set<EmuCall>;
  records: Rec[];
  waitFor(pred: (r: Rec) => boolean, timeoutMs: number, what?: string): Promise<Rec>;
  callerHangup(): void;
  on(ev: "record", fn: (r: Rec) => void): void;
}
interface Emu {
  storage: Map<string, string>;
  platformApi: { url: string } | null;
  start(): Promise<unknown>;
  placeCall(opts: Record<string, unknown>): EmuSession;
  close(): Promise<void>;
  once(ev: "started-scenarios", fn: (ev: { session: EmuSession }) => void): void;
}
type EmulatorCtor = new (opts: Record<string, unknown>) => Emu;

/** A port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** tandem serve on 127.0.0.1:port with its own database; restartable on the same port. */
export class TandemServer {
  readonly url: string;
  log: string[] = [];
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a server on a fresh database; prepare may fill the file (its path) first; args are more serve flags (or made from its URL). */
  static async start(prepare?: (db: string) => void, args: string[] | ((url: string) => string[]) = []): Promise<TandemServer> {
    const port = await freePort();
    const s = new TandemServer(port, mkdtempSync(join(tmpdir(), "tandem-web-db-")), typeof args === "function" ? args(`http://127.0.0.1:${port}`) : args);
    prepare?.(join(s.dir, "tandem.db"));
    await s.up();
    return s;
  }

  /** Starts the process (again) and waits until it listens. */
  async up(): Promise<void> {
    const bin = process.env.TANDEM_BIN;
    if (!bin) throw new Error("TANDEM_BIN is not set (global setup builds it)");
    const child = spawn(bin, ["serve", "--addr", `127.0.0.1:${this.port}`, "--db", join(this.dir, "tandem.db"), "--cloud-secret", SECRET, "--admin-key", ADMIN_KEY, "--voximplant-app", VOX_APP, ...this.args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => reject(new Error(`tandem did not start within ${WAIT} ms:\n${this.log.slice(-20).join("\n")}`)), WAIT);
      child.stderr?.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          this.log.push(line);
          if (this.log.length > 2000) this.log.shift();
          if (line.includes('"tandem serving"')) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`tandem exited with ${code}:\n${this.log.slice(-20).join("\n")}`));
      });
    });
  }

  /** Stops the process: SIGTERM (graceful), or SIGKILL (a crash). */
  async down(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(force);
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The Admin and presence APIs as an admin, through the generated client. */
export class AdminApi {
  readonly admin: Client<typeof AdminService>;
  readonly presence: Client<typeof OperatorPresenceService>;
  readonly analytics: Client<typeof AnalyticsService>;
  readonly assignment: Client<typeof AssignmentService>;
  constructor(
    readonly url: string,
    key = ADMIN_KEY,
  ) {
    const transport = createConnectTransport({
      baseUrl: url,
      httpVersion: "1.1",
      interceptors: [
        (next) => (req) => {
          req.header.set("Authorization", `Bearer ${key}`);
          return next(req);
        },
      ],
    });
    this.admin = createClient(AdminService, transport);
    this.presence = createClient(OperatorPresenceService, transport);
    this.analytics = createClient(AnalyticsService, transport);
    this.assignment = createClient(AssignmentService, transport);
  }

  /**
   * An operator at work without a browser: logs in, holds his presence stream open (so he is in
   * routing) and goes Ready. Returns what ends it.
   */
  async online(name: string, password = `password-${name}`): Promise<() => Promise<void>> {
    const anon = createClient(OperatorPresenceService, createConnectTransport({ baseUrl: this.url, httpVersion: "1.1" }));
    const { token } = await anon.logIn({ name, password });
    const mine = createClient(
      OperatorPresenceService,
      createConnectTransport({
        baseUrl: this.url,
        httpVersion: "1.1",
        interceptors: [
          (next) => (req) => {
            req.header.set("Authorization", `Bearer ${token}`);
            return next(req);
          },
        ],
      }),
    );
    const ctrl = new AbortController();
    let snapshot: () => void = () => {};
    const first = new Promise<void>((resolve) => (snapshot = resolve));
    const stream = (async () => {
      try {
        for await (const res of mine.watchOperator({}, { signal: ctrl.signal })) if (res.event.case === "snapshot") snapshot();
      } catch {
        // ended by the test
      }
    })();
    await first;
    await mine.goReady({});
    return async () => {
      ctrl.abort();
      await stream;
    };
  }

  /** The support queue (long ring and wrap-up, so each state can be seen) and operators. */
  async setup(names: string[], queue: { offerTimeoutS?: number; wrapUpS?: number } = {}): Promise<Record<string, string>> {
    await this.admin.createQueue({
      queue: { queueId: "support", name: "Support", dialedNumbers: [SUPPORT_LINE], offerTimeoutS: queue.offerTimeoutS ?? 30, wrapUpS: queue.wrapUpS ?? 120, isDefault: true },
    });
    const ids: Record<string, string> = {};
    for (const name of names) {
      const res = await this.admin.createOperator({
        name,
        displayName: `${name[0]?.toUpperCase()}${name.slice(1)} Tester`,
        password: `password-${name}`,
        contact: { kind: ContactKind.USER, target: name },
        queues: [{ queueId: "support", level: 3 }],
      });
      ids[name] = res.operator?.operatorId ?? "";
    }
    return ids;
  }

  /** The operator's status as the server has it now (a supervisor's watch: not presence). */
  async status(operatorId: string): Promise<OperatorStatus> {
    const ctrl = new AbortController();
    const t = setTimeout(() => ctrl.abort(), WAIT);
    try {
      for await (const res of this.presence.watchOperator({ operatorId }, { signal: ctrl.signal })) {
        if (res.event.case === "snapshot") return res.event.value;
      }
      throw new Error("watch ended without a snapshot");
    } finally {
      clearTimeout(t);
      ctrl.abort();
    }
  }

  async goAway(operatorId: string, reason: string): Promise<void> {
    await this.presence.goAway({ operatorId, reason });
  }
}

export const stateNames: Record<OperatorState, string> = {
  [OperatorState.UNSPECIFIED]: "unknown",
  [OperatorState.OFFLINE]: "offline",
  [OperatorState.READY]: "ready",
  [OperatorState.RESERVED]: "reserved",
  [OperatorState.ON_CALL]: "on_call",
  [OperatorState.WRAP_UP]: "wrap_up",
  [OperatorState.AWAY]: "away",
  [OperatorState.BANNED]: "banned",
};

/** What the scenarios are given (the secret tandem_config): where Tandem is, and how they retry
 * (as Cloud.start gives them). */
function scenarioConfig(backendUrl: string): string {
  return JSON.stringify({
    backendUrl,
    secret: SECRET,
    holdMusicUrl: "https://media.example.com/hold.mp3",
    requestTimeoutS: 5,
    retryFirstDelayMs: 250,
    retryMaxDelayMs: 2000,
    intakeMaxAttempts: 8,
    eventMaxAttempts: 8,
  });
}

const { generateServiceAccountKey } = require("../../voxengine/emulator/platform-api.js") as {
  generateServiceAccountKey: (accountId: number, keyId: string) => { keyFile: string; publicKey: unknown };
};

/** The Voximplant account and callback rule of a cloud with callbacks. */
const CALLBACK_ACCOUNT = 4343;
const CALLBACK_RULE = "88";

/** The cloud: the emulator running the real scenario against Tandem. */
export class Cloud {
  private constructor(
    private readonly emu: Emu,
    private readonly keyDir = "",
  ) {}

  /**
   * A cloud that also serves Voximplant's StartScenarios (its callback rule runs the real
   * callback scenario, clients/voxengine/common.js then callback.js), and the serve flags that point Tandem
   * at it; the cloud knows its Tandem once answer() is called with its URL.
   */
  static async withCallbacks(): Promise<{ cloud: Cloud; serveArgs: string[]; answer: (backendUrl: string) => void }> {
    const key = generateServiceAccountKey(CALLBACK_ACCOUNT, "kid-e2e");
    const keyDir = mkdtempSync(join(tmpdir(), "tandem-web-key-"));
    const keyFile = join(keyDir, "voximplant-key.json");
    writeFileSync(keyFile, key.keyFile, { mode: 0o600 });
    const secrets: Record<string, string> = {};
    const emu = new Emulator({
      timeScale: 4, // the prompts and the message are said four times faster: the spec waits less
      secrets,
      callee: () => ({ ringAfterS: 0.05 }),
      defaultCallee: { ringAfterS: 0.05 },
      platformApi: { accountId: CALLBACK_ACCOUNT, keys: { "kid-e2e": key.publicKey }, rules: { [CALLBACK_RULE]: CALLBACK_SCENARIOS } },
    });
    await emu.start();
    const api = emu.platformApi?.url ?? "";
    return {
      cloud: new Cloud(emu, keyDir),
      serveArgs: ["--voximplant-account-id", String(CALLBACK_ACCOUNT), "--voximplant-key-file", keyFile, "--callback-rule-id", CALLBACK_RULE, "--voximplant-api-url", api],
      answer: (backendUrl) => {
        const config = scenarioConfig(backendUrl);
        secrets.tandem_config = config;
        emu.storage.set("tandem.config", config);
      },
    };
  }

  /**
   * Operators' phones ring and wait: the test answers and hangs up with the leg's methods.
   * webSdk (clients/voxengine/emulator/websdk.js) rings its users in their browsers instead.
   */
  static async start(backendUrl: string, callee: (target: string) => Record<string, unknown> | undefined = () => undefined, webSdk?: unknown): Promise<Cloud> {
    const config = scenarioConfig(backendUrl);
    const emu = new Emulator({
      timeScale: 1,
      storage: { "tandem.config": config },
      secrets: { tandem_config: config },
      // Ring until the test says otherwise (the ring timer of the dial command still applies).
      callee: (_kind: string, target: string) => callee(target) ?? { ringAfterS: 0.05 },
      defaultCallee: { ringAfterS: 0.05 },
      webSdk,
    });
    await emu.start();
    return new Cloud(emu);
  }

  /** The next callback scenario Tandem starts (withCallbacks). */
  nextCallback(): Promise<EmuSession> {
    return new Promise((resolve) => this.emu.once("started-scenarios", (ev) => resolve(ev.session)));
  }

  /** A caller dials the support line (or another); script is how he behaves (the emulator's CallerScript). */
  call(caller = "+15557654321", name = "Jane Caller", line = SUPPORT_LINE, script?: Record<string, unknown>): CallerSession {
    return new CallerSession(this.emu.placeCall({ callerid: caller, destination: line, displayName: name, ...(script ? { caller: script } : {}) }));
  }

  async close(): Promise<void> {
    await this.emu.close();
    if (this.keyDir) rmSync(this.keyDir, { recursive: true, force: true });
  }
}

/** The emulator's media model: whose voices a call hears now (clients/voxengine). */
export type Hearing = EmuSession & { hearsNow(id: string): string[]; caller: EmuCall };

/** The leg the scenario dialed for target, once dialed. */
export async function legOf(s: EmuSession, target: string): Promise<EmuCall> {
  const r = await s.waitFor((x) => x.type === "dial" && x.target === target, WAIT, `dial ${target}`);
  const call = [...s.calls].find((c) => c.id() === r.callId);
  if (!call) throw new Error(`no leg for ${target}`);
  return call;
}

/** The emulated Web SDK endpoint (CommonJS, no dependencies), as the tests use it. */
export interface WebSdk {
  url: string;
  records: Rec[];
  start(): Promise<WebSdk>;
  close(): Promise<void>;
  dropConnections(): void;
}
export const { WebSdk } = require("../../voxengine/emulator/websdk.js") as { WebSdk: new (o: { users: Record<string, string> }) => WebSdk };

/** One inbound call in the emulator, with the moments the tests measure from. */
export class CallerSession {
  /** Wall-clock ms when Tandem accepted the intake (the call is registered). */
  registeredAt = 0;
  /** Wall-clock ms when the dial command reached the cloud. */
  dialAt = 0;
  constructor(readonly s: EmuSession) {
    s.on("record", (r) => {
      if (!this.registeredAt && r.type === "http-out" && r.code === 200 && typeof r.url === "string" && new URL(r.url).pathname === "/v1/calls") this.registeredAt = Date.now();
      if (!this.dialAt && r.type === "http-in" && typeof r.body === "string" && r.body.includes('"dial"')) this.dialAt = Date.now();
    });
  }

  /** Waits until the scenario dials an operator; returns the contact target. */
  async dialed(): Promise<string> {
    const r = await this.s.waitFor((x) => x.type === "dial", WAIT, "dial");
    return String(r.target);
  }

  private async leg(): Promise<EmuCall> {
    const r = await this.s.waitFor((x) => x.type === "dial", WAIT, "dial");
    const call = [...this.s.calls].find((c) => c.id() === r.callId);
    if (!call) throw new Error(`no leg ${String(r.callId)}`);
    return call;
  }

  /** The operator picks up his phone; resolves when Tandem took the report. */
  async answer(): Promise<void> {
    (await this.leg()).remoteAnswer();
    await this.reported("operator_answered");
  }

  /** The caller hangs up (after talking); resolves when Tandem took the report. */
  async callerHangsUp(): Promise<void> {
    this.s.callerHangup();
    await this.reported("call_ended");
  }

  async reported(kind: string): Promise<void> {
    await this.s.waitFor((r) => r.type === "http-out" && r.code === 200 && typeof r.body === "string" && r.body.includes(`"${kind}"`), WAIT, `accepted ${kind}`);
  }
}
