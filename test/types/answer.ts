/**
 * Type tests for answer (API §3), checked by `tsc` (never executed): `f` takes the class's instance
 * and must return the class's answer type; the handler takes that class.
 */
import { answer, Effect, fn, type Handler, run, withHandler } from "../../src/index.js";
import { mock } from "../../src/testing/index.js";

class Roll extends Effect<number> {
  constructor(readonly sides: number) {
    super();
  }
}

const dice = answer(Roll, (e) => e.sides - 2);
export const h: Handler<Roll, never> = dice;

// @ts-expect-error -- the answer type of Roll is number, not string
answer(Roll, (e) => `${e.sides}`);

// @ts-expect-error -- `e` is a Roll: it has no `faces`
answer(Roll, (e) => e.faces);

const game = fn(function* () {
  return (yield* new Roll(6)) + (yield* new Roll(6));
});
// the handler subtracts Roll from the row: run accepts the result
export const r: number | undefined = run(withHandler(dice, game())).value;

// an effect answered `void` (or `unknown`) accepts any result, so an async or generator function
// type-checked and was refused only at run time: now a compile error (AsyncAnswerError), in mock too
class Log extends Effect<void> {
  constructor(readonly message: string) {
    super();
  }
}
answer(Log, (e) => {
  void e.message;
});
answer(Log, () => {
  throw new Error("no logging here");
});
// @ts-expect-error -- an async function answers with a Promise
answer(Log, async (e) => {
  void e.message;
});
// @ts-expect-error -- a generator function answers with a generator object
answer(Log, function* () {});
mock(Log, undefined);
mock(Log, (e) => {
  void e.message;
});
// @ts-expect-error -- an async function answers with a Promise
mock(Log, async () => {});

// a function whose result is typed `any` (JSON.parse, an untyped client) returns a plain value: it
// was refused as async (AsyncAnswerError), `any` being assignable to a Promise too
interface Config {
  port: number;
}
class LoadConfig extends Effect<Config> {
  constructor(readonly text: string) {
    super();
  }
}
export const parsed: Handler<LoadConfig, never> = answer(LoadConfig, (e) => JSON.parse(e.text));
mock(LoadConfig, (e) => JSON.parse(e.text));
answer(Log, (): any => undefined);
// @ts-expect-error -- still: an async function answers with a Promise, `any` inside it or not
answer(LoadConfig, async (e) => JSON.parse(e.text));
// @ts-expect-error -- and a Promise typed `Promise<any>`
mock(LoadConfig, (e): Promise<any> => Promise.resolve(e.text));
