/**
 * The coverage check follows the order of `handlers`: `handlers[0]` is the outermost, and a handler's
 * own effects go only to the handlers listed before it (SEMANTICS: a handler's code runs outside its
 * prompt). Listed after it, the handler that takes them is never reached, and the run would fail
 * with UnhandledEffectError; the check rejects that list at compile time. Never executed.
 */
import {
  awaitPromise,
  type CoverageOf,
  type Delay,
  delay,
  Effect,
  type HandlerFactoryError,
  type MissingHandlerError,
  handle,
  type Handler,
  type OutOfOrder,
  program,
  reader,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  state,
  type Tell,
  tell,
  transfer,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Fetch extends Effect<number> {
  declare readonly _tag: "Fetch";
}
const http = handle(Fetch, function* (_e, k) {
  const n = yield* awaitPromise(() => Promise.resolve(1));
  return yield* transfer(k, n);
});
const logged = handle(Fetch, function* (_e, k) {
  yield* tell("fetching");
  return yield* transfer(k, 1);
});
const main = program(function* () {
  return yield* new Fetch();
});

// in order: the handler that takes a handler's effects is listed before it
void runAsync(main, { handlers: [scheduler, http] });
run(main, { handlers: [writer, state, logged] });
run(main, { handlers: [writer, logged, reader] });
// @ts-expect-error -- scheduler is inside http, where http's AwaitPromise never goes
void runAsync(main, { handlers: [http, scheduler] });
// @ts-expect-error -- writer is inside logged
run(main, { handlers: [logged, writer] });
// @ts-expect-error -- writer is inside logged (one handler between)
run(main, { handlers: [state, logged, reader, writer] });

// an outer handler that takes everything (the open Handler) covers what any inner one performs
declare const anything: Handler;
run(main, { handlers: [anything, logged] });

// a list whose order is not known (an array type) is checked as a set, as before
declare const list: (typeof writer | typeof logged)[];
run(main, { handlers: list });

// what the check computes: only the effects of a handler that no handler before it takes
expectType<Equal<OutOfOrder<[typeof logged, typeof writer]>, Tell>>();
expectType<Equal<OutOfOrder<[typeof writer, typeof logged]>, never>>();
expectType<
  Equal<OutOfOrder<[typeof state, typeof http, typeof scheduler]>, ReturnType<typeof awaitPromise<number>>>
>();

// a union of lists is checked list by list: an effect one of them leaves unhandled is missing
declare const verbose: boolean;
class Log2 extends Effect<undefined> {
  declare readonly _tag: "Log2";
}
const logs = program(function* () {
  yield* new Log2();
  return yield* new Fetch();
});
const log2 = handle(Log2, (_e, k) => transfer(k, undefined));
run(logs, { handlers: verbose ? [log2, writer, logged] : [writer, log2, logged] });
// @ts-expect-error -- the second list has no Log2 handler
run(logs, { handlers: verbose ? [writer, log2, logged] : [writer, logged] });

// ---------------------------------------------------------------------------------------------
// A function that makes a handler, listed without its call: HandlerFactoryError names it (it was
// MissingHandlerError<Delay>, with simulatedTime listed).
{
  const nap = program(function* nap() {
    yield* delay(5);
  });
  // @ts-expect-error -- simulatedTime is listed, not simulatedTime()
  run(nap, { handlers: [scheduler, simulatedTime] });
  expectType<
    Equal<
      CoverageOf<Delay, [typeof scheduler, typeof simulatedTime]>,
      HandlerFactoryError<typeof simulatedTime>
    >
  >();
  // called, it is a handler; and an effect no handler takes is still MissingHandlerError
  run(nap, { handlers: [scheduler, simulatedTime()] });
  expectType<Equal<CoverageOf<Delay, [typeof scheduler]>, MissingHandlerError<Delay>>>();
}
