/**
 * `retry(program, { times, delay?, while? })` (SEMANTICS §9.8): an ordinary program; every attempt
 * runs in the calling task (no spawn), from the start. A delay of 0 performs no `delay`.
 *
 * `times: Infinity` with a delay of 0: under a scheduler, each retry first lets every other ready
 * task run (a Cede: to the back of the ready queue; a RetryCede, which observe and record do not
 * show). Without that, a program that fails without waiting (a bug's TypeError, a missing handler)
 * was retried in a loop inside one task (R1: no preemption): no other task ran, so a `timeout` or `race` around it never ended, a `cancel` of it
 * was never performed, and a `run` never returned. Every attempt, not every Nth: the order of
 * tasks stays simple to tell, and a switch costs about a microsecond, little beside an attempt.
 * A finite `times` keeps §9.8 as written (no effect between attempts: the same events and order),
 * as does a run without a scheduler (nothing else to run: the first Cede, unhandled, says so).
 */
import { FINALIZING, RetryCede } from "../effects/scheduler.js";
import { isAbortReason } from "./abort-reason.js";
import type { RunContext } from "../run/context.js";
import { getRunContext } from "../vm/primitives.js";
import { delay as sleep } from "../effects/time.js";
import { AsyncRequiredError, ChannelClosedError, DeadlockError, UnhandledEffectError } from "../errors.js";
import { describeError } from "../run/result.js";
import { describe, isGeneratorObject, isProgramLike, isThenable } from "../vm/brand.js";
import { fn, functionKind, type Program } from "../vm/program.js";
import { checkProgramArg } from "../effects/program-arg.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { functionArg, inMs, milliseconds, optionsObject } from "./check.js";
import { at, callSite, named, wrappers } from "./site.js";
import type { Delay } from "../effects/time.js";
import type { RecoveredRow } from "./recover.js";

/**
 * Options of `retry(program, options)`. `E`: the errors retried — what a type-guard `while`
 * (`(e): e is HttpError => …`) narrows to, and so the type of `delay`'s and `onRetry`'s `error`
 * (both are called only for an error `while` accepted); `unknown` otherwise. (Only `while` sets it:
 * `NoInfer` on theirs, so an annotation `(attempt, error: HttpError) => …` without a guard is an
 * error, not a claim believed unchecked.) `R`: what `onRetry` returns — a program's effects are in
 * retry's row (see `onRetry`).
 *
 * When `while`, `delay` or `onRetry` (or the program `onRetry` returned) throws while deciding on
 * the program's error, retry fails with a new `Error` whose `cause` is the program's error — as
 * when `delay` returns a bad value (a RangeError with that `cause`) — whose message shows what the
 * function threw, and whose `optionError` is that thrown value itself; neither object is changed.
 * (A function that throws the program's error itself rethrows it as it is: a way to stop retrying.)
 *
 * Never retried, since no attempt gets past them: `DeadlockError`, `AsyncRequiredError`, the
 * `TaskCancelledError` of a blocking call while the retrying task is being cancelled, the
 * `signal.reason` that `abortable(program, signal)` throws once `signal` is aborted (an abort means
 * stop; the signal stays aborted), and `ChannelClosedError` (a send on a closed channel: it never
 * opens again). `while` is not asked about these. A primitive reason
 * (`controller.abort("shutdown")`) has no identity: an equal value thrown is taken for it, while it
 * is one of the last 32 primitive reasons abortable threw in the same run — abort with an Error to
 * be exact. The error a channel was closed with, `close(ch, error)`, is retried as any error: its
 * receives throw that very object each time, and retry cannot tell it from the same error thrown
 * afresh (the producer's own failure, which it closed the channel with) — retry only while the
 * channel is open, `while: () => !ch.closed`.
 *
 * @example
 * ```ts
 * // waits 100, 200, 400 ms before retries 1, 2, 3 (attempt starts at 1)
 * yield* retry(fetchUser(id), { times: 3, delay: (attempt) => 100 * 2 ** (attempt - 1) });
 * // a line per retry, told in the run (retry's row gets Tell): onRetry's program runs before the wait
 * yield* retry(fetchUser(id), { times: 3, onRetry: (attempt, e) => tell(`retry ${attempt}: ${String(e)}`) });
 * ```
 */
export interface RetryOptions<E = unknown, R = void> {
  /** How many retries after the first attempt (an integer ≥ 0, or `Infinity`: until `while` says no). */
  times: number;
  /**
   * Wait before retry `attempt` (1 = the first retry): ms, or `(attempt, error) => ms`. Default 0.
   * (The string member is a compile error's text, which no value has: a duration string, Effect's
   * `"100 millis"`, is refused saying what to write, where the union alone said only "not assignable".)
   */
  delay?:
    | number
    | ((attempt: number, error: NoInfer<E>) => number)
    | ('doeff: retry\'s delay is a number of milliseconds (100, not "100 millis") or a function (attempt, error) => ms, e.g. exponential backoff (attempt) => 100 * 2 ** (attempt - 1)' & {
        readonly __doeff: never;
      });
  /**
   * Retry only while this holds for the error (default: always). A type guard narrows the `error`
   * that `delay` and `onRetry` see; write `while` before them in the object literal, so TypeScript
   * reads it first. It answers at once: a Promise (an `async` predicate) or a program is a TypeError.
   */
  while?: ((error: unknown) => error is E) | ((error: unknown) => boolean);
  /**
   * Called once per retry, when retry has decided to retry and knows the wait — before the wait and
   * the attempt: `attempt` is the retry's number (1 = the first retry, as `delay`'s), `error` the
   * failure retried, `delayMs` the wait (0: none). For logging and metrics. It may return nothing
   * (what a plain function returns is ignored; a Promise is not waited for) or a program (`tell(…)`,
   * `fn(function* (…) { … })(…)`): retry performs it then, in the retrying task under its handlers,
   * and waits after it; its result is ignored and its effects are in retry's row. A generator
   * object (a generator function not wrapped in `fn`), or an `fn`'s function returned without
   * calling it (`() => logRetry`), is a TypeError.
   * It cannot change what retry does; a throw, from it or from the program it returned, fails retry
   * as a throwing `delay` does (above). A cancel while that program runs stops retry (its `finally`
   * blocks run); a `DeadlockError`, an `AsyncRequiredError`, the `TaskCancelledError` of a blocking
   * call while being cancelled or the `signal.reason` an `abortable` in it throws, met in it, passes
   * through unchanged.
   *
   * The row comes from `R`, onRetry's return type, inferred where `onRetry` is written in the
   * call: a `RetryOptions` built apart whose `onRetry` returns a program names it,
   * `RetryOptions<unknown, Program<void, Tell>>` (with the default, `void`, the type says it
   * returns nothing, and the program's effects are not in the row).
   */
  onRetry?: (attempt: number, error: NoInfer<E>, delayMs: number) => R & NoInfer<RetryHookAnswer<R>>;
}

/** The compile error for an `onRetry` that answers a generator object (its body would never run). */
export interface RetryHookGeneratorError {
  readonly "doeff: retry's onRetry returns a generator object, whose body would never run: wrap the generator function with fn, onRetry: (attempt, error) => logRetry(attempt, error) with const logRetry = fn(function* (…) { … })": never;
}
/**
 * The compile error for an `onRetry` that answers a function making a program (an `fn`'s, `tell`)
 * without calling it, `onRetry: () => logRetry`: retry would ignore it, and its body never run.
 */
export interface RetryHookUncalledError {
  readonly "doeff: retry's onRetry returns a function that makes a program without calling it, so its body would never run: call it, onRetry: (attempt, error) => logRetry(attempt, error)": never;
}
/**
 * `unknown` for what `onRetry` may return (nothing, a value, a program); an error for a generator
 * object, or a function that makes a program, returned uncalled.
 */
export type RetryHookAnswer<R> = 0 extends 1 & R
  ? unknown
  : [R] extends [never]
    ? unknown
    : [R] extends [Generator<unknown, unknown, unknown>]
      ? RetryHookGeneratorError
      : [R] extends [(...args: never[]) => AnyProgramLike]
        ? RetryHookUncalledError
        : unknown;

type Wait = number | ((attempt: number, error: unknown) => number);
type OnRetry = (attempt: number, error: unknown, delayMs: number) => unknown;

const retryGen = function* retry(
  p: AnyProgramLike,
  times: number,
  wait: Wait,
  shouldRetry: ((error: unknown) => boolean) | undefined,
  onRetry: OnRetry | undefined,
  site: Error | null,
) {
  let cede = true; // (times: Infinity: until no scheduler takes the turn)
  for (let attempt = 0; ; attempt++) {
    try {
      return (yield at(site, p)) as unknown;
    } catch (e) {
      if (
        attempt >= times ||
        hopeless(e) ||
        // (a closed channel never opens again: each send on it throws one — not in hopeless, so
        // that an onRetry program's send on a closed channel still says it was onRetry's)
        e instanceof ChannelClosedError ||
        // (a primitive abort reason is known per run: abort-reason.ts)
        isAbortReason(e, e === Object(e) ? null : ((yield getRunContext()) as RunContext)) ||
        (shouldRetry !== undefined && !decide(shouldRetry, e))
      )
        throw e;
      const ms = typeof wait === "number" ? wait : delayAfter(wait, attempt + 1, e);
      if (onRetry !== undefined) {
        const hook = notify(onRetry, attempt + 1, e, ms);
        if (hook !== undefined)
          try {
            yield at(site, hook);
          } catch (thrown) {
            // (a cancel closes this frame with return(): no catch; the errors no attempt gets past,
            // an abort reason among them, are no failure of the hook's, and pass as they are)
            if (
              hopeless(thrown) ||
              isAbortReason(
                thrown,
                thrown === Object(thrown) ? null : ((yield getRunContext()) as RunContext),
              )
            )
              throw thrown;
            throw optionThrew(`\`onRetry\` program (attempt ${attempt + 1})`, thrown, e);
          }
      }
      if (ms > 0) yield at(site, sleep(ms));
      else if (times === Infinity && cede) {
        const c = new RetryCede();
        try {
          yield at(site, c);
        } catch (x) {
          if (!(x instanceof UnhandledEffectError) || x.effect !== c) throw x;
          cede = false; // no scheduler: nothing else to run
        }
      }
    }
  }
};
const retryProgram = fn(retryGen);

/**
 * An error no attempt gets past, so never retried: its own task is being finalized (each blocking
 * call throws that again; a cede does not switch then), or the scheduler found that the run cannot
 * go on — every task waits and nothing can wake one (DeadlockError), async work under `run`
 * (AsyncRequiredError). Each attempt met it again: with `times: Infinity`, and nothing else left to
 * run, stop it or time it out, the run never returned. Likewise the reason of an aborted signal
 * that `abortable` threw (abort-reason.ts, isAbortReason in retry's loop: a primitive one is known
 * per run): an abort means stop, and the signal stays aborted.
 */
function hopeless(e: unknown): boolean {
  return e instanceof DeadlockError || e instanceof AsyncRequiredError || FINALIZING.has(e as object);
}
named("retry", retryGen); // (its name survives a minifying bundler)
wrappers.set(retryGen, 0);

/**
 * A `while` predicate or `delay` function threw `thrown` while deciding on the program's error `e`:
 * a new Error whose `cause` is `e` (as for a bad delay: the failure retry was deciding on is never
 * lost) and whose message shows what it threw — kept, unchanged, as `.optionError`. Neither error
 * object is modified. A function that rethrows `e` itself (to stop retrying) rethrows it unchanged.
 */
function optionThrew(what: string, thrown: unknown, e: unknown): unknown {
  if (thrown === e) return e;
  const shown = describeError(thrown); // (`thrown: {"code":1}` for a value that is not an Error)
  const err = new Error(
    `retry's ${what} threw ${thrown instanceof Error ? shown : shown.slice(shown.indexOf(": ") + 2)} while deciding on the program's error (this error's cause; what it threw is .optionError)`,
    { cause: e },
  );
  Object.defineProperty(err, "optionError", {
    value: thrown,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return err;
}

function decide(shouldRetry: (error: unknown) => boolean, e: unknown): boolean {
  let r: unknown;
  try {
    r = shouldRetry(e);
  } catch (thrown) {
    throw optionThrew("`while` predicate", thrown, e);
  }
  // (an async predicate's Promise, or a program, is truthy whatever it would decide: every error
  // was retried, up to `times`, without a word)
  if (r !== null && typeof r === "object" && (isThenable(r) || isProgramLike(r)))
    throw new TypeError(
      `retry option while returned a ${describe(r)}, always truthy: answer true or false at once (the cause: the program's error)`,
      { cause: e },
    );
  return r as boolean;
}

/**
 * Calls `onRetry`: its throw is treated as `delay`'s. → the program it returned, for retry to
 * perform, or undefined (anything else is ignored: a logger's Promise, its work started already).
 * A generator object is refused: its body, the log line meant, would never run; so is a function fn
 * made, returned without calling it.
 */
function notify(f: OnRetry, attempt: number, e: unknown, ms: number): AnyProgramLike | undefined {
  let r: unknown;
  try {
    r = f(attempt, e, ms);
  } catch (thrown) {
    throw optionThrew(`\`onRetry\` function (attempt ${attempt})`, thrown, e);
  }
  // (a function fn made, returned uncalled — `() => logRetry` — has fn's uncalled-yield* iterator)
  if (typeof r === "function" && Symbol.iterator in r) {
    const name = r.name || "logRetry";
    throw new TypeError(
      `retry option onRetry returned ${String(r)} without calling it (attempt ${attempt}), a function that makes a program, whose body would never run: call it, onRetry: (attempt, error) => ${name}(attempt, error) (the cause: the program's error)`,
      { cause: e },
    );
  }
  if (r === undefined || r === null || typeof r !== "object") return undefined;
  if (isProgramLike(r)) return r as AnyProgramLike;
  if (isGeneratorObject(r))
    throw new TypeError(
      `retry option onRetry returned a generator object (attempt ${attempt}), whose body would never run: wrap the generator function with fn, e.g. const logRetry = fn(function* (attempt, error) { … }) and onRetry: (attempt, error) => logRetry(attempt, error) (the cause: the program's error)`,
      { cause: e },
    );
  return undefined;
}

/** The delay function's answer, checked; a bad one is an error whose `cause` is the program's error. */
function delayAfter(f: (attempt: number, error: unknown) => number, attempt: number, e: unknown): number {
  let ms: number;
  try {
    ms = f(attempt, e);
  } catch (thrown) {
    throw optionThrew(`\`delay\` function (attempt ${attempt})`, thrown, e);
  }
  try {
    return milliseconds(ms, `retry option delay(${attempt}, error) result`);
  } catch (bad) {
    // (so the failure it was asked about is not lost: ours, made just now, so ours to annotate)
    Object.defineProperty(bad, "cause", { value: e, writable: true, configurable: true });
    throw bad;
  }
}

/** How to wait longer after each failure, in the words of retry's messages. */
const BACKOFF =
  "for exponential backoff, delay: (attempt) => 100 * 2 ** (attempt - 1) waits 100, 200, 400 ms";
/**
 * What to write instead of Effect's retry options: its `schedule` (a Schedule: how long to wait, how
 * many times) is `delay` and `times` here, its `until` the opposite of `while`.
 */
const ADVICE = {
  schedule: `wait between attempts with delay, a number of ms or a function (attempt, error) => ms, and bound them with times; ${BACKOFF}`,
  until: "retry while the error is not the one to stop at: { while: (e) => !(e instanceof Fatal) }",
};

/**
 * Run `program`; after a failure run it again (up to `times` more times); → the first success, or the
 * last error. Typed: a clock (row `Delay`) is needed only when a delay is given.
 */
export function retry<P extends AnyProgramLike | AnyFunction, E = unknown, R = void>(
  program: P & NoInfer<ProgramArg<P>>,
  options: RetryOptions<E, R> & { delay?: undefined },
): Program<ResultOf<P>, EffectsOf<P> | RecoveredRow<R>>;
export function retry<P extends AnyProgramLike | AnyFunction, E = unknown, R = void>(
  program: P & NoInfer<ProgramArg<P>>,
  options: RetryOptions<E, R>,
): Program<ResultOf<P>, EffectsOf<P> | RecoveredRow<R> | Delay>;
export function retry(program: AnyProgramLike, options: RetryOptions): Program<unknown, unknown> {
  checkProgramArg(program, "retry");
  if (options === undefined)
    throw new TypeError(
      "retry expects options { times, delay?, while?, onRetry? }, e.g. retry(p, { times: 3 })",
    );
  const o = optionsObject(options, "retry", ["times", "delay", "while", "onRetry"], ADVICE);
  const times = o.times;
  if (typeof times !== "number")
    throw new TypeError(
      `retry option times must be a number (retries after the first attempt), got ${describe(times)}`,
    );
  // (Infinity: retry until `while` says no, as Effect.retry({ while }) does without `times`)
  if (times !== Infinity && (!Number.isInteger(times) || times < 0))
    throw new RangeError(
      `retry option times must be an integer ≥ 0 or Infinity (retries after the first attempt), got ${String(times)}`,
    );
  let wait: Wait = 0;
  if (typeof o.delay === "function") wait = o.delay as Wait;
  else if (typeof o.delay === "number") wait = milliseconds(o.delay, "retry option delay");
  else if (o.delay !== undefined)
    throw new TypeError(
      `retry option delay must be a number of milliseconds or a function (attempt, error) => ms, got ${describe(o.delay)}${inMs(o.delay)}; ${BACKOFF}`,
    );
  const shouldRetry =
    o.while === undefined
      ? undefined
      : functionArg<(error: unknown) => boolean>(
          o.while,
          "retry option while",
          "{ while: (e) => e instanceof NetworkError }",
        );
  let onRetry: OnRetry | undefined;
  if (o.onRetry !== undefined) {
    onRetry = functionArg<OnRetry>(
      o.onRetry,
      "retry option onRetry",
      "{ onRetry: (attempt, error, delayMs) => console.warn(error) }",
    );
    // (its body would never run: a generator function only makes a generator object; fn makes
    // one a function that returns a program, which retry performs)
    const kind = functionKind(onRetry);
    if (kind?.endsWith("generator function"))
      throw new TypeError(
        `retry option onRetry is ${kind}, so its body would never run: wrap it with fn, onRetry: fn(function* (attempt, error, delayMs) { … }), or pass a plain function, (attempt, error, delayMs) => console.warn(error)`,
      );
  }
  return retryProgram(program, times, wait, shouldRetry, onRetry, callSite());
}
