/**
 * Bad-input audit: the misuses of the scheduler, time, the concurrency toolkit and doeff/testing
 * that were already handled well (see test/bad-input-good.test.ts), kept as a table.
 */
import * as d from "../src/index.js";
import * as t from "../src/testing/index.js";
import { any, body, type Row, SCH, table } from "./bad-input-helpers.js";

const p1 = d.pure(1);
table("good", [
  {
    label: "spawn(p, 5)",
    call: () => d.spawn(body, any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^spawn options must be an object/,
  },
  {
    label: "gather(task, [task])",
    call: () =>
      d.run(
        d.program(function* () {
          const tk = yield* d.spawn(p1);
          return yield* any(d.gather)(tk, [tk]);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: TypeError,
    msg: /^gather \(item 1\) expects a Task .* got Array\(1\)$/,
  },
  {
    label: "completePromise(future)",
    call: () =>
      d.run(
        d.program(function* () {
          const pr = yield* d.createPromise();
          yield* d.completePromise(any(pr.future), 1);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: TypeError,
    msg: /^completePromise expects a promise made by createPromise\(\) or createExternalPromise\(\), got Future$/,
  },
  {
    label: "a task of an ended run",
    call: () => {
      let tk: any;
      d.run(
        d.program(function* () {
          tk = yield* d.spawn(p1);
          return 1;
        }),
        { handlers: SCH() },
      );
      return d.run(
        d.program(function* () {
          return yield* d.wait(tk);
        }),
        { handlers: SCH() },
      );
    },
    where: "err",
    cls: d.UnhandledEffectError,
    msg: /belongs to a run that has ended/,
  },
  {
    label: "external promise completed twice",
    call: () =>
      d.run(
        d.program(function* () {
          const e = yield* d.createExternalPromise<number>();
          e.complete(1);
          e.complete(2);
          return yield* d.wait(e.future);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: d.PromiseAlreadyCompletedError,
    msg: /settles once/,
  },
  {
    label: "awaitPromise(promise)",
    call: () => d.awaitPromise(any(Promise.resolve(1))),
    where: "throws",
    cls: TypeError,
    msg: /got Promise object$/,
  },
  {
    label: "awaitPromise under run",
    call: () =>
      d.run(
        d.program(function* () {
          return yield* d.awaitPromise(() => Promise.resolve(1));
        }),
        { handlers: [d.scheduler] },
      ),
    where: "err",
    cls: d.AsyncRequiredError,
    msg: /use runAsync/,
  },
  {
    label: 'delay("5")',
    call: () => d.delay(any("5")),
    where: "throws",
    cls: TypeError,
    msg: /^delay expects a number of milliseconds, got "5"$/,
  },
  {
    label: "delay(Infinity)",
    call: () => d.delay(Number.POSITIVE_INFINITY),
    where: "throws",
    cls: RangeError,
    msg: /got Infinity$/,
  },
  {
    label: "simulatedTime({ start: NaN })",
    call: () => d.simulatedTime({ start: Number.NaN }),
    where: "throws",
    cls: TypeError,
    msg: /^simulatedTime option start must be a finite number, got NaN$/,
  },
  {
    label: "handlers: [scheduler, realTime()]",
    call: () => d.run(p1, { handlers: [d.scheduler, any(d.realTime)()] }),
    where: "throws",
    cls: TypeError,
    msg: /^run option handlers\[1\] is a generator object, not a handler function \(a handler was called/,
  },
  {
    label: "all([], { concurrency: 0 })",
    call: () => any(d.all)([], { concurrency: 0 }),
    where: "throws",
    cls: RangeError,
    msg: /^all option concurrency must be an integer ≥ 1/,
  },
  {
    label: "timeout(100, p) swapped",
    call: () => any(d.timeout)(100, body),
    where: "throws",
    cls: TypeError,
    msg: /^timeout expects a Program, Effect or primitive, got 100$/,
  },
  {
    label: "retry(p, 3)",
    call: () => any(d.retry)(body, 3),
    where: "throws",
    cls: TypeError,
    msg: /^retry options must be an object \(\{ times, delay, while, onRetry \}\), got 3$/,
  },
  {
    label: 'retry(p, { times: "3" })',
    call: () => any(d.retry)(body, { times: "3" }),
    where: "throws",
    cls: TypeError,
    msg: /^retry option times must be a number/,
  },
  {
    label: "withPermit(p, sem) swapped",
    call: () =>
      d.run(
        d.program(function* () {
          const s = yield* d.createSemaphore(1);
          return yield* any(d.withPermit)(p1, s);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: TypeError,
    msg: /^withPermit expects a Semaphore .* got Program object$/,
  },
  {
    label: "createChannel({ capacity: 1.5 })",
    call: () => d.createChannel({ capacity: 1.5 }),
    where: "throws",
    cls: RangeError,
    msg: /got 1\.5$/,
  },
  {
    label: "release without acquire",
    call: () =>
      d.run(
        d.program(function* () {
          const s = yield* d.createSemaphore(1);
          yield* d.release(s);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: d.DoeffError,
    msg: /^release without a matching acquire/,
  },
  {
    label: "send on a closed channel",
    call: () =>
      d.run(
        d.program(function* () {
          const c = yield* d.createChannel<number>();
          yield* d.close(c);
          yield* d.send(c, 1);
        }),
        { handlers: SCH() },
      ),
    where: "err",
    cls: d.ChannelClosedError,
    msg: /^send on a closed channel/,
  },
  {
    label: "eventChannel subscribe returns 5",
    call: () =>
      d.runAsync(
        d.program(function* () {
          yield* d.eventChannel(any(() => 5));
        }),
        { handlers: [d.scheduler, d.realTime] },
      ),
    where: "err",
    cls: TypeError,
    msg: /must return the function that unsubscribes.*it returned 5$/,
  },
  {
    label: "forEachAsync(iterable, f), f returns 5",
    call: () =>
      d.runAsync(
        d.forEachAsync(
          (async function* () {
            yield 1;
          })(),
          any(() => 5),
        ),
        { handlers: [d.scheduler] },
      ),
    where: "err",
    cls: TypeError,
    msg: /^forEachAsync's function \(for item 0\) returned 5, not a program/,
  },
  {
    label: "forEachAsync([1], f)",
    call: () => any(d.forEachAsync)([1], () => p1),
    where: "throws",
    cls: TypeError,
    msg: /^forEachAsync expects an async iterable first, got Array\(1\)$/,
  },
  {
    label: "expectEffects(p, [], 5)",
    call: () => any(t.expectEffects)(p1, [], 5),
    where: "throws",
    cls: TypeError,
    msg: /^expectEffects' third argument is its options/,
  },
  {
    label: "expectEffects(p, [], { only: 5 })",
    call: () => any(t.expectEffects)(p1, [], { only: 5 }),
    where: "throws",
    cls: TypeError,
    msg: /^record expects an effect class, a list of classes or a predicate .* got 5$/,
  },
  {
    label: "expectEffectsAsync(5, [])",
    call: () => any(t.expectEffectsAsync)(5, []),
    where: "rejects",
    cls: TypeError,
    msg: /^expectEffectsAsync expects a Program .* got 5$/,
  },
  {
    label: "virtualClock(5)",
    call: () => any(t.virtualClock)(5),
    where: "throws",
    cls: TypeError,
    msg: /^virtualClock expects options \{ start\?: number \}, got 5$/,
  },
  // virtualClock's, expectEffects' and clock.run's options named as theirs: they read as
  // `unknown simulatedTime option` and `unknown run option …; the options are … and settle`
  // (settle refused by expectEffects and clock.run, only taken by expectEffects but not listed)
  {
    label: "virtualClock({ strat: 5 })",
    call: () => t.virtualClock(any({ strat: 5 })),
    where: "throws",
    cls: TypeError,
    msg: /^unknown virtualClock option "strat"; the only option is start$/,
  },
  {
    label: 'virtualClock({ start: "0" })',
    call: () => t.virtualClock(any({ start: "0" })),
    where: "throws",
    cls: TypeError,
    msg: /^virtualClock option start must be a finite number, got "0"$/,
  },
  {
    label: "expectEffects(p, [], { handler: [] })",
    call: () => t.expectEffects(p1, [], any({ handler: [] })),
    where: "throws",
    cls: TypeError,
    msg: /^unknown expectEffects option "handler"; the options are handlers, env, store, trace, signal, onWarning and only$/,
  },
  {
    label: "expectEffectsAsync(p, [], { handler: [] })",
    call: () => t.expectEffectsAsync(p1, [], any({ handler: [] })),
    where: "rejects",
    cls: TypeError,
    msg: /^unknown expectEffectsAsync option "handler"; the options are handlers, env, store, trace, signal, onWarning, settle and only$/,
  },
  {
    label: "clock.run(p, { handler: [] })",
    call: () => t.virtualClock().run(p1, any({ handler: [] })),
    where: "throws",
    cls: TypeError,
    msg: /^unknown clock.run option "handler"; the options are handlers, env, store, trace, signal and onWarning$/,
  },
  {
    label: "clock.runAsync(p, { setle: 5 })",
    call: () => t.virtualClock().runAsync(p1, any({ setle: 5 })),
    where: "rejects",
    cls: TypeError,
    msg: /^unknown clock.runAsync option "setle"; the options are handlers, env, store, trace, signal, onWarning and settle$/,
  },
  {
    label: "clock.run(p, { handlers: [realTime] })",
    call: () => any(t.virtualClock()).run(p1, { handlers: [d.realTime] }),
    where: "throws",
    cls: TypeError,
    msg: /a second clock/,
  },
  {
    label: "seededRandom(1).pick([])",
    call: () => t.seededRandom(1).pick([]),
    where: "throws",
    cls: RangeError,
    msg: /takes a non-empty array, got an empty array$/,
  },
  {
    label: "seededRandom(1).chance(2)",
    call: () => t.seededRandom(1).chance(2),
    where: "throws",
    cls: RangeError,
    msg: /takes a probability 0 ≤ p ≤ 1, got 2$/,
  },
] satisfies Row[]);
