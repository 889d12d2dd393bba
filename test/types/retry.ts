/**
 * Type tests for retry(program, { times, delay?, while?, onRetry? }), checked by `tsc` (never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 * A type-guard `while` narrows the `error` that `delay` and `onRetry` see (they are called only for
 * an error `while` accepted); without one, or with a plain boolean predicate, it is `unknown`.
 */
import {
  type Ask,
  ask,
  type Delay,
  fn,
  type Program,
  program,
  pure,
  reader,
  type RetryOptions,
  retry,
  run,
  simulatedTime,
  type Tell,
  tell,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}
const isHttp = (e: unknown): e is HttpError => e instanceof HttpError;
const fetchUser = pure({ id: 1 });
const logged: unknown[] = []; // (no console here: the types matrix compiles with lib ES2022 only)

// a type guard narrows delay's and onRetry's error
const narrowed = retry(fetchUser, {
  times: 3,
  while: (e): e is HttpError => e instanceof HttpError && e.status >= 500,
  delay: (attempt, error) => {
    expectType<Equal<typeof error, HttpError>>();
    return error.status === 503 ? 1000 : 100 * attempt;
  },
  onRetry: (attempt, error, delayMs) => {
    expectType<Equal<typeof attempt, number>>();
    expectType<Equal<typeof error, HttpError>>();
    expectType<Equal<typeof delayMs, number>>();
  },
});
expectType<Equal<typeof narrowed, Program<{ id: number }, Delay>>>();

// a named guard, and onRetry without a delay (no clock needed: the row stays the program's)
const guarded = retry(fetchUser, { times: 2, while: isHttp, onRetry: (_n, e) => logged.push(e.status) });
expectType<Equal<typeof guarded, Program<{ id: number }, never>>>();
run(guarded);

retry(fetchUser, {
  times: 3,
  while: isHttp,
  // @ts-expect-error -- error is HttpError (not any): it has no such property, so the narrowing is real
  delay: (_attempt, error) => error.retryAfterMs,
});

// a plain boolean predicate does not narrow; nor does no `while`: the error stays unknown
retry(fetchUser, {
  times: 3,
  while: (e: unknown) => (e as { code?: string }).code !== "EPERM",
  delay: (_attempt, error) => {
    expectType<Equal<typeof error, unknown>>();
    return 10;
  },
});
retry(fetchUser, {
  times: 3,
  onRetry: (_attempt, error) => {
    expectType<Equal<typeof error, unknown>>();
  },
});
retry(fetchUser, {
  times: 3,
  // @ts-expect-error -- without a guard the error is unknown: test it before use
  onRetry: (_attempt, error) => logged.push(error.message),
});

// an annotation alone is no guard: without a type-guard `while`, delay and onRetry are told of any
// error, so `error: HttpError` on them is refused (it had set E, and was believed unchecked)
// @ts-expect-error -- no guard: delay's error is unknown, not the HttpError its annotation claims
retry(fetchUser, { times: 3, delay: (_attempt, error: HttpError) => error.status });
retry(fetchUser, {
  times: 3,
  // @ts-expect-error -- no guard: onRetry's error is unknown, not the HttpError its annotation claims
  onRetry: (_attempt, error: HttpError) => logged.push(error.status),
});
retry(fetchUser, {
  times: 3,
  while: (e: unknown) => (e as { code?: string }).code !== "EPERM",
  // @ts-expect-error -- a boolean predicate is no guard either
  onRetry: (_attempt, error: HttpError) => logged.push(error.status),
});

// options built apart: RetryOptions (unknown), or RetryOptions<E> for a guard
const plain: RetryOptions = { times: 2, delay: (attempt) => attempt * 10 };
retry(fetchUser, plain);
const typed: RetryOptions<HttpError> = { times: 2, while: isHttp, delay: (_n, e) => e.status };
retry(fetchUser, typed);
// @ts-expect-error -- onRetry is told, not asked: a number is not a function
retry(fetchUser, { times: 2, onRetry: 5 });
// a duration string (Effect's "1 second"): ms are numbers — the error's text says so and shows a
// backoff (types-matrix checks it, for "100 millis": TypeScript 5.4 prints a failed relation's text
// only the first time); no string is a delay, not even that text
// @ts-expect-error -- delay: 1000, not "1 second"
retry(fetchUser, { times: 3, delay: "1 second" });
declare const fromConfig: string;
// @ts-expect-error -- a string from elsewhere too
retry(fetchUser, { times: 3, delay: fromConfig });
retry(fetchUser, {
  times: 3,
  // @ts-expect-error -- the text itself is no delay either (it has a property no string has)
  delay:
    'doeff: retry\'s delay is a number of milliseconds (100, not "100 millis") or a function (attempt, error) => ms, e.g. exponential backoff (attempt) => 100 * 2 ** (attempt - 1)',
});

// onRetry may return a program: retry performs it, and its effects are in retry's row
const logRetry = fn(function* logRetry(attempt: number, error: unknown) {
  const id = yield* ask<string>("requestId");
  yield* tell(`${id}: retry ${attempt} after ${String(error)}`);
});
const logged2 = retry(fetchUser, { times: 3, onRetry: (attempt, error) => logRetry(attempt, error) });
expectType<Equal<typeof logged2, Program<{ id: number }, Ask<string> | Tell>>>();
run(logged2, { handlers: [reader, writer] });
// @ts-expect-error -- onRetry's Tell needs a writer
run(logged2, { handlers: [reader] });
// @ts-expect-error -- and its Ask a reader
run(logged2, { handlers: [writer] });
// an effect itself, with a delay (then a clock too); a program only sometimes: its row still counts
const told = retry(fetchUser, {
  times: 3,
  delay: 10,
  onRetry: (attempt) => (attempt > 1 ? tell(`retry ${attempt}`) : undefined),
});
expectType<Equal<typeof told, Program<{ id: number }, Tell | Delay>>>();
// @ts-expect-error -- the Tell of onRetry's program needs a writer (the clock alone is not enough)
run(told, { handlers: [simulatedTime()] });
run(told, { handlers: [simulatedTime(), writer] });
// fn's function itself is an onRetry (it returns a program), narrowed by a guard like any
const fnHook = retry(fetchUser, {
  times: 3,
  while: isHttp,
  onRetry: fn(function* (attempt: number, error: HttpError) {
    yield* tell(`retry ${attempt}: ${error.status}`);
  }),
});
expectType<Equal<typeof fnHook, Program<{ id: number }, Tell>>>();
// a plain function's value, a Promise or any adds nothing
const pushed = retry(fetchUser, { times: 3, onRetry: (n) => logged.push(n) });
expectType<Equal<typeof pushed, Program<{ id: number }, never>>>();
declare function sendMetric(name: string): Promise<void>;
const metric = retry(fetchUser, { times: 3, onRetry: () => sendMetric("retry") });
expectType<Equal<typeof metric, Program<{ id: number }, never>>>();
declare const anyHook: (attempt: number) => any;
const anyRet = retry(fetchUser, { times: 3, onRetry: anyHook });
expectType<Equal<typeof anyRet, Program<{ id: number }, never>>>();
// a generator object (a generator function not wrapped in fn) is refused: its body would never run
function* rawLog(attempt: number) {
  yield* tell(`retry ${attempt}`);
}
// @ts-expect-error -- onRetry returns a generator object: wrap rawLog with fn
retry(fetchUser, { times: 3, onRetry: (attempt) => rawLog(attempt) });
// a function that makes a program, returned without calling it, is refused: its body would never run
// @ts-expect-error -- onRetry returns logRetry uncalled: call it, (attempt, error) => logRetry(attempt, error)
retry(fetchUser, { times: 3, onRetry: () => logRetry });
// @ts-expect-error -- tell uncalled, the same
retry(fetchUser, { times: 3, onRetry: () => tell });
// a plain function returned is a value like any (ignored)
const fnValue = retry(fetchUser, { times: 3, onRetry: () => () => logged.length });
expectType<Equal<typeof fnValue, Program<{ id: number }, never>>>();
// options built apart: a program-returning onRetry names its type, and the row follows
const apart: RetryOptions<unknown, Program<void, Tell>> = {
  times: 2,
  onRetry: (n) =>
    program(function* () {
      yield* tell(`retry ${n}`);
    }),
};
expectType<Equal<typeof apart extends RetryOptions<unknown, infer R> ? R : 0, Program<void, Tell>>>();
const fromApart = retry(fetchUser, apart);
expectType<Equal<typeof fromApart, Program<{ id: number }, Tell | Delay>>>();
