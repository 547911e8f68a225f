// The supervisor's access key, or a signed-in person's session token, lives in sessionStorage:
// it survives a reload, not the tab.
import type { Role } from "./api";

const keyName = "tandem.supervisor";

export interface SupervisorSession {
  /** The bearer token: an access key, or a signed-in person's session token. */
  key: string;
  role: Role;
  /** The signed-in person's name, for the header; unset for a key. */
  who?: string;
  /** How the pages signed in. */
  via?: "key" | "password" | "oidc";
}

function store(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function loadSupervisor(): SupervisorSession | null {
  try {
    const raw = store()?.getItem(keyName);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<SupervisorSession>;
    if (typeof s.key !== "string" || !s.key || (s.role !== "admin" && s.role !== "viewer")) return null;
    const via = s.via === "password" || s.via === "oidc" ? s.via : "key";
    return { key: s.key, role: s.role, via, ...(typeof s.who === "string" && s.who ? { who: s.who } : {}) };
  } catch {
    return null;
  }
}

export function saveSupervisor(s: SupervisorSession): void {
  store()?.setItem(keyName, JSON.stringify(s));
}

export function clearSupervisor(): void {
  store()?.removeItem(keyName);
}
