/**
 * Type tests (API §7), checked by `tsc` as part of `npm test` (this file is never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; `// @ts-expect-error` lines assert that the
 * compiler rejects the next line. An unused @ts-expect-error is itself an error, so each must fail.
 */
import {
  type Ask,
  ask,
  type BodyResult,
  type Continuation,
  Effect,
  fn,
  type Get,
  get,
  type Handler,
  handle,
  type Listened,
  listen,
  local,
  type Modify,
  modify,
  type Program,
  pure,
  type Put,
  put,
  program,
  type Result,
  type RunResult,
  reader,
  resume,
  run,
  runAsync,
  safe,
  state,
  type Tell,
  tell,
  transfer,
  withHandler,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(readonly line: string) {
    super();
  }
}

// ── 1. yield* answers are exact ─────────────────────────────────────────────────────────────
const answers = program(function* () {
  const n = yield* get<number>("n");
  expectType<Equal<typeof n, number>>();
  const s = yield* ask<string>("s");
  expectType<Equal<typeof s, string>>();
  const t = yield* tell("x");
  expectType<Equal<typeof t, undefined>>();
  const p = yield* put("k", 1);
  expectType<Equal<typeof p, undefined>>();
  const m = yield* modify<number>("n", (old) => (old ?? 0) + 1);
  expectType<Equal<typeof m, number>>();
  const r = yield* new Roll(6);
  expectType<Equal<typeof r, number>>();
  const l = yield* listen(pure("v"));
  expectType<Equal<typeof l, Listened<string>>>();
  expectType<Equal<typeof l.log, readonly unknown[]>>(); // read-only, as RunResult.log is
  // @ts-expect-error -- the entries listen answers are not to be changed
  l.log.push("x");
  const sf = yield* safe(pure(1));
  expectType<Equal<typeof sf, Result<number>>>();
  const loc = yield* local({ a: 1 }, pure(true));
  expectType<Equal<typeof loc, boolean>>();
  // @ts-expect-error -- a number is not a string
  const wrong: string = yield* get<number>("n");
  return [n, s, wrong] as const;
});
expectType<Equal<(typeof answers)["__result"], readonly [number, string, string]>>();

// ── 2. rows are inferred from what the generator yields ─────────────────────────────────────
const counter = program(function* () {
  const n = yield* get<number>("n");
  yield* put("n", n + 1);
  return n;
});
expectType<Equal<typeof counter, Program<number, Get<number> | Put>>>();

const roller = fn(function* roller(times: number) {
  let total = 0;
  for (let i = 0; i < times; i++) total += yield* new Roll(6);
  yield* tell(`rolled ${total}`);
  return total;
});
expectType<Equal<ReturnType<typeof roller>, Program<number, Roll | Tell>>>();

const caller = program(function* () {
  const a = yield* roller(2); // a sub-program's row becomes part of ours
  const b = yield* counter;
  return a + b;
});
expectType<Equal<typeof caller, Program<number, Roll | Tell | Get<number> | Put>>>();
expectType<Equal<ReturnType<typeof pure<1>>, Program<1, never>>>();

// local / listen / safe carry the row of the program they run
const localRow = program(function* () {
  return yield* local({ x: 1 }, roller(1));
});
expectType<
  Equal<
    typeof localRow,
    Program<number, ReturnType<typeof local<Program<number, Roll | Tell>>> | Roll | Tell>
  >
>();
const safeRow = safe(counter);
expectType<Equal<typeof safeRow, Program<Result<number>, Get<number> | Put>>>();

// ── 3. handlers subtract what they handle, and add what they perform ────────────────────────
const withState = withHandler(state, counter);
expectType<Equal<(typeof withState)["__effects"], never>>();
const afterState = program(function* () {
  return yield* withHandler(state, caller);
});
expectType<Equal<typeof afterState, Program<number, Roll | Tell>>>();

const fixedDice = handle(Roll, function* fixedDice(_effect, k) {
  return yield* resume(k, 4);
});
expectType<Equal<typeof fixedDice, Handler<Roll, never>>>();
const noDice = program(function* () {
  return yield* withHandler(fixedDice, roller(3));
});
expectType<Equal<typeof noDice, Program<number, Tell>>>();

const loggingDice = handle(Roll, function* loggingDice(effect, k) {
  yield* new Log(`d${effect.sides}`); // performed by the handler: goes outward
  return yield* transfer(k, 1);
});
const logged = program(function* () {
  return yield* withHandler(loggingDice, roller(1));
});
expectType<Equal<typeof logged, Program<number, Tell | Log>>>();

const readerDone = program(function* () {
  return yield* withHandler(
    reader,
    program(function* () {
      return (yield* ask<number>("a")) + (yield* local({ a: 2 }, ask<number>("a")));
    }),
  );
});
expectType<Equal<typeof readerDone, Program<number, never>>>();
const writerDone = program(function* () {
  return yield* withHandler(writer, listen(roller(1)));
});
expectType<Equal<typeof writerDone, Program<Listened<number>, Roll>>>();

// the handler argument of handle() is typed by the class
handle(Roll, function* (effect, k) {
  expectType<Equal<typeof effect, Roll>>();
  expectType<Equal<typeof k, Continuation<number, BodyResult>>>();
  return yield* resume(k, effect.sides);
});

// ── 4. fn keeps parameter types and names ───────────────────────────────────────────────────
const greet = fn(function* greet(name: string, times: number) {
  return `${name} x${times}`;
});
expectType<Equal<Parameters<typeof greet>, [name: string, times: number]>>();
expectType<Equal<ReturnType<typeof greet>, Program<string, never>>>();
// @ts-expect-error -- wrong argument type
greet(1, 2);
// @ts-expect-error -- missing argument
greet("ada");
// @ts-expect-error -- too many arguments
greet("ada", 1, 2);

// ── 5. run / runAsync: every effect must be handled ─────────────────────────────────────────
const ok1: RunResult<number> = run(counter, { handlers: [state] });
const ok2: RunResult<number> = run(caller, { handlers: [state, writer, fixedDice] });
const ok3: Promise<RunResult<number>> = runAsync(caller, { handlers: [writer, state, fixedDice] });
const ok4 = run(pure(1));
expectType<Equal<typeof ok4, RunResult<number>>>();
const logHandler = handle(Log, (_e, k) => resume(k, undefined));
const ok5 = run(logged, { handlers: [writer, logHandler] });
expectType<Equal<typeof ok5, RunResult<number>>>();
void [ok1, ok2, ok3, ok5];

// @ts-expect-error -- missing handler for Get/Put (no handlers)
run(counter);
// @ts-expect-error -- missing handler for Roll
run(caller, { handlers: [state, writer] });
// @ts-expect-error -- missing handler for Tell
run(caller, { handlers: [state, fixedDice] });
// @ts-expect-error -- runAsync checks the same
void runAsync(caller, { handlers: [state] });
// @ts-expect-error -- the handler's own effect (Log) needs a handler too
run(logged, { handlers: [writer] });
// @ts-expect-error -- reader does not handle Get
run(counter, { handlers: [reader] });
// @ts-expect-error -- a single effect as the program
run(get<number>("n"));
function* rawRoll() {
  return yield* new Roll(6);
}
// @ts-expect-error -- a raw generator's effects are checked too
run(rawRoll());
// @ts-expect-error -- not a program at all
run(42);

// ── 6. escape hatches keep dynamic use possible ─────────────────────────────────────────────
const openHandler: Handler = function* (_effect, k) {
  return yield* resume(k, 0);
};
run(caller, { handlers: [openHandler] }); // an open handler takes anything
const dynamicHandlers: Handler[] = [state, writer];
run(caller, { handlers: dynamicHandlers }); // a dynamic list is not checked
// `handlers` typed `any` (a cast, an untyped config) is not checked either (it was refused with an
// error blaming a handler written inline)
const untypedHandlers: any = [state, writer];
run(caller, { handlers: untypedHandlers });
runAsync(caller, { handlers: [state, writer] as any });
// a call of a non-generic factory written inline in the list is inferred, as generic calls are
const diceAt = (value: number) => handle(Roll, (_roll, k) => transfer(k, value));
run(caller, { handlers: [state, writer, diceAt(4)] });
// @ts-expect-error -- and checked: MissingHandlerError<Tell>
run(caller, { handlers: [state, diceAt(4)] });
const openProgram: Program<number> = caller; // the default row is open
run(openProgram);
class Anything extends Effect<unknown> {}
const fieldless = program(function* () {
  return yield* new Anything(); // a field-less effect class cannot be told apart from others
});
// @ts-expect-error -- so run() rejects it and asks for a `_tag` (UntaggedEffectError) instead of a silent hole
run(fieldless);

// ── 7. primitives and constructors reject bad arguments at compile time ─────────────────────
// @ts-expect-error -- keys are strings
get(1);
// @ts-expect-error -- withHandler needs a handler function
withHandler(42, counter);
// @ts-expect-error -- modify needs a function
modify("n", 5);
// @ts-expect-error -- local needs a program
local({ a: 1 }, 42);
// @ts-expect-error -- resume needs a continuation
resume({}, 1);

// ── 8. a larger program keeps inference fast and exact ──────────────────────────────────────
const stepA = fn(function* stepA(x: number) {
  const base = yield* get<number>("base");
  yield* tell(`a ${x}`);
  return base + x;
});
const stepB = fn(function* stepB(x: number) {
  const factor = yield* ask<number>("factor");
  return x * factor;
});
const stepC = fn(function* stepC(x: number) {
  const roll = yield* new Roll(6);
  yield* modify<number>("total", (t) => (t ?? 0) + x + roll);
  return x + roll;
});
const pipeline = program(function* pipeline() {
  let x = 0;
  for (let i = 0; i < 10; i++) {
    x = yield* stepA(x);
    x = yield* stepB(x);
    x = yield* stepC(x);
    const r = yield* safe(stepB(x));
    if (r.isOk()) x += r.value;
  }
  return x;
});
expectType<
  Equal<typeof pipeline, Program<number, Get<number> | Tell | Ask<number> | Roll | Modify<number>>>
>();
run(pipeline, { handlers: [state, reader, writer, fixedDice] });
// @ts-expect-error -- one missing effect (Ask) is enough
run(pipeline, { handlers: [state, writer, fixedDice] });

// ---------------------------------------------------------------------------------------------
// A generator declaring a `this` (a method's, to reach the service's fields) is refused: fn and
// program call it without one, so `this.db` was undefined at run time. Without the declaration,
// `this` in it is already an error (noImplicitThis).
class UserService {
  readonly table = "users";
  // @ts-expect-error -- fn calls the generator without a `this`
  readonly byId = fn(function* byId(this: UserService, id: number) {
    return `${this.table}/${id}`;
  });
  // @ts-expect-error -- so does program
  readonly all = program(function* all(this: UserService) {
    return this.table;
  });
}
void UserService;
// a generator that does not declare one is as before
const plainById = fn(function* plainById(id: number) {
  return `users/${id}`;
});
expectType<Equal<typeof plainById, (id: number) => Program<string, never>>>();
