import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { QueueSchema } from "@gen/tandem/admin/v1/admin_pb";
import { DispositionSchema } from "@gen/tandem/common/v1/common_pb";
import { dispositionsFormOf, dispositionsFrom, dispositionsText } from "../../src/supervisor/dispositions";

describe("a queue's dispositions in the configuration", () => {
  const queue = create(QueueSchema, {
    queueId: "sales",
    dispositions: [create(DispositionSchema, { code: "sale", label: "Sale made" }), create(DispositionSchema, { code: "callback", label: "" })],
    dispositionRequired: true,
  });

  it("edits what the queue has, and a new queue starts with none", () => {
    expect(dispositionsFormOf(queue)).toEqual({ rows: [{ code: "sale", label: "Sale made" }, { code: "callback", label: "" }], required: true });
    expect(dispositionsFormOf(null)).toEqual({ rows: [], required: false });
  });

  it("sends the rows trimmed, blank ones left out, and whether one is required", () => {
    const out = dispositionsFrom({ rows: [{ code: " sale ", label: " Sale made " }, { code: "", label: "  " }, { code: "", label: "No code" }], required: true });
    expect(out.dispositions.map((d) => [d.code, d.label])).toEqual([
      ["sale", "Sale made"],
      ["", "No code"],
    ]);
    expect(out.dispositionRequired).toBe(true);
    expect(dispositionsFrom({ rows: [], required: false })).toMatchObject({ dispositions: [], dispositionRequired: false });
  });

  it("reads in a line in the queues table", () => {
    expect(dispositionsText(queue)).toBe("sale, callback (required)");
    expect(dispositionsText(create(QueueSchema, { queueId: "support" }))).toBe("none");
  });
});
