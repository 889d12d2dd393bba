/**
 * A function where a program goes (ProgramArg, src/vm/types.ts): refused by run, runAsync, spawn,
 * withHandler and the single-program combinators with an error that says what to write (its text is
 * checked in test/types-matrix.test.ts), while what they took before — programs, effects, generic
 * programs of a helper, `any` — is taken, and typed, as before. Never executed.
 */
import {
  abortable,
  type AnyProgramLike,
  concurrencyLimited,
  concurrencyLimiter,
  createContinuation,
  Effect,
  type EffectsOf,
  type FixFor,
  fn,
  type Get,
  get,
  handle,
  intercept,
  type Listen,
  listen,
  type Local,
  local,
  type Program,
  type ProgramArg,
  type ProgramExpectedError,
  program,
  type Primitive,
  type RateLimiter,
  type ResultOf,
  type RunResult,
  rateLimited,
  recover,
  resume,
  retry,
  run,
  runAsync,
  safe,
  type Semaphore,
  type Spawn,
  scheduler,
  scoped,
  spawn,
  state,
  timeout,
  withHandler,
  withPermit,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
const rolls = program(function* () {
  return (yield* new Roll()) + (yield* get<number>("n"));
});
const job = fn(function* job(n: number) {
  return n;
});
const rolled = handle(Roll, function* (_e, k) {
  return yield* resume(k, 4);
});
declare const signal: AbortSignal;
declare const limiter: RateLimiter;
declare const semaphore: Semaphore;
const slots = concurrencyLimiter({ limit: 2 });

// programs and effects: taken and typed as before
expectType<Equal<typeof rolls, Program<number, Roll | import("../../src/index.js").Get<number>>>>();
expectType<Equal<ReturnType<typeof spawn<typeof rolls>>, Spawn<number, EffectsOf<typeof rolls>>>>();
const spawned = spawn(new Roll());
expectType<Equal<typeof spawned, Spawn<number, Roll>>>();
const handled = withHandler(rolled, rolls);
expectType<Equal<ResultOf<typeof handled>, number>>();
expectType<Equal<typeof handled, Primitive<number, import("../../src/index.js").Get<number>>>>();
// a primitive, not a Program (docs/guide.md, "Installing handlers"): no .map, no Program annotation;
// wrapped in program(…) it is one
// @ts-expect-error -- Property 'map' does not exist on type 'Primitive<…>'
handled.map(String);
// @ts-expect-error -- a Primitive is not a Program
const annotated: Program<number, import("../../src/index.js").Get<number>> = handled;
void annotated;
const wrapped = program(function* () {
  return String(yield* withHandler(rolled, rolls));
});
expectType<Equal<typeof wrapped, Program<string, import("../../src/index.js").Get<number>>>>();
const timed = timeout(job(1), 10);
expectType<Equal<ResultOf<typeof timed>, number>>();
const ran: RunResult<number> = run(job(2));
void ran;
void runAsync(rolls, { handlers: [scheduler, rolled, state], store: { n: 1 } });
const patched = local({ n: 1 }, rolls);
expectType<Equal<typeof patched, Local<number, Roll | Get<number>>>>();
const listened = listen(new Roll());
expectType<Equal<typeof listened, Listen<number, Roll>>>();
const guardedRoll = safe(job(3));
expectType<Equal<EffectsOf<typeof guardedRoll>, never>>();
const watched = intercept(rolls, () => undefined);
expectType<Equal<EffectsOf<typeof watched>, EffectsOf<typeof rolls>>>();
void createContinuation(rolls, [rolled]);

// a program of a generic type, in a library's helper: its check stays unresolved there, and the
// program passes it (a check that named `P` in a nested branch made every such call an error)
export function guarded<P extends AnyProgramLike>(p: P) {
  return [
    timeout(p, 10),
    retry(p, { times: 2 }),
    scoped(p),
    abortable(p, signal),
    concurrencyLimited(slots, p),
    rateLimited(limiter, p),
    withPermit(semaphore, p),
    recover(p, TypeError, () => null),
    spawn(p),
    withHandler(rolled, p),
    local({ n: 1 }, p),
    listen(p),
    safe(p),
    intercept(p, () => undefined),
    createContinuation(p),
  ] as const;
}

// `any` passes, as it did
declare const untyped: any;
spawn(untyped);
timeout(untyped, 10);
run(untyped);

// a function: refused (the texts: test/types-matrix.test.ts), a union with one among its members too
// @ts-expect-error -- a generator function is not a program
spawn(function* () {
  return 1;
});
// @ts-expect-error -- pass job(…), not job
scoped(job);
// the fix, in the words of the run-time error of a function made by fn passed uncalled ("got
// function job, made by fn but not called: pass the program it makes, job(…)"): a function that
// returns a Program is what fn makes (TypeScript cannot tell it from () => job(…), also named)
type Uncalled =
  "a function is not a program, e.g. one made by fn but not called: pass the program it makes, job(…), not job or () => job(…)";
expectType<Equal<FixFor<typeof job>, Uncalled>>();
expectType<Equal<FixFor<() => Program<number, never>>, Uncalled>>();
expectType<Equal<ProgramArg<typeof job>, ProgramExpectedError<Uncalled>>>();
// a function returning an effect or a primitive: fn makes none of them
expectType<
  Equal<
    FixFor<() => Roll>,
    "a function is not a program: pass the program itself, job(…), not job or () => job(…)"
  >
>();
declare const either: Program<number, never> | (() => Program<number, never>);
// @ts-expect-error -- it may be a function
spawn(either);
// @ts-expect-error -- it may be a function
run(either);
// a type parameter that may be a function: refused too (its check stays unresolved; the text, the
// alias's argument GenericFix: test/types-matrix.test.ts)
export function either2<Q extends Program<number, never>, R extends () => Program<number, never>>(x: Q | R) {
  // @ts-expect-error -- it may be a function
  spawn(x);
  // @ts-expect-error -- it may be a function
  return timeout(x, 10);
}

// an effect class given without `new` (and any class): refused, as a function is
// @ts-expect-error -- an effect class is not an effect: pass new Roll(…)
spawn(Roll);
// @ts-expect-error -- an effect class is not an effect
run(Roll);
// @ts-expect-error -- an effect class is not an effect
local({ n: 1 }, Roll);
// @ts-expect-error -- a class is not a program
safe(Map);
// @ts-expect-error -- a generator function is not a program
listen(function* () {
  return 1;
});
const noProgram = () => undefined;
// @ts-expect-error -- a generator function is not a program
intercept(function* () {
  return 1;
}, noProgram);
