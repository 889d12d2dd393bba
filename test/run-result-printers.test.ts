/**
 * A RunResult as test runners print it when an assertion on it fails. It has no own properties (its
 * members are accessors over private fields), and each runner's printer walks own properties, so
 * what it prints depends on the hooks RunResult gives: Node's inspect hook, `Symbol.toStringTag` and
 * `toJSON`. Each test replays, step by step, what one printer does with the value (the code named is
 * that of the version a user's failing test went through), rather than depending on the runner.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import {
  delay,
  fn,
  program,
  pure,
  put,
  run,
  scheduler,
  simulatedTime,
  spawn,
  state,
  tell,
  tracebackOf,
  writer,
} from "../src/index.js";

const ok = () =>
  run(
    fn(function* charged() {
      yield* put("receipts", 1);
      yield* tell("charged o1");
      return { chargeId: "ch_1" };
    })(),
    { handlers: [state, writer] },
  );
const declined = new Error("card declined");
const failed = () =>
  run(
    fn(function* charged() {
      yield* tell("charging o1");
      throw declined;
    })(),
    { handlers: [state, writer], store: { receipts: 0 } },
  );

test("chai 5's loupe (vitest's expect) calls the inspect hook without Node's inspect: it gets the outcome, not a TypeError", () => {
  const hook = Symbol.for("nodejs.util.inspect.custom");
  // chai/index.js 5.3 inspectCustom: `value[nodeInspect](options.depth, options)`; a result that is not
  // a string is inspected in its turn
  const call = (r: object) => (r as Record<symbol, (d: number, o: object) => unknown>)[hook]!(2, {});
  assert.deepEqual(call(ok()), { ok: true, value: { chargeId: "ch_1" } });
  assert.deepEqual(call(failed()), { ok: false, error: declined });
});

test("vitest's deepClone keeps a RunResult as it is: its tag is not [object Object]", () => {
  // @vitest/utils 3.2 helpers.js clone(): `if (Object.prototype.toString.call(val) === "[object Object]")
  // { out = Object.create(Object.getPrototypeOf(val)); … }`, then diff.js replaceAsymmetricMatcher read
  // `out.ok`: "Cannot read private member #ok from an object whose class did not declare it"
  const r = failed();
  assert.equal(Object.prototype.toString.call(r), "[object RunResult]");
  const copy = Object.create(Object.getPrototypeOf(r)) as { ok: boolean };
  assert.throws(() => copy.ok, TypeError); // (why a copy must not be made)
});

test("pretty-format (vitest's and Jest's diffs) and JSON.stringify print what the result holds, through toJSON", () => {
  // @vitest/pretty-format printComplexValue: `if (config.callToJSON && typeof val.toJSON === "function")
  // return printer(val.toJSON(), …)`; without it, the own enumerable keys: `RunResult {}`
  const toJSON = (r: object) => (r as { toJSON(): unknown }).toJSON();
  assert.deepEqual(toJSON(ok()), {
    ok: true,
    value: { chargeId: "ch_1" },
    store: { receipts: 1 },
    log: ["charged o1"],
    warnings: [],
  });
  const f = toJSON(failed()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(f), ["ok", "error", "store", "log", "warnings"]);
  assert.equal(f.error, declined); // the very error, which a printer shows as `[Error: card declined]`
  assert.deepEqual([f.ok, f.store, f.log, f.warnings], [false, { receipts: 0 }, ["charging o1"], []]);
  assert.equal(
    JSON.stringify(ok()),
    '{"ok":true,"value":{"chargeId":"ch_1"},"store":{"receipts":1},"log":["charged o1"],"warnings":[]}',
  );
  // (still no own property: the result stays immutable, and the accessors are the API)
  assert.deepEqual(Object.keys(ok()), []);
});

// review-q: what JSON.stringify, util.inspect's options and odd receivers make of a RunResult

/** a run whose spawned task fails while nothing waits for it: one warning beside the value */
const warned = () =>
  run(
    program(function* () {
      yield* spawn(
        fn(function* lost() {
          yield* delay(1);
          throw new TypeError("nobody waited");
        })(),
      );
      yield* delay(5);
      return 1;
    }),
    { handlers: [scheduler, simulatedTime()] },
  );

test("review-q: JSON.stringify of a failed result carries the error's name and message (an Error alone stringifies as {})", () => {
  assert.equal(
    JSON.stringify(failed()),
    '{"ok":false,"error":{"name":"Error","message":"card declined"},"store":{"receipts":0},"log":["charging o1"],"warnings":[]}',
  );
  const w = warned();
  assert.equal(w.warnings.length, 1);
  assert.equal(
    JSON.stringify(w),
    '{"ok":true,"value":1,"store":{},"log":[],"warnings":[{"name":"TypeError","message":"nobody waited"}]}',
  );
  // a cause goes with it (an Error's as name and message too); a thrown non-Error is kept as it is
  const caused = run(
    program(function* () {
      throw new RangeError("outer", { cause: new Error("inner") });
    }),
  );
  assert.equal(
    JSON.stringify((caused as unknown as { toJSON(key: string): unknown }).toJSON("")),
    JSON.stringify({
      ok: false,
      error: { name: "RangeError", message: "outer", cause: { name: "Error", message: "inner" } },
      store: {},
      log: [],
      warnings: [],
    }),
  );
  const thrown = run(
    program(function* () {
      throw { code: 42 };
    }),
  );
  assert.equal(JSON.stringify(thrown), '{"ok":false,"error":{"code":42},"store":{},"log":[],"warnings":[]}');
  // printers call toJSON() without a key: they still get the very error (they print `[Error: …]`)
  assert.equal((failed() as unknown as { toJSON(): { error: unknown } }).toJSON().error, declined);
  assert.ok(
    ((w as unknown as { toJSON(): { warnings: unknown[] } }).toJSON().warnings[0] as Error) instanceof
      TypeError,
  );
  // a value with a cycle: JSON.stringify says so, as it does for the value itself
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => JSON.stringify(run(pure(cyclic))), { name: "TypeError", message: /circular/ });
});

test("review-q: util.inspect's depth and colors reach a RunResult nested in other values", () => {
  const r = run(pure({ a: { b: { c: 1 } } }));
  // beyond the depth, as any object there: [RunResult] (it printed its outcome three levels further)
  assert.equal(inspect({ x: { y: { z: r } } }), "{ x: { y: { z: [RunResult] } } }");
  assert.equal(inspect([r], { depth: 0 }), "[ [RunResult] ]");
  // within it, the outcome to the depth left, like a plain object in its place
  assert.equal(inspect({ x: r }, { depth: 1 }), "{ x: RunResult { ok: true, value: [Object] } }");
  assert.equal(
    inspect({ x: { ok: true, value: { a: 1 } } }, { depth: 1 }),
    "{ x: { ok: true, value: [Object] } }",
  );
  assert.equal(inspect(r), "RunResult { ok: true, value: { a: { b: [Object] } } }");
  const plain = { ok: true, value: { a: { b: { c: 1 } } } };
  assert.equal(inspect(r, { depth: null }), `RunResult ${inspect(plain, { depth: null })}`);
  assert.equal(
    inspect({ x: r }, { depth: null }),
    inspect({ x: plain }, { depth: null }).replace("x: {", "x: RunResult {"),
  );
  assert.equal(
    inspect(r, { colors: true, depth: 0 }),
    "RunResult { ok: \x1b[33mtrue\x1b[39m, value: \x1b[36m[Object]\x1b[39m }",
  );
  assert.equal(inspect([r], { colors: true, depth: 0 }), "[ \x1b[36m[RunResult]\x1b[39m ]");
  assert.equal(Object.prototype.toString.call(r), "[object RunResult]");
});

test("review-q: the prototype prints as Node prints any prototype, and structuredClone makes a plain {}", () => {
  // (Node does not call a prototype's own hook on it; a bare Object.create copy, which no printer
  // makes since the tag, would still throw "Cannot read private member #ok" from the hooks)
  assert.equal(inspect(Object.getPrototypeOf(ok())), "Object [RunResult] {}");
  // structuredClone copies own data only, and a result has none (its members are accessors)
  assert.deepEqual(structuredClone(ok()), {});
});

test("fix-a: each warning's where, typed, without a second accessor: tracebackOf(r).warnings and onWarning", () => {
  const told: [unknown, string][] = [];
  const r = run(
    program(function* () {
      yield* spawn(
        fn(function* lost() {
          yield* delay(1);
          throw new TypeError("nobody waited");
        })(),
      );
      yield* delay(5);
      return 1;
    }),
    {
      handlers: [scheduler, simulatedTime()],
      onWarning: (e, { where, status }) => {
        if (status === "final") told.push([e, where]);
      },
    },
  );
  const [w] = r.warnings;
  assert.ok(w instanceof TypeError);
  const where = "task 1 failed and nothing waited for it";
  assert.deepEqual(told, [[w, where]]);
  const data = tracebackOf(r).warnings;
  assert.equal(data.length, 1);
  assert.equal(data[0]!.where, where);
  assert.deepEqual([data[0]!.error.name, data[0]!.error.message], ["TypeError", "nobody waited"]);
  assert.ok(r.format().includes(`${where}: TypeError: nobody waited`));
});
