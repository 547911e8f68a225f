import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSupervisor, saveSupervisor } from "../../src/supervisor/session";

// A sessionStorage for node: the pages keep the bearer token there.
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

describe("the supervisor's session", () => {
  beforeEach(() => {
    (globalThis as { sessionStorage?: Storage }).sessionStorage = memoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { sessionStorage?: Storage }).sessionStorage;
  });

  it("keeps a signed-in person's name and how he signed in", () => {
    saveSupervisor({ key: "tkp_x", role: "viewer", who: "Olga Petrova", via: "oidc" });
    expect(loadSupervisor()).toEqual({ key: "tkp_x", role: "viewer", who: "Olga Petrova", via: "oidc" });
  });

  it("reads a key's session stored before people signed in as themselves as a key's", () => {
    sessionStorage.setItem("tandem.supervisor", JSON.stringify({ key: "tdk_x", role: "admin" }));
    expect(loadSupervisor()).toEqual({ key: "tdk_x", role: "admin", via: "key" });
  });

  it("drops what it cannot read", () => {
    sessionStorage.setItem("tandem.supervisor", JSON.stringify({ key: "tkp_x", role: "owner", via: "oidc" }));
    expect(loadSupervisor()).toBeNull();
  });
});
