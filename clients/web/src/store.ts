// A tiny store around the reducer: the desk reads and dispatches synchronously, the views
// subscribe.
import { useEffect, useState } from "preact/hooks";
import { reduce, type Event, type Model } from "./state";

export interface Store {
  get(): Model;
  dispatch(e: Event): void;
  subscribe(fn: () => void): () => void;
}

export function createStore(initial: Model, log?: (e: Event, m: Model) => void): Store {
  let model = initial;
  const subs = new Set<() => void>();
  return {
    get: () => model,
    dispatch(e) {
      const next = reduce(model, e);
      log?.(e, next);
      if (next === model) return;
      model = next;
      for (const fn of subs) fn();
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

export function useModel(store: Store): Model {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), [store]);
  return store.get();
}

/** The local clock, re-read every `every` ms while the component is shown (timers, countdowns). */
export function useNow(every: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(t);
  }, [every]);
  return now;
}
