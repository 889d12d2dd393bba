/**
 * Type tests for the structured concurrency toolkit (API §5 second table, §7), checked by `tsc`
 * (this file is never executed). `expectType<Equal<A, B>>()` asserts an exact type; each
 * `// @ts-expect-error` line must fail.
 */
import {
  abortable,
  all,
  type AnyProgramLike,
  type ArrayExpectedError,
  type NonEmptyCheck,
  type NonEmptyItemsCheck,
  type RaceWinner,
  type ResultOf,
  type ResultsOf,
  type RowsOf,
  raceFirst,
  type Channel,
  concurrencyLimited,
  concurrencyLimiter,
  type EffectsOf,
  type Program,
  type SchedulerRow,
  type TasksRow,
  createChannel,
  createSemaphore,
  delay,
  fn,
  forEach,
  forEachAsync,
  forEachLatest,
  get,
  program,
  pure,
  type Received,
  raceAll,
  receive,
  retry,
  run,
  runAsync,
  type Semaphore,
  type Spawn,
  scheduler,
  scoped,
  send,
  simulatedTime,
  state,
  type Tell,
  tell,
  timeout,
  withPermit,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const num = program(function* () {
  yield* delay(1);
  return 1;
});
const str = program(function* () {
  yield* tell("s");
  return "s";
});

const typed = program(function* () {
  // all of a tuple → a tuple of results
  const t = yield* all([num, str, pure(true)]);
  expectType<Equal<typeof t, [number, string, boolean]>>();
  const limited = yield* all([num, str], { concurrency: 2 });
  expectType<Equal<typeof limited, [number, string]>>();
  // all of an array → an array
  const arr = yield* all([1, 2, 3].map(() => num));
  expectType<Equal<typeof arr, number[]>>();
  const fe = yield* forEach(["a", "b"], (s, i) => pure(`${s}${i}`));
  expectType<Equal<typeof fe, string[]>>();
  // raceAll → the union of the items' results
  const r = yield* raceAll([num, str]);
  expectType<Equal<typeof r, number | string>>();
  const to = yield* timeout(str, 10);
  expectType<Equal<typeof to, string>>();
  const re = yield* retry(num, { times: 3, delay: (attempt) => attempt * 10 });
  expectType<Equal<typeof re, number>>();
  const sc = yield* scoped(pure(1n));
  expectType<Equal<typeof sc, bigint>>();
  const sem = yield* createSemaphore(2);
  expectType<Equal<typeof sem, Semaphore>>();
  const wp = yield* withPermit(sem, str);
  expectType<Equal<typeof wp, string>>();
  const ch = yield* createChannel<number>({ capacity: 1 });
  expectType<Equal<typeof ch, Channel<number>>>();
  yield* send(ch, 1);
  // @ts-expect-error -- a Channel<number> takes numbers
  yield* send(ch, "one");
  const got = yield* receive(ch);
  expectType<Equal<typeof got, Received<number>>>();
  if (!got.done) expectType<Equal<typeof got.value, number>>();
  return [t, limited, arr, fe, r, to, re, sc, wp] as const;
});
run(typed, { handlers: [scheduler, simulatedTime(), writer] });

// Effect rows propagate: the items' effects (Get, Tell) and the combinator's own (scheduler, clock).
const rows = all([
  program(function* () {
    return yield* get<number>("n");
  }),
  str,
]);
run(rows, { handlers: [scheduler, state, writer] });
// @ts-expect-error -- missing handler for an item's Get
run(rows, { handlers: [scheduler, writer] });
// @ts-expect-error -- missing handler for the combinator's own scheduler effects
run(rows, { handlers: [state, writer] });

run(timeout(pure(1), 5), { handlers: [scheduler, simulatedTime()] });
// @ts-expect-error -- timeout needs a clock (Delay)
run(timeout(pure(1), 5), { handlers: [scheduler] });

// abortable: the program's result; its row and a scheduler's (no clock); the signal must be one
// (no DOM lib or @types/node in the consumer matrix: AbortSignal is doeff's minimal global declaration)
declare const outside: AbortSignal;
declare const controller: { readonly signal: AbortSignal; abort(reason?: unknown): void };
const ab = abortable(str, outside);
expectType<
  Equal<typeof ab, Program<string, EffectsOf<typeof str> | SchedulerRow | TasksRow<[typeof str]>>>
>();
run(ab, { handlers: [scheduler, writer] });
// @ts-expect-error -- the program's Tell needs a writer
run(ab, { handlers: [scheduler] });
// @ts-expect-error -- an AbortSignal, not its controller
abortable(str, controller);

// retry needs a clock only when it has a delay
run(retry(pure(1), { times: 2 }));
// @ts-expect-error -- a delay needs a clock
run(retry(pure(1), { times: 2, delay: 5 }));

// raceAll, like all, takes any iterable of programs: the union of their results, their rows
const raceSet = raceAll(new Set([num, str]));
expectType<
  Equal<
    typeof raceSet,
    Program<
      number | string,
      EffectsOf<typeof num | typeof str> | SchedulerRow | TasksRow<[typeof num | typeof str]>
    >
  >
>();
const raceMapped = raceAll([1, 2].map(() => num));
expectType<
  Equal<typeof raceMapped, Program<number, EffectsOf<typeof num> | SchedulerRow | TasksRow<[typeof num]>>>
>();
run(raceSet, { handlers: [scheduler, simulatedTime(), writer] });
// @ts-expect-error -- missing the writer for str's Tell
run(raceSet, { handlers: [scheduler, simulatedTime()] });
// @ts-expect-error -- raceAll of a single Program: put the programs in one array
raceAll(num);
// @ts-expect-error -- raceAll of non-programs
raceAll(new Set([1, 2]));

// a race of nothing (`[]`, `{}`) never ends: the call throws a TypeError, and is a compile error in
// its words (the text is checked in test/types-matrix.test.ts)
// @ts-expect-error -- raceAll needs at least one program (a race of nothing never ends)
raceAll([]);
// @ts-expect-error -- the same, as const
raceAll([] as const);
// @ts-expect-error -- ..., got an object with no keys
raceAll({});
// @ts-expect-error -- raceFirst needs at least one program
raceFirst([]);
// @ts-expect-error -- ..., got an object with no keys
raceFirst({});
type Nothing = "needs at least one program (a race of nothing never ends)";
expectType<Equal<NonEmptyCheck<readonly [], "raceAll">, ArrayExpectedError<`raceAll ${Nothing}`>>>();
expectType<
  Equal<
    NonEmptyCheck<{}, "raceFirst">,
    ArrayExpectedError<`raceFirst ${Nothing}, got an object with no keys`>
  >
>();
expectType<Equal<NonEmptyItemsCheck<never, "raceAll">, ArrayExpectedError<`raceAll ${Nothing}`>>>();
// an array type may be empty or not (checked at the call): it passes, as a tuple or object with programs
expectType<Equal<NonEmptyCheck<readonly [typeof num], "raceAll">, unknown>>();
expectType<Equal<NonEmptyCheck<(typeof num)[], "raceAll">, unknown>>();
expectType<Equal<NonEmptyCheck<{ a: typeof num }, "raceAll">, unknown>>();
expectType<Equal<NonEmptyItemsCheck<typeof num, "raceAll">, unknown>>();
// ... and a generic helper's programs pass, typed as before
export function raceOfList<P extends readonly AnyProgramLike[]>(ps: P) {
  const r = raceAll(ps);
  expectType<Equal<typeof r, Program<ResultsOf<P>[number], RowsOf<P> | SchedulerRow | TasksRow<P>>>>();
  const f = raceFirst(ps);
  expectType<Equal<typeof f, typeof r>>();
}
export function raceOfRecord<R extends { readonly [key: string]: AnyProgramLike }>(ps: R) {
  const r = raceAll(ps);
  expectType<Equal<ResultOf<typeof r>, RaceWinner<R>>>();
  const f = raceFirst(ps);
  expectType<Equal<typeof f, typeof r>>();
}
export function raceOfItems<Q extends AnyProgramLike>(ps: Set<Q>) {
  const r = raceAll(ps);
  expectType<Equal<ResultOf<typeof r>, ResultOf<Q>>>();
  const f = raceFirst(ps);
  expectType<Equal<typeof f, typeof r>>();
}

// raceAll needs at least a tuple of programs; all rejects non-programs
// @ts-expect-error -- not a program
all([1, 2]);

// A single program is not a list: it is iterable only for `yield*` (forgot `yield*` → a type error)
const listUrls = program(function* () {
  return ["a", "b"];
});
// @ts-expect-error -- forEach of a Program: `yield*` it first to get its list
forEach(listUrls, (u) => pure(u));
// @ts-expect-error -- forEach of an effect
forEach(get<string[]>("urls"), (u) => pure(u));
// @ts-expect-error -- all of a single Program
all(listUrls);
// @ts-expect-error -- a bare generator function as forEach's function: wrap it with fn
forEach([1, 2], function* (n: number) {
  return n + (yield* pure(1));
});
// ... which fn fixes: its result typed as the generator's
const wrapped = forEach(
  [1, 2],
  fn(function* one(n: number) {
    return n + (yield* pure(1));
  }),
);
expectType<Equal<typeof wrapped extends Program<infer A, unknown> ? A : never, number[]>>();
run(wrapped, { handlers: [scheduler] });
const itemsOk = program(function* () {
  const urls = yield* listUrls;
  const pages = yield* forEach(urls, (u, i) => pure(`${u}${i}`));
  expectType<Equal<typeof pages, string[]>>();
  // any iterable of items, a generator's too
  const fromSet = yield* forEach(new Set([1, 2]), (n) => pure(n > 1));
  expectType<Equal<typeof fromSet, boolean[]>>();
  const fromGen = yield* forEach(
    (function* () {
      yield 1n;
    })(),
    (n) => pure(n),
  );
  expectType<Equal<typeof fromGen, bigint[]>>();
  return [pages, fromSet, fromGen];
});
run(itemsOk, { handlers: [scheduler] });

// forEachAsync: without options, the row of f's programs and the scheduler's (no tasks); with
// { concurrency }, also a Spawn per task (for run's TaskResultError check), its result unknown:
// forEachAsync drops the tasks' values, so a handler may end one with any
declare const lines: AsyncIterable<string>;
const eachLine = forEachAsync(lines, (line) => tell(line));
expectType<Equal<typeof eachLine, Program<undefined, Tell | SchedulerRow>>>();
const eachLineConc = forEachAsync(lines, (line) => (line ? num : num), { concurrency: 4 });
expectType<
  Equal<
    typeof eachLineConc,
    Program<undefined, EffectsOf<typeof num> | SchedulerRow | Spawn<unknown, EffectsOf<typeof num>>>
  >
>();
void runAsync(eachLineConc, { handlers: [scheduler, simulatedTime()] });
// @ts-expect-error -- num's delay needs a clock
void runAsync(eachLineConc, { handlers: [scheduler] });
// an options object typed as possibly undefined is the options form
declare const maybeOptions: { concurrency: number } | undefined;
forEachAsync(lines, (line) => tell(line), maybeOptions);
// @ts-expect-error -- concurrency is a number
forEachAsync(lines, (line) => tell(line), { concurrency: "4" });
// @ts-expect-error -- the only option is concurrency
forEachAsync(lines, (line) => tell(line), { limit: 4 });

// a bare generator function as forEachAsync's or forEachLatest's function: the same compile error
// at the call, with or without options, saying to wrap it with fn
// @ts-expect-error -- forEachAsync's function is a generator function: wrap it with fn
forEachAsync(lines, function* (line: string) {
  yield* tell(line);
});
forEachAsync(
  lines,
  // @ts-expect-error -- ... with options too
  function* (line: string) {
    yield* tell(line);
  },
  { concurrency: 2 },
);
// @ts-expect-error -- an async generator function (its AsyncGenerator is no program either)
forEachAsync(lines, async function* (line: string) {
  yield line;
});
declare const queryChannel: Channel<string>;
// @ts-expect-error -- forEachLatest's function is a generator function: wrap it with fn
forEachLatest(queryChannel, function* (q: string) {
  yield* tell(q);
});
forEachLatest(
  queryChannel,
  // @ts-expect-error -- ... with options too
  function* (q: string) {
    yield* tell(q);
  },
  { debounce: 200 },
);
// ... which fn fixes (typed as the generator's program), as does a plain function returning one
const eachLineFn = forEachAsync(
  lines,
  fn(function* one(line: string) {
    yield* tell(line);
  }),
);
expectType<Equal<typeof eachLineFn, Program<undefined, Tell | SchedulerRow>>>();
const eachLineFnConc = forEachAsync(
  lines,
  fn(function* one(line: string) {
    yield* tell(line);
  }),
  { concurrency: 2 },
);
expectType<Equal<typeof eachLineFnConc, Program<undefined, Tell | SchedulerRow | Spawn<unknown, Tell>>>>();
const latestFn = forEachLatest(
  queryChannel,
  fn(function* search(q: string) {
    yield* tell(q);
    return q.length;
  }),
);
expectType<Equal<EffectsOf<typeof latestFn>, Tell | SchedulerRow | Spawn<number, Tell>>>();
const latestPlain = forEachLatest(queryChannel, (q) => tell(q), { debounce: 200 });
void latestPlain;

// concurrencyLimited: the program's result; its row and the scheduler's (a waiter waits on a promise)
const inFlight = concurrencyLimiter({ limit: 2 });
const cl = concurrencyLimited(inFlight, str);
expectType<Equal<typeof cl, Program<string, Tell | SchedulerRow>>>();
run(cl, { handlers: [scheduler, writer] });
// @ts-expect-error -- a waiter needs the scheduler
run(cl, { handlers: [writer] });
const takes = program(function* () {
  const release = yield* inFlight.take();
  expectType<Equal<typeof release, () => void>>();
  release();
});
run(takes, { handlers: [scheduler] });
program(function* () {
  // @ts-expect-error -- a limiter is a plain object, not a program (made without yield*)
  yield* concurrencyLimiter({ limit: 1 });
});
