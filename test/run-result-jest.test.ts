/**
 * A RunResult under Jest's `expect` (the real package, the one Jest itself runs). Jest's diff copies
 * each value before printing it (jest-matcher-utils deepCyclicCopyReplaceable), reading every
 * accessor: it read `value`, which throws a failed run's error, and that error replaced the failed
 * assertion's message. test/run-result-printers.test.ts replays the other printers step by step.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect, stripVTControlCharacters } from "node:util";
import { expect } from "expect";
import { fn, program, pure, put, type RunResult, run, state, tell, writer } from "../src/index.js";

const declined = new Error("card declined");
const failed = () =>
  run(
    fn(function* charged() {
      yield* tell("charging o1");
      throw declined;
    })(),
    { handlers: [state, writer], store: { receipts: 0 } },
  );
const ok = () =>
  run(
    fn(function* charged() {
      yield* put("receipts", 1);
      return { chargeId: "ch_1" };
    })(),
    { handlers: [state, writer] },
  );

/** the message of the assertion error `f` throws, without colours */
function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    assert.notEqual(e, declined, "the run's error came out of the assertion, not a diff");
    assert.equal((e as Error).constructor.name, "JestAssertionError");
    return stripVTControlCharacters((e as Error).message);
  }
  assert.fail("the assertion passed");
}

test("Jest: a failed result's toEqual prints a diff showing ok: false and the error, not the run's error", () => {
  assert.equal(
    failure(() => expect(failed()).toEqual({ ok: true, value: 1 })),
    [
      "expect(received).toEqual(expected) // deep equality",
      "",
      "- Expected  - 2",
      "+ Received  + 9",
      "",
      "  Object {",
      '-   "ok": true,',
      '-   "value": 1,',
      '+   "error": [Error: card declined],',
      '+   "log": Array [',
      '+     "charging o1",',
      "+   ],",
      '+   "ok": false,',
      '+   "store": Object {',
      '+     "receipts": 0,',
      "+   },",
      '+   "warnings": Array [],',
      "  }",
    ].join("\n"),
  );
  // toMatchObject and toBe go through the same copy
  const toMatch = failure(() => expect(failed()).toMatchObject({ ok: true }));
  assert.ok(toMatch.startsWith("expect(received).toMatchObject(expected)\n"), toMatch);
  assert.ok(toMatch.includes('-   "ok": true,\n+   "error": [Error: card declined],\n'), toMatch);
  const toBe = failure(() => expect(failed()).toBe(ok()));
  assert.ok(toBe.includes('-   "value": Object {\n-     "chargeId": "ch_1",'), toBe);
  assert.ok(toBe.includes('+   "error": [Error: card declined],'), toBe);
});

test("Jest: an ok result's diff shows its value, store and log; toMatchObject checks ok and value", () => {
  assert.equal(
    failure(() => expect(ok()).toEqual({ ok: true, value: 1 })),
    [
      "expect(received).toEqual(expected) // deep equality",
      "",
      "- Expected  - 1",
      "+ Received  + 8",
      "",
      "  Object {",
      '+   "log": Array [],',
      '    "ok": true,',
      '-   "value": 1,',
      '+   "store": Object {',
      '+     "receipts": 1,',
      "+   },",
      '+   "value": Object {',
      '+     "chargeId": "ch_1",',
      "+   },",
      '+   "warnings": Array [],',
      "  }",
    ].join("\n"),
  );
  expect(ok()).toMatchObject({ ok: true, value: { chargeId: "ch_1" } });
  expect(failed()).toMatchObject({ ok: false, error: declined });
  expect(failed()).toMatchObject({ ok: false, error: expect.objectContaining({ message: "card declined" }) });
  const toMatch = failure(() => expect(ok()).toMatchObject({ ok: true, value: { chargeId: "ch_2" } }));
  assert.ok(toMatch.includes('-     "chargeId": "ch_2",\n+     "chargeId": "ch_1",'), toMatch);
  // a matcher that matched is printed in the value's place, as for a plain object
  const nested = failure(() => expect({ r: ok() }).toEqual({ r: { ok: true, value: expect.any(Object) } }));
  assert.ok(nested.includes('\n      "value": Any<Object>,\n') && !nested.includes("chargeId"), nested);
  const notContaining = failure(() =>
    expect(failed()).toMatchObject({ ok: true, value: expect.not.objectContaining({ a: 1 }) }),
  );
  assert.ok(notContaining.includes('+   "error": [Error: card declined],'), notContaining);
});

test("Jest's copy of a result answers ok / value / error from what it copied; the result itself is unchanged", () => {
  // what deepCyclicCopyObject makes: the prototype, and the listed properties as own data
  const copyOf = (r: object) => {
    const list = (r as Record<symbol, readonly PropertyKey[]>)[Symbol.for("@jest/serializableProperties")]!;
    const copy = Object.create(Object.getPrototypeOf(r));
    for (const k of list) {
      const value = (r as Record<PropertyKey, unknown>)[k];
      Object.defineProperty(copy, k, { value, writable: true, configurable: true });
    }
    return copy as { ok: boolean; value: unknown; error: unknown; toJSON(): unknown };
  };
  const f = copyOf(failed());
  assert.deepEqual([f.ok, f.value, f.error], [false, undefined, declined]);
  f.value = "matcher"; // Jest writes the expected side's asymmetric matchers on the copy
  assert.equal(f.value, "matcher");
  assert.deepEqual(f.toJSON(), {
    ok: false,
    error: declined,
    store: { receipts: 0 },
    log: ["charging o1"],
    warnings: [],
  });
  const o = copyOf(run(pure(7)));
  assert.deepEqual([o.ok, o.value, o.error], [true, 7, undefined]);
  assert.equal(inspect(o), "RunResult { ok: true, value: 7 }");
  // the documented contract stays: a failed result's value throws the very error
  assert.throws(
    () => failed().value,
    (e) => e === declined,
  );
  assert.deepEqual(Object.keys(failed()), []);
  // (a run that failed with a non-Error throws it from value as well)
  const thrown = run(
    program(function* () {
      throw { code: 42 };
    }),
  );
  assert.throws(
    () => thrown.value,
    (e) => (e as { code: number }).code === 42,
  );
});

test("Jest's toEqual between two results compares what they hold (test/run-result-equality.test.ts); or compare their members", () => {
  // (it compared no data when a result had no own properties: the two passed)
  assert.ok(
    failure(() => expect(run(pure(1))).toEqual(run(pure(2)))).includes('-   "value": 2,\n+   "value": 1,'),
  );
  const members = (r: RunResult) => ({ ok: r.ok, value: r.value, store: r.store, log: r.log });
  const whole = failure(() => expect(members(run(pure(1)))).toEqual(members(run(pure(2)))));
  assert.ok(whole.includes('-   "value": 2,\n+   "value": 1,'), whole);
});
