/** `mock(EffectClass, answer | fn)`: a handler answering one effect class with a fixed value or a function. */
import type { Effect } from "../effects/effect.js";
import { className, notAnEffectClass } from "../vm/brand.js";
import type { Handler } from "../vm/handler.js";
import { TAKES } from "../vm/handler.js";
import { transfer, transferWith } from "../vm/primitives.js";
import type { SyncAnswer } from "../handlers/answer.js";
import type { HandleableClass } from "../handlers/handle.js";
import { syncOnly } from "../handlers/util.js";
import { functionKind } from "../vm/program.js";
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
export interface Mock<E> extends Handler<E, never> {
  /** The effects it took, in order (those its function threw for included). */
  readonly calls: readonly E[];
  /** Forget the recorded calls. */
  clear(): void;
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
): Mock<InstanceType<C>> {
  const notClass = notAnEffectClass(effectClass);
  if (notClass !== null)
    throw new TypeError(`mock expects an effect class first (class X extends Effect<A>), got ${notClass}`);
  const kind = typeof answer === "function" ? functionKind(answer) : null;
  if (kind !== null)
    throw new TypeError(
      `mock(${effectClass.name || "EffectClass"}, f): ${syncOnly(kind, effectClass.name || "EffectClass")}`,
    );
  const calls: InstanceType<C>[] = [];
  const h = function* mock(effect: InstanceType<C>, k: Parameters<Handler>[1]) {
    calls.push(effect);
    let value: unknown;
    try {
      value = typeof answer === "function" ? (answer as (e: InstanceType<C>) => unknown)(effect) : answer;
    } catch (error) {
      return yield* transferWith(k, fail(error));
    }
    return yield* transfer(k, value);
  } as unknown as Mock<InstanceType<C>> & { handles?: (e: unknown) => boolean; [TAKES]?: Function };
  Object.defineProperty(h, "name", { value: `mock(${className(effectClass)})` });
  h.handles = (e) => e instanceof effectClass;
  h[TAKES] = effectClass;
  Object.defineProperty(h, "calls", { value: calls, enumerable: true });
  Object.defineProperty(h, "clear", { value: () => void (calls.length = 0) });
  return h;
}
