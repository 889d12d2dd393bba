/**
 * format() of an ok run shows the value's first 200 characters of JSON (then `...`). It wrote the
 * whole value first: a result of 100,000 rows took ~100 ms to format, a million ~2 s, for 200
 * characters. Now only what is shown is written, and what it shows is unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { pure, run } from "../src/index.js";

/** What format() showed when it wrote the whole value (plain data: no stand-in needed). */
const whole = (v: unknown): string => {
  // (-0 as the string "-0", as the report writes it: JSON writes 0)
  const s = JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? "-0" : x));
  const cut = `Ok: ${s.length > 200 ? `${s.slice(0, 197).replace(/[\ud800-\udbff]$/, "")}...` : s}`;
  // (and the characters a terminal would act on escaped, as in every line of a report)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return cut.replace(/[\x00-\x08\v-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
};

test("format() of an ok run shows the same first 200 characters as JSON of the whole value", () => {
  const leaf = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 300 }), // long, lone surrogates, characters escaped
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    // left out of an object, `null` in an array, as JSON writes them
    fc.constant(() => 1),
    fc.constant(Symbol.for("s")),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 40 }),
    object: fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { maxKeys: 30 }),
  }));
  fc.assert(
    fc.property(fc.oneof(fc.array(value, { maxLength: 300 }), fc.dictionary(fc.string(), value)), (v) => {
      assert.equal(run(pure(v)).format(), whole(v));
    }),
    { numRuns: 400 },
  );
});

test("format() of an ok run writes -0 as -0 (JSON writes 0), nested as the string, as NaN is", () => {
  assert.deepEqual(
    [run(pure(-0)).format(), run(pure([-0, 0, Number.NaN])).format(), run(pure({ x: -0 })).format()],
    ["Ok: -0", 'Ok: ["-0",0,"NaN"]', 'Ok: {"x":"-0"}'],
  );
});

test("format() of an ok run reads only the rows it shows of a 100,000-row result", () => {
  let reads = 0;
  const row = {
    get name() {
      reads++;
      return "x";
    },
  };
  const rows = Array.from({ length: 100_000 }, () => row);
  // an object of many keys, and rows inside one of many arrays, likewise
  const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, row]));
  const nested = Array.from({ length: 1_000 }, () => Array.from({ length: 1_000 }, () => row));
  for (const [v, read] of [
    [rows, 100], // 15 rows are shown; 100 read, as a row is counted 2 characters (was 100,000)
    [wide, 100], // (was 50,000)
    [nested, 100], // (was 1,000,000)
  ] as const) {
    const expected = whole(v);
    reads = 0;
    assert.equal(run(pure(v)).format(), expected);
    assert.equal(reads, read);
  }
});

test("format() of an ok run: a cycle after the cut no longer hides the part shown", () => {
  const cyclic: Record<string, unknown> = { text: "t".repeat(250) };
  cyclic.self = cyclic;
  assert.equal(run(pure(cyclic)).format(), whole({ text: cyclic.text }));
});

test("format() of an ok run shows a value with a cycle as JSON would, `[Circular]` where an object is met inside itself", () => {
  // (it read `Ok: object`: JSON threw at the cycle, and the report fell back to the value's type)
  const early: Record<string, unknown> = {};
  early.self = early;
  const c: { a: number; list: unknown[]; self?: unknown } = { a: 1, list: [1, 2] };
  c.self = c;
  c.list.push(c);
  const deep: { n: { m: { back?: unknown } } } = { n: { m: {} } };
  deep.n.m.back = deep.n;
  const shared = { x: 1 }; // (met twice side by side: no cycle)
  const self: unknown[] = [];
  self.push(self);
  assert.deepEqual(
    [early, c, deep, { p: shared, q: [shared, shared] }, self].map((v) => run(pure(v)).format()),
    [
      'Ok: {"self":"[Circular]"}',
      'Ok: {"a":1,"list":[1,2,"[Circular]"],"self":"[Circular]"}',
      'Ok: {"n":{"m":{"back":"[Circular]"}}}',
      'Ok: {"p":{"x":1},"q":[{"x":1},{"x":1}]}',
      'Ok: ["[Circular]"]',
    ],
  );
  // an array past 200 items is cut before it is written: its cycle is found all the same, and the
  // text cut at 200 characters as any other
  const long: unknown[] = Array.from({ length: 300 }, (_, i) => i);
  long[0] = long;
  const shown = run(pure(long)).format();
  assert.equal(shown, whole(["[Circular]", ...long.slice(1)]));
  assert.equal(shown.length, 4 + 200);
});
