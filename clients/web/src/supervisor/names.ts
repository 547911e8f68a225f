// Operators' names by id, read once per page (ListOperators).
import { useEffect, useState } from "preact/hooks";
import type { Operator } from "@gen/tandem/admin/v1/admin_pb";
import { unary, type Api } from "./api";

export function useOperators(api: Api): Operator[] {
  const [ops, setOps] = useState<Operator[]>([]);
  useEffect(() => {
    api.admin.listOperators({}, unary).then(
      (r) => setOps(r.operators),
      () => setOps([]),
    );
  }, [api]);
  return ops;
}

export function useOperatorNames(api: Api): (id: string) => string {
  const ops = useOperators(api);
  return (id: string) => {
    const o = ops.find((x) => x.operatorId === id);
    return o ? o.displayName || o.name : id;
  };
}
