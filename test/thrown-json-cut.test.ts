/**
 * A run that failed with a thrown plain object or array shows its JSON when that is at most 120
 * characters (`thrown: {"code":42}`), else `thrown: object`. It wrote the whole value first: a thrown
 * `{ rows: [a million numbers] }` took ~40 ms to print `thrown: object`. Now the writing stops once
 * past the limit, and what is shown is unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { program, run } from "../src/index.js";
import { shortJson } from "../src/trace/format.js";

/** The old algorithm: the whole JSON, then its length compared. */
function wholeJson(v: unknown): string | null {
  if (v === null || typeof v !== "object") return null;
  try {
    const p = Object.getPrototypeOf(v);
    if (p !== Object.prototype && p !== Array.prototype && p !== null) return null;
    const j = JSON.stringify(v);
    return j !== undefined && j.length <= 120 ? j : null;
  } catch {
    return null;
  }
}

test("shortJson gives what the whole JSON gave, for values around the 120-character limit", () => {
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 40 }), // escaped characters, lone surrogates
    fc.integer(),
    fc.double(), // NaN and infinities are written `null`
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined), // left out of an object, `null` in an array
    fc.constant(() => 1),
    fc.constant(Symbol.for("s")),
    fc.constant(1n), // JSON throws: null
    fc.constant(new Date(0)), // toJSON
    fc.constant({ toJSON: () => undefined }),
    fc.constant(Object.assign(Object.create(null), { n: 1 })),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 12 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 8 }),
  }));
  let shown = 0;
  fc.assert(
    fc.property(
      fc.oneof(fc.array(value, { maxLength: 30 }), fc.dictionary(fc.string({ maxLength: 10 }), value)),
      (v) => {
        const expected = wholeJson(v);
        if (expected !== null) shown++;
        assert.equal(shortJson(v), expected);
      },
    ),
    { numRuns: 1000 },
  );
  assert.ok(shown > 100, `only ${shown} values short enough to be shown`); // (both sides tested)
  // exactly at the limit, and one past it
  for (const n of [113, 114, 115]) {
    const v = { s: "x".repeat(n) }; // {"s":"xx…"}: n + 8 characters
    assert.equal(shortJson(v), wholeJson(v));
  }
  assert.equal(shortJson({ s: "x".repeat(112) }), `{"s":"${"x".repeat(112)}"}`);
  assert.equal(shortJson({ s: "x".repeat(113) }), null);
  assert.equal(shortJson(Array(59).fill(0)), `[${Array(59).fill(0).join(",")}]`); // 119 characters
  // an undefined in an array is written `null`: 120 characters, shown
  assert.equal(shortJson([...Array(57).fill(0), undefined]), `[${Array(57).fill(0).join(",")},null]`);
  assert.equal(shortJson(Array(60).fill(0)), null); // 121
});

test("a thrown object of a million rows is not written whole to say `thrown: object`", () => {
  let reads = 0;
  const row = {
    get n() {
      reads++;
      return 1;
    },
  };
  const big = { rows: Array.from({ length: 1_000_000 }, () => row) };
  const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, row]));
  const text = { note: "x".repeat(50_000_000) };
  for (const [thrown, read] of [
    [big, 0], // the array's million elements count past the limit before any is written
    [wide, 11], // (was 50,000)
    [text, 0],
  ] as const) {
    reads = 0;
    const r = run(
      program(function* main() {
        yield* [];
        throw thrown;
      }),
    );
    assert.equal(r.format(), "doeff traceback (outermost first):\n  main\nthrown: object");
    assert.equal(reads, read);
  }
  // what is short is shown as before
  const r = run(
    program(function* main() {
      yield* [];
      throw { code: 42, rows: [1, 2] };
    }),
  );
  assert.equal(r.format().split("\n").at(-1), 'thrown: {"code":42,"rows":[1,2]}');
});
