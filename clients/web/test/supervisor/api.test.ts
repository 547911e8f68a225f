import { describe, expect, it } from "vitest";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { KeyRole } from "@gen/tandem/admin/v1/admin_pb";
import { decodeBadRequest, fieldError, problem, signIn, type Api } from "../../src/supervisor/api";

function badRequest(violations: [string, string][]): Uint8Array {
  const w = new BinaryWriter();
  for (const [field, description] of violations) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(field);
    w.uint32((2 << 3) | 2).string(description);
    w.join();
  }
  return w.finish();
}

describe("field errors", () => {
  it("decodes google.rpc.BadRequest off the wire", () => {
    expect(decodeBadRequest(badRequest([["queue.offer_timeout_s", "must be 5 to 120 seconds"]]))).toEqual({ "queue.offer_timeout_s": "must be 5 to 120 seconds" });
    expect(decodeBadRequest(badRequest([["a", "x"], ["b", ""]]))).toEqual({ a: "x", b: "invalid" });
  });

  it("puts the server's BadRequest detail on the field it names", () => {
    const err = new ConnectError("queue.offer_timeout_s: must be 5 to 120 seconds", Code.InvalidArgument);
    err.details.push({ type: "google.rpc.BadRequest", value: badRequest([["queue.offer_timeout_s", "must be 5 to 120 seconds"]]) });
    const p = problem(err);
    expect(p.code).toBe(Code.InvalidArgument);
    expect(p.fields).toEqual({ "queue.offer_timeout_s": "must be 5 to 120 seconds" });
    expect(p.message).toBe("queue.offer_timeout_s: must be 5 to 120 seconds");
  });

  it("falls back to the message's field prefix when there is no detail", () => {
    const p = problem(new ConnectError("name: an operator named anna already exists", Code.AlreadyExists));
    expect(p.fields).toEqual({ name: "an operator named anna already exists" });
    expect(problem(new ConnectError("from must be before to", Code.InvalidArgument)).fields).toEqual({});
  });

  it("says what a refused key or a missing handler means", () => {
    expect(problem(new ConnectError("nope", Code.PermissionDenied)).message).toMatch(/Not allowed with this access key/);
    expect(problem(new ConnectError("x", Code.Unauthenticated)).message).toMatch(/access key was refused/);
    expect(problem(new ConnectError("x", Code.Unimplemented)).message).toMatch(/does not offer this yet/);
  });

  it("finds a nested field's message under the form field", () => {
    const f = { "contact.target": "a SIP contact must be a sip: or sips: URI", "queue.absence_templates[sick]": "bad" };
    expect(fieldError(f, "contact.target")).toBe("a SIP contact must be a sip: or sips: URI");
    expect(fieldError(f, "contact")).toBe("a SIP contact must be a sip: or sips: URI");
    expect(fieldError(f, "queue.absence_templates")).toBe("bad");
    expect(fieldError(f, "name")).toBe("");
  });
});

describe("sign-in with an access key", () => {
  /** A server whose WhoAmI answers with a key of this role, or fails with this code. */
  function fakeApi(answer: { role: KeyRole } | { code: Code }): Api {
    const whoAmI = async () => {
      if ("code" in answer) throw new ConnectError("no", answer.code);
      return { keyId: "key_1", name: "floor", role: answer.role };
    };
    return { admin: { whoAmI } } as unknown as Api;
  }

  it("an admin key configures; any other good key only looks: the server says which", async () => {
    await expect(signIn(fakeApi({ role: KeyRole.ADMIN }))).resolves.toBe("admin");
    await expect(signIn(fakeApi({ role: KeyRole.SUPERVISOR }))).resolves.toBe("viewer");
    await expect(signIn(fakeApi({ role: KeyRole.READONLY }))).resolves.toBe("viewer");
  });

  it("a refused key or an unreachable server is said in words", async () => {
    await expect(signIn(fakeApi({ code: Code.Unauthenticated }))).rejects.toThrow(/access key was refused/);
    await expect(signIn(fakeApi({ code: Code.Unavailable }))).rejects.toThrow(/Cannot reach/);
    await expect(signIn(fakeApi({ code: Code.Internal }))).rejects.toThrow(/no/);
    await expect(signIn(fakeApi({ code: Code.PermissionDenied }))).rejects.toThrow(/Not allowed with this access key/);
  });
});
