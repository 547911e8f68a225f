// The session survives a reload in localStorage, so the tab reconnects as the same operator and
// the snapshot tells it whether he is ready. Other preferences live here too.
import type { Session } from "./state";

const sessionKey = "tandem.session";
const prefsKey = "tandem.prefs";

export interface Prefs {
  sound: boolean;
  awayReason: string;
}

const defaultPrefs: Prefs = { sound: true, awayReason: "break" };

function store(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: the app still works, a reload asks for the password
  }
}

export function loadSession(): Session | null {
  try {
    const raw = store()?.getItem(sessionKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== "string" || typeof s.operatorId !== "string" || typeof s.name !== "string" || typeof s.expiresAt !== "number") return null;
    return { token: s.token, operatorId: s.operatorId, name: s.name, expiresAt: s.expiresAt };
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  store()?.setItem(sessionKey, JSON.stringify(s));
}

/** Forgets the session, unless another tab has meanwhile saved a newer one. */
export function clearSession(token: string): void {
  const cur = loadSession();
  if (!cur || cur.token === token) store()?.removeItem(sessionKey);
}

export function loadPrefs(): Prefs {
  try {
    const raw = store()?.getItem(prefsKey);
    return raw ? { ...defaultPrefs, ...(JSON.parse(raw) as Partial<Prefs>) } : defaultPrefs;
  } catch {
    return defaultPrefs;
  }
}

export function savePrefs(p: Prefs): void {
  store()?.setItem(prefsKey, JSON.stringify(p));
}
