// The only place that talks to Tandem: the generated Connect clients (gen/ts) over
// @connectrpc/connect-web, on the origin the app was served from.
import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { OperatorPresenceService } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";
import { AnalyticsService } from "@gen/tandem/analytics/v1/analytics_pb";
import { AssignmentService } from "@gen/tandem/assignment/v1/assignment_pb";
import type { DeskApi, Failure, WatchMessage } from "./desk";
import { failedLoginsFrom, statsFrom, statusFrom, type FailedLogins } from "./model";
import type { SoftphoneAccount } from "./softphone";
import type { Session } from "./state";
import type { Mode, Targets, To, TransferApi } from "./transfer";
import { ContactKind, TransferMode } from "@gen/tandem/common/v1/common_pb";
import { t } from "./i18n/i18n";
import { decodeBadRequest } from "./supervisor/api";

export function transport(baseUrl: string, token?: string): Transport {
  const interceptors: Interceptor[] = [];
  if (token) {
    interceptors.push((next) => (req) => {
      req.header.set("Authorization", `Bearer ${token}`);
      return next(req);
    });
  }
  return createConnectTransport({ baseUrl, useBinaryFormat: true, interceptors });
}

/** What went wrong with a login, in words for the operator. */
export class LoginError extends Error {}

function unreachable(err: ConnectError): boolean {
  return err.code === Code.Unavailable || err.code === Code.Unknown || err.code === Code.Internal || err.code === Code.DeadlineExceeded;
}

/** What a login gave: the session, and the wrong passwords given for the name since the last. */
export interface LoggedIn {
  session: Session;
  failedLogins: FailedLogins | null;
}

/** Logs in with name and password; a new login takes over any other session of the operator. */
export async function logIn(baseUrl: string, name: string, password: string): Promise<LoggedIn> {
  const client = createClient(OperatorPresenceService, transport(baseUrl));
  try {
    const res = await client.logIn({ name: name.trim(), password }, { timeoutMs: 15000 });
    const session = { token: res.token, operatorId: res.operatorId, name: name.trim(), expiresAt: res.expiresAt ? timestampMs(res.expiresAt) : Date.now() + 12 * 3600e3 };
    return { session, failedLogins: failedLoginsFrom(res.failedLogins) };
  } catch (e) {
    const err = ConnectError.from(e);
    switch (err.code) {
      case Code.Unauthenticated:
        throw new LoginError(t("op.login.wrong"));
      case Code.PermissionDenied:
        throw new LoginError(t("op.login.disabled"));
      case Code.InvalidArgument:
        throw new LoginError(err.rawMessage.startsWith("password") ? t("op.login.enterPassword") : t("op.login.enterName"));
      case Code.ResourceExhausted:
        throw new LoginError(tooManyAttempts(err));
    }
    if (unreachable(err)) throw new LoginError(t("op.login.unreachable"));
    throw new LoginError(err.rawMessage || t("op.login.failed"));
  }
}

/** A refused login in words: how long to wait, as the server's Retry-After said. */
export function tooManyAttempts(err: ConnectError): string {
  const s = Number(err.metadata.get("Retry-After"));
  const wait = s > 0 ? (s < 60 ? t("op.login.seconds", { count: s }) : t("op.login.minutes", { count: Math.ceil(s / 60) })) : t("op.login.aWhile");
  return t("op.login.tooMany", { wait });
}

/** The desk's view of a failure: takeover, a dead session, or something worth retrying. */
export function classify(e: unknown): Failure {
  const err = ConnectError.from(e);
  if (err.code === Code.Aborted) return { kind: "taken_over" };
  if (err.code === Code.Unauthenticated) {
    if (err.rawMessage.includes("logged out by a supervisor")) return { kind: "signed_out", message: t("op.session.loggedOutBySupervisor") };
    return { kind: "signed_out", message: t("op.session.ended") };
  }
  if (err.code === Code.Canceled && e instanceof Error && !(e instanceof ConnectError)) return { kind: "transient", message: e.message };
  if (unreachable(err) && /fetch|network|load failed/i.test(err.rawMessage)) return { kind: "transient", message: t("op.conn.unreachable") };
  // A refusal naming a field (google.rpc.BadRequest): its words, and the field to show them by.
  for (const d of err.details) {
    if ("type" in d && d.type === "google.rpc.BadRequest") {
      try {
        const field = Object.keys(decodeBadRequest(d.value))[0];
        if (field) return { kind: "transient", message: err.rawMessage, field };
      } catch {
        // a detail we cannot read: the message says it all
      }
    }
  }
  return { kind: "transient", message: err.rawMessage || String(err.code) };
}

/** The desk's API for one session. */
export function deskApi(baseUrl: string, session: Session): DeskApi {
  const t = transport(baseUrl, session.token);
  const presence: Client<typeof OperatorPresenceService> = createClient(OperatorPresenceService, t);
  const analytics: Client<typeof AnalyticsService> = createClient(AnalyticsService, t);
  const assignment: Client<typeof AssignmentService> = createClient(AssignmentService, t);
  const opts = { timeoutMs: 15000 };
  return {
    async *watch(signal: AbortSignal): AsyncIterable<WatchMessage> {
      for await (const res of presence.watchOperator({}, { signal })) {
        const ev = res.event;
        switch (ev.case) {
          case "snapshot":
            yield { kind: "snapshot", status: statusFrom(ev.value) };
            break;
          case "changed":
            yield { kind: "changed", status: statusFrom(ev.value) };
            break;
          case "keepalive":
            yield { kind: "keepalive", at: ev.value.at ? timestampMs(ev.value.at) : Date.now() };
            break;
        }
      }
    },
    async goReady() {
      const res = await presence.goReady({}, opts);
      return res.status ? statusFrom(res.status) : null;
    },
    async goAway(reason: string) {
      const res = await presence.goAway({ reason }, opts);
      return res.status ? statusFrom(res.status) : null;
    },
    async endWrapUp(note: string) {
      const res = await presence.endWrapUp({ note }, opts);
      return res.status ? statusFrom(res.status) : null;
    },
    async saveCallNote(callId: string, note: string) {
      await presence.saveCallNote({ callId, note }, opts);
    },
    async setDisposition(callId: string, code: string) {
      await presence.setDisposition({ callId, code }, opts);
    },
    async declineOffer(offerId: string) {
      await assignment.declineOffer({ offerId }, opts);
    },
    async holdCall(callId: string) {
      await assignment.holdCall({ callId }, opts);
    },
    async resumeCall(callId: string) {
      await assignment.resumeCall({ callId }, opts);
    },
    async stats() {
      const res = await analytics.getOperatorStats({ operatorId: session.operatorId }, opts);
      const mine = res.operators.find((o) => o.operatorId === session.operatorId) ?? res.operators[0];
      return mine ? statsFrom(mine) : null;
    },
    async logOut() {
      await presence.logOut({}, opts);
    },
    classify,
  };
}

/** The browser phone's account at Tandem: its Voximplant login, and the one-time keys signed. */
export function softphoneAccount(baseUrl: string, session: Session): SoftphoneAccount {
  return softphoneAccountOn(createClient(OperatorPresenceService, transport(baseUrl, session.token)));
}

/**
 * The browser phone's account through a presence client with any credential: the phone is the
 * credential's own (an operator's token, or a supervisor's access key given a phone).
 */
export function softphoneAccountOn(presence: Client<typeof OperatorPresenceService>): SoftphoneAccount {
  const opts = { timeoutMs: 15000 };
  return {
    async login() {
      try {
        const res = await presence.getSoftphone({}, opts);
        return { username: res.username, emulatorUrl: res.emulatorUrl };
      } catch (e) {
        // No browser phone: his contact is not a Voximplant user, or no password is set.
        if (e instanceof ConnectError && e.code === Code.FailedPrecondition) return null;
        throw e;
      }
    },
    async signKey(key: string) {
      return (await presence.signSoftphoneKey({ key }, opts)).hash;
    },
  };
}

/** The transfer control's API for one session (transfer.tsx). */
export function transferApi(baseUrl: string, session: Session): TransferApi {
  const assignment = createClient(AssignmentService, transport(baseUrl, session.token));
  const opts = { timeoutMs: 15000 };
  return {
    async targets(): Promise<Targets> {
      const res = await assignment.listTransferTargets({}, opts);
      return {
        operators: res.operators.map((o) => ({ id: o.operatorId, name: o.name, displayName: o.displayName, busy: o.busy })),
        queues: res.queues.map((q) => ({ id: q.queueId, name: q.name, free: q.free })),
      };
    },
    async transfer(callId: string, to: To, mode: Mode, priority: number) {
      const target =
        "operatorId" in to
          ? { case: "operatorId" as const, value: to.operatorId }
          : "queueId" in to
            ? { case: "queueId" as const, value: to.queueId }
            : { case: "number" as const, value: { kind: to.number.kind === "sip" ? ContactKind.SIP : ContactKind.PSTN, target: to.number.target } };
      await assignment.transferCall({ callId, target, mode: mode === "warm" ? TransferMode.WARM : TransferMode.BLIND, priority }, opts);
    },
    async complete(callId: string) {
      await assignment.completeTransfer({ callId }, opts);
    },
    async cancel(callId: string) {
      await assignment.cancelTransfer({ callId }, opts);
    },
  };
}
