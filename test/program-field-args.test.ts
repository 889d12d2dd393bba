/**
 * An effect field that holds a program made by `fn` shows the arguments it was called with: the
 * writer's `listen(inc(3))` was listed `Listen(inc())` by expectEffects and record and in a
 * traceback's effect line, the 3 dropped. Bounded as other fields are: the first three arguments,
 * cut at 60 characters, programs among them nested.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn, listen, type Program, program, run, tell, writer } from "../src/index.js";
import { EffectExpectationError, expectEffects } from "../src/testing/index.js";
import { Listen } from "../src/effects/writer.js";

const inc = fn(function* inc(n: number) {
  yield* tell(`inc ${n}`);
  return n + 1;
});
const add = fn(function* add(...xs: unknown[]) {
  return xs.length;
});

test("expectEffects lists listen(inc(3)) with its argument", () => {
  const main = program(function* main() {
    const { value: n } = yield* listen(inc(3));
    return yield* listen(add(inc(n), "x", { id: 7 }, 4, 5));
  });
  try {
    expectEffects(main, [Listen], { handlers: [writer] });
    assert.fail("expectEffects passed");
  } catch (e) {
    assert.ok(e instanceof EffectExpectationError);
    assert.deepEqual(e.message.split("\n"), [
      'effect #2: expected no more effects, got Tell("inc 3")',
      "performed effects (3):",
      "  1. Listen(inc(3))",
      '  2. Tell("inc 3")',
      '  3. Listen(add(inc(4), "x", { id: 7 }, … 2 more))',
    ]);
  }
});

test("a traceback's effect line shows the program's arguments, bounded", () => {
  const line = (p: Program<unknown>) =>
    // (no writer: Listen is unhandled; typed as if handled, to run it anyway)
    run(listen(p) as unknown as Program<unknown>)
      .format()
      .split("\n")
      .find((l) => l.startsWith("  effect "));
  assert.equal(line(inc(3)), "  effect Listen(inc(3)): no handlers installed");
  assert.equal(line(add()), "  effect Listen(add()): no handlers installed");
  assert.equal(line(add(undefined)), "  effect Listen(add(undefined)): no handlers installed");
  assert.equal(
    line(add(add(inc(1), 2), [1, 2], { a: "b" })),
    '  effect Listen(add(add(inc(1), 2), [1, 2], { a: "b" })): no handlers installed',
  );
  assert.equal(
    line(add("y".repeat(100), 2)),
    `  effect Listen(add("${"y".repeat(56)}...)): no handlers installed`,
  );
  // a program made by program() has no arguments
  assert.equal(line(program(function* job() {})), "  effect Listen(job()): no handlers installed");
  // a nest of programs 10,000 deep is cut, never a stack overflow
  let deep: Program<unknown> = inc(0);
  for (let i = 0; i < 10_000; i++) deep = add(deep);
  assert.equal(line(deep), `  effect Listen(${"add(".repeat(10)}…${")".repeat(10)}): no handlers installed`);
});
