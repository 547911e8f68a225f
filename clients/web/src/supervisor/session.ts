// The supervisor's access key lives in sessionStorage: it survives a reload, not the tab.
import type { Role } from "./api";

const keyName = "tandem.supervisor";

export interface SupervisorSession {
  key: string;
  role: Role;
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
    return { key: s.key, role: s.role };
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
