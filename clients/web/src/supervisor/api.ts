// The supervisor's only way to Tandem: the generated Connect clients with his access key
// (an API key, "Authorization: Bearer <key>"), and what their errors mean in words and by field.
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { AdminService, KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { AnalyticsService } from "@gen/tandem/analytics/v1/analytics_pb";
import { AssignmentService } from "@gen/tandem/assignment/v1/assignment_pb";
import { t } from "../i18n/i18n";
import { OperatorPresenceService } from "@gen/tandem/operatorpresence/v1/operatorpresence_pb";

export interface Api {
  analytics: Client<typeof AnalyticsService>;
  admin: Client<typeof AdminService>;
  assignment: Client<typeof AssignmentService>;
  /** Operators' presence as the floor sees it: set away, log out, watch (not as presence). */
  presence: Client<typeof OperatorPresenceService>;
}

/** What the key may do: admins configure; supervisors and read-only keys only look. */
export type Role = "admin" | "viewer";

export function transport(baseUrl: string, key: string): Transport {
  return createConnectTransport({
    baseUrl,
    useBinaryFormat: true,
    interceptors: [
      (next) => (req) => {
        req.header.set("Authorization", `Bearer ${key}`);
        return next(req);
      },
    ],
  });
}

export function apiFor(baseUrl: string, key: string): Api {
  const t = transport(baseUrl, key);
  return {
    analytics: createClient(AnalyticsService, t),
    admin: createClient(AdminService, t),
    assignment: createClient(AssignmentService, t),
    presence: createClient(OperatorPresenceService, t),
  };
}

export const unary = { timeoutMs: 20000 };

/**
 * Checks the key and asks the server what it is (WhoAmI, which every key may call): an admin's
 * key configures, a supervisor's or a read-only one only looks. Throws a Problem when the key is
 * refused (an operator's session token is not an access key: permission denied).
 */
export async function signIn(api: Api): Promise<Role> {
  try {
    const me = await api.admin.whoAmI({}, unary);
    return me.role === KeyRole.ADMIN ? "admin" : "viewer";
  } catch (e) {
    throw problem(e);
  }
}

/** A failed request, for the screen: one sentence, and the fields it names (protobuf names). */
export class Problem extends Error {
  constructor(
    message: string,
    readonly code: Code | null,
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }
}

const badRequestType = "google.rpc.BadRequest";

/**
 * Decodes google.rpc.BadRequest (field_violations = 1: {field = 1, description = 2}). Its schema
 * is not in gen/ts nor in @bufbuild/protobuf's well-known types, so it is read off the wire here.
 */
export function decodeBadRequest(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no !== 1) {
      r.skip(wt);
      continue;
    }
    const v = new BinaryReader(r.bytes());
    let field = "";
    let description = "";
    while (v.pos < v.len) {
      const [n, w] = v.tag();
      if (n === 1) field = v.string();
      else if (n === 2) description = v.string();
      else v.skip(w);
    }
    if (field) out[field] = description || t("words.problem.invalidField");
  }
  return out;
}

function fieldsOf(err: ConnectError): Record<string, string> {
  let fields: Record<string, string> = {};
  for (const d of err.details) {
    if ("type" in d && d.type === badRequestType) {
      try {
        fields = { ...fields, ...decodeBadRequest(d.value) };
      } catch {
        // a detail we cannot read: fall back to the message
      }
    }
  }
  if (Object.keys(fields).length === 0 && (err.code === Code.InvalidArgument || err.code === Code.AlreadyExists)) {
    // The server's message is "field: what is wrong" whenever it names a field.
    const m = /^([a-z_][a-z0-9_.]*(?:\[[^\]]*\])?): (.+)$/s.exec(err.rawMessage);
    if (m?.[1] && m[2]) fields[m[1]] = m[2];
  }
  return fields;
}

/** Any error from a call, as a Problem with words a supervisor can act on. */
export function problem(e: unknown): Problem {
  if (e instanceof Problem) return e;
  const err = ConnectError.from(e);
  const fields = fieldsOf(err);
  switch (err.code) {
    case Code.Unauthenticated:
      return new Problem(t("words.problem.unauthenticated"), err.code, fields);
    case Code.PermissionDenied:
      return new Problem(t("words.problem.permissionDenied"), err.code, fields);
    case Code.Unimplemented:
      return new Problem(t("words.problem.unimplemented"), err.code, fields);
    case Code.ResourceExhausted:
      return new Problem(t("words.problem.resourceExhausted"), err.code, fields);
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return new Problem(t("words.problem.unavailable"), err.code, fields);
  }
  return new Problem(err.rawMessage || String(err.code), err.code, fields);
}

/** The message for one form field: exact, or the deepest field the server named under it. */
export function fieldError(fields: Record<string, string>, name: string): string {
  if (fields[name]) return fields[name];
  for (const [k, v] of Object.entries(fields)) if (k.startsWith(`${name}.`) || k.startsWith(`${name}[`)) return v;
  return "";
}
