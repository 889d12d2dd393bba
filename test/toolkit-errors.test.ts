/** §9.8 bad input: a TypeError / RangeError at the call (construction), with a fix-it message; never a hang. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acquire,
  all,
  close,
  createChannel,
  createSemaphore,
  eventChannel,
  forEach,
  forEachAsync,
  forEachLatest,
  next,
  program,
  pure,
  raceAll,
  receive,
  release,
  retry,
  run,
  scheduler,
  scoped,
  send,
  simulatedTime,
  timeout,
  withPermit,
} from "../src/index.js";

function throws(f: () => unknown, cls: typeof TypeError | typeof RangeError, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.equal((e as object).constructor, cls);
    assert.equal((e as Error).message, message);
    return true;
  });
}

const p = pure(1);
// bypass the static types, as untyped callers would
const loose = (f: (...a: any[]) => unknown) => f as (...a: unknown[]) => unknown;

test("all: concurrency not an integer ≥ 1", () => {
  for (const c of [0, -1, 1.5, Number.NaN]) {
    throws(
      () => all([p], { concurrency: c }),
      RangeError,
      `all option concurrency must be an integer ≥ 1 (or Infinity for no limit), got ${String(c)}`,
    );
  }
  throws(
    () => loose(all)([p], { concurrency: "8" }),
    TypeError,
    'all option concurrency must be a number (an integer ≥ 1, or Infinity), got "8"',
  );
  // Infinity is the default, and accepted as said
  assert.deepEqual(
    run(all([p, p], { concurrency: Number.POSITIVE_INFINITY }), { handlers: [scheduler] }).value,
    [1, 1],
  );
  throws(
    () => loose(all)([p], { limit: 3 }),
    TypeError,
    'unknown all option "limit"; the options are concurrency',
  );
});

test("all / raceAll of a non-iterable, of a non-program item", () => {
  throws(
    () => loose(all)(42),
    TypeError,
    "all expects an array (or another iterable) of programs, e.g. all([a(), b()]), got 42",
  );
  throws(
    () => loose(raceAll)(undefined),
    TypeError,
    "raceAll expects an array (or another iterable) of programs, e.g. raceAll([a(), b()]), got undefined",
  );
  throws(() => loose(all)([p, 7]), TypeError, "all (item 1) expects a Program, Effect or primitive, got 7");
  // @ts-expect-error -- a race of nothing is a compile error too, in these words (test/types/concurrency.ts)
  throws(() => raceAll([]), TypeError, "raceAll needs at least one program (a race of nothing never ends)");
});

test("forEach: bad items, f, concurrency, or f returning a non-program", () => {
  throws(
    () => loose(forEach)(null, () => p),
    TypeError,
    "forEach expects an array (or another iterable) of items first, e.g. forEach(urls, (url) => get(url)), got null",
  );
  assert.throws(() => loose(forEach)([1], "f"), /forEach expects a function, e\.g\. forEach\(urls/);
  throws(
    () => forEach([1], () => p, { concurrency: 0 }),
    RangeError,
    "forEach option concurrency must be an integer ≥ 1 (or Infinity for no limit), got 0",
  );
  throws(
    () => loose(forEach)([1], () => 5),
    TypeError,
    "forEach (item 0) expects a Program, Effect or primitive, got 5",
  );
});

test("forEach of a single Program (a missing yield*) is a TypeError that says to yield* it first", () => {
  const listUrls = program(function* listUrls() {
    return ["a", "b"];
  });
  let calls = 0;
  const f = (u: unknown) => {
    calls++;
    return pure(u);
  };
  const fix =
    ": `yield*` the program first to get its list, e.g. forEach(yield* listUrls(), (url) => get(url))";
  throws(
    () => loose(forEach)(listUrls, f),
    TypeError,
    `forEach expects an array (or another iterable) of items, got a Program object${fix}`,
  );
  throws(
    () =>
      loose(forEach)(
        pure(["a"]).map((x) => x),
        f,
      ),
    TypeError,
    `forEach expects an array (or another iterable) of items, got a Program object${fix}`,
  );
  assert.equal(calls, 0);
  // a list of programs is still a list of items
  assert.deepEqual(
    run(
      forEach([listUrls], (q) => q),
      { handlers: [scheduler] },
    ).value,
    [["a", "b"]],
  );
});

test("timeout: ms negative, NaN, infinite or not a number; not a program", () => {
  for (const ms of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    throws(
      () => timeout(p, ms),
      RangeError,
      `timeout expects a finite number of milliseconds ≥ 0, got ${String(ms)}`,
    );
  }
  throws(
    () => loose(timeout)(p, "10"),
    TypeError,
    'timeout expects a number of milliseconds, got "10": write 10 (a duration is a number of milliseconds here, not a string)',
  );
  // a duration string (Effect's "2 seconds"): the number of ms it means, or that durations are numbers
  throws(
    () => loose(timeout)(p, "2 seconds"),
    TypeError,
    'timeout expects a number of milliseconds, got "2 seconds": write 2000 (a duration is a number of milliseconds here, not a string)',
  );
  throws(
    () => loose(timeout)(p, "soon"),
    TypeError,
    'timeout expects a number of milliseconds, got "soon" (a duration is a number of milliseconds here, not a string: e.g. 100)',
  );
  throws(() => loose(timeout)(42, 10), TypeError, "timeout expects a Program, Effect or primitive, got 42");
});

test("retry: times negative or fractional, bad delay, bad while, missing options", () => {
  throws(
    () => retry(p, { times: -1 }),
    RangeError,
    "retry option times must be an integer ≥ 0 or Infinity (retries after the first attempt), got -1",
  );
  throws(
    () => retry(p, { times: 1.5 }),
    RangeError,
    "retry option times must be an integer ≥ 0 or Infinity (retries after the first attempt), got 1.5",
  );
  throws(
    () => loose(retry)(p, {}),
    TypeError,
    "retry option times must be a number (retries after the first attempt), got undefined",
  );
  throws(
    () => loose(retry)(p),
    TypeError,
    "retry expects options { times, delay?, while?, onRetry? }, e.g. retry(p, { times: 3 })",
  );
  throws(
    () => retry(p, { times: 1, delay: -5 }),
    RangeError,
    "retry option delay expects a finite number of milliseconds ≥ 0, got -5",
  );
  assert.throws(() => loose(retry)(p, { times: 1, while: true }), /retry option while expects a function/);
  throws(
    () => loose(retry)(p, { times: 1, tries: 2 }),
    TypeError,
    'unknown retry option "tries"; the options are times, delay, while, onRetry',
  );
});

test("retry: Effect's habits — a schedule, until, a duration string — get what to write instead", () => {
  const backoff =
    "for exponential backoff, delay: (attempt) => 100 * 2 ** (attempt - 1) waits 100, 200, 400 ms";
  // (named before `times` is asked for: Effect's retry({ schedule }) has none)
  for (const options of [{ schedule: {} }, { times: 3, schedule: {} }])
    throws(
      () => loose(retry)(p, options),
      TypeError,
      `unknown retry option "schedule"; the options are times, delay, while, onRetry: wait between attempts with delay, a number of ms or a function (attempt, error) => ms, and bound them with times; ${backoff}`,
    );
  throws(
    () => loose(retry)(p, { times: 3, until: () => true }),
    TypeError,
    'unknown retry option "until"; the options are times, delay, while, onRetry: retry while the error is not the one to stop at: { while: (e) => !(e instanceof Fatal) }',
  );
  throws(
    () => loose(retry)(p, { times: 3, delay: "100 millis" }),
    TypeError,
    `retry option delay must be a number of milliseconds or a function (attempt, error) => ms, got "100 millis": write 100 (a duration is a number of milliseconds here, not a string); ${backoff}`,
  );
  throws(
    () => loose(retry)(p, { times: 3, delay: "1.5s" }),
    TypeError,
    `retry option delay must be a number of milliseconds or a function (attempt, error) => ms, got "1.5s": write 1500 (a duration is a number of milliseconds here, not a string); ${backoff}`,
  );
  throws(
    () => loose(retry)(p, { times: 3, delay: null }),
    TypeError,
    `retry option delay must be a number of milliseconds or a function (attempt, error) => ms, got null; ${backoff}`,
  );
  // the backoff the messages show waits what they say
  const waits: number[] = [];
  const failing = program(function* () {
    throw new Error("down");
  });
  const r = run(
    retry(failing, {
      times: 3,
      delay: (attempt) => 100 * 2 ** (attempt - 1),
      onRetry: (_n, _e, ms) => waits.push(ms),
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assert.equal((r.error as Error).message, "down");
  assert.deepEqual(waits, [100, 200, 400]);
});

test("retry: a delay function answering a bad value is a RangeError whose cause is the program's error", () => {
  const real = new Error("the real failure");
  const failing = program(function* () {
    throw real;
  });
  const r = run(retry(failing, { times: 3, delay: () => Number.NaN }), {
    handlers: [scheduler, simulatedTime()],
  });
  assert.ok(r.error instanceof RangeError);
  assert.equal(
    r.error.message,
    "retry option delay(1, error) result expects a finite number of milliseconds ≥ 0, got NaN",
  );
  assert.equal(r.error.cause, real);
});

test("retry: a throwing `while` predicate or delay function fails with a new Error whose cause is the program's error; neither error is changed", () => {
  const real = new Error("HTTP 503");
  const failing = program(function* () {
    throw real;
  });
  let predicateError: unknown;
  const r = run(
    retry(failing, {
      times: 3,
      while: (e) => {
        try {
          return (e as { response: { status: number } }).response.status >= 500;
        } catch (bug) {
          predicateError = bug;
          throw bug;
        }
      },
    }),
  );
  assert.ok(predicateError instanceof TypeError);
  assert.equal(r.error?.constructor, Error);
  const err = r.error as Error & { optionError: unknown };
  assert.equal(
    err.message,
    `retry's \`while\` predicate threw TypeError: ${predicateError.message} while deciding on the program's error (this error's cause; what it threw is .optionError)`,
  );
  assert.equal(err.cause, real);
  assert.equal(err.optionError, predicateError);
  assert.equal(Object.hasOwn(real, "cause"), false);
  assert.equal(Object.hasOwn(predicateError, "cause"), false);
  assert.match(r.format(), /\n {2}caused by Error: HTTP 503$/);

  const thrown = { code: 1 };
  const d = run(
    retry(failing, {
      times: 3,
      delay: () => {
        throw thrown;
      },
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  const derr = d.error as Error & { optionError: unknown };
  assert.equal(
    derr.message,
    `retry's \`delay\` function (attempt 1) threw {"code":1} while deciding on the program's error (this error's cause; what it threw is .optionError)`,
  );
  assert.equal(derr.cause, real);
  assert.equal(derr.optionError, thrown);

  // a predicate that throws the program's error itself (to stop) rethrows it unchanged
  const stop = run(
    retry(failing, {
      times: 3,
      while: (e) => {
        throw e;
      },
    }),
  );
  assert.equal(stop.error, real);
});

test("scoped / withPermit of a non-program", () => {
  throws(() => loose(scoped)("p"), TypeError, 'scoped expects a Program, Effect or primitive, got "p"');
});

test("semaphore: createSemaphore(0), fractional, non-number; acquire/release/withPermit of a non-semaphore", () => {
  for (const n of [0, -2, 1.5, Number.POSITIVE_INFINITY]) {
    throws(
      () => createSemaphore(n),
      RangeError,
      `createSemaphore expects an integer number of permits ≥ 1, got ${String(n)}`,
    );
  }
  throws(
    () => loose(createSemaphore)("3"),
    TypeError,
    'createSemaphore expects a number of permits (an integer ≥ 1), got "3"',
  );
  for (const [f, name] of [
    [acquire, "acquire"],
    [release, "release"],
  ] as const) {
    throws(
      () => loose(f)({}),
      TypeError,
      `${name} expects a Semaphore (from yield* createSemaphore(n)), got object`,
    );
  }
  throws(
    () => loose(withPermit)(null, p),
    TypeError,
    "withPermit expects a Semaphore (from yield* createSemaphore(n)), got null",
  );
});

test("channel: bad capacity; send/receive/close of a non-channel", () => {
  for (const c of [-1, 0.5, Number.NaN]) {
    throws(
      () => createChannel({ capacity: c }),
      RangeError,
      `createChannel option capacity must be an integer ≥ 0 or Infinity, got ${String(c)}`,
    );
  }
  throws(
    () => loose(createChannel)(3),
    TypeError,
    "createChannel options must be an object ({ capacity, overflow }), got 3",
  );
  throws(
    () => loose(send)([], 1),
    TypeError,
    "send expects a Channel (from yield* createChannel()), got Array(0)",
  );
  throws(
    () => loose(receive)(undefined),
    TypeError,
    "receive expects a Channel (from yield* createChannel()), got undefined",
  );
  throws(() => loose(close)(1), TypeError, "close expects a Channel (from yield* createChannel()), got 1");
});

test("a channel function given the program that makes a channel (its yield* forgotten), or an async iterable: the message says what to write", () => {
  // \`forEachLatest(eventChannel(subscribe), f)\`: the channel is what \`yield* eventChannel(…)\` answers
  const inputs = eventChannel<string>(() => () => {});
  const yieldFirst =
    "got a Program: yield* it first to get its channel, e.g. const ch = yield* eventChannel(subscribe) (or createChannel())";
  throws(
    () => loose(forEachLatest)(inputs, () => pure(1)),
    TypeError,
    `forEachLatest expects a Channel, ${yieldFirst}`,
  );
  throws(() => loose(receive)(inputs), TypeError, `receive expects a Channel, ${yieldFirst}`);
  throws(() => loose(send)(createChannel(), 1), TypeError, `send expects a Channel, ${yieldFirst}`);
  throws(() => loose(close)(inputs), TypeError, `close expects a Channel, ${yieldFirst}`);
  async function* lines() {
    yield "a";
  }
  throws(
    () => loose(forEachLatest)(lines(), () => pure(1)),
    TypeError,
    "forEachLatest expects a Channel (from yield* createChannel()), got an async iterable: loop over it with forEachAsync(iterable, f), or feed a channel from it",
  );
});

test("async bridges: next of a non-iterator, forEachAsync of a non-async-iterable", () => {
  throws(
    () => loose(next)([1, 2]),
    TypeError,
    "next expects an async iterator (iterable[Symbol.asyncIterator]()), got Array(2)",
  );
  assert.throws(() => loose(forEachAsync)([1], () => p), /forEachAsync expects an async iterable first/);
});
