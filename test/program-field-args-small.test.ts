/**
 * The small import's printer of a program field (src/trace/format.ts `fields.program`, used where the
 * toolkit and doeff/testing are not loaded) shows a `fn` program's arguments too: `Listen(inc(3))`,
 * not `Listen(inc())`. Imports only what the small import has, so the toolkit's printer
 * (trace/program-field.ts) does not replace it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Listen } from "../src/effects/writer.js";
import { showEffect } from "../src/trace/format.js";
import { fn, program } from "../src/vm/program.js";

const inc = fn(function* inc(n: number) {
  return n + 1;
});
const add = fn(function* add(...xs: unknown[]) {
  return xs.length;
});

test("the small import's effect line shows a program's arguments, each short, the whole bounded", () => {
  assert.equal(showEffect(new Listen(inc(3))), "Listen(inc(3))");
  assert.equal(showEffect(new Listen(add())), "Listen(add())");
  assert.equal(showEffect(new Listen(program(function* job() {}))), "Listen(job())");
  // (an object or array argument described, as an item inside a field is: the toolkit's printer shows its items)
  assert.equal(
    showEffect(new Listen(add(add(inc(1), "a"), { id: 7 }, [1, 2], 4))),
    'Listen(add(add(inc(1), "a"), object, Array(2), … 1 more))',
  );
  assert.equal(showEffect(new Listen(add("y".repeat(100)))), `Listen(add("${"y".repeat(17)}..."))`);
  assert.equal(
    showEffect(new Listen(add("a".repeat(30), "b".repeat(30), "c".repeat(30)))),
    `Listen(add("${"a".repeat(17)}...", "${"b".repeat(17)}...", "${"c".repeat(8)}...))`,
  );
  let deep = inc(0);
  for (let i = 0; i < 10_000; i++) deep = add(deep);
  assert.equal(showEffect(new Listen(deep)), `Listen(${"add(".repeat(10)}…${")".repeat(10)})`);
});
