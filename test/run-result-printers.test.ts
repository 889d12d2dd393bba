/**
 * A RunResult as test runners print it when an assertion on it fails. It has no own properties (its
 * members are accessors over private fields), and each runner's printer walks own properties, so
 * what it prints depends on the hooks RunResult gives: Node's inspect hook, `Symbol.toStringTag` and
 * `toJSON`. Each test replays, step by step, what one printer does with the value (the code named is
 * that of the version a user's failing test went through), rather than depending on the runner.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn, put, run, state, tell, writer } from "../src/index.js";

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
