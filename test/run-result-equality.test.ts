/**
 * Deep equality of two RunResults sees what they hold: their outcome (a value, or an error), store,
 * log and warnings. Every member is an accessor over private fields, and comparers (node:assert's
 * deepStrictEqual, util.isDeepStrictEqual, Jest's toEqual / toStrictEqual) compare own properties
 * only: two results compared equal whatever they held. Also: Jest's toMatchObject of a failed result
 * against `{ value: … }` fails with its diff (it threw the run's error, read from `value`).
 */
import assert from "node:assert/strict";
import legacy from "node:assert";
import { test } from "node:test";
import { isDeepStrictEqual, stripVTControlCharacters } from "node:util";
import { expect } from "expect";
import {
  delay,
  fn,
  program,
  pure,
  put,
  RunResult,
  run,
  scheduler,
  simulatedTime,
  spawn,
  state,
  tell,
  writer,
} from "../src/index.js";

/** a run that puts `n` in its store, tells `entry` and returns `v` */
const counted = (n: number, entry: string, v: unknown = "done") =>
  run(
    fn(function* counted() {
      yield* put("n", n);
      yield* tell(entry);
      return v;
    })(),
    { handlers: [state, writer] },
  );
/** a run that fails with what `make` returns */
const failing = (make: () => unknown) =>
  run(
    program(function* () {
      throw make();
    }),
  );
/** a run whose spawned task fails while nothing waits for it (one warning), or none fails */
const warned = (fails: boolean) =>
  run(
    program(function* () {
      yield* spawn(
        fn(function* lost() {
          yield* delay(1);
          if (fails) throw new TypeError("nobody waited");
        })(),
      );
      yield* delay(5);
      return 1;
    }),
    { handlers: [scheduler, simulatedTime()] },
  );

const shared = new Error("shared");
/** pairs that hold the same: each pair deep-equal under every comparer */
const same: [string, () => RunResult, () => RunResult][] = [
  ["run(pure(1)) twice", () => run(pure(1)), () => run(pure(1))],
  ["the shortcut and the general path", () => run(pure({ a: [1] })), () => run(pure({ a: [1] }), {})],
  [
    "an empty store and log",
    () => run(pure(1)),
    () => run(pure(1), { handlers: [state, writer], store: {} }),
  ],
  ["the same store, log and value", () => counted(1, "a"), () => counted(1, "a")],
  ["the same error object", () => failing(() => shared), () => failing(() => shared)],
  ["two errors alike", () => failing(() => new RangeError("no")), () => failing(() => new RangeError("no"))],
  ["the same warning", () => warned(true), () => warned(true)],
];
/** pairs that differ: never deep-equal */
const different: [string, () => RunResult, () => RunResult][] = [
  ["values 1 and 2", () => run(pure(1)), () => run(pure(2))],
  ["nested values", () => run(pure({ a: [1] })), () => run(pure({ a: [2] }))],
  ["ok and failed", () => run(pure(1)), () => failing(() => new Error("x"))],
  ["a value and the same object thrown", () => run(pure(shared)), () => failing(() => shared)],
  ["error messages", () => failing(() => new Error("x")), () => failing(() => new Error("y"))],
  ["error classes", () => failing(() => new RangeError("x")), () => failing(() => new TypeError("x"))],
  ["thrown values", () => failing(() => ({ code: 1 })), () => failing(() => ({ code: 2 }))],
  ["stores", () => counted(1, "a"), () => counted(2, "a")],
  ["logs", () => counted(1, "a"), () => counted(1, "b")],
  ["an empty store and not", () => counted(1, "a", 1), () => run(pure(1), { handlers: [writer] })],
  ["a warning and none", () => warned(true), () => warned(false)],
];

test("node: deepStrictEqual and util.isDeepStrictEqual of two results compare what they hold", () => {
  for (const [name, a, b] of same) {
    assert.deepStrictEqual(a(), b(), name);
    assert.equal(isDeepStrictEqual(a(), b()), true, name);
  }
  for (const [name, a, b] of different) {
    assert.notDeepStrictEqual(a(), b(), name);
    assert.notDeepStrictEqual(b(), a(), name);
    assert.equal(isDeepStrictEqual(a(), b()), false, name);
  }
});

test("Jest: toEqual and toStrictEqual of two results compare what they hold", () => {
  for (const [, a, b] of same) {
    expect(a()).toEqual(b());
    expect(a()).toStrictEqual(b());
    expect(b()).toStrictEqual(a());
  }
  for (const [name, a, b] of different) {
    // Jest's rule for errors, wherever they are: toEqual compares their messages, toStrictEqual
    // their classes too
    if (name !== "error classes") expect(a()).not.toEqual(b());
    if (name !== "error classes") expect(b()).not.toEqual(a());
    expect(a()).not.toStrictEqual(b());
    expect(b()).not.toStrictEqual(a());
  }
  expect(failing(() => new RangeError("x"))).toEqual(failing(() => new TypeError("x")));
  // Jest's toEqual leaves out properties whose value is undefined (of any object): a run that returned
  // undefined and one that threw it are told apart by toStrictEqual, and by node's comparers
  const returned = () => run(pure(undefined));
  const threw = () => failing(() => undefined);
  expect(returned()).toEqual(threw());
  expect(returned()).not.toStrictEqual(threw());
  assert.notDeepStrictEqual(returned(), threw());
  assert.equal(isDeepStrictEqual(returned(), threw()), false);
  // nested in other values too
  expect({ r: counted(1, "a"), list: [run(pure(1))] }).toEqual({ r: counted(1, "a"), list: [run(pure(1))] });
  expect({ r: counted(1, "a") }).not.toEqual({ r: counted(1, "b") });
});

test("Jest: a failed toEqual between two results prints both outcomes", () => {
  let message = "";
  try {
    expect(counted(1, "a")).toEqual(counted(2, "a"));
  } catch (e) {
    message = stripVTControlCharacters((e as Error).message);
  }
  assert.equal(
    message,
    [
      "expect(received).toEqual(expected) // deep equality",
      "",
      "- Expected  - 1",
      "+ Received  + 1",
      "",
      "  Object {",
      '    "log": Array [',
      '      "a",',
      "    ],",
      '    "ok": true,',
      '    "store": Object {',
      '-     "n": 2,',
      '+     "n": 1,',
      "    },",
      '    "value": "done",',
      '    "warnings": Array [],',
      "  }",
    ].join("\n"),
  );
});

test("Jest: toMatchObject of a failed result against { value } fails with its diff, not the run's error", () => {
  const declined = new Error("card declined");
  const failed = () =>
    run(
      fn(function* charged() {
        yield* tell("charging o1");
        throw declined;
      })(),
      { handlers: [writer] },
    );
  let thrown: unknown;
  try {
    expect(failed()).toMatchObject({ value: { chargeId: "ch_1" } });
  } catch (e) {
    thrown = e;
  }
  assert.notEqual(thrown, declined);
  assert.equal((thrown as Error).constructor.name, "JestAssertionError");
  assert.equal(
    stripVTControlCharacters((thrown as Error).message),
    [
      "expect(received).toMatchObject(expected)",
      "",
      "- Expected  - 3",
      "+ Received  + 7",
      "",
      "  Object {",
      '-   "value": Object {',
      '-     "chargeId": "ch_1",',
      "-   },",
      '+   "error": [Error: card declined],',
      '+   "log": Array [',
      '+     "charging o1",',
      "+   ],",
      '+   "ok": false,',
      '+   "store": Object {},',
      '+   "warnings": Array [],',
      "  }",
    ].join("\n"),
  );
  // the negation passes; the other members match as before; an ok result matches its value
  expect(failed()).not.toMatchObject({ value: undefined });
  expect(failed()).toMatchObject({ ok: false, error: declined, log: ["charging o1"], warnings: [] });
  expect(failed()).toMatchObject({ store: {} });
  expect(counted(1, "a")).toMatchObject({ ok: true, value: "done", store: { n: 1 }, log: ["a"] });
  expect(counted(1, "a")).not.toMatchObject({ value: "other" });
  // and a failed result is a RunResult whose value throws the very error, as before
  const r = failed();
  assert.ok(r instanceof RunResult);
  assert.equal(r.constructor, RunResult);
  assert.equal(Object.prototype.toString.call(r), "[object RunResult]");
  assert.throws(
    () => r.value,
    (e) => e === declined,
  );
  assert.equal("value" in r, true);
  assert.deepEqual(
    [(r as unknown as { name?: unknown }).name, (r as unknown as { length?: unknown }).length],
    [undefined, undefined],
  );
});

test("what a result holds for comparers: symbol-keyed own data; the members cannot be changed through it", () => {
  const r = counted(1, "a");
  assert.deepEqual(Object.keys(r), []); // no own string key, as before
  const keys = Reflect.ownKeys(r);
  assert.deepEqual(
    keys.map((k) => String(k)),
    ["Symbol(value)", "Symbol(store)", "Symbol(log)"],
  );
  assert.deepEqual(Reflect.ownKeys(run(pure(1))).map(String), ["Symbol(value)"]);
  assert.deepEqual(Reflect.ownKeys(failing(() => 1)).map(String), ["Symbol(error)"]);
  assert.deepEqual(Reflect.ownKeys(warned(true)).map(String), ["Symbol(value)", "Symbol(warnings)"]);
  // writing them (a deliberate reflection) changes no member: those read private fields
  for (const k of keys) (r as unknown as Record<PropertyKey, unknown>)[k] = "changed";
  assert.deepEqual([r.ok, r.value, r.store, r.log], [true, "done", { n: 1 }, ["a"]]);
  // the empty store of `run(pure(v))`, one Map for every such result, is never one of them
  assert.equal(Object.getOwnPropertySymbols(run(pure(1))).length, 1);
});

test("node's legacy (loose) assert.deepEqual leaves symbol keys out: two results compare equal (documented)", () => {
  legacy.deepEqual(run(pure(1)), run(pure(2)));
  assert.throws(() => legacy.deepStrictEqual(run(pure(1)), run(pure(2))), { code: "ERR_ASSERTION" });
});
