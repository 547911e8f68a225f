// The app's one kind of state store: a value changed only by a pure reducer. The operator's desk
// and the supervisor's wallboard each keep their picture in one; the code that talks to the server
// reads and dispatches synchronously, the views subscribe.
import { useEffect, useState } from "preact/hooks";

export interface Store<M, E> {
  get(): M;
  dispatch(e: E): void;
  subscribe(fn: () => void): () => void;
}

/** A store of M changed by reducer; log sees every event and the value after it. */
export function createStore<M, E>(initial: M, reducer: (m: M, e: E) => M, log?: (e: E, m: M) => void): Store<M, E> {
  let model = initial;
  const subs = new Set<() => void>();
  return {
    get: () => model,
    dispatch(e) {
      const next = reducer(model, e);
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

/** The store's value, re-rendering the component when it changes. */
export function useModel<M, E>(store: Store<M, E>): M {
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
