/**
 * Bad-input audit (the misuses a plain-JavaScript caller makes, with no type checker to stop them),
 * part 1: the cases the audit found UNCLEAR (V8's own words, or naming nothing useful) or WRONG (a
 * silent wrong answer, an error at the wrong place, a VMInternalError for a user's mistake), each
 * now a TypeError / RangeError at the call that names the culprit. Each row says what it was.
 * Part 2, the cases that were already good, and the thrown values that must keep their identity:
 * test/bad-input-audit.test.ts. Rows assert the error class, where it surfaces (thrown at the call,
 * `RunResult.error`, or a rejection) and the key words of the message.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as d from "../src/index.js";
import * as t from "../src/testing/index.js";

import { A, any, body, holeAt, SCH, table } from "./bad-input-helpers.js";

const seq = (v: unknown) =>
  d.program(function* () {
    return yield* any(v);
  });

// ------------------------------------------------------------------------------------------------
// effect classes: only the functions that make them checked their arguments (SEMANTICS §1 says
// constructors validate eagerly); the classes are public (expectEffects lists `new Get("n")`).
// Now the classes check, named as the function that makes them (which no longer checks twice)
// ------------------------------------------------------------------------------------------------

table("effect classes check their arguments", [
  // WRONG: Ok("05"), the simulated clock advanced by the string "5"
  {
    label: 'new Delay("5")',
    call: () => new d.Delay(any("5")),
    where: "throws",
    cls: TypeError,
    msg: /^delay expects a number of milliseconds, got "5"$/,
  },
  // WRONG: Ok, the clock did not move (and realTime slept 1 ms)
  {
    label: "new Delay(-1)",
    call: () => new d.Delay(-1),
    where: "throws",
    cls: RangeError,
    msg: /^delay expects a finite number of milliseconds ≥ 0, got -1$/,
  },
  {
    label: "new Delay(NaN)",
    call: () => new d.Delay(Number.NaN),
    where: "throws",
    cls: RangeError,
    msg: /got NaN$/,
  },
  // UNCLEAR: MissingStateKeyError "state has no key 5"
  {
    label: "new Get(5)",
    call: () => new d.Get(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^get expects a string key, got 5$/,
  },
  // WRONG: Ok, stored under the key undefined
  {
    label: "new Put()",
    call: () => new d.Put(any(undefined), 1),
    where: "throws",
    cls: TypeError,
    msg: /^put expects a string key, got undefined$/,
  },
  // UNCLEAR: V8's "m.f is not a function"
  {
    label: 'new Modify("x")',
    call: () => new d.Modify("x", any(undefined)),
    where: "throws",
    cls: TypeError,
    msg: /^modify expects a function \(old\) => new, got undefined$/,
  },
  {
    label: "new Ask(5)",
    call: () => new d.Ask(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^ask expects a string key, got 5$/,
  },
  // UNCLEAR: "yielded 5, which is not an Effect" (a yield the user never wrote)
  {
    label: "new Local(5, p)",
    call: () => new d.Local(any(5), body),
    where: "throws",
    cls: TypeError,
    msg: /^local expects a patch object \(\{ key: value \}\), got 5$/,
  },
  {
    label: "new Local({}, 5)",
    call: () => new d.Local({}, any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^local expects a Program, Effect or primitive, got 5$/,
  },
  {
    label: "new Listen(5)",
    call: () => new d.Listen(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^listen expects a Program, Effect or primitive, got 5$/,
  },
  {
    label: "new Spawn(5)",
    call: () => new d.Spawn(any(5), "shared"),
    where: "throws",
    cls: TypeError,
    msg: /^spawn expects a Program, Effect or primitive, got 5$/,
  },
  {
    label: "new Spawn(p) without a store",
    call: () => new (d.Spawn as any)(body),
    where: "throws",
    cls: TypeError,
    msg: /^spawn expects a store, "shared" or "isolated", got undefined$/,
  },
  // UNCLEAR: "no handler takes Wait (passed on by a handler)": the scheduler passed on a stranger's task
  {
    label: "new Wait(5)",
    call: () => new d.Wait(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^wait expects a Task \(from spawn\) or a Future/,
  },
  {
    label: "new IsDone({})",
    call: () => new d.IsDone(any({})),
    where: "throws",
    cls: TypeError,
    msg: /^isDone expects a Task/,
  },
  {
    label: "new Cancel(null)",
    call: () => new d.Cancel(any(null)),
    where: "throws",
    cls: TypeError,
    msg: /^cancel expects a Task \(from spawn\), got null$/,
  },
  // UNCLEAR: V8's "ws.slice is not a function"
  {
    label: "new Gather(5)",
    call: () => new d.Gather(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^gather expects an array of Tasks or Futures, got 5$/,
  },
  {
    label: "new Gather([5])",
    call: () => new d.Gather(any([5])),
    where: "throws",
    cls: TypeError,
    msg: /^gather \(item 0\) expects a Task/,
  },
  {
    label: "new Race([1])",
    call: () => new d.Race(any([1])),
    where: "throws",
    cls: TypeError,
    msg: /^race \(item 0\) expects a Task/,
  },
  {
    label: "new CompletePromise(5, v)",
    call: () => new d.CompletePromise(any(5), 1),
    where: "throws",
    cls: TypeError,
    msg: /^completePromise expects a promise made by createPromise\(\)/,
  },
  {
    label: "new FailPromise(5, e)",
    call: () => new d.FailPromise(any(5), 1),
    where: "throws",
    cls: TypeError,
    msg: /^failPromise expects a promise/,
  },
  // UNCLEAR: V8's "thunk is not a function"
  {
    label: "new AwaitPromise(promise)",
    call: () => new d.AwaitPromise(any(Promise.resolve(1))),
    where: "throws",
    cls: TypeError,
    msg: /^awaitPromise expects a function returning a promise.* got Promise object$/,
  },
  // WRONG: Ok(true), the source registered, failing only when the scheduler idles
  {
    label: "new RegisterIdleSource(5)",
    call: () => new d.RegisterIdleSource(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^registerIdleSource expects \{ progress\(complete\): boolean \}, got 5$/,
  },
  // (a pending that is not a method would fail only when the scheduler idles, asking it)
  {
    label: "new RegisterIdleSource({ progress, pending: true })",
    call: () => new d.RegisterIdleSource(any({ progress: () => false, pending: true })),
    where: "throws",
    cls: TypeError,
    msg: /^registerIdleSource expects \{ progress\(complete\): boolean, pending\?\(\): boolean \}, got pending: true$/,
  },
  // WRONG: a DeadlockError at the first acquire, naming no argument; a channel's capacity "10" was
  // compared as the number 10, and -1 made a rendezvous channel, silently
  {
    label: "new Semaphore()",
    call: () => new d.Semaphore(any(undefined)),
    where: "throws",
    cls: TypeError,
    msg: /^new Semaphore expects a number of permits \(an integer ≥ 1\), got undefined$/,
  },
  {
    label: "new Semaphore(1.5)",
    call: () => new d.Semaphore(1.5),
    where: "throws",
    cls: RangeError,
    msg: /^new Semaphore expects an integer number of permits ≥ 1, got 1\.5$/,
  },
  {
    label: 'new Channel("10")',
    call: () => new d.Channel(any("10")),
    where: "throws",
    cls: TypeError,
    msg: /^new Channel option capacity must be a number .* got "10"$/,
  },
  {
    // (the check read a missing capacity as its default, 0, but the channel kept `undefined`)
    label: "new Channel()",
    call: () => new d.Channel(any(undefined)),
    where: "throws",
    cls: TypeError,
    msg: /^new Channel option capacity must be a number \(an integer ≥ 0, or Infinity\), got undefined$/,
  },
  {
    label: "new Channel(-1)",
    call: () => new d.Channel(-1),
    where: "throws",
    cls: RangeError,
    msg: /^new Channel option capacity must be an integer ≥ 0 or Infinity, got -1$/,
  },
  {
    label: 'new Channel(1, "drop")',
    call: () => new d.Channel(1, any("drop")),
    where: "throws",
    cls: TypeError,
    msg: /^new Channel option overflow must be "block", "dropping", "sliding", got "drop"$/,
  },
  // WRONG: VMInternalError "unknown program tag undefined" (a bug in doeff, ending the run at once)
  {
    label: "run(new Program())",
    call: () => d.run(new (d.Program as any)()),
    where: "err",
    cls: TypeError,
    msg: /^got a Program made with new Program\(…\), which doeff cannot run: make it with fn, program or pure$/,
  },
  // UNCLEAR: "unknown primitive 99", naming nothing to fix (no other primitive is unknown)
  {
    label: "yield* new Primitive(99)",
    call: () => d.run(seq(new (d.Primitive as any)(99))),
    where: "err",
    cls: TypeError,
    msg: /^got a Primitive made with new Primitive\(…\), which doeff cannot run: make it with resume, transfer, withHandler, …$/,
  },
  // WRONG (size-shave's LATE_OPS, an array: an op not in the switch was looked up there, and a
  // string op found Array.prototype's methods): Ok(undefined) for "constructor" (Array(m, prim)
  // ran), a VMInternalError for "push"
  ...["constructor", "push", "__proto__", "toString"].map((op) => ({
    label: `yield* new Primitive(${JSON.stringify(op)})`,
    call: () => d.run(seq(new (d.Primitive as any)(op))),
    where: "err" as const,
    cls: TypeError,
    msg: /^got a Primitive made with new Primitive\(…\), which doeff cannot run: make it with resume, transfer, withHandler, …$/,
  })),
]);

test('effect classes check their arguments: valid arguments still make the same effects (expectEffects\' `new Get("n")`)', () => {
  const p = d.program(function* () {
    yield* d.put("n", 1);
    yield* d.modify("n", (x: unknown) => (x as number) + 1);
    yield* d.delay(5);
    return yield* d.get("n");
  });
  const inc = (x: unknown) => (x as number) + 1;
  const r = t.expectEffects(p, [new d.Put("n", 1), d.Modify, new d.Delay(5), new d.Get("n")], {
    handlers: [d.state, d.scheduler, d.simulatedTime()],
  });
  assert.equal(r.value, 2);
  assert.equal(new d.Modify("n", inc).f, inc);
  assert.equal(new d.Semaphore(2).available, 2);
  assert.equal(new d.Channel(3, "sliding").overflow, "sliding");
});

// ------------------------------------------------------------------------------------------------
// a class where an effect class goes: accepted, and its handler silently took nothing
// ------------------------------------------------------------------------------------------------

class NotAnEffect {
  readonly x = 1;
}

table("an effect class is required", [
  // WRONG (all of these): the handler took nothing; the run failed later with "no handler takes A",
  // naming the effect, not the class given
  {
    label: "handle(Error, f)",
    call: () =>
      d.handle(
        any(Error),
        any(() => 1),
      ),
    where: "throws",
    cls: TypeError,
    msg: /^handle expects an effect class .* got function Error, which does not extend Effect$/,
  },
  {
    label: "handle([A, NotAnEffect], f)",
    call: () =>
      d.handle(
        any([A, NotAnEffect]),
        any(() => 1),
      ),
    where: "throws",
    cls: TypeError,
    msg: /got function NotAnEffect, which does not extend Effect$/,
  },
  {
    label: "handle(function plain() {}, f)",
    call: () =>
      d.handle(
        any(function plain() {}),
        any(() => 1),
      ),
    where: "throws",
    cls: TypeError,
    msg: /got function plain, which does not extend Effect$/,
  },
  {
    label: "answer(Map, f)",
    call: () =>
      d.answer(
        any(Map),
        any(() => 1),
      ),
    where: "throws",
    cls: TypeError,
    msg: /^answer expects an effect class first .* got function Map, which does not extend Effect$/,
  },
  {
    label: "observe(NotAnEffect, f)",
    call: () => d.observe(any(NotAnEffect), () => undefined),
    where: "throws",
    cls: TypeError,
    msg: /^observe expects an effect class .* got function NotAnEffect, which does not extend Effect$/,
  },
  {
    label: "mock(Date, 1)",
    call: () => t.mock(any(Date), any(1)),
    where: "throws",
    cls: TypeError,
    msg: /^mock expects an effect class first .* got function Date, which does not extend Effect$/,
  },
  // WRONG: called as a predicate, the class threw "cannot be invoked without 'new'" at the first effect
  {
    label: "record(NotAnEffect)",
    call: () => t.record(any(NotAnEffect)),
    where: "throws",
    cls: TypeError,
    msg: /^record expects an effect class, a list of classes or a predicate .* got function NotAnEffect, which does not extend Effect$/,
  },
  {
    label: "record([Error])",
    call: () => t.record(any([Error])),
    where: "throws",
    cls: TypeError,
    msg: /^record expects effect classes, got function Error, which does not extend Effect in the list$/,
  },
  // WRONG: the class was taken for the callback; each call's "cannot be invoked without 'new'" only a
  // warning, and the run observed nothing
  {
    label: "observe(A) without its callback",
    call: () => d.observe(any(A)),
    where: "throws",
    cls: TypeError,
    msg: /^observe\(A\) needs a callback second: observe\(A, \(effect, ctx\) => …\)/,
  },
]);

test("an effect class is required: the base class Effect itself and a subclass of a subclass are still effect classes", () => {
  class B extends A {}
  const r = d.run(
    d.program(function* () {
      return [yield* new A(), yield* new B()];
    }),
    { handlers: [d.handle(d.Effect as any, (_e: unknown, k: any) => d.resume(k, 1)), d.answer(B, () => 2)] },
  );
  assert.deepEqual(r.value, [1, 2]);
  assert.doesNotThrow(() => t.record(() => true)); // a predicate is not a class
  assert.doesNotThrow(() =>
    t.record(function isA(e: unknown) {
      return e instanceof A;
    }),
  );
});

// ------------------------------------------------------------------------------------------------
// doeff/testing and the runners
// ------------------------------------------------------------------------------------------------

table("testing and runners", [
  // UNCLEAR: V8's "Cannot read properties of undefined (reading 'length')"
  {
    label: "compareEffects()",
    call: () => any(t.compareEffects)(),
    where: "throws",
    cls: TypeError,
    msg: /^compareEffects expects an array of expected effects first, got undefined$/,
  },
  // WRONG: null, "no difference"
  {
    label: "compareEffects(5, [])",
    call: () => any(t.compareEffects)(5, []),
    where: "throws",
    cls: TypeError,
    msg: /^compareEffects expects an array of expected effects first, got 5$/,
  },
  {
    label: "compareEffects([], 5)",
    call: () => any(t.compareEffects)([], 5),
    where: "throws",
    cls: TypeError,
    msg: /^compareEffects expects the performed effects \(an array, e\.g\. a recorder's \.effects\) second, got 5$/,
  },
  // UNCLEAR: "effect #1: expected {}, got A()", not why it can never match
  {
    label: "compareEffects([{}], …)",
    call: () => any(t.compareEffects)([{}], [new A()]),
    where: "throws",
    cls: TypeError,
    msg: /^compareEffects: expected\[0\] is a plain object, which never matches a performed effect/,
  },
  // UNCLEAR: the hole was skipped by the check, then "expected undefined"
  {
    label: "expectEffects(p, [, A]) (a hole)",
    call: () => t.expectEffects(body, any(holeAt(0, [undefined, A])), { handlers: [d.answer(A, () => 1)] }),
    where: "throws",
    cls: TypeError,
    msg: /^expectEffects: expected\[0\] is undefined, which never matches/,
  },
  // WRONG: V8's "undefined is not iterable" as the run's error (not thrown at the call, as run's)
  {
    label: "clock.run()",
    call: () => any(t.virtualClock()).run(),
    where: "throws",
    cls: TypeError,
    msg: /^clock\.run expects a Program \(fn\/program\/pure\), an Effect, or a generator object, got undefined$/,
  },
  {
    label: "clock.run(5)",
    call: () => any(t.virtualClock()).run(5),
    where: "throws",
    cls: TypeError,
    msg: /got 5$/,
  },
  {
    label: "clock.runAsync(generator function)",
    call: () => any(t.virtualClock()).runAsync(function* main() {}),
    where: "rejects",
    cls: TypeError,
    msg: /^clock\.runAsync expects a Program .* got function main; did you forget to call it/,
  },
  // UNCLEAR: "withHandler expects a handler function …, got undefined", naming no list entry
  {
    label: "run(p, { handlers: [, state] }) (a hole)",
    call: () => d.run(d.pure(1), any({ handlers: holeAt(0, [undefined, d.state]) })),
    where: "throws",
    cls: TypeError,
    msg: /^run option handlers\[0\] is undefined, not a handler function$/,
  },
  {
    label: "runAsync(p, { handlers: [state, , writer] })",
    call: () => d.runAsync(d.pure(1), any({ handlers: holeAt(1, [d.state, undefined, d.writer]) })),
    where: "rejects",
    cls: TypeError,
    msg: /^run option handlers\[1\] is undefined, not a handler function$/,
  },
  // UNCLEAR: V8's "pred.call is not a function", thrown at the first effect performed under it
  {
    label: "withHandler(h, p), h.handles = 5",
    call: () => d.withHandler(Object.assign(function mine() {}, { handles: 5 }) as any, body),
    where: "throws",
    cls: TypeError,
    msg: /^withHandler expects a handler function .* got function mine, whose handles is 5, not a function \(effect\) => boolean$/,
  },
  {
    label: 'run(p, { handlers: [h] }), h.handles = "A"',
    call: () => d.run(body, { handlers: [Object.assign(function mine() {}, { handles: "A" }) as any] }),
    where: "throws",
    cls: TypeError,
    msg: /^run option handlers\[0\] is function mine, whose handles is "A", not a function \(effect\) => boolean$/,
  },
  // UNCLEAR: "got [object Object]"
  {
    label: "forEach({}, f)",
    call: () => d.forEach(any({}), () => d.pure(1)),
    where: "throws",
    cls: TypeError,
    msg: /^forEach expects an array \(or another iterable\) of items first, .* got object$/,
  },
  // WRONG: Ok, the effect's fields taken as the patch (`{ ...effect }`); a Promise as an empty one
  {
    label: "local(effect, program)",
    call: () => d.local(any(new A()), body),
    where: "throws",
    cls: TypeError,
    msg: /^local expects a patch object \(\{ key: value \}\), got A object$/,
  },
  {
    label: "local(promise, program)",
    call: () => d.local(any(Promise.resolve({})), body),
    where: "throws",
    cls: TypeError,
    msg: /^local expects a patch object .* got Promise object/,
  },
  {
    label: "seededRandom(2 ** 60)",
    call: () => t.seededRandom(2 ** 60),
    where: "throws",
    cls: TypeError,
    msg: /got 1152921504606847000, beyond Number\.MAX_SAFE_INTEGER/,
  },
]);

// ------------------------------------------------------------------------------------------------
// async iterables
// ------------------------------------------------------------------------------------------------

const badIterable = { [Symbol.asyncIterator]: () => 5 };
table("async iterables", [
  // UNCLEAR: V8's "it.next is not a function"
  {
    label: "forEachAsync({ [Symbol.asyncIterator]: () => 5 }, f)",
    call: () =>
      d.runAsync(
        d.forEachAsync(any(badIterable), () => d.pure(1)),
        { handlers: [d.scheduler] },
      ),
    where: "err",
    cls: TypeError,
    msg: /^forEachAsync: the iterable's \[Symbol\.asyncIterator\]\(\) gave 5, not an async iterator \(an object with a next\(\) method\)$/,
  },
  {
    label: "forEachAsync(…, f, { concurrency: 2 })",
    call: () =>
      d.runAsync(
        d.forEachAsync(any(badIterable), () => d.pure(1), { concurrency: 2 }),
        { handlers: [d.scheduler] },
      ),
    where: "err",
    cls: TypeError,
    msg: /^forEachAsync: the iterable's \[Symbol\.asyncIterator\]\(\) gave 5/,
  },
  // WRONG: Ok(5), answered as an iterator result
  {
    label: "next({ next: () => 5 })",
    call: () => d.runAsync(d.next(any({ next: () => 5 })), { handlers: [d.scheduler] }),
    where: "err",
    cls: TypeError,
    msg: /^next: the iterator's next\(\) gave 5, not an iterator result \{ done, value \}$/,
  },
  {
    label: "next({ next: async () => null })",
    call: () => d.runAsync(d.next(any({ next: async () => null })), { handlers: [d.scheduler] }),
    where: "err",
    cls: TypeError,
    msg: /gave null, not an iterator result/,
  },
]);

test("async iterables: next of a good iterator still answers its results", async () => {
  const it = (async function* () {
    yield 1;
  })();
  const r = await d.runAsync(
    d.program(function* () {
      return [yield* d.next(it), yield* d.next(it)];
    }),
    { handlers: [d.scheduler] },
  );
  assert.deepEqual(r.value, [
    { value: 1, done: false },
    { value: undefined, done: true },
  ]);
});

test("error classes: new UnhandledEffectError(effect) without its handlers list is made (it threw V8's \"reading 'length'\"), for a test double that throws it", () => {
  const e = new d.UnhandledEffectError(new A());
  assert.match(e.message, /^no handler takes A; no handlers are installed here/);
  assert.deepEqual(e.handlers, []);
  // and every error class can be made without arguments, as a JavaScript caller may
  for (const C of [
    d.DoeffError,
    d.UnhandledEffectError,
    d.ContinuationConsumedError,
    d.HandlerContextError,
    d.MissingStateKeyError,
    d.MissingEnvKeyError,
    d.CircularAskError,
    d.TaskCancelledError,
    d.DeadlockError,
    d.AsyncRequiredError,
    d.PromiseAlreadyCompletedError,
    d.VMInternalError,
    d.ChannelClosedError,
    d.TimeoutError,
  ] as (new () => Error)[]) {
    assert.ok(new C() instanceof d.DoeffError, C.name);
  }
});
