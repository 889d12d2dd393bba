/**
 * The program argument of spawn, the toolkit and createContinuation (src/vm/program-arg.ts): what each call site
 * accepts is what it accepted before the function messages (every Program, Effect and primitive, a
 * Proxy of one), and each function given in a program's place is a TypeError at the call whose
 * message names what was given — an effect class, an async function, a Proxy whose traps throw
 * included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  abortable,
  answer,
  handle,
  transferWith,
  withHandler,
  all,
  createSemaphore,
  Effect,
  fn,
  forEach,
  get,
  intercept,
  listen,
  local,
  program,
  pure,
  raceAll,
  raceFirst,
  concurrencyLimited,
  concurrencyLimiter,
  createContinuation,
  rateLimited,
  rateLimiter,
  recover,
  retry,
  run,
  safe,
  scheduler,
  scoped,
  type Semaphore,
  spawn,
  timeout,
  withPermit,
} from "../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

const sem = run(createSemaphore(1), { handlers: [scheduler] }).value as Semaphore;
const limiter = rateLimiter({ limit: 1, interval: 10 });
const inFlight = concurrencyLimiter({ limit: 1 });
const loose = (f: unknown) => f as (...args: unknown[]) => unknown;

/** Every call site with its name in the message, given `p` where the program goes. */
const sites: ReadonlyArray<readonly [string, (p: unknown) => unknown]> = [
  ["spawn", (p) => loose(spawn)(p)],
  ["all (item 1)", (p) => loose(all)([pure(0), p])],
  ['all (key "a")', (p) => loose(all)({ z: pure(0), a: p })],
  ["forEach (item 1)", (p) => loose(forEach)([0, 1], (i: number) => (i === 0 ? pure(0) : p))],
  ["raceAll (item 1)", (p) => loose(raceAll)([pure(0), p])],
  ['raceAll (key "b")', (p) => loose(raceAll)({ b: p })],
  ["raceFirst (item 1)", (p) => loose(raceFirst)([pure(0), p])],
  ['raceFirst (key "b")', (p) => loose(raceFirst)({ b: p })],
  ["timeout", (p) => loose(timeout)(p, 5)],
  ["abortable", (p) => loose(abortable)(p, new AbortController().signal)],
  ["scoped", (p) => loose(scoped)(p)],
  ["retry", (p) => loose(retry)(p, { times: 2 })],
  ["recover", (p) => loose(recover)(p, Error, () => 0)],
  ["withPermit", (p) => loose(withPermit)(sem, p)],
  ["rateLimited", (p) => loose(rateLimited)(limiter, p)],
  ["concurrencyLimited", (p) => loose(concurrencyLimited)(inFlight, p)],
  // (the program-taking operations of the core: they said "got function Fetch", intercept named withHandler)
  ["safe", (p) => loose(safe)(p)],
  ["local", (p) => loose(local)({ k: 1 }, p)],
  ["listen", (p) => loose(listen)(p)],
  ["intercept", (p) => loose(intercept)(p, () => undefined)],
  // (it said only "got function (anonymous)": its check is in vm/, which cannot import effects/)
  ["createContinuation", (p) => loose(createContinuation)(p)],
  ["createContinuation", (p) => loose(createContinuation)(p, [])],
];

test("every program-like a call site took before is still taken: an Effect, a primitive, pure(1), fn(…)(args), a Proxy of a program", () => {
  const job = fn(function* job(n: number) {
    return n;
  });
  const accepted: unknown[] = [
    new Query("x"),
    get("k"),
    pure(1),
    job(1),
    new Proxy(job(2), {}),
    new Proxy(new Query("y"), {}),
  ];
  for (const [where, call] of sites)
    for (const p of accepted) assert.doesNotThrow(() => call(p), `${where} refused ${String(p)}`);
});

test("a function where a program goes: a TypeError at the call that says what it is and what to pass", () => {
  const job = fn(function* job() {
    return 1;
  });
  const head = (where: string) => `${where} expects a Program, Effect or primitive, got `;
  const hostile = new Proxy(function hostile() {}, {
    get() {
      throw new Error("trap: get");
    },
    getPrototypeOf() {
      throw new Error("trap: getPrototypeOf");
    },
  });
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    // an effect class without `new` ("pass job(…), not () => job(…)" advised calling it: a throw)
    [Query, "the effect class Query, not an effect: pass new Query(…)"],
    // an async function's call is a Promise ("pass the program itself" did not say so)
    [
      async function load() {},
      "an async function load: a task runs a doeff program, not a Promise — write fn(function* job(…) {…}) and await promises in it with awaitPromise(() => …)",
    ],
    [
      async function* lines() {},
      "an async generator function lines: a task runs a doeff program, not an async iterator — write fn(function* job(…) {…}) and await promises in it with awaitPromise(() => …)",
    ],
    // a Proxy whose traps throw: the trap's own Error escaped (a TypeError before the messages)
    [hostile, "a value that cannot be inspected (its properties throw)"],
    // a function fn made, not called ("pass … job(…), not () => job(…) (effection's spawn …)" named
    // an arrow the user had not written, and a library they had not used)
    [job, "function job, made by fn but not called: pass the program it makes, job(…)"],
    [
      fn(function* () {
        return 1;
      }),
      "function (anonymous), made by fn but not called: pass the program it makes, its call",
    ],
    // unchanged
    [
      () => job(),
      "function (anonymous): pass the program itself, job(…), not () => job(…) (effection's spawn takes a function, doeff's the program)",
    ],
    [
      function* work() {},
      "the generator function work: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})",
    ],
  ];
  for (const [where, call] of sites)
    for (const [p, message] of cases)
      assert.throws(() => call(p), { name: "TypeError", message: head(where) + message });

  // at the call, in a running program: the task spawned before it never starts (SEMANTICS §9.8)
  let started = 0;
  const counted = fn(function* counted() {
    started++;
  });
  const r = run(
    program(function* main() {
      yield* spawn(counted());
      return yield* loose(all)([counted(), async () => 1]) as ReturnType<typeof pure<number>>;
    }),
    { handlers: [scheduler] },
  );
  assert.ok(r.error instanceof TypeError);
  assert.match(
    r.error.message,
    /^all \(item 1\) expects a Program, Effect or primitive, got an async function \(anonymous\): /,
  );
  assert.equal(started, 0);
});

test("withHandler(h, job) and transferWith(k, job), job made by fn and not called: the TypeError says to call it", () => {
  const job = fn(function* job() {
    return 1;
  });
  const h = answer(Query, () => "rows");
  // (said "got function job" and nothing of what to pass)
  assert.throws(() => withHandler(h, loose(job) as never), {
    name: "TypeError",
    message:
      "withHandler expects a Program, Effect or primitive, got function job, made by fn but not called: pass the program it makes, job(…)",
  });
  const r = run(
    withHandler(
      handle(Query, (_e, k) => transferWith(k, loose(job) as never)),
      program(function* main() {
        return yield* new Query("q");
      }),
    ),
  );
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "transferWith expects a Program, Effect or primitive, got function job, made by fn but not called: pass the program it makes, job(…)",
  );
});
