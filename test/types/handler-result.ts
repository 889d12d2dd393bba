/**
 * Type tests: a handler's own result. A handler that ends without resuming `k` makes its return
 * value the withHandler's result (SEMANTICS §4: "p's result, or the first invocation's outcome"),
 * so withHandler, run and createContinuation add it to the result type. In `handle(C, f)`,
 * `resume(k, v)` evaluates to the opaque BodyResult, which `f` hands on unchanged without adding to
 * the type. Checked by `tsc` (never executed); each `// @ts-expect-error` line must fail.
 */
import {
  answer,
  type BodyResult,
  type Continuation,
  createContinuation,
  discontinue,
  Effect,
  type Handler,
  handle,
  pass,
  type Program,
  type Primitive,
  program,
  pure,
  reader,
  resume,
  run,
  type RunResult,
  runAsync,
  scheduler,
  state,
  tell,
  transfer,
  withHandler,
  writer,
} from "../../src/index.js";
import { expectEffects, expectEffectsAsync, mock, virtualClock } from "../../src/testing/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Fail extends Effect<never> {
  declare readonly _tag: "Fail";
  constructor(readonly reason: string) {
    super();
  }
}
class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}

const parse = program(function* () {
  const n = yield* new Roll();
  if (n > 6) yield* new Fail("too big");
  return n;
});
expectType<Equal<typeof parse, Program<number, Roll | Fail>>>();
const dice = answer(Roll, () => 4);

// ── an abort-style handler: `return null` without resuming ───────────────────────────────────
const orNull = handle(Fail, function* (_e, _k) {
  return null;
});
expectType<Equal<typeof orNull, Handler<Fail, never, null>>>();
const parsed = withHandler(orNull, parse);
expectType<Equal<typeof parsed, Primitive<number | null, Roll>>>();
const viaRun = run(parse, { handlers: [dice, orNull] });
expectType<Equal<typeof viaRun, RunResult<number | null>>>();
const inProgram = program(function* () {
  return yield* withHandler(dice, withHandler(orNull, parse));
});
expectType<Equal<typeof inProgram, Program<number | null, never>>>();

// resuming on one path, returning its own value on another: only the own value is added
const orMissing = handle(Roll, function* (_e, k) {
  if (Math.random() > 0.5) return "missing" as const;
  return yield* resume(k, 3);
});
expectType<Equal<typeof orMissing, Handler<Roll, never, "missing">>>();
const nested = withHandler(orNull, withHandler(orMissing, parse));
expectType<Equal<typeof nested, Primitive<number | "missing" | null, never>>>();
const listed = run(parse, { handlers: [orNull, orMissing] });
expectType<Equal<typeof listed, RunResult<number | "missing" | null>>>();
// written inline in the list (context-sensitive: inferred in TypeScript's second pass)
const inline = run(parse, {
  handlers: [
    dice,
    handle(Fail, function* (_e, _k) {
      return undefined;
    }),
  ],
});
expectType<Equal<typeof inline, RunResult<number | undefined>>>();
const listedAsync = runAsync(parse, { handlers: [scheduler, orNull, orMissing] });
expectType<Equal<typeof listedAsync, Promise<RunResult<number | "missing" | null>>>>();

// ── resume evaluates to BodyResult in handle; handed on unchanged it adds nothing ─────────────
const passOn = handle(Roll, function* (_e, k) {
  expectType<Equal<typeof k, Continuation<number, BodyResult>>>();
  const r = yield* resume(k, 1);
  expectType<Equal<typeof r, BodyResult>>();
  yield* tell("after");
  return r;
});
expectType<Equal<typeof passOn, Handler<Roll, ReturnType<typeof tell>, never>>>();
const passedOn = withHandler(passOn, parse);
expectType<Equal<typeof passedOn, Primitive<number, Fail | ReturnType<typeof tell>>>>();
// transfer, discontinue, pass and a plain function returning resume(…) add nothing either
const tail = handle(Roll, function* (_e, k) {
  return yield* transfer(k, 2);
});
const thrown = handle(Fail, function* (e, k) {
  return yield* discontinue(k, new Error(e.reason));
});
const passing = handle(Fail, function* () {
  return yield* pass();
});
const plain = handle(Roll, (_e, k) => resume(k, 5));
expectType<Equal<typeof tail, Handler<Roll, never, never>>>();
expectType<Equal<typeof thrown, Handler<Fail, never, never>>>();
expectType<Equal<typeof passing, Handler<Fail, never, never>>>();
expectType<Equal<typeof plain, Handler<Roll, never, never>>>();
const noneAdded = run(parse, { handlers: [thrown, plain] });
expectType<Equal<typeof noneAdded, RunResult<number>>>();
// a plain function returning a program of its own: that program's result is the handler's
const plainNull = handle(Fail, () => pure(null));
expectType<Equal<typeof plainNull, Handler<Fail, never, null>>>();

// only BodyResult itself is left out: `{}`, `object` and records (which it is assignable to) stay
const orEmpty = handle(Fail, function* () {
  return {} as object;
});
const orRecord = handle(Fail, () => pure<Record<string, unknown>>({}));
expectType<Equal<typeof orEmpty, Handler<Fail, never, object>>>();
expectType<Equal<typeof orRecord, Handler<Fail, never, Record<string, unknown>>>>();
const orEmptyWith = withHandler(orEmpty, parse);
expectType<Equal<typeof orEmptyWith, Primitive<number | object, Roll>>>();

// ── post-processing: BodyResult is opaque; cast it to compute (the cast is the claim) ────────
const doubled = handle(Roll, function* (_e, k) {
  const r = yield* resume(k, 1);
  // @ts-expect-error -- BodyResult is not a number: handle does not know the body
  r * 2;
  return (r as number) * 2;
});
expectType<Equal<typeof doubled, Handler<Roll, never, number>>>();
const doubledRun = run(parse, { handlers: [orNull, doubled] });
expectType<Equal<typeof doubledRun, RunResult<number | null>>>();
const shown = handle(Roll, function* (_e, k) {
  return `got ${String(yield* resume(k, 1))}`;
});
const shownWith = withHandler(shown, parse);
expectType<Equal<typeof shownWith, Primitive<number | string, Fail>>>();
// widened to inspect it: the handler may return anything, so the result is unknown
const inspected = handle(Roll, function* (_e, k) {
  const r: unknown = yield* resume(k, 1);
  return typeof r === "number" ? r * 2 : r;
});
const inspectedWith = withHandler(inspected, parse);
expectType<Equal<typeof inspectedWith, Primitive<unknown, Fail>>>();
// a handler that resumes but returns nothing ends the withHandler with undefined: `void`
const forgot = handle(Roll, function* (_e, k) {
  yield* resume(k, 1);
});
const forgotWith = withHandler(forgot, parse);
expectType<Equal<typeof forgotWith, Primitive<number | void, Fail>>>();

// ── answer, mock-style and the standard handlers add nothing ──────────────────────────────────
expectType<Equal<typeof dice, Handler<Roll, never>>>();
const answered = withHandler(dice, parse);
expectType<Equal<typeof answered, Primitive<number, Fail>>>();
const counter = program(function* () {
  yield* tell("n");
  return 1;
});
const standard = run(counter, { handlers: [state, reader, writer] });
expectType<Equal<typeof standard, RunResult<number>>>();
const withWriter = withHandler(writer, counter);
expectType<Equal<typeof withWriter, Primitive<number, never>>>();

// ── a handler typed by hand: its result is what it declares ────────────────────────────────────
const byHand: Handler<Fail> = function* (_e: Fail, _k: Continuation) {
  return null;
};
const byHandWith = withHandler(byHand, parse);
expectType<Equal<typeof byHandWith, Primitive<number, Roll>>>(); // Handler<Fail> claims none (docs/types.md)
const declared: Handler<Fail, never, null> = byHand;
const declaredWith = withHandler(declared, parse);
expectType<Equal<typeof declaredWith, Primitive<number | null, Roll>>>();
// Ret is forgotten by an annotation, not refused: existing `Handler<X>` values and lists keep working
const forgotten: Handler<Fail> = orNull;
const list: Handler[] = [orNull, state, doubled];
const dynamic = run(parse, { handlers: list });
expectType<Equal<typeof dynamic, RunResult<number>>>();
// a list typed `any` is unchecked: the program's value
// biome-ignore lint/suspicious/noExplicitAny: the escape hatch under test
const untyped = run(parse, { handlers: [] as any });
expectType<Equal<typeof untyped, RunResult<number>>>();
// @ts-expect-error -- unrelated results are refused: a handler returning a string is not one returning a number
const wrong: Handler<Fail, never, number> = withHandlerResult("s");
declare function withHandlerResult<R>(r: R): Handler<Fail, never, R>;

// ── createContinuation: resuming it gives the program's result or its handlers' ───────────────
const resumed = program(function* () {
  const k = yield* createContinuation(parse, [orNull, dice]);
  const r = yield* resume(k);
  expectType<Equal<typeof r, number | null>>();
  return r;
});
expectType<Equal<typeof resumed, Program<number | null, never>>>();

// ── doeff/testing runs a program as run does: its handlers' results are added; a mock's none ─────
const rollMock = mock(Roll, 2);
const expected = expectEffects(parse, [Roll], { handlers: [orNull, rollMock] });
expectType<Equal<typeof expected, RunResult<number | null>>>();
const expectedAsync = expectEffectsAsync(parse, [Roll], { handlers: [orNull, rollMock] });
expectType<Equal<typeof expectedAsync, Promise<RunResult<number | null>>>>();
const clocked = virtualClock().run(parse, { handlers: [orNull, dice] });
expectType<Equal<typeof clocked, RunResult<number | null>>>();
const clockedAsync = virtualClock().runAsync(parse, { handlers: [orNull, dice] });
expectType<Equal<typeof clockedAsync, Promise<RunResult<number | null>>>>();

export { forgotten, wrong };
