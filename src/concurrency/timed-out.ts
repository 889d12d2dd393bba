/**
 * TIMED_OUT alone, in a module that imports nothing: src/protocol.ts re-exports it for doeff/workers
 * and doeff/queue, and taking it from timeout.ts made an import cycle (protocol.ts -> timeout.ts ->
 * site.ts -> handlers/util.ts -> protocol.ts), which ESM evaluates in an order that depends on
 * which module is loaded first.
 */

/**
 * @internal A key under which an effect (doeff/workers' RunInWorker), or a future that `wait` waits
 * on (doeff/queue's job), has a method naming it for TimeoutError: `[what, fate]`, what timed out
 * and what became of it — where "<name> … (it was cancelled and its finally blocks ran)" would
 * name only the effect's class, or say what did not happen (a queue job is not cancelled).
 */
export const TIMED_OUT: unique symbol = Symbol("doeff.timedOut");
