/**
 * One "abort" listener per AbortSignal, however many of doeff's parts listen to it at once: each
 * run given the signal, its scheduler, a real sleep, each `abortable` call. A server passes its
 * shutdown signal to every request's `runAsync`; with a listener each (two a run with a scheduler),
 * Node warned of a leak from the sixth request in flight on (MaxListenersExceededWarning: "11 abort
 * listeners added to [AbortSignal]"), and each add and remove walked the signal's list (quadratic).
 * Here the first subscriber adds the one listener and the last one to leave removes it, so a
 * long-lived signal keeps nothing of finished runs.
 */

/** The subscribers of a signal, and the one listener on it that calls them all. */
interface Subscribers {
  readonly calls: Set<() => void>;
  readonly listener: () => void;
}

const onSignal = new WeakMap<AbortSignal, Subscribers>();

/**
 * Call `f` once when `signal` aborts (not if it has already: check `signal.aborted` first). `f` must
 * be a function of its own (a fresh closure): `offAbort` removes it by identity.
 */
export function onAbort(signal: AbortSignal, f: () => void): void {
  let s = onSignal.get(signal);
  if (s === undefined) {
    const calls = new Set<() => void>();
    s = {
      calls,
      listener: () => {
        onSignal.delete(signal);
        // in the order they subscribed, as separate listeners were called. They are doeff's own and
        // only set flags, clear a timer or complete a promise: none throws (a task's signal aborted
        // by one reports its listeners' errors itself, as an EventTarget does)
        for (const g of calls) g();
      },
    };
    onSignal.set(signal, s);
    signal.addEventListener("abort", s.listener, { once: true });
  }
  s.calls.add(f);
}

/** `f` no longer listens; the last subscriber gone, the signal's listener goes too. */
export function offAbort(signal: AbortSignal, f: () => void): void {
  const s = onSignal.get(signal);
  if (s === undefined || !s.calls.delete(f) || s.calls.size > 0) return;
  onSignal.delete(signal);
  signal.removeEventListener("abort", s.listener);
}
