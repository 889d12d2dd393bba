/**
 * `abortable(program, signal)` (SEMANTICS §9.8): an outside AbortSignal that cancels one program of
 * a long run — a server that serves each request as a task of one `runAsync`, and cancels it when
 * the client disconnects. An ordinary program over the §9 effects.
 *
 * The program runs as a task abortable owns (so the caller's cancellation, and the signal, end it
 * with its finally blocks run). The signal's listener may fire anywhere (a socket's `close` event,
 * or code inside the run that aborts a controller): it can perform no effect, so it completes an
 * external promise, applied by the scheduler at its next step in call order (R7) — which keeps an
 * abort made inside a `run` + `simulatedTime()` deterministic. The caller races the task against
 * that promise: the task first → its value or its very error (`race` merges its log); the abort
 * first → the task is cancelled (its finally blocks run), then `signal.reason` is thrown here.
 *
 * The listener is removed, and the external promise settled, whenever abortable returns: a long
 * lived signal (the server's shutdown signal, shared by every request) keeps no listener per call,
 * and the promise does not stay pending work of the run (a later deadlock would read as a wait for
 * the outside: a run that never ends under runAsync).
 *
 * A program blocked for good inside abortable under `run` is a DeadlockError, as it is outside one:
 * during a synchronous run no outside code runs and, every task blocked, none is left to abort the
 * signal — and an abort would only cancel it. Its promise is marked CANCEL_ONLY, which the scheduler
 * does not count as a wait for the event loop (AsyncRequiredError, whose fix, runAsync, would wait
 * for the signal: for one never aborted, for ever). Under runAsync the run waits for the signal.
 */
import {
  CANCEL_ONLY,
  CreateExternalPromise,
  type ExternalPromise,
  Race,
  type RaceResult,
  ownedSpawn,
  type Task,
} from "../effects/scheduler.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { describe } from "../vm/brand.js";
import { fn, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { getRunContext } from "../vm/primitives.js";
import type { RunContext } from "../run/context.js";
import { offAbort, onAbort } from "../run/abort-listeners.js";
import { noted, primitiveReason } from "./abort-reason.js";
import { cancelOwned } from "./pool.js";
import type { SchedulerRow, TasksRow } from "./row.js";
import { at, callSite, named, wrappers } from "./site.js";

const abortableGen = named(
  "abortable",
  function* abortable(
    p: AnyProgramLike,
    signal: AbortSignal,
    site: Error | null,
  ): Generator<unknown, unknown, any> {
    // aborted before it was reached: the program never starts (and nothing is spawned or listened to)
    // (noted: retry stops on it, abort-reason.ts; a primitive reason for this run only)
    if (signal.aborted) throw yield* note(signal, signal.reason);
    const create = new CreateExternalPromise<undefined>();
    CANCEL_ONLY.add(create); // (a deadlock under run that only the signal could end: DeadlockError)
    const ext = (yield at(site, create)) as ExternalPromise<undefined>;
    let fired = false;
    const abortIt = (): void => {
      if (fired) return;
      fired = true;
      ext.complete(undefined);
    };
    onAbort(signal, abortIt);
    let work: Task<unknown> | null = null;
    try {
      // aborted while the promise was made (a handler's code ran: an observe callback): the
      // listener, added to a signal already aborted, would never fire
      if (signal.aborted) throw signal.reason;
      work = (yield at(site, ownedSpawn(p as ProgramLikeOf<unknown>, site))) as Task<unknown>;
      const r = (yield at(site, new Race([work, ext.future]))) as RaceResult<unknown>;
      if (r.index === 0) return r.value; // (its error, race throws: unchanged)
      throw signal.reason; // (aborted: the finally below cancels the task before it leaves)
    } catch (e) {
      // the reason of the aborted signal — thrown here, or by the program itself (a fetch given the
      // signal, which won the race): noted, so that retry stops on it (abort-reason.ts)
      throw yield* note(signal, e);
    } finally {
      offAbort(signal, abortIt);
      // no longer pending work of the run (a completion after the run is ignored: R7)
      abortIt();
      // bare yields at the call site (site.ts); false (nothing happens) for a task already done
      if (work !== null) yield* cancelOwned(work, site, "abortable");
    }
  },
);
const abortableProgram = fn(abortableGen);

/** `e` noted (abort-reason.ts): the run's context read only for a primitive reason. */
function* note(signal: AbortSignal, e: unknown): Generator<unknown, unknown, any> {
  return noted(signal, e, primitiveReason(signal, e) ? ((yield getRunContext()) as RunContext) : null);
}
wrappers.set(abortableGen, 0); // timeout(abortable(job, signal), ms) names the job

function isAbortSignal(x: unknown): x is AbortSignal {
  try {
    return typeof AbortSignal === "function" && x instanceof AbortSignal;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/**
 * Runs `program` until `signal` aborts: then it is cancelled (its finally blocks run) and
 * `signal.reason` is thrown here; a signal already aborted → the program never starts. Otherwise →
 * the program's value, or its very error. The listener is removed when abortable returns.
 *
 * @example
 * ```ts
 * // a request served as a task of one long runAsync: cancelled when its client goes away
 * const disconnected = new AbortController();
 * res.on("close", () => disconnected.abort(new Error("client disconnected")));
 * const order = yield* abortable(handleRequest(req), disconnected.signal);
 * ```
 */
export function abortable<P extends AnyProgramLike | AnyFunction>(
  program: P & NoInfer<ProgramArg<P>>,
  signal: AbortSignal,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow | TasksRow<[P]>> {
  checkProgramArg(program, "abortable");
  if (!isAbortSignal(signal))
    throw new TypeError(
      `abortable expects an AbortSignal second, e.g. abortable(program, controller.signal) with a new AbortController(), got ${describe(signal)}`,
    );
  return abortableProgram(program, signal, callSite()) as Program<
    ResultOf<P>,
    EffectsOf<P> | SchedulerRow | TasksRow<[P]>
  >;
}
