// The browser phone on the operator screen (see softphone.ts): its state next to the connection
// indicator with the microphone and speaker choice, Answer on the offer card, and Mute, the DTMF keypad and the microphone's
// level on the talk card. Operators without a browser phone see none of it.
import { useEffect, useState } from "preact/hooks";
import { softphone, type Device } from "./softphone";
import { t } from "./i18n/i18n";

/** Re-renders the component when the phone's state changes. */
function usePhone() {
  const phone = softphone();
  const [, setTick] = useState(0);
  useEffect(() => phone.onChange(() => setTick((n) => n + 1)), [phone]);
  return phone;
}

/** The phone's state in words: ready, connecting, reconnecting (why), failed (why). */
export function PhoneBadge() {
  const phone = usePhone();
  if (!phone.label) return null;
  const st = phone.state();
  const words =
    st === "ready"
      ? t("op.phone.ready")
      : st === "connecting"
        ? t("op.phone.connecting")
        : st === "reconnecting"
          ? t("op.phone.reconnecting", { why: phone.detail() })
          : st === "error"
            ? t("op.phone.failed", { why: phone.detail() })
            : t("op.phone.off");
  return (
    <span class={`conn conn-${st === "ready" ? "ok" : st === "error" ? "bad" : "warn"}`} data-testid="softphone" data-state={st}>
      <span class="dot" aria-hidden="true" />
      {t("op.phone.label")} {words}
      {st === "ready" && <DevicePicker kind="microphone" />}
      {st === "ready" && <DevicePicker kind="speaker" />}
    </span>
  );
}

/** The browser phone's microphone or speaker, chosen from the SDK's list. */
function DevicePicker({ kind }: { kind: "microphone" | "speaker" }) {
  const [devices, setDevices] = useState<Device[]>([]);
  useEffect(() => {
    void (kind === "microphone" ? softphone().microphones() : softphone().speakers()).then(setDevices);
  }, [kind]);
  if (devices.length < 2) return null;
  const use = (id: string) => (kind === "microphone" ? softphone().useMicrophone(id) : softphone().useSpeaker(id));
  return (
    <select class="mic" data-testid={kind} aria-label={kind === "microphone" ? t("op.phone.microphone") : t("op.phone.speaker")} onChange={(e) => use(e.currentTarget.value)}>
      {devices.map((d) => (
        <option value={d.id}>{d.name}</option>
      ))}
    </select>
  );
}

/** Answer on the offer card while the offer's call rings in this tab (the phone rings meanwhile). */
export function AnswerButton() {
  const phone = usePhone();
  if (!phone.ringing()) return null;
  return (
    <button class="primary" data-testid="answer" onClick={() => phone.answer()}>
      {t("op.phone.answer")}
    </button>
  );
}

const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** Mute, the keypad and the microphone's level, for a call answered in this tab. */
export function PhoneCallControls() {
  const phone = usePhone();
  const [keypad, setKeypad] = useState(false);
  const [sent, setSent] = useState("");
  const inCall = phone.inCall();
  if (!inCall) return null;
  const muted = phone.muted();
  return (
    <div class="phone-call" data-testid="phone-call">
      <button data-testid="mute" aria-pressed={muted} onClick={() => phone.setMuted(!muted)}>
        {muted ? t("op.phone.unmute") : t("op.phone.mute")}
      </button>
      <LevelMeter muted={muted} />
      <button data-testid="keypad-toggle" aria-expanded={keypad} onClick={() => setKeypad(!keypad)}>
        {t("op.phone.keypad")}
      </button>
      {keypad && (
        <div class="keypad" role="group" aria-label={t("op.phone.keypad")} data-testid="keypad">
          {keys.map((k) => (
            <button
              key={k}
              data-testid={`key-${k}`}
              onClick={() => {
                phone.sendTone(k);
                setSent((s) => (s + k).slice(-16));
              }}
            >
              {k}
            </button>
          ))}
          <output data-testid="tones-sent">{sent}</output>
        </div>
      )}
    </div>
  );
}

/** The microphone's level, redrawn a few times a second. */
function LevelMeter({ muted }: { muted: boolean }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setLevel(softphone().level()), 150);
    return () => clearInterval(t);
  }, []);
  return (
    <span class="level" data-testid="mic-level" title={muted ? t("op.phone.micMuted") : t("op.phone.micLevel")} aria-hidden="true">
      <span class="level-bar" style={{ width: `${Math.round(Math.min(1, level) * 100)}%` }} />
    </span>
  );
}
