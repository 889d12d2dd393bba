/**
 * A helper that runs any program with the application's handlers (docs/types.md, "Escape hatches"):
 * the check goes on the helper's parameter, where the program's type is known, and the call inside
 * is told the program is covered. Never executed.
 */
import {
  type AnswerOf,
  awaitPromise,
  type Covered,
  type Distinguishable,
  type EffectClass,
  Effect,
  get,
  type Handler,
  handle,
  type Program,
  program,
  type ReturnedBy,
  type RunResult,
  type RunValue,
  type Runnable,
  realTime,
  resume,
  run,
  runAsync,
  scheduler,
  state,
  transfer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const appHandlers = [scheduler, realTime, state] as const;

export function runApp<P extends Runnable>(
  p: P & Covered<P, typeof appHandlers>,
): Promise<RunResult<RunValue<P>>> {
  return runAsync(p as unknown as Program<RunValue<P>, never>, { handlers: [...appHandlers] });
}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
export const ok: Promise<RunResult<number>> = runApp(
  program(function* () {
    return yield* get<number>("n");
  }),
);
export const missing = runApp(
  // @ts-expect-error -- Roll: no handler among the application's
  program(function* () {
    return yield* new Roll();
  }),
);

/**
 * A helper generic in its handler list too (a library's `runWith(p, handlers)`): the check goes on
 * its parameter, against the list its caller gives; inside, the program is cast to an open row
 * (`Program<RunValue<P>>`), which `run` accepts with any list, a type parameter included. The list's
 * constraint is `Handler<any, any, any>`: while TypeScript has not yet inferred a list holding a
 * handler written inline (its first pass), `H` is that constraint, which takes everything, so that
 * pass does not fail the call.
 */
export function runWith<P extends Runnable, const H extends readonly Handler<any, any, any>[]>(
  p: P & Covered<P, H>,
  handlers: H,
): RunResult<RunValue<P> | ReturnedBy<H>> {
  return run(p as unknown as Program<RunValue<P>>, { handlers });
}
export function runWithAsync<P extends Runnable, const H extends readonly Handler<any, any, any>[]>(
  p: P & Covered<P, H>,
  handlers: H,
): Promise<RunResult<RunValue<P> | ReturnedBy<H>>> {
  return runAsync(p as unknown as Program<RunValue<P>>, { handlers });
}
// without the cast, the coverage of a type parameter cannot be decided inside the helper
export function refused<A, E, const H extends readonly Handler<any, any, any>[]>(
  p: Program<A, E>,
  handlers: H,
) {
  // @ts-expect-error -- E and H are type parameters here: cast p to Program<A> (an open row)
  return run(p, { handlers });
}

class Fail extends Effect<never> {
  declare readonly _tag: "Fail";
}
class Fetch extends Effect<string> {
  declare readonly _tag: "Fetch";
}
const dice = handle(Roll, (_e, k) => transfer(k, 4));
const orNull = handle(Fail, function* () {
  return null;
});
const http = handle(Fetch, function* (_e, k) {
  return yield* transfer(k, yield* awaitPromise(() => Promise.resolve("body")));
});
const rollOrFail = program(function* () {
  const n = yield* new Roll();
  if (n > 5) yield* new Fail();
  return n;
});
const fetches = program(function* () {
  return yield* new Fetch();
});
// the caller's list is checked as run checks it, and the handlers' Ret joins the result
const both = runWith(rollOrFail, [dice, orNull]);
expectType<Equal<typeof both, RunResult<number | null>>>();
// @ts-expect-error -- Fail: no handler in the list
runWith(rollOrFail, [dice]);
// @ts-expect-error -- Roll and Fail: state takes neither
runWith(rollOrFail, [state]);
// a handler written inline (TypeScript's two inference passes) is checked too
const inline = runWith(rollOrFail, [handle(Roll, (_e, k) => transfer(k, 1)), orNull]);
expectType<Equal<typeof inline, RunResult<number | null>>>();
// @ts-expect-error -- Fail: the inline list lacks it
runWith(rollOrFail, [handle(Roll, (_e, k) => transfer(k, 1))]);
// the order too: http's AwaitPromise goes only to the handlers listed before it
export const ordered = runWithAsync(fetches, [scheduler, http]);
// @ts-expect-error -- HandlerOrderError<AwaitPromise<string>>
void runWithAsync(fetches, [http, scheduler]);

/**
 * A handler factory generic in its effect class (a library's `constant(C, value)`): `handle(C, f)`
 * cannot decide inside it whether `C` is distinguishable (its instance type is a type parameter),
 * so the check goes on the factory's parameter (`Distinguishable<E>`) and `handle` gets the class
 * as `EffectClass`; the result is typed by the factory (`Handler<E>`: it always resumes).
 */
export function constant<E extends Effect<any>>(
  C: (new (...args: any[]) => E) & Distinguishable<E>,
  value: AnswerOf<E>,
): Handler<E> {
  return handle(C as EffectClass, (_e, k) => transfer(k, value)) as Handler<E>;
}
export function refusedFactory<E extends Effect<any>>(C: new (...args: any[]) => E) {
  // @ts-expect-error -- E is a type parameter here: pass C as EffectClass (and type the result)
  return handle(C, (_e, k) => resume(k, undefined));
}
const four = constant(Roll, 4);
expectType<Equal<typeof four, Handler<Roll>>>();
const rolled = run(
  program(function* () {
    return yield* new Roll();
  }),
  { handlers: [four] },
);
expectType<Equal<typeof rolled, RunResult<number>>>();
// @ts-expect-error -- Roll answers a number
constant(Roll, "four");
class Untagged extends Effect<number> {}
// @ts-expect-error -- UntaggedEffectError<Untagged>: the factory checks what handle would
constant(Untagged, 1);
