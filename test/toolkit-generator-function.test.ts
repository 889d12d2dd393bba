/**
 * forEach / forEachAsync / forEachLatest given a bare generator function (`function* (item) {…}`,
 * what effection's habit and Effect.fn's look suggest) or an `async function*`: a TypeError at the
 * call naming the mistake and the fix (`fn(function* one(item) { … })`), before any item is read.
 * Before, forEach said "forEach (item 0) got a raw generator object", and forEachAsync and
 * forEachLatest said nothing until the run read the first item.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createChannel,
  fn,
  forEach,
  forEachAsync,
  forEachLatest,
  program,
  pure,
  run,
  scheduler,
} from "../src/index.js";

// the functions as a user writes them; the calls go through `any`, as from JavaScript or after a
// cast: the types refuse them (a generator is not a program)
const gen = function* (n: number) {
  return n * (yield* pure(2));
};
const asyncGen = async function* (n: number) {
  yield n;
};
const loose = (f: unknown) => f as (...args: any[]) => unknown;

function throwsExactly(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof TypeError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

test("forEach with a generator function or an async one: a TypeError at the call, saying to wrap it with fn", () => {
  throwsExactly(
    () => loose(forEach)([1, 2], gen),
    "forEach's function is a generator function (function* …), whose calls make raw generator objects, not programs: wrap it with fn, e.g. forEach(files, fn(function* one(file) { … }))",
  );
  throwsExactly(
    () => loose(forEach)([], gen), // no item: still refused
    "forEach's function is a generator function (function* …), whose calls make raw generator objects, not programs: wrap it with fn, e.g. forEach(files, fn(function* one(file) { … }))",
  );
  throwsExactly(
    () => loose(forEach)([1], asyncGen),
    "forEach's function is an async generator function (async function* …): a program cannot await; write forEach(files, fn(function* one(file) { … })) and bring a promise in with yield* awaitPromise(() => promise)",
  );
  // the fix the message gives runs
  const r = run(forEach([1, 2, 3], fn(gen), { concurrency: 2 }), { handlers: [scheduler] });
  assert.deepEqual(r.value, [2, 4, 6]);
});

test("forEachAsync and forEachLatest with a generator function: a TypeError at the call, before any item", () => {
  async function* lines() {
    yield "a";
  }
  throwsExactly(
    () => loose(forEachAsync)(lines(), gen),
    "forEachAsync's function is a generator function (function* …), whose calls make raw generator objects, not programs: wrap it with fn, e.g. forEachAsync(lines, fn(function* one(line) { … }))",
  );
  throwsExactly(
    () => loose(forEachAsync)(lines(), asyncGen, { concurrency: 2 }),
    "forEachAsync's function is an async generator function (async function* …): a program cannot await; write forEachAsync(lines, fn(function* one(line) { … })) and bring a promise in with yield* awaitPromise(() => promise)",
  );
  const r = run(
    program(function* () {
      const queries = yield* createChannel<string>();
      try {
        loose(forEachLatest)(queries, gen);
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    }),
    { handlers: [scheduler] },
  );
  assert.equal(
    r.value,
    "forEachLatest's function is a generator function (function* …), whose calls make raw generator objects, not programs: wrap it with fn, e.g. forEachLatest(queries, fn(function* search(query) { … }))",
  );
});
