/**
 * Bad-input audit (part 1, the cases it fixed: test/bad-input.test.ts): the misuses of running,
 * programs, handlers, continuations, state and reader that were already handled well — a clear
 * TypeError / RangeError (or the library error) at the right place, naming the argument — kept as a
 * table so they stay so. Cases test/malformed.test.ts, test/mistakes.test.ts and
 * test/toolkit-errors.test.ts already assert are not repeated. Concurrency and doeff/testing:
 * test/bad-input-good-async.test.ts.
 */
import * as d from "../src/index.js";
import { A, any, body, type Row, SCH, table } from "./bad-input-helpers.js";

const p1 = d.pure(1);
table("good", [
  {
    label: "run(p, 5)",
    call: () => d.run(p1, any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^run options must be an object, got 5$/,
  },
  {
    label: "run(p, { trace: 5 })",
    call: () => d.run(p1, any({ trace: 5 })),
    where: "throws",
    cls: TypeError,
    msg: /^run option trace must be an object, got 5$/,
  },
  {
    label: "run(p, { signal: {} })",
    call: () => d.run(p1, any({ signal: {} })),
    where: "throws",
    cls: TypeError,
    msg: /^run option signal must be an AbortSignal/,
  },
  {
    label: 'runAsync(p, { signal: "x" })',
    call: () => d.runAsync(p1, any({ signal: "x" })),
    where: "rejects",
    cls: TypeError,
    msg: /^run option signal must be an AbortSignal .* got "x"$/,
  },
  {
    label: "run(Promise)",
    call: () => d.run(any(Promise.resolve(1))),
    where: "throws",
    cls: TypeError,
    msg: /^run expects a Program .* got Promise object$/,
  },
  {
    label: "run(async function)",
    call: () => d.run(any(async () => 1)),
    where: "throws",
    cls: TypeError,
    msg: /did you forget to call it/,
  },
  {
    label: "program(generator object)",
    call: () => d.program(any((function* () {})())),
    where: "throws",
    cls: TypeError,
    msg: /^program expects a generator function/,
  },
  {
    label: "program(() => 1)",
    call: () => d.run(d.program(any(() => 1))),
    where: "err",
    cls: TypeError,
    msg: /did not return a generator \(got 1\)/,
  },
  {
    label: "p.map(5)",
    call: () => p1.map(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^Program\.map expects a function, got 5$/,
  },
  {
    label: "p.flatMap(() => 5)",
    call: () => d.run(p1.flatMap(any(() => 5))),
    where: "err",
    cls: TypeError,
    msg: /^flatMap's function must return a Program or Effect, got 5$/,
  },
  {
    label: "yield 10n",
    call: () =>
      d.run(
        d.program(function* () {
          yield any(10n);
        }),
      ),
    where: "err",
    cls: TypeError,
    msg: /^yielded 10n, which is not an Effect/,
  },
  {
    label: "withHandler(p, h) swapped",
    call: () => d.withHandler(any(body), any(d.state)),
    where: "throws",
    cls: TypeError,
    msg: /^withHandler expects a handler function .* got Program object$/,
  },
  {
    label: "withHandler(h, generator function)",
    call: () =>
      d.withHandler(
        d.state,
        any(function* g() {}),
      ),
    where: "throws",
    cls: TypeError,
    msg: /^withHandler expects a Program, Effect or primitive, got function g$/,
  },
  {
    label: "withHandler(async handler) run",
    call: () =>
      d.run(
        d.withHandler(
          any(async () => 1),
          body,
        ),
      ),
    where: "err",
    cls: TypeError,
    msg: /returned a Promise; .* not async: promises come in with awaitPromise/,
  },
  {
    label: "handle(A)",
    call: () => any(d.handle)(A),
    where: "throws",
    cls: TypeError,
    msg: /^handle expects a handler function second, got undefined$/,
  },
  {
    label: "handle(new A(), f)",
    call: () =>
      d.handle(
        any(new A()),
        any(() => 1),
      ),
    where: "throws",
    cls: TypeError,
    msg: /got A object$/,
  },
  {
    label: "handle(f, A) swapped",
    call: () =>
      d.handle(
        any(() => 1),
        any(A),
      ),
    where: "throws",
    cls: TypeError,
    msg: /^handle expects an effect class/,
  },
  {
    label: "answer(A, 5)",
    call: () => d.answer(A, any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^answer expects a function \(effect\) => value second, got 5/,
  },
  {
    label: "handle(A, f), f returns undefined",
    call: () =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any(() => undefined),
          ),
          body,
        ),
      ),
    where: "err",
    cls: TypeError,
    msg: /returned undefined; a handler must return a generator/,
  },
  {
    label: "a handler yields 5",
    call: () =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any(function* () {
              yield 5;
            }),
          ),
          body,
        ),
      ),
    where: "err",
    cls: TypeError,
    msg: /^yielded 5, which is not an Effect/,
  },
  {
    label: "resume(5)",
    call: () => d.resume(any(5), 1),
    where: "throws",
    cls: TypeError,
    msg: /^resume expects a continuation \(the handler's `k` argument\), got 5$/,
  },
  {
    label: "transferWith(k, 5)",
    call: () =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any((_e: A, k: any) => d.transferWith(k, any(5))),
          ),
          body,
        ),
      ),
    where: "err",
    cls: TypeError,
    msg: /^transferWith expects a Program, Effect or primitive, got 5$/,
  },
  {
    label: "createContinuation(p, 5)",
    call: () => any(d.createContinuation)(body, 5),
    where: "throws",
    cls: TypeError,
    msg: /^createContinuation expects an array of handlers, got 5$/,
  },
  {
    label: "pass(5)",
    call: () => d.pass(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^pass expects an Effect or nothing, got 5$/,
  },
  {
    label: "getCallStack(5)",
    call: () => d.getCallStack(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^getCallStack expects a continuation/,
  },
  {
    label: "asyncEscape(5)",
    call: () => d.asyncEscape(any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^asyncEscape expects a function returning a promise, got 5$/,
  },
  {
    label: "a continuation resumed by another run",
    call: () => {
      let kept: any;
      d.run(
        d.withHandler(
          d.handle(
            A,
            any(function* (_e: A, k: any) {
              kept = k;
              return yield* d.detach(k);
            }),
          ),
          body,
        ),
      );
      return d.run(
        d.program(function* () {
          return yield* d.resume(kept, 1);
        }),
      );
    },
    where: "err",
    cls: d.HandlerContextError,
    msg: /belongs to the run that captured it/,
  },
  {
    label: "a created continuation resumed twice",
    call: () =>
      d.run(
        d.program(function* () {
          const k = yield* d.createContinuation(d.pure(1));
          yield* d.resumeContinuation(k);
          return yield* d.resumeContinuation(k);
        }),
      ),
    where: "err",
    cls: d.ContinuationConsumedError,
    msg: /one-shot/,
  },
  {
    label: "finalize(k) then resume(k)",
    call: () =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any(function* (_e: A, k: any) {
              yield* d.finalize(k);
              return yield* d.resume(k, 1);
            }),
          ),
          body,
        ),
      ),
    where: "err",
    cls: d.ContinuationConsumedError,
    msg: /finalize\(k\) finalized it/,
  },
  {
    label: "get({})",
    call: () => d.get(any({})),
    where: "throws",
    cls: TypeError,
    msg: /^get expects a string key, got object$/,
  },
  {
    label: 'modify("x", 5)',
    call: () => d.modify("x", any(5)),
    where: "throws",
    cls: TypeError,
    msg: /^modify expects a function \(old\) => new, got 5$/,
  },
  {
    label: "run(p, { env: new (class X {})() })",
    call: () =>
      d.run(
        d.ask("a"),
        any({
          handlers: [d.reader],
          env: new (class X {
            a = 1;
          })(),
        }),
      ),
    where: "throws",
    cls: TypeError,
    msg: /got X object; copy its data into one/,
  },
  {
    label: "run(p, { store: Map with key 1 })",
    call: () => d.run(d.get("a"), any({ handlers: [d.state], store: new Map([[1, 2]]) })),
    where: "throws",
    cls: TypeError,
    msg: /^run option store: a Map's keys must be strings, got the key 1$/,
  },
  {
    label: "intercept(p, 5)",
    call: () => any(d.intercept)(body, 5),
    where: "throws",
    cls: TypeError,
    msg: /^intercept expects a transform function/,
  },
  {
    label: "intercept transform returns 5",
    call: () =>
      d.run(
        d.withHandler(
          d.answer(A, () => 1),
          d.intercept(
            body,
            any(() => 5),
          ),
        ),
      ),
    where: "err",
    cls: TypeError,
    msg: /^intercept transform returned 5; return undefined \(pass on\), an Effect \(substitute\) or a Program/,
  },
  {
    label: "observe(A, 5)",
    call: () => any(d.observe)(A, 5),
    where: "throws",
    cls: TypeError,
    msg: /second, after the effect classes, got 5$/,
  },
] satisfies Row[]);
