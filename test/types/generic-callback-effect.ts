/**
 * Type tests for a generic effect class whose type parameter is in a callback's parameter
 * (`class Validate<T> { check: (x: T) => boolean }`): `handle`, `answer` and `mock` type the handler
 * as taking `Validate<unknown>`, to which `Validate<number>` is not assignable (a function's
 * parameter is contravariant). `run`, `withHandler`, `createContinuation` and the handler-order check
 * read such a handler as taking every Validate — before, `run(p, { handlers: [byHandle] })` was
 * `MissingHandlerError<Validate<number>>` for a program the handler takes, and `withHandler` left
 * `Validate<number>` in the row. A callback one level down (an array of them, an object field holding
 * one) is read the same; it needed `Handler<V<any>>`.
 */
import {
  answer,
  type Continuation,
  createContinuation,
  Effect,
  type EffectsOf,
  fn,
  type Handler,
  handle,
  type MissingHandlers,
  type OutOfOrder,
  type Primitive,
  type Program,
  program,
  run,
  type RunResult,
  scheduler,
  spawn,
  type TaskEnders,
  transfer,
  wait,
  withHandler,
} from "../../src/index.js";
import { expectEffects, mock, virtualClock } from "../../src/testing/index.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// T only in a callback's parameter (contravariant)
class Validate<T> extends Effect<boolean> {
  declare readonly _tag: "Validate";
  constructor(
    readonly value: T,
    readonly check: (x: T) => boolean,
  ) {
    super();
  }
}
// T in a callback's parameter and in the answer (invariant)
class Ref<T> extends Effect<T> {
  declare readonly _tag: "Ref";
  constructor(
    readonly initial: T,
    readonly onSet: (x: T) => void,
  ) {
    super();
  }
}
// the answer is a callback of T
class Listener<T> extends Effect<(x: T) => void> {
  declare readonly _tag: "Listener";
  constructor(readonly topic: string) {
    super();
  }
}
class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(readonly msg: string) {
    super();
  }
}
class Other extends Effect<boolean> {
  declare readonly _tag: "Other";
  constructor(readonly check: (x: number) => boolean) {
    super();
  }
}

const positive = fn(function* positive(n: number) {
  return yield* new Validate(n, (x) => x > 0);
});
expectType<Equal<typeof positive, (n: number) => Program<boolean, Validate<number>>>>();
const seen: number[] = [];
const counter = program(function* () {
  const n = yield* new Ref(0, (x) => seen.push(x + 1));
  const listen = yield* new Listener<string>("t");
  listen(`n=${n}`);
  return n;
});

const byHandle = handle(Validate, (e, k) => transfer(k, e.check(e.value)));
expectType<Equal<typeof byHandle, Handler<Validate<unknown>, never>>>();
const byAnswer = answer(Validate, (e) => e.check(e.value));
const byMock = mock(Validate, true);
const refs = answer(Ref, (e) => e.initial);
const listeners = answer(Listener, () => (_x: unknown) => {});

// run: the handlers take every Validate, Ref and Listener
export const r1 = run(positive(1), { handlers: [byHandle] });
expectType<Equal<typeof r1, RunResult<boolean>>>();
export const r2 = run(positive(1), { handlers: [byAnswer] });
export const r3 = run(positive(1), { handlers: [byMock] });
export const r4 = run(counter, { handlers: [refs, listeners] });
expectEffects(positive(1), [Validate], { handlers: [byMock] });
virtualClock().run(positive(1), { handlers: [byAnswer] });
// still checked: a handler for another class does not take it, nor one with another callback
// @ts-expect-error -- MissingHandlerError<Validate<number>>
run(positive(1), { handlers: [answer(Log, () => undefined)] });
// @ts-expect-error -- MissingHandlerError<Validate<number>>: Other's check is not Validate's shape
run(positive(1), { handlers: [answer(Other, () => true)] });
// @ts-expect-error -- MissingHandlerError<Listener<string>>
run(counter, { handlers: [refs] });
expectType<Equal<MissingHandlers<EffectsOf<typeof counter>, readonly [typeof refs]>, Listener<string>>>();
expectType<Equal<MissingHandlers<Validate<number>, readonly [Handler<Other>]>, Validate<number>>>();

// withHandler removes them from the row
export const w1 = withHandler(byHandle, positive(1));
expectType<Equal<typeof w1, Primitive<boolean, never>>>();
export const w2 = withHandler(refs, counter);
expectType<Equal<typeof w2, Primitive<number, Listener<string>>>>();
export const w3 = withHandler(
  byAnswer,
  withHandler(
    answer(Log, () => undefined),
    positive(1),
  ),
);
expectType<Equal<typeof w3, Primitive<boolean, never>>>();

// createContinuation: its row loses what its handlers take
export const c1 = createContinuation(positive(1), [byHandle]);
expectType<Equal<typeof c1, Primitive<Continuation<unknown, boolean, never>>>>();

// order: a handler performing Validate<number>, with the Validate handler listed before it
const logs = handle(Log, function* (e, k) {
  yield* new Validate(e.msg.length, (x) => x < 80);
  return yield* transfer(k);
});
const logged = program(function* () {
  yield* new Log("hello");
  return 1;
});
export const o1 = run(logged, { handlers: [byHandle, logs] });
// @ts-expect-error -- HandlerOrderError<Validate<number>>: listed after the handler that performs it
run(logged, { handlers: [logs, byHandle] });
expectType<Equal<OutOfOrder<readonly [typeof logs, typeof byHandle]>, Validate<number>>>();
expectType<Equal<OutOfOrder<readonly [typeof byHandle, typeof logs]>, never>>();

// tasks: a handler taking a task's Validate that ends it with its own result is still seen
const orNull = handle(Validate, function* () {
  return null;
});
const task = program(function* () {
  return yield* wait(yield* spawn(positive(1)));
});
// @ts-expect-error -- TaskResultError: orNull may end the task (a boolean) with null
run(task, { handlers: [scheduler, orNull] });
expectType<
  Equal<TaskEnders<EffectsOf<typeof task>, readonly [typeof scheduler, typeof orNull]>, typeof orNull>
>();
export const t1 = run(task, { handlers: [orNull, scheduler] });
expectType<Equal<typeof t1, RunResult<boolean | null>>>();

// T in callbacks nested one level deeper: in an array, in an object field
class ValidateAll<T> extends Effect<boolean> {
  declare readonly _tag: "ValidateAll";
  constructor(
    readonly value: T,
    readonly checks: ReadonlyArray<(x: T) => boolean>,
  ) {
    super();
  }
}
class ValidateWith<T> extends Effect<boolean> {
  declare readonly _tag: "ValidateWith";
  constructor(
    readonly value: T,
    readonly rules: { readonly check: (x: T) => boolean; readonly name: string },
  ) {
    super();
  }
}
const allPositive = program(function* () {
  return yield* new ValidateAll(1, [(x) => x > 0, (x) => x < 10]);
});
const ruled = program(function* () {
  return yield* new ValidateWith(1, { check: (x) => x > 0, name: "positive" });
});
const all = answer(ValidateAll, (e) => e.checks.every((c) => c(e.value)));
const ruledBy = answer(ValidateWith, (e) => e.rules.check(e.value));
// taken as the shallow case is, without Handler<ValidateAll<any>>
export const d1 = run(allPositive, { handlers: [all] });
expectType<Equal<typeof d1, RunResult<boolean>>>();
export const d2 = run(ruled, { handlers: [ruledBy] });
export const d3 = withHandler(all, allPositive);
expectType<Equal<typeof d3, Primitive<boolean, never>>>();
export const d4 = withHandler(ruledBy, ruled);
expectType<Equal<typeof d4, Primitive<boolean, never>>>();
// still checked: another class with a nested callback is not taken
// @ts-expect-error -- MissingHandlerError<ValidateAll<number>>
run(allPositive, { handlers: [ruledBy] });
expectType<Equal<MissingHandlers<ValidateAll<number>, readonly [typeof ruledBy]>, ValidateAll<number>>>();
