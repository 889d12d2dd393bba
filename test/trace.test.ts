/**
 * Tracebacks (SEMANTICS §8.8) and step tracing (§8.7): exact report text, after normalising paths.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  get,
  put,
  MissingEnvKeyError,
  delegate,
  discontinue,
  resume,
  handle,
  type Handler,
  fn,
  Effect,
  MissingStateKeyError,
  scheduler,
  reader,
  type Program,
  program,
  run,
  runAsync,
  state,
  UnhandledEffectError,
  withHandler,
  writer,
  all,
  delay,
  simulatedTime,
  spawn,
  timeout,
  wait,
  cancel,
  createPromise,
  DeadlockError,
  tracebackOf,
} from "../src/index.js";
import {
  badYield,
  bodyThrows,
  callsBad,
  failing,
  nester,
  parent,
  resumer,
  top,
  withLocal,
} from "./fixtures/trace-programs.js";

const FIX = "test/fixtures/trace-programs.ts";

/** Replace any absolute prefix of the fixture path with the repo-relative one. */
function norm(s: string): string {
  return s.replace(/(?:file:\/\/)?\/[^\s:]*\/test\/fixtures\/trace-programs\.ts/g, FIX);
}

const sites = { trace: { sites: true } } as const;

test("trace: unhandled effect three program calls deep (sites on)", () => {
  // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
  const r = run(top(), { handlers: [state, writer], ...sites });
  assert.ok(r.error instanceof UnhandledEffectError);
  const expected = [
    "doeff traceback (outermost first):",
    `  top at ${FIX}:17`,
    `  middle at ${FIX}:14`,
    `  leaf at ${FIX}:11`,
    "  effect Num(1): writer ↗, state ↗",
    "UnhandledEffectError: no handler takes Num; 2 visible handler(s) declined it. Install a handler for Num (e.g. handle(Num, ...)) around the code that performs it",
  ].join("\n");
  assert.equal(norm(r.format()), expected);
  // the same report is attached, non-enumerable, to the original error object
  assert.equal(norm((r.error as unknown as { doeffTrace: string }).doeffTrace), expected);
  assert.equal(Object.keys(r.error as object).includes("doeffTrace"), false);
});

test("trace: default options still show program names and the effect", () => {
  // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
  const r = run(top(), { handlers: [state, writer] });
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  top",
      "  middle",
      "  leaf",
      "  effect Num(1): writer ↗, state ↗",
      "UnhandledEffectError: no handler takes Num; 2 visible handler(s) declined it. Install a handler for Num (e.g. handle(Num, ...)) around the code that performs it",
    ].join("\n"),
  );
});

test("trace: an error thrown by a handler", () => {
  const r = run(withHandler(failing, top()), { handlers: [writer], ...sites });
  assert.equal((r.error as Error).message, "handler failed");
  assert.deepEqual(r.log, ["handling"]);
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      `  top at ${FIX}:17`,
      `  middle at ${FIX}:14`,
      `  leaf at ${FIX}:11`,
      "  handler failing for Num(1) ✗",
      "  effect Num(1): failing ✗, writer ·",
      `  thrown at ${FIX}:22`,
      "Error: handler failed",
    ].join("\n"),
  );
});

/**
 * An effect performed by handler code reaches only the handlers outside it; with none there, the
 * effect line said "no handlers installed" right under the handler's own line (three were
 * installed here). It says where the search started instead; a run with no handler at all keeps
 * "no handlers installed".
 */
test("trace: an effect a handler performs with no handler outside it: the effect line says so", () => {
  class Depth extends Effect<number> {
    declare readonly _tag: "Depth";
    readonly n: number;
    constructor(n: number) {
      super();
      this.n = n;
    }
  }
  const deeper = handle(Depth, function* deeper(e, k) {
    return yield* resume(k, 1 + (yield* new Depth(e.n - 1)));
  });
  const body = program(function* body() {
    return yield* new Depth(3);
  });
  // @ts-expect-error -- deliberately unhandled: the outermost `deeper` performs Depth with nothing outside it
  const r = run(withHandler(deeper, withHandler(deeper, withHandler(deeper, body))));
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(
    r.format(),
    [
      "doeff traceback (outermost first):",
      "  body",
      "  handler deeper for Depth(3)",
      "  handler deeper for Depth(2)",
      "  handler deeper for Depth(1) ✗",
      "  effect Depth(0): no handler outside the handler performing it",
      "UnhandledEffectError: no handler takes Depth (performed by handler function deeper; none outside it takes it). Install one further out with withHandler(handler, program) or run(program, { handlers: [...] })",
    ].join("\n"),
  );
  // @ts-expect-error -- deliberately unhandled
  assert.match(run(body).format(), /\n {2}effect Depth\(3\): no handlers installed\n/);
});

test("trace: a body error reaching a handler waiting at resume", () => {
  const r = run(withHandler(resumer, bodyThrows()), sites);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      "  handler resumer for Num(0) ✓",
      `  bodyThrows at ${FIX}:29`,
      `  thrown at ${FIX}:30`,
      "TypeError: body broke",
    ].join("\n"),
  );
});

test("trace: a missing env key under local", () => {
  const r = run(withLocal, { handlers: [reader, state], ...sites });
  assert.ok(r.error instanceof MissingEnvKeyError);
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      `  withLocal at ${FIX}:37`,
      `  needsKey at ${FIX}:34`,
      '  effect Ask("db"): state ↗, reader ✗',
      'MissingEnvKeyError: environment has no key "db"; pass it with run(p, { env: { db: ... } }) or local({ db: ... }, program)',
    ].join("\n"),
  );
});

test("trace: an invalid yield", () => {
  const r = run(callsBad, sites);
  assert.ok(r.error instanceof TypeError);
  // A bare `yield` runs no library iterator, so the innermost frame's own site is unknown; the
  // frames above it keep theirs.
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      `  callsBad at ${FIX}:44`,
      "  badYield",
      'TypeError: yielded 42, which is not an Effect, Program or primitive; yield* an Effect (e.g. get("key")) or a Program',
    ].join("\n"),
  );
  assert.equal(badYield.name, "badYield");
});

test("trace: step tracing and site capture never change results, stores or logs", () => {
  const cases: Array<[string, (o: object) => ReturnType<typeof run>]> = [
    // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
    ["unhandled", (o) => run(top(), { handlers: [state, writer], ...o })],
    ["handler throws", (o) => run(withHandler(failing, top()), { handlers: [writer], ...o })],
    ["body throws", (o) => run(withHandler(resumer, bodyThrows()), o)],
    [
      "local ok",
      (o) => run(withLocal, { handlers: [reader, state, writer], env: { db: "pg" }, store: { s: 1 }, ...o }),
    ],
  ];
  const variants = [
    {},
    { trace: { steps: () => {} } },
    { trace: { sites: true } },
    { trace: { steps: () => {}, sites: true } },
  ];
  for (const [name, p] of cases) {
    const outcomes = variants.map((v) => {
      const r = p(v);
      const err = r.error as Error | undefined;
      return JSON.stringify([r.ok, r.ok ? r.value : [err?.constructor.name, err?.message], r.store, r.log]);
    });
    for (const o of outcomes) assert.equal(o, outcomes[0], name);
  }
  const ok = run(withLocal, { handlers: [reader, state, writer], env: { db: "pg" }, store: { s: 1 } });
  assert.deepEqual([ok.value, ok.store, ok.log], ["pg", { s: 1 }, []]);
  let lines = 0;
  run(withLocal, { handlers: [reader], env: { db: "pg" }, trace: { steps: () => lines++ } });
  assert.ok(lines > 0);
});

test("trace: a failure inside a spawned task, surfaced at wait", () => {
  const r = run(parent, { handlers: [scheduler, state], ...sites });
  assert.ok(r.error instanceof MissingStateKeyError);
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      `  parent at ${FIX}:52`,
      `  ── in task 1 (spawned at ${FIX}:51) ──`,
      `  child at ${FIX}:48`,
      '  effect Get("missing"): state ✗, scheduler ·',
      'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    ].join("\n"),
  );
  // without sites: names and the task separator still show
  const plain = run(parent, { handlers: [scheduler, state] });
  assert.equal(
    plain.format(),
    [
      "doeff traceback (outermost first):",
      "  parent",
      "  ── in task 1 ──",
      "  child",
      '  effect Get("missing"): state ✗, scheduler ·',
      'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    ].join("\n"),
  );
});

test("trace: nested tasks — a task's line names the task that spawned it when that is not main", () => {
  // main spawns tasks 1 and 2; task 2 spawns tasks 3 and 4; task 4 fails, re-thrown by task 2's
  // wait, then by main's (the report said only `── in task 4 ──`: not whose child it was)
  const r = run(nester, { handlers: [scheduler, state], ...sites });
  assert.ok(r.error instanceof MissingStateKeyError);
  const missing =
    'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })';
  assert.equal(
    norm(r.format()),
    [
      "doeff traceback (outermost first):",
      `  nester at ${FIX}:67`,
      `  ── in task 2 (spawned at ${FIX}:66) ──`,
      `  midTask at ${FIX}:62`,
      `  ── in task 4 (spawned by task 2 at ${FIX}:61) ──`,
      `  child at ${FIX}:48`,
      '  effect Get("missing"): state ✗, scheduler ·',
      missing,
    ].join("\n"),
  );
  const plain = run(nester, { handlers: [scheduler, state] });
  assert.equal(
    plain.format(),
    [
      "doeff traceback (outermost first):",
      "  nester",
      "  ── in task 2 ──",
      "  midTask",
      "  ── in task 4 (spawned by task 2) ──",
      "  child",
      '  effect Get("missing"): state ✗, scheduler ·',
      missing,
    ].join("\n"),
  );
});

test("a report names a user error by its class's static displayName (unless the error sets its own name)", () => {
  class MyErr extends Error {
    static displayName = "MyError";
  }
  class Named extends Error {
    static displayName = "NamedClass";
    constructor(m: string) {
      super(m);
      this.name = "OwnName";
    }
  }
  const last = (e: Error) =>
    run(
      program(function* main() {
        throw e;
      }),
    )
      .format()
      .split("\n")
      .at(-1);
  assert.equal(last(new MyErr("bad")), "MyError: bad");
  assert.equal(last(new Named("worse")), "OwnName: worse");
  assert.equal(last(new RangeError("plain")), "RangeError: plain");
});

test("a report names an error of a class that never set its name by the class, as the docs write them (`class UserNotFound extends Error`), in format() and tracebackOf", () => {
  class UserNotFound extends Error {
    readonly _tag = "UserNotFound";
    constructor(readonly id: number) {
      super(`no user ${id}`);
    }
  }
  class Conflict extends TypeError {}
  class Base extends Error {
    override name = "AppError"; // an own name, set by a field: it stands
  }
  class Sub extends Base {}
  class Proto extends Error {}
  Object.defineProperty(Proto.prototype, "name", { value: "ProtoName" }); // set on its prototype: it stands
  const failWith = (e: unknown) =>
    run(
      program(function* main() {
        throw e;
      }),
    );
  const last = (e: Error) => failWith(e).format().split("\n").at(-1);
  assert.equal(last(new UserNotFound(7)), "UserNotFound: no user 7");
  assert.equal(last(new Conflict("taken")), "Conflict: taken");
  assert.equal(last(new Sub("sub")), "AppError: sub");
  assert.equal(last(new Proto("p")), "ProtoName: p");
  assert.equal(last(new Error("plain")), "Error: plain");
  assert.equal(last(new TypeError("plain")), "TypeError: plain");
  // a class a minifier renamed (`class Ot extends Error`) keeps the base's name: "Ot" would mislead
  const Ot = class extends Error {};
  Object.defineProperty(Ot, "name", { value: "Ot" });
  assert.equal(last(new Ot("min")), "Error: min");
  const data = tracebackOf(failWith(new UserNotFound(8)));
  assert.ok(data?.outcome === "failed");
  assert.equal(data.error.name, "UserNotFound");
  assert.equal(data.error.text, "UserNotFound: no user 8");
  // a cause is named the same way
  const wrapped = failWith(new Error("lookup failed", { cause: new UserNotFound(9) }))
    .format()
    .split("\n");
  assert.deepEqual(wrapped.slice(-2), ["Error: lookup failed", "  caused by UserNotFound: no user 9"]);
});

test("a misspelled trace option is a TypeError at the call (run throws, runAsync rejects)", async () => {
  const p = program(function* main() {
    return 1;
  });
  const message = 'unknown trace option "step"; the trace options are steps and sites';
  assert.throws(() => run(p, { trace: { step: true } as never }), { name: "TypeError", message });
  await assert.rejects(runAsync(p, { trace: { step: true } as never }), { name: "TypeError", message });
});

test("format() of an Ok shows plain data as JSON, and a stand-in for what JSON would misprint", () => {
  const cases: [unknown, string][] = [
    [{ a: [1, "x", null], b: { c: true } }, '{"a":[1,"x",null],"b":{"c":true}}'],
    [Number.NaN, "NaN"],
    [new Map([["a", 1]]), "Map(1)"],
    [new Set([1]), "Set(1)"],
    [new RangeError("x"), "RangeError: x"],
    [10n, "10n"],
    [[1, undefined, Number.POSITIVE_INFINITY], '[1,"undefined","Infinity"]'],
    [{ error: new Error("boom"), n: 2n, m: new Map() }, '{"error":"Error: boom","n":"2n","m":"Map(0)"}'],
    // doeff values (a forgotten `yield*`): their short form, not their internal fields
    [get("x"), 'Get("x")'],
    [withHandler(state, get("x")), "withHandler()"],
    [fn(function* named() {})(), "Program(named)"],
    [{ p: put("x", 1) }, '{"p":"Put(\\"x\\", 1)"}'],
  ];
  for (const [v, shown] of cases)
    assert.equal(
      run(
        program(function* () {
          return v;
        }),
      ).format(),
      `Ok: ${shown}`,
    );
});

test("an error a handler gives with discontinue(k, e) is traced at the perform site (frames and effect), a string too", () => {
  class E extends Effect<number> {
    declare readonly _tag: "E";
  }
  const inner = fn(function* inner() {
    return yield* new E();
  });
  const main = program(function* main() {
    return yield* inner();
  });
  const h = handle(E, (_e, k) => discontinue(k, "str"));
  assert.deepEqual(run(withHandler(h, main)).format().split("\n"), [
    "doeff traceback (outermost first):",
    "  main",
    "  inner",
    "  handler handle(E) for E() ✗", // as for an error the handler throws (it read first, as ✓)
    "  effect E(): handle(E) ✗",
    'thrown: "str"',
  ]);
});

test("a run of live handler invocations (a non-tail resume in a loop) reads as first, a count and last, also across the cut of a long chain", () => {
  class Note extends Effect<undefined> {
    declare readonly _tag: "Note";
    constructor(readonly msg: string) {
      super();
    }
  }
  const notes = handle(Note, function* (_e, k) {
    return yield* resume(k, undefined);
  });
  const many = fn(function* many() {
    for (let i = 0; i < 500; i++) yield* new Note(`m${i}`);
    throw new Error("boom");
  });
  const lines = run(many(), { handlers: [notes] })
    .format()
    .split("\n");
  // (it read first, 38 more, #39, 421 more, #461, 37 more, last: folded on each side of the cut)
  assert.deepEqual(lines, [
    "doeff traceback (outermost first):",
    '  handler handle(Note) for Note("m0") ✓',
    "  … 498 more …",
    '  handler handle(Note) for Note("m499") ✓',
    "  many",
    lines[5]!.startsWith("  thrown at ") ? lines[5]! : "(thrown at …)",
    "Error: boom",
  ]);
  // three in a row stay three lines
  const few = fn(function* few() {
    for (let i = 0; i < 3; i++) yield* new Note(`n${i}`);
    throw new Error("boom");
  });
  const short = run(few(), { handlers: [notes] })
    .format()
    .split("\n");
  assert.deepEqual(short.slice(1, 5), [
    '  handler handle(Note) for Note("n0") ✓',
    '  handler handle(Note) for Note("n1") ✓',
    '  handler handle(Note) for Note("n2") ✓',
    "  few",
  ]);
  // two handlers taking turns (a resume-style logger and tracer) fold too: they printed a line each
  class Span extends Effect<undefined> {
    declare readonly _tag: "Span";
    constructor(readonly n: number) {
      super();
    }
  }
  const spans = handle(Span, function* (_e, k) {
    return yield* resume(k, undefined);
  });
  const mixed = fn(function* mixed() {
    for (let i = 0; i < 250; i++) {
      yield* new Note(`m${i}`);
      yield* new Span(i);
    }
    throw new Error("boom");
  });
  const both = run(mixed(), { handlers: [notes, spans] })
    .format()
    .split("\n");
  assert.deepEqual(both.slice(0, 5), [
    "doeff traceback (outermost first):",
    '  handler handle(Note) for Note("m0") ✓',
    "  … 498 more …",
    "  handler handle(Span) for Span(249) ✓",
    "  mixed",
  ]);
});

test("a chain of 20,000 handlers that delegated one effect keeps the program's frames and folds the handlers (no stack overflow in the walk)", () => {
  class Ping extends Effect<number> {
    declare readonly _tag: "Ping";
  }
  const hs: Handler<Ping, never>[] = [
    handle(Ping, function* () {
      throw new Error("boom");
    }),
  ];
  for (let i = 0; i < 20_000; i++)
    hs.push(
      handle(Ping, function* (e) {
        return yield* delegate(e);
      }) as Handler<Ping, never>, // (it performs Ping outward: the outer one takes it)
    );
  const main = fn(function* main() {
    return yield* new Ping();
  });
  const lines = run(main(), { handlers: hs }).format().split("\n");
  // (the walk recursed into each delegating handler's captured frames: past ~10,000 it overflowed
  // and the traceback lost everything but the throw site; before that it printed a line per handler)
  assert.deepEqual(lines.slice(0, 7), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler handle(Ping) for Ping()",
    "  … 19998 more …",
    "  handler handle(Ping) for Ping()",
    "  handler handle(Ping) for Ping() ✗",
    // every delegating handler is a visit of the effect (⇆), folded as the handler lines are
    "  effect Ping(): handle(Ping) ⇆, … 19998 more …, handle(Ping) ⇆, handle(Ping) ✗",
  ]);
  assert.equal(lines.at(-1), "Error: boom");
});

test("an error re-thrown by a task's waiter, then by that waiter's, keeps every chain it passed: main's too", () => {
  const leaf = fn(function* leaf() {
    yield* delay(1);
    throw new Error("leaf failed");
  });
  const nested = fn(function* nested() {
    return yield* all([timeout(leaf(), 100)]);
  });
  const r = run(nested(), { handlers: [scheduler, simulatedTime()] });
  // (only the first re-throw's chain was kept: `nested` and `all` were missing)
  assert.deepEqual(r.format().split("\n").slice(0, 7), [
    "doeff traceback (outermost first):",
    "  nested",
    "  all",
    "  ── in task 1 ──",
    "  timeout",
    "  ── in task 3 (spawned by task 1) ──",
    "  leaf",
  ]);
});

test("a chain of 10,000 tasks each waiting on the next keeps the first and last re-throws and counts the rest", () => {
  const linkGen = function* (n: number): Generator<unknown, number, unknown> {
    if (n === 0) throw new Error("deep");
    const t = yield* spawn(link(n - 1));
    return yield* wait(t);
  };
  const link = fn(linkGen);
  const r = run(link(10_000), { handlers: [scheduler] });
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(0, 16), [
    "doeff traceback (outermost first):",
    "  linkGen",
    "  ── in task 1 ──",
    "  linkGen",
    "  ── in task 2 (spawned by task 1) ──",
    "  linkGen",
    "  … re-thrown at 9994 more places …",
    "  ── in task 9997 (spawned by task 9996) ──",
    "  linkGen",
    "  ── in task 9998 (spawned by task 9997) ──",
    "  linkGen",
    "  ── in task 9999 (spawned by task 9998) ──",
    "  linkGen",
    "  ── in task 10000 (spawned by task 9999) ──",
    "  linkGen",
    lines[15]!.startsWith("  thrown at ") ? lines[15]! : "(thrown at …)",
  ]);
  assert.equal(lines[16], "Error: deep");
});

test("a recursion 100,000 deep that fails at the bottom reads as its first line, a count and its last (it printed 79 identical lines around the cut)", () => {
  const rec = fn(function* rec(d: number): Generator<unknown, number, unknown> {
    if (d === 100_000) throw new Error(`bottom at ${d}`);
    return yield* rec(d + 1);
  });
  const here = `test/trace.test.ts:${lineOf("return yield* rec(d + 1);")}`;
  assert.deepEqual(run(rec(0), sites).format().split("\n"), [
    "doeff traceback (outermost first):",
    `  rec at ${here}`,
    "  … 99998 more …",
    `  rec at ${here}`,
    "  rec", // (the innermost frame threw before it yielded: no site)
    `  thrown at test/trace.test.ts:${lineOf("throw new Error(`bottom at")}`,
    "Error: bottom at 100000",
  ]);
  // without sites every line is `rec`
  assert.deepEqual(run(rec(0)).format().split("\n").slice(1, 4), ["  rec", "  … 99999 more …", "  rec"]);
  // three alike stay three lines; a mutual recursion is not folded
  const three = fn(function* three(d: number): Generator<unknown, number, unknown> {
    if (d === 3) throw new Error("three");
    return yield* three(d + 1);
  });
  assert.deepEqual(run(three(1)).format().split("\n").slice(1, 4), ["  three", "  three", "  three"]);
  const ping = fn(function* ping(d: number): Generator<unknown, number, unknown> {
    if (d === 4) throw new Error("pong");
    return yield* pong(d + 1);
  });
  const pong = fn(function* pong(d: number): Generator<unknown, number, unknown> {
    return yield* ping(d + 1);
  });
  assert.deepEqual(run(ping(0)).format().split("\n").slice(1, 6), [
    "  ping",
    "  pong",
    "  ping",
    "  pong",
    "  ping",
  ]);
});

/** The 1-based line of this file that contains `text` (for sites). */
function lineOf(text: string): number {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  return lines.findIndex((l) => l.includes(text) && !l.includes("lineOf(")) + 1;
}

test("a wait on a cancelled task names the task as its user knows it, Task(1), not the scheduler's record class (TaskRec object)", () => {
  const slow = fn(function* slow() {
    yield* delay(1000);
    return 1;
  });
  const main = fn(function* main() {
    const t = yield* spawn(slow());
    yield* delay(1);
    yield* cancel(t);
    return yield* wait(t);
  });
  assert.deepEqual(
    run(main(), { handlers: [scheduler, simulatedTime()] })
      .format()
      .split("\n"),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  effect Wait(Task(1)): simulatedTime ↗, scheduler ✗",
      "TaskCancelledError: task 1 was cancelled (expected after cancel(task): catch TaskCancelledError where you wait for it)",
    ],
  );
});

test("a TypeError a library function throws at its call in user code (wait given a promise handle) is thrown at that call's line; a library error reaching the user's stack only through run() has no such line", () => {
  const waitFor = (p: unknown) => wait(p as never); // a user's helper: its line is the one shown
  const bad = fn(function* bad(viaHelper: boolean) {
    const p = yield* createPromise<number>();
    yield* get("a");
    if (viaHelper) return yield* waitFor(p);
    return yield* wait(p as never);
  });
  const message =
    "TypeError: wait expects a Task (from spawn) or a Future (a promise's .future), got PromiseHandle object; pass promise.future";
  const opts = { handlers: [scheduler, state], store: { a: 1 } };
  // (the frame's own line is its last yield's, `get("a")`: only "thrown at" names the call)
  assert.deepEqual(run(bad(false), opts).format().split("\n"), [
    "doeff traceback (outermost first):",
    "  bad",
    `  thrown at test/trace.test.ts:${lineOf("return yield* wait(p as never);")}`,
    message,
  ]);
  assert.deepEqual(run(bad(true), opts).format().split("\n"), [
    "doeff traceback (outermost first):",
    "  bad",
    `  thrown at test/trace.test.ts:${lineOf("const waitFor = ")}`,
    message,
  ]);
  // made by a handler or the VM, with the run() call the only user line of its stack: none
  const missing = run(get("zz"), { handlers: [state] })
    .format()
    .split("\n");
  assert.equal(missing.length, 3);
  assert.equal(missing[1], '  effect Get("zz"): state ✗');
  const stuck = run(
    program(function* stuck() {
      const p = yield* createPromise<number>();
      return yield* wait(p.future);
    }),
    { handlers: [scheduler] },
  );
  assert.ok(stuck.error instanceof DeadlockError);
  assert.deepEqual(stuck.format().split("\n").slice(0, 3), [
    "doeff traceback (outermost first):",
    "  stuck",
    "  effect Wait(Future): scheduler ✗",
  ]);
});

test('an effect line shows an array field\'s first items (Batch(["user-0001", …, 3, … 2 more])), not only Array(5)', () => {
  class Batch extends Effect<number> {
    declare readonly _tag: "Batch";
    readonly ids: unknown[];
    readonly note: string;
    constructor(ids: unknown[]) {
      super();
      this.ids = ids;
      this.note = "x";
    }
  }
  // (its row has Batch, which no handler takes: typed as if it had none, to run it anyway)
  const main = program(function* main() {
    return yield* new Batch(["user-0001", "a very long identifier that goes on", 3, [1, 2], { a: 1 }]);
  }) as unknown as Program<number>;
  assert.equal(
    run(main, { handlers: [state] }).format(),
    [
      "doeff traceback (outermost first):",
      "  main",
      '  effect Batch(["user-0001", "a very long ident...", 3, … 2 more], "x"): state ↗',
      "UnhandledEffectError: no handler takes Batch; 1 visible handler(s) declined it. Install a handler for Batch (e.g. handle(Batch, ...)) around the code that performs it",
    ].join("\n"),
  );
  const empty = program(function* empty() {
    return yield* new Batch([[1, 2]]);
  }) as unknown as Program<number>;
  assert.equal(run(empty).format().split("\n")[2], '  effect Batch([Array(2)], "x"): no handlers installed');
});
