/**
 * A newcomer's mistakes (review round user-newcomer): each one's error, or `format()` report, names
 * the mistake and the fix — exact message parts, error class and report lines.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { format, inspect } from "node:util";
import {
  all,
  awaitPromise,
  fn,
  forEach,
  program,
  raceAll,
  realTime,
  run,
  runAsync,
  scheduler,
} from "../src/index.js";

test("yield* of a function fn made, uncalled: a TypeError naming it and the call to write, at the user's line (it was V8's `function is not iterable`)", () => {
  const listCount = fn(function* listCount(n: number) {
    return n;
  });
  const main = program(function* main() {
    return yield* listCount as unknown as ReturnType<typeof listCount>; // the compiler refuses it (TS2488)
  });
  const r = run(main);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    (r.error as Error).message,
    "yield* listCount without calling it: listCount is a function that returns a program (made by fn); write yield* listCount(…)",
  );
  const lines = r.format().split("\n");
  assert.equal(lines[1], "  main");
  assert.match(lines[2]!, /^ {2}thrown at test\/newcomer\.test\.ts:\d+$/);
  // an anonymous one
  const anon = fn(function* () {
    return 1;
  });
  const r2 = run(
    program(function* () {
      return yield* anon as unknown as ReturnType<typeof anon>;
    }),
  );
  assert.equal(
    (r2.error as Error).message,
    "yield* f without calling it: f is a function that returns a program (made by fn); write yield* f(…)",
  );
  // the function still prints and behaves as before: no enumerable key, calling it makes a program
  assert.deepEqual(Object.keys(listCount), []);
  assert.equal(run(listCount(4)).value, 4);
  // where an array goes, it is still refused as a function, not iterated
  assert.throws(() => all(listCount as never), {
    message:
      "all expects an array (or another iterable) of programs, e.g. all([a(), b()]), got function listCount",
  });
  assert.throws(() => raceAll(listCount as never), {
    message: /^raceAll expects an array .* got function listCount$/,
  });
  assert.throws(() => forEach(listCount as never, () => listCount(1)), {
    message:
      "forEach expects an array (or another iterable) of items first, e.g. forEach(urls, (url) => get(url)), got function listCount",
  });
});

test("the function fn made, inspected, compared, cloned, spread: sensible results, and its uncalled-yield* iterator has no prototype (showHidden printed a circular one)", () => {
  const save = fn(function* save(n: number) {
    return n;
  });
  const load = fn(function* load(n: number) {
    return n;
  });
  // printed as a function; with hidden keys, its iterator is one line (it had a prototype whose
  // constructor pointed back at it: `<ref *1> … [prototype]: { [constructor]: [Circular *1] }`)
  assert.equal(inspect(save), "[Function: save]");
  const hidden =
    "[Function: save] {\n  [length]: 0,\n  [name]: 'save',\n  [toString]: [Function: toString] { [length]: 0, [name]: 'toString' },\n  [Symbol(Symbol.iterator)]: [Function: uncalled] { [length]: 0, [name]: 'uncalled' }\n}";
  assert.equal(inspect(save, { showHidden: true }), hidden);
  assert.equal(format("%o", save), hidden);
  const iterator = (save as unknown as { [Symbol.iterator]: new () => unknown })[Symbol.iterator];
  assert.throws(() => new iterator(), { name: "TypeError", message: /is not a constructor/ });
  // compared as functions are, by identity; the programs they make, by their fields
  assert.deepStrictEqual(save, save);
  assert.throws(() => assert.deepStrictEqual(save, load), assert.AssertionError);
  assert.deepStrictEqual(save(1), save(1));
  assert.throws(() => assert.deepStrictEqual(save(1), save(2)), assert.AssertionError);
  // not cloneable, as no function is (V8's message quotes the function's source: not ours to word)
  assert.throws(() => structuredClone(save), { name: "DataCloneError" });
  // iterable only to explain `yield* save`: spreading it (a plain function's spread threw "is not
  // iterable"), Array.from (which gave [] for a function of no declared parameters), for…of or
  // destructuring throw a TypeError naming it and the call — not "yield* save without calling it",
  // which they were told though they wrote no yield*
  const notIterable =
    "save is not iterable: it is a function that returns a program (made by fn); call it for the program, e.g. yield* save(…)";
  const iterable = save as unknown as Iterable<unknown>;
  assert.equal(Symbol.iterator in save, true);
  assert.throws(() => [...iterable], { name: "TypeError", message: notIterable });
  assert.throws(() => Array.from(iterable), { name: "TypeError", message: notIterable });
  assert.throws(
    () => {
      for (const _ of iterable) break;
    },
    { name: "TypeError", message: notIterable },
  );
  assert.throws(
    () => {
      const [_first] = iterable;
    },
    { name: "TypeError", message: notIterable },
  );
  // (a generator's yield* of it keeps its own message: the first test)
  assert.throws(
    () => [
      ...(function* () {
        yield* iterable;
      })(),
    ],
    { name: "TypeError", message: /^yield\* save without calling it: / },
  );
  // String(save) and a template: what it is, not the source of doeff's internal maker
  assert.equal(String(save), "[doeff fn save]");
  assert.equal(`${load}`, "[doeff fn load]");
  assert.equal(
    String(
      fn(function* () {
        return 1;
      }),
    ),
    "[doeff fn]",
  );
  assert.deepEqual(Object.keys(save), []); // (toString is not enumerable either)
});

test("a program that returns a Promise (return fetch(url)): format() says it was never awaited and what to write (it printed `Ok: {}`)", async () => {
  const pending = new Promise<string>(() => {});
  const fetchTitle = fn(function* fetchTitle() {
    return pending;
  });
  const r = await runAsync(fetchTitle(), { handlers: [scheduler, realTime] });
  assert.equal(r.ok, true);
  assert.equal(r.value, pending);
  assert.equal(
    r.format(),
    "Ok: a Promise, never awaited: the program returned it and ended; use `yield* awaitPromise(() => promise)` (under runAsync with the scheduler) and return its value",
  );
  // nested in the value: named, not `{}`
  assert.equal(
    run(
      program(function* () {
        return { title: pending, n: 1 };
      }),
    ).format(),
    'Ok: {"title":"Promise","n":1}',
  );
});

test("two tasks awaiting promises at once, one rejected: its traceback keeps the `effect AwaitPromise(…)` line (it was lost once another task was waiting)", async () => {
  const getUser = (id: number) => awaitPromise(() => Promise.reject(new Error(`boom ${id}`)));
  for (const ids of [[1], [1, 2], [1, 2, 3]]) {
    const r = await runAsync(
      forEach(ids, (id) => getUser(id)),
      { handlers: [scheduler, realTime] },
    );
    const lines = r.format().split("\n");
    assert.deepEqual(
      lines.slice(0, 4),
      [
        "doeff traceback (outermost first):",
        "  forEach",
        "  ── in task 1 ──",
        "  effect AwaitPromise(()=>Promise.reject(new Error(`boom ${...): realTime ↗, scheduler ✗",
      ],
      `ids ${ids}`,
    );
    assert.equal((r.error as Error).message, "boom 1");
  }
});
