/**
 * runAsync's wait for the promises the run option onWarning returned (an `async` hook sending each
 * error to a tracker): its result comes once they have settled, so an `async` hook's last reports
 * are sent when it comes and none rejects unhandled. Set on HOOK_PROMISE by runAsync, the only
 * driver that waits (a bundle without runAsync leaves this out).
 */
import { DoeffError } from "../errors.js";
import { offAbort, onAbort } from "./abort-listeners.js";
import type { RunContextImpl } from "./context.js";
import { SETTLING, type Settling } from "./settle.js";

/** What each promise of waitForHook's was returned for: the `where` of the warning the hook was told. */
const calledFor = new WeakMap<Promise<unknown>, string>();

/**
 * A promise the run option onWarning returned under runAsync (context.ts tell): on `pending` until
 * it settles (resultAsync waits for them), its rejection kept as the hook's throw (`threw`) — unless
 * the result came first (one not waited for, see hooksSettled): it is then on no result.
 */
export function waitForHook(
  ctx: RunContextImpl,
  r: PromiseLike<unknown>,
  threw: (e: unknown) => void,
  where: string,
): void {
  const pending = (ctx.pending ??= new Set());
  const settled: Promise<unknown> = Promise.resolve(r)
    .then(undefined, (e) => ctx.ended || threw(e))
    .then(() => pending.delete(settled));
  calledFor.set(settled, where);
  pending.add(settled);
}

/**
 * `done()` once the hook's promises `pending` have settled. A run whose signal has aborted — before
 * its end (a shutdown, a client gone) or while its result waits here — waits for them at most the
 * run option `settle` ms more (0: not at all), as for the awaitPromise work an abort abandoned: a
 * hook whose call hangs (a tracker that does not answer) held the result for ever, and with it
 * runMain's process after SIGTERM, or a server's request. Each promise still pending then is a
 * warning, kept (told to nobody: it is the hook's own call that hangs).
 */
export function hooksSettled<T>(
  ctx: RunContextImpl,
  pending: Set<Promise<unknown>>,
  done: () => T,
): Promise<T> {
  const signal = ctx.signal;
  const all = Promise.all(pending);
  if (signal === null) return all.then(done);
  return new Promise<T>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let over = false;
    const finish = (cut: boolean): void => {
      if (over) return;
      over = true;
      offAbort(signal, onCut);
      clearTimeout(timer);
      const ms = (ctx.user.get(SETTLING) as Settling | undefined)?.ms;
      if (cut)
        for (const p of pending)
          ctx.keep({
            error: new DoeffError(
              `the promise the run option onWarning returned had not settled ${ms ? `${ms} ms after` : "when"} the run's signal aborted: the result did not wait for it (give the hook's own call a timeout: AbortSignal.timeout(ms))`,
            ),
            where: `the run option onWarning returned a promise (called for: ${calledFor.get(p)})`,
          });
      resolve(done());
    };
    const onCut = (): void => {
      const ms = (ctx.user.get(SETTLING) as Settling | undefined)?.ms ?? 0;
      // (at most 2 ** 31 - 1 ms: a host timer fires at once past it)
      if (ms > 0) timer = setTimeout(finish, Math.min(ms, 2 ** 31 - 1), true);
      else finish(true);
    };
    void all.then(() => finish(false));
    if (signal.aborted) onCut();
    else onAbort(signal, onCut);
  });
}
