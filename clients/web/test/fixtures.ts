import { noMarks, type Offer, type Status } from "../src/model";

export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

export function status(over: Partial<Status> = {}): Status {
  return {
    operatorId: "op_anna",
    name: "anna",
    displayName: "Anna Petrova",
    state: "away",
    since: T0,
    reason: "logged in",
    offer: null,
    callId: "",
    call: null,
    wrapUpEndsAt: 0,
    present: true,
    bannedUntil: 0,
    marks: noMarks,
    ...over,
  };
}

export function offer(over: Partial<Offer> = {}): Offer {
  return {
    offerId: "offer_1",
    callId: "call_1",
    queueId: "support",
    callerNumber: "+15557654321",
    callerName: "Jane Caller",
    offeredAt: T0,
    expiresAt: T0 + 20000,
    yourClient: false,
    recentCalls: [],
    callback: null,
    ...over,
  };
}

export const session = { token: "tk_1", operatorId: "op_anna", name: "anna", expiresAt: T0 + 12 * 3600e3 };
