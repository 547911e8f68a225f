// Telling the operator a call is ringing when he is not looking: a ring tone (Web Audio, no
// file to load) and a desktop notification, each only with the browser's permission.
import type { Offer } from "./model";
import { t } from "./i18n/i18n";

let audio: AudioContext | null = null;

/** Call from a click or key press: browsers let pages make sound only after a gesture. */
export function unlockSound(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
  } catch {
    audio = null; // no Web Audio: silent
  }
}

/** Two short two-tone rings, about a second. */
export function ring(): void {
  if (!audio || audio.state !== "running") return;
  const t0 = audio.currentTime;
  for (const [start, freq] of [
    [0, 880],
    [0.18, 660],
    [0.5, 880],
    [0.68, 660],
  ] as const) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + start);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(t0 + start);
    osc.stop(t0 + start + 0.17);
  }
}

export function notificationsSupported(): boolean {
  return typeof Notification !== "undefined";
}

/** Asks once for permission to show desktop notifications (call it from a user gesture). */
export function askNotificationPermission(): void {
  if (notificationsSupported() && Notification.permission === "default") void Notification.requestPermission();
}

let shown: Notification | null = null;

/** A desktop notification for an offer, when the tab is hidden and permission was given. */
export function notifyOffer(o: Offer): void {
  if (!notificationsSupported() || Notification.permission !== "granted" || document.visibilityState === "visible") return;
  shown?.close();
  const who = o.callerName ? `${o.callerName} · ${o.callerNumber}` : o.callerNumber || t("op.caller.unknown");
  shown = new Notification(t("op.offer.title"), { body: `${who}\n${t("op.caller.queue", { queue: o.queueId })}${o.yourClient ? `\n${t("op.caller.yourClient")}` : ""}`, tag: "tandem-offer", requireInteraction: true });
  shown.onclick = () => {
    window.focus();
    shown?.close();
  };
}

/** Closes the offer's notification once the offer is over. */
export function clearOfferNotification(): void {
  shown?.close();
  shown = null;
}
