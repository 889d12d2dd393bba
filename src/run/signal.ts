/**
 * The run's signal (run option `signal`, §9.8): its listener for one run, and SharedSignal, one
 * listener for runs made one after the other. Separate because it is the only part of a run that
 * code outside the step loop calls into at any time (an abort event), and it only sets flags.
 */
import type { Machine } from "../vm/machine.js";
import { offAbort, onAbort } from "./abort-listeners.js";

/**
 * The run's signal (§9.8): aborted before the run, it ends at once with Err(reason) and no code
 * runs; aborted during the run, the listener only sets flags the step loop reads at its existing
 * halt test, so a signal costs nothing per step. A listener of its own: a synchronous `run` is the
 * only one listening while it runs (and the small import `run, program, state, get, put` carries
 * no registry of listeners).
 */
export function listen(m: Machine, signal: AbortSignal): void {
  if (signal.aborted) {
    m.finish(false, signal.reason);
    return;
  }
  const onAbort = (): void => abortRun(m, signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  m.stopListening = () => signal.removeEventListener("abort", onAbort);
}

/**
 * The same for `runAsync`, whose runs on one signal are many at once (a server's shutdown signal
 * given to every request): they share one listener on it (abort-listeners.ts), so Node does not
 * warn of a leak past ten runs in flight and a run's add and remove do not walk the others'.
 */
export function listenShared(m: Machine, signal: AbortSignal): void {
  if (signal.aborted) {
    m.finish(false, signal.reason);
    return;
  }
  const f = (): void => abortRun(m, signal.reason);
  onAbort(signal, f);
  m.stopListening = () => offAbort(signal, f);
}

function abortRun(m: Machine, reason: unknown): void {
  // A site waiting on a FAST_PATH's awaitAnswer: first made the handler's wait it stands for (the
  // task blocked in its invocation), before any other listener (a scheduler's) sees the run
  const back = m.beforeAbort;
  if (back !== null && m.abortState === 0 && !m.done) {
    m.beforeAbort = null;
    back(m);
  }
  // stop at the next step boundary and finalize the run (§9.8); called by the signal's listener,
  // possibly from code running inside a step: it only sets flags
  if (!m.done && m.abortState === 0) {
    m.abortState = 1;
    m.abortReason = reason;
    m.halt = true;
  }
  const wake = m.wakeOnAbort;
  if (wake !== null) wake();
}

/**
 * @internal One signal for runs made one after the other (doeff/workers' thread runs a job at a
 * time): its one listener, added once, aborts the run in progress, so a run adds no listener and
 * no closures (their add and remove were ~20 % of a trivial job's thread side). At most one run at
 * a time may use it (driveAsync's `shared`; its caller sets `m` back to null after the run).
 */
export class SharedSignal {
  readonly signal: AbortSignal;
  /** the run in progress */
  m: Machine | null = null;
  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener(
      "abort",
      () => {
        if (this.m !== null) abortRun(this.m, signal.reason);
      },
      { once: true },
    );
  }

  /** (as listen) */
  attach(m: Machine): void {
    if (this.signal.aborted) m.finish(false, this.signal.reason);
    else this.m = m;
  }
}
