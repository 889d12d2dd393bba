/** `mock(EffectClass, answer | fn)`: a handler answering one effect class with a fixed value or a function. */
import type { Effect } from "../effects/effect.js";
import { type Delay, delay } from "../effects/time.js";
import { milliseconds, optionsObject } from "../concurrency/check.js";
import { describe } from "../vm/brand.js";
import { className, notAnEffectClass } from "../vm/brand.js";
import type { Handler } from "../vm/handler.js";
import { TAKES } from "../vm/handler.js";
import { transfer, transferWith } from "../vm/primitives.js";
import type { SyncAnswer } from "../handlers/answer.js";
import type { HandleableClass } from "../handlers/handle.js";
import { syncOnly } from "../handlers/util.js";
import { functionKind } from "../vm/program.js";
import { UnhandledEffectError } from "../errors.js";
import { fail } from "./util.js";

/** The answer type of an effect instance (`Effect<A>` → `A`). */
export type AnswerOf<E> = E extends Effect<infer A> ? A : unknown;

/**
 * What `mock` answers with: a value, or a function of the effect returning the value. A function
 * given to `mock` is always called (the decision: one rule at run time, whatever the answer type),
 * so a function *value* is accepted only where it cannot be one: when the answer is itself a
 * function, or may be one (`Effect<(() => number) | undefined>`, `Effect<Function>`), only the
 * non-function values and the function form type-check — `mock(C, () => 5)` for an
 * `Effect<() => number>` type-checked, then answered `5`; write `mock(C, () => f)`. (`any` and
 * `unknown` answers take both: nothing can be checked there.)
 */
export type MockAnswer<E> =
  unknown extends AnswerOf<E>
    ? // any value, written out (not `unknown`, which would absorb the function form and leave
      // `mock(C, (e) => …)` without a type for `e`: implicitly `any`, e.g. for a generic class's
      // `Fetch<unknown>`; test/types/generic-effect.ts)
      NonNullable<unknown> | null | undefined | ((effect: E) => AnswerOf<E>)
    : Exclude<AnswerOf<E>, Function> | ((effect: E) => AnswerOf<E>);

/** A mock handler: takes the instances of one effect class and remembers them in `calls`. */
export interface Mock<E, Performs = never> extends Handler<E, Performs> {
  /** The effects it took, in order (those its function threw for included). */
  readonly calls: readonly E[];
  /** Forget the recorded calls. */
  clear(): void;
}

/** `mock`'s options. */
export interface MockOptions<E> {
  /**
   * Milliseconds of clock time each effect waits before it is answered (or its function's throw is
   * thrown): a request that takes time, so that a test can let a newer one overtake it, cancel it or
   * time it out. A number ≥ 0, or a function of the effect returning one (`(e) => e.query === "a" ?
   * 300 : 50`, for answers that come back out of order). The answer function is called once the time
   * has passed, and not at all for an effect whose task was cancelled meanwhile; `0` answers at once.
   * The mock performs `delay` for it, so the run needs a clock outside it (`virtualClock()`, or the
   * `scheduler` and `simulatedTime()`).
   */
  readonly latency?: number | ((effect: E) => number);
}

/**
 * A handler that answers every effect of class `C` with `answer` — or, when `answer` is a function,
 * with `answer(effect)` (to answer with a function value, wrap it: `() => f`). A throw from the
 * function is thrown at the perform site, where the program can catch it. Tail-resumptive: the
 * program continues at once, like `answer(C, f)`; effects of other classes pass it untouched.
 *
 * @example
 * ```ts
 * const fetchUser = mock(FetchUser, (e) => ({ id: e.id, name: "Ada" }));
 * run(greet(1), { handlers: [fetchUser] }).value; // "Hello, Ada"
 * fetchUser.calls.length;                         // 1
 * ```
 */
export function mock<
  C extends abstract new (
    ...args: any[]
  ) => object,
  A extends MockAnswer<InstanceType<C>> = MockAnswer<InstanceType<C>>,
>(
  effectClass: C,
  // (an async or generator function: refused, as by answer — see SyncAnswer; and the check handle
  // and answer make: a class TypeScript cannot tell apart from other effects. Both here, as in
  // answer, so that a generic effect class, `class Fetch<T> extends Effect<T>`, is inferred)
  answer: A & NoInfer<SyncAnswer<A> & HandleableClass<C, InstanceType<C>>>,
  // (options without a latency, `{}`: answers at once, as without options — no `delay`, no clock)
  options?: MockOptions<InstanceType<C>> & { readonly latency?: undefined },
): Mock<InstanceType<C>>;
/** With `{ latency }`: each answer comes after that much clock time (it performs `delay`). */
export function mock<
  C extends abstract new (
    ...args: any[]
  ) => object,
  A extends MockAnswer<InstanceType<C>> = MockAnswer<InstanceType<C>>,
>(
  effectClass: C,
  answer: A & NoInfer<SyncAnswer<A> & HandleableClass<C, InstanceType<C>>>,
  options: MockOptions<InstanceType<C>> & {
    readonly latency: number | ((effect: InstanceType<C>) => number);
  },
): Mock<InstanceType<C>, Delay>;
/**
 * Options whose latency the types cannot see (a `MockOptions` value, or `undefined`): the mock may
 * perform `delay`, so it is typed as doing so and a clock must be listed outside it.
 */
export function mock<
  C extends abstract new (
    ...args: any[]
  ) => object,
  A extends MockAnswer<InstanceType<C>> = MockAnswer<InstanceType<C>>,
>(
  effectClass: C,
  answer: A & NoInfer<SyncAnswer<A> & HandleableClass<C, InstanceType<C>>>,
  options: MockOptions<InstanceType<C>> | undefined,
): Mock<InstanceType<C>, Delay>;
export function mock(
  effectClass: abstract new (...args: any[]) => object,
  answer: unknown,
  options?: MockOptions<object>,
): Mock<object, Delay> {
  const notClass = notAnEffectClass(effectClass);
  if (notClass !== null)
    throw new TypeError(`mock expects an effect class first (class X extends Effect<A>), got ${notClass}`);
  const kind = typeof answer === "function" ? functionKind(answer) : null;
  if (kind !== null)
    throw new TypeError(
      `mock(${effectClass.name || "EffectClass"}, f): ${syncOnly(kind, effectClass.name || "EffectClass")}`,
    );
  const name = `mock(${className(effectClass)})`;
  const latency = latencyOption(options, name);
  const calls: object[] = [];
  const h = function* mock(effect: object, k: Parameters<Handler>[1]) {
    calls.push(effect);
    if (latency !== null) {
      // waited here, in the handler: the program's own handlers (a recorder inside the mock) do
      // not see the delay, and a task cancelled meanwhile is never answered
      let ms: unknown = latency;
      if (typeof latency === "function") {
        try {
          ms = milliseconds(latency(effect), `${name}'s latency function`);
        } catch (error) {
          return yield* transferWith(k, fail(error));
        }
      }
      if (ms !== 0) {
        const d = delay(ms as number);
        try {
          yield* d;
        } catch (error) {
          if (error instanceof UnhandledEffectError && error.effect === d) noClock(error, name);
          throw error;
        }
      }
    }
    let value: unknown;
    try {
      value = typeof answer === "function" ? (answer as (e: object) => unknown)(effect) : answer;
    } catch (error) {
      return yield* transferWith(k, fail(error));
    }
    return yield* transfer(k, value);
  } as unknown as Mock<object> & { handles?: (e: unknown) => boolean; [TAKES]?: Function };
  Object.defineProperty(h, "name", { value: name });
  h.handles = (e) => e instanceof effectClass;
  h[TAKES] = effectClass;
  Object.defineProperty(h, "calls", { value: calls, enumerable: true });
  Object.defineProperty(h, "clear", { value: () => void (calls.length = 0) });
  return h;
}

/**
 * The latency's `delay` that no clock takes: the VM's words ("performed by handler function
 * mock(Search); none outside it takes it … list it before the handler") read as if the mock were in
 * the wrong place; the usual cause is a run without a clock. Say that, as the error passes, so that
 * the run's report (made when it ends) says it too.
 */
function noClock(e: UnhandledEffectError, name: string): void {
  try {
    const old = e.message;
    const msg = `${name}'s latency waits with delay(), and no clock outside the mock takes it: run under a virtual clock — virtualClock().run(program, { handlers }), or ...clock.handlers first in handlers — or list the scheduler and simulatedTime() before the mock`;
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
  } catch {
    // (the VM's words stay)
  }
}

/** `options.latency`, checked at the call: a number of ms, a function of the effect, or null (none). */
function latencyOption(options: unknown, name: string): number | ((effect: object) => unknown) | null {
  const latency = optionsObject(options, "mock", ["latency"]).latency;
  if (latency === undefined) return null;
  if (typeof latency === "function") return latency as (effect: object) => unknown;
  if (typeof latency !== "number")
    throw new TypeError(
      `${name}'s latency expects a number of milliseconds, or a function of the effect returning one, got ${describe(latency)}`,
    );
  return milliseconds(latency, `${name}'s latency`);
}
