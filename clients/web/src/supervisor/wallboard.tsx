// The wallboard: readable across the room. Per queue the callers waiting, the longest wait, the
// callbacks in line (counted apart: nobody is on the line), the
// service level today against its target, ASA and abandonment; below, every operator's state
// (colour and word) and time in it. One WatchWallboard stream feeds the page.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { OperatorLive, QueueLive, WatchWallboardResponse } from "@gen/tandem/analytics/v1/analytics_pb";
import type { Api } from "./api";
import { retryIn, type StreamLoop } from "../reconnect";
import { createStore, useModel, useNow } from "../store";
import { initialWall, longestWaitMs, ms, oldestCallbackMs, reduceWall, serverNow, watchBoard, type Board, type LiveConn } from "./live";
import { Alerts } from "./alerts";
import { clock, percent, secs, stateKeys, stateLabels, type StateKey } from "./words";
import { t, useLang } from "../i18n/i18n";

/** "#wallboard/support,sales" watches those queues (and their operators); nothing: everything. */
export function queuesOf(arg: string): string[] {
  return arg
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

export function useLiveBoard(api: Api, queueIds: string[]): { board: Board | null; conn: LiveConn; retry: () => void } {
  const key = queueIds.join(",");
  const store = useMemo(() => createStore(initialWall, reduceWall), [api, key]);
  const wall = useModel(store);
  const [loop, setLoop] = useState<StreamLoop<WatchWallboardResponse> | null>(null);
  useEffect(() => {
    const l = watchBoard({
      watch: (signal) => api.analytics.watchWallboard({ queueIds: queuesOf(key), operators: true }, { signal }),
      dispatch: store.dispatch,
    });
    setLoop(l);
    return () => l.stop();
  }, [store]);
  return { board: wall.board, conn: wall.conn, retry: () => loop?.retryNow() };
}

const stateOrder: StateKey[] = ["reserved", "on_call", "wrap_up", "ready", "away", "banned", "offline", "unknown"];

export function sortOperators(ops: Iterable<OperatorLive>): OperatorLive[] {
  return [...ops].sort((a, b) => {
    const d = stateOrder.indexOf(stateKeys[a.state]) - stateOrder.indexOf(stateKeys[b.state]);
    return d !== 0 ? d : (a.name || a.operatorId).localeCompare(b.name || b.operatorId);
  });
}

/** The service level against its target: met, missed, or nothing to measure yet. */
export function slVerdict(q: QueueLive): "met" | "missed" | "none" {
  const sl = q.today?.serviceLevel;
  if (sl === undefined) return "none";
  const target = (q.serviceLevelRule?.targetPercent || 80) / 100;
  return sl + 1e-9 >= target ? "met" : "missed";
}

export function Wallboard({ api, queues: only, openCall, tv, onTv }: { api: Api; queues: string; openCall: (id: string) => void; tv: boolean; onTv: () => void }) {
  const lang = useLang();
  const { board, conn, retry } = useLiveBoard(api, queuesOf(only));
  const local = useNow(1000);
  const now = serverNow(board, local);
  useEffect(() => {
    document.title = t("wallboard.docTitle");
  }, [lang]);
  const queues = board ? [...board.queues.values()].sort((a, b) => (a.name || a.queueId).localeCompare(b.name || b.queueId)) : [];
  const ops = board ? sortOperators(board.operators.values()) : [];
  const names = new Map(board ? [...board.operators.values()].map((o) => [o.operatorId, o.name || o.operatorId]) : []);
  // TV mode: as many tiles as fit the screen, those at work first, then "and N more".
  const root = useRef<HTMLDivElement>(null);
  const fitKey = [tv, ops.length, board?.alerts.length ?? 0, queues.map((q) => Math.min(q.waiting.length, (tv ? tvWaitingRows : waitingRows) + 1)).join(","), useWindowSize()].join("|");
  const shown = useTilesThatFit(root, tv, fitKey, ops.length);
  const hidden = ops.slice(shown);
  const working = ops.slice(0, shown).filter((o) => stateKeys[o.state] !== "offline");
  const offline = ops.slice(0, shown).filter((o) => stateKeys[o.state] === "offline");
  return (
    <div class="wallboard" data-testid="wallboard" ref={root}>
      <h1 class="sr-only">{t("wallboard.title")}</h1>
      <div class="wb-bar">
        <LiveBadge conn={conn} onRetry={retry} local={local} />
        <span class="wb-clock" title={t("wallboard.clock")}>
          {t("wallboard.utc", { time: board ? new Date(now).toISOString().slice(11, 19) : "" })}
          <button class="link wb-tv" onClick={onTv}>
            {tv ? t("wallboard.tvLeave") : t("wallboard.tv")}
          </button>
        </span>
      </div>
      {board && <Alerts api={api} alerts={board.alerts} queueNames={new Map(queues.map((q) => [q.queueId, q.name || q.queueId]))} names={names} now={now} />}
      {!board && conn.kind !== "live" && <p class="wb-empty">{t("wallboard.firstPicture")}</p>}
      <section class="wb-queues" aria-label={t("wallboard.queues")}>
        {queues.map((q) => (
          <QueueTile key={q.queueId} q={q} now={now} names={names} openCall={openCall} rows={tv ? tvWaitingRows : waitingRows} />
        ))}
        {board && queues.length === 0 && <p class="wb-empty">{t("wallboard.noQueues")}</p>}
      </section>
      <section class="wb-operators" aria-label={t("wallboard.atWork")}>
        {working.map((o) => (
          <OperatorTile key={o.operatorId} o={o} now={now} />
        ))}
      </section>
      {offline.length > 0 && (
        <section class="wb-operators wb-offline" aria-label={t("wallboard.offline")}>
          {offline.map((o) => (
            <OperatorTile key={o.operatorId} o={o} now={now} />
          ))}
        </section>
      )}
      {hidden.length > 0 && (
        <p class="wb-more" data-testid="wb-more" data-hidden={hidden.length}>
          {moreText(hidden.length, hidden.filter((o) => stateKeys[o.state] === "offline").length)}
        </p>
      )}
    </div>
  );
}

/** The line under the tiles when the TV screen cannot show them all. */
export function moreText(hidden: number, offline: number): string {
  const key = offline === hidden ? "wallboard.moreOffline" : offline > 0 ? "wallboard.moreSomeOffline" : "wallboard.more";
  return t(key, { count: hidden, offline });
}

/** The window's size as a string, updated when it changes (a TV's full screen, a rotated phone). */
function useWindowSize(): string {
  const [size, setSize] = useState(() => `${window.innerWidth}x${window.innerHeight}`);
  useEffect(() => {
    const on = () => setSize(`${window.innerWidth}x${window.innerHeight}`);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return size;
}

/**
 * How many operator tiles to show: all of them, except in TV mode when the page would scroll;
 * then the tiles that end above the screen's bottom, less room for the "and N more" line.
 * Measured after each render before the browser paints, anew when key (what shapes the page)
 * changes; each step shows fewer tiles, so it settles.
 */
function useTilesThatFit(root: { current: HTMLElement | null }, tv: boolean, key: string, total: number): number {
  const [fit, setFit] = useState<{ key: string; n: number } | null>(null);
  const n = tv && fit && fit.key === key ? fit.n : total;
  useLayoutEffect(() => {
    const el = root.current;
    if (!tv || !el) return;
    const doc = document.documentElement;
    if (doc.scrollHeight <= window.innerHeight) return;
    const tiles = [...el.querySelectorAll<HTMLElement>(".wb-op")];
    const more = el.querySelector<HTMLElement>(".wb-more");
    const room = window.innerHeight - (doc.scrollHeight - el.getBoundingClientRect().bottom - window.scrollY) - (more ? more.offsetHeight : moreLinePx);
    let fits = tiles.findIndex((t) => t.getBoundingClientRect().bottom + window.scrollY > room);
    if (fits < 0) fits = tiles.length;
    setFit({ key, n: Math.max(0, Math.min(fits, n - 1)) });
  });
  return n;
}

/** Room kept for the "and N more" line before it is first drawn. */
const moreLinePx = 56;
/** The calls listed in a queue's tile (the rest counted), on a desk and on the TV. */
const waitingRows = 6;
const tvWaitingRows = 3;

function LiveBadge({ conn, onRetry, local }: { conn: LiveConn; onRetry: () => void; local: number }) {
  const tone = conn.kind === "live" ? "ok" : conn.kind === "connecting" ? "warn" : "bad";
  const text =
    conn.kind === "live"
      ? t("wallboard.live")
      : conn.kind === "connecting"
        ? t("wallboard.connecting")
        : conn.kind === "retrying"
          ? t("wallboard.notLive", { why: conn.message })
          : t("wallboard.stopped", { why: conn.message });
  return (
    <span class={`conn conn-${tone}`} role="status" data-testid="wb-conn" data-tone={tone}>
      <span class="dot" aria-hidden="true" />
      {text}
      {/* The countdown ticks every second: shown, not announced. */}
      {conn.kind === "retrying" && <span aria-hidden="true">{t("wallboard.retryIn", { when: retryIn(conn.retryAt, local) })}</span>}
      {conn.kind === "retrying" && (
        <button class="link" onClick={onRetry}>
          {t("wallboard.retryNow")}
        </button>
      )}
    </span>
  );
}

function QueueTile({ q, now, names, openCall, rows }: { q: QueueLive; now: number; names: Map<string, string>; openCall: (id: string) => void; rows: number }) {
  const today = q.today;
  const rule = q.serviceLevelRule;
  const verdict = slVerdict(q);
  const longest = longestWaitMs(q, now);
  const waiting = q.waiting.length;
  const unlisted = Math.max(0, waiting - rows);
  return (
    <article class={`wb-queue${waiting > 0 ? " has-waiting" : ""}${q.closed ? " is-closed" : ""}`} data-testid={`queue-${q.queueId}`} aria-label={t("wallboard.queue", { name: q.name || q.queueId })}>
      <h2>{q.name || q.queueId}</h2>
      {q.closed && (
        <p class="wb-closed" data-testid="closed" title={q.closedWhy}>
          <span class="badge">{t("wallboard.closed")}</span> {q.closedWhy}
        </p>
      )}
      <div class="wb-figs">
        <div class="wb-fig wb-big">
          <span class="wb-label">{t("wallboard.waiting")}</span>
          <span class="wb-num" data-testid="waiting">
            {waiting}
          </span>
        </div>
        <div class="wb-fig wb-big">
          <span class="wb-label">{t("wallboard.longestWait")}</span>
          <span class={`wb-num${longest > (rule?.thresholdS || 20) * 1000 ? " wb-late" : ""}`} data-testid="longest-wait">
            {waiting ? clock(longest) : "—"}
          </span>
        </div>
        {q.callbacksWaiting > 0 && (
          <div class="wb-fig" data-testid="callbacks">
            <span class="wb-label">{t("wallboard.callbacks")}</span>
            <span class="wb-num" data-testid="callbacks-waiting">
              {q.callbacksWaiting}
            </span>
            <span class="wb-sub" data-testid="oldest-callback">
              {t("wallboard.oldestCallback", { wait: clock(oldestCallbackMs(q, now)) })}
            </span>
          </div>
        )}
        <div class={`wb-fig wb-sl wb-sl-${verdict}`}>
          <span class="wb-label">{t("wallboard.slToday")}</span>
          <span class="wb-num" data-testid="service-level">
            {percent(today?.serviceLevel)}
          </span>
          <span class="wb-sub">
            {t("wallboard.slTarget", {
              verdict: verdict === "met" ? t("wallboard.slMet") : verdict === "missed" ? t("wallboard.slMissed") : t("wallboard.slNone"),
              percent: rule?.targetPercent || 80,
              s: rule?.thresholdS || 20,
            })}
          </span>
        </div>
        <div class="wb-fig">
          <span class="wb-label">{t("wallboard.asa")}</span>
          <span class="wb-num" data-testid="asa">
            {secs(today?.asaMs)}
          </span>
        </div>
        <div class="wb-fig">
          <span class="wb-label">{t("wallboard.abandoned")}</span>
          <span class="wb-num" data-testid="abandoned">
            {percent(today?.abandonmentRate)}
          </span>
          <span class="wb-sub">{today ? t("wallboard.abandonedOf", { abandoned: today.callsAbandoned, received: today.callsReceived }) : ""}</span>
        </div>
      </div>
      <p class="wb-staff">
        <span>{t("wallboard.ready", { count: q.operatorsReady })}</span> · <span>{t("wallboard.ringing", { count: q.operatorsReserved })}</span> ·{" "}
        <span>{t("wallboard.onCall", { count: q.operatorsOnCall })}</span> · <span>{t("wallboard.wrapUp", { count: q.operatorsWrapUp })}</span> ·{" "}
        <span>{t("wallboard.away", { count: q.operatorsAway + q.operatorsBanned })}</span>
        {q.expectedWaitMs !== undefined && <span>{t("wallboard.expectedWait", { wait: secs(q.expectedWaitMs) })}</span>}
      </p>
      {waiting > 0 && (
        <ol class="wb-waiting" aria-label={t("wallboard.callsWaiting")}>
          {q.waiting.slice(0, rows).map((w) => (
            <li key={w.callId}>
              <button class="wb-call" onClick={() => openCall(w.callId)} title={t("wallboard.explain")}>
                <span class="wb-pos">{w.position || ""}</span>
                <span class="wb-caller">{w.callerNumber || t("wallboard.unknownNumber")}</span>
                <span class="wb-wait">{clock(now - ms(w.arrivedAt))}</span>
                {w.offeredToOperatorId && <span class="wb-offered">{t("wallboard.offeredTo", { name: names.get(w.offeredToOperatorId) ?? w.offeredToOperatorId })}</span>}
                {w.offeredToSpareId && <span class="wb-offered">{t("wallboard.atSpare", { spare: w.offeredToSpareId })}</span>}
              </button>
            </li>
          ))}
          {unlisted ? <li class="muted">{t("wallboard.moreWaiting", { count: unlisted })}</li> : null}
        </ol>
      )}
    </article>
  );
}

function OperatorTile({ o, now }: { o: OperatorLive; now: number }) {
  const key = stateKeys[o.state];
  const since = ms(o.since);
  return (
    <article class={`wb-op st-${key}`} data-testid={`operator-${o.operatorId}`} data-state={key} aria-label={`${o.name}: ${stateLabels[key]}`}>
      <span class="wb-op-name">{o.name || o.operatorId}</span>
      <span class="wb-op-state">
        <span class="wb-op-mark" aria-hidden="true" />
        {stateLabels[key]}
      </span>
      <span class="wb-op-for" data-testid="time-in-state">
        {since ? clock(now - since) : ""}
      </span>
      {o.reason && (key === "away" || key === "banned") && <span class="wb-op-reason">{o.reason}</span>}
      <span class="wb-op-meta">
        {t("wallboard.opCalls", { count: o.today?.callsAnswered ?? 0, score: Math.round(o.score) })}
        {key === "banned" && ms(o.bannedUntil) > 0 && t("wallboard.bannedUntil", { time: new Date(ms(o.bannedUntil)).toISOString().slice(11, 16) })}
      </span>
    </article>
  );
}
