/**
 * observe(onEffect) — a pass-through handler for tracing and metrics — and getTaskInfo(), the current
 * task's id and spawner (docs/observability.md). An SRE instrumenting a service needs both: every
 * effect timed from the handler that sees it first, with its outcome (cancelled included), inside
 * every task, without changing results, types or tracebacks; and task ids to correlate spans with
 * `── in task N (spawned by task P) ──`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createScheduler } from "../src/handlers/scheduler.js";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";
import { record } from "../src/testing/index.js";
import {
  all,
  answer,
  AwaitPromise,
  awaitPromise,
  cancel,
  Delay,
  delay,
  discontinue,
  Effect,
  type EffectOutcome,
  fn,
  gather,
  get,
  getTaskInfo,
  handle,
  listen,
  local,
  observe,
  program,
  Put,
  put,
  reader,
  realTime,
  retry,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  state,
  type TaskInfo,
  tell,
  timeout,
  transfer,
  UnhandledEffectError,
  wait,
  withHandler,
  writer,
} from "../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

/** An observer that logs `name:status` (with the value or error message) in order. */
function logging(lines: string[], only?: readonly (abstract new (...a: any[]) => Effect<unknown>)[]) {
  const f = (effect: Effect<unknown>) => {
    const name = (effect as object).constructor.name;
    lines.push(`${name}`);
    return (o: EffectOutcome) =>
      lines.push(
        `${name}:${o.status}${o.status === "answered" ? `=${String(o.value)}` : o.status === "threw" ? `=${(o.error as Error).message}` : ""}`,
      );
  };
  return only === undefined ? observe(f) : observe(only as never, f);
}

test("getTaskInfo: main is { id: 0, parent: null }; tasks are numbered in spawn order with their spawner", () => {
  for (const atSite of [true, false]) {
    schedulerFastPaths.atSite = atSite;
    try {
      const seen: TaskInfo[] = [];
      const leaf = program(function* leaf() {
        seen.push(yield* getTaskInfo());
      });
      const mid = program(function* mid() {
        seen.push(yield* getTaskInfo());
        yield* wait(yield* spawn(leaf));
      });
      const main = program(function* () {
        seen.push(yield* getTaskInfo());
        yield* wait(yield* spawn(mid));
        yield* all([leaf]);
        seen.push(yield* getTaskInfo());
      });
      const r = run(main, { handlers: [scheduler] });
      assert.equal(r.ok, true);
      assert.deepEqual(seen, [
        { id: 0, parent: null },
        { id: 1, parent: 0 },
        { id: 2, parent: 1 },
        { id: 3, parent: 0 },
        { id: 0, parent: null },
      ]);
    } finally {
      schedulerFastPaths.atSite = true;
    }
  }
});

test("getTaskInfo: the ids are the ones a traceback prints", () => {
  let info: TaskInfo | undefined;
  const leaf = program(function* leaf() {
    info = yield* getTaskInfo();
    throw new Error("boom");
  });
  const main = program(function* main() {
    yield* wait(
      yield* spawn(
        program(function* mid() {
          yield* wait(yield* spawn(leaf));
        }),
      ),
    );
  });
  const r = run(main, { handlers: [scheduler] });
  assert.deepEqual(info, { id: 2, parent: 1 });
  assert.match(r.format(), /── in task 2 \(spawned by task 1\) ──\n {2}leaf/);
});

test("getTaskInfo without a scheduler: UnhandledEffectError", () => {
  const r = run(
    program(function* () {
      return yield* getTaskInfo();
    }) as never,
  );
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.match((r.error as Error).message, /^no handler takes GetTaskInfo/);
});

test("observe: every effect with its answer or error, in order; the run is unchanged", () => {
  const lines: string[] = [];
  const main = program(function* () {
    yield* put("n", 1);
    const caught = yield* safe(get("missing"));
    yield* tell("hi");
    return (yield* get<number>("n")) + (caught.ok ? 0 : 10);
  });
  const plain = run(main, { handlers: [state, writer] });
  const r = run(main, { handlers: [state, writer, logging(lines)] });
  assert.deepEqual([r.value, r.store, r.log], [plain.value, plain.store, plain.log]);
  assert.equal(r.value, 11);
  assert.deepEqual(lines, [
    "Put",
    "Put:answered=undefined",
    "Get",
    'Get:threw=state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    "Tell",
    "Tell:answered=undefined",
    "Get",
    "Get:answered=1",
  ]);
});

test("observe: an error the outer handler gives at the perform site is the one the program catches", () => {
  const boom = new Error("db down");
  const program1 = program(function* main() {
    const r = yield* safe(new Query("x"));
    return r.ok ? "answered" : r.error;
  });
  let outcome: EffectOutcome | undefined;
  const obs = observe(Query, () => (o) => {
    outcome = o;
  });
  const failing = handle(Query, (_q, k) => discontinue(k, boom));
  assert.equal(run(program1, { handlers: [failing, obs] }).value, boom);
  assert.deepEqual(outcome, { status: "threw", error: boom });

  // a handler whose own code throws ends its withHandler, not the perform site (safe does not catch
  // it), as without the observer; the effect's handling ended with that error: "threw", not
  // "cancelled" (a span for the query shows the database's error; test/observe-failures.test.ts)
  const throwing = handle(Query, function* () {
    throw boom;
  });
  const plain = run(program1, { handlers: [throwing] });
  const r = run(program1, { handlers: [throwing, obs] });
  assert.equal(r.error, boom);
  assert.equal(r.format(), plain.format());
  assert.deepEqual(outcome, { status: "threw", error: boom });
});

test("observe: only the classes listed; Spawn, Local and Listen are passed, and what they run is observed", () => {
  const lines: string[] = [];
  const db = answer(Query, (q) => `rows of ${q.sql}`);
  const main = program(function* () {
    const t = yield* spawn(
      program(function* task() {
        return yield* new Query("in task");
      }),
    );
    const a = yield* local({ x: 1 }, new Query("in local"));
    const b = yield* listen(new Query("in listen"));
    return [yield* wait(t), a, b.value];
  });
  const r = run(main, { handlers: [scheduler, reader, writer, db, logging(lines, [Query])] });
  assert.deepEqual(r.value, ["rows of in task", "rows of in local", "rows of in listen"]);
  assert.deepEqual(lines, [
    "Query",
    "Query:answered=rows of in local",
    "Query",
    "Query:answered=rows of in listen",
    "Query",
    "Query:answered=rows of in task",
  ]);
  const all: string[] = [];
  run(main, { handlers: [scheduler, reader, writer, db, logging(all)] });
  assert.deepEqual(all.slice(0, 4), ["Spawn", "Spawn:passed", "Local", "Local:passed"]);
  assert.ok(all.includes("Listen:passed"));
});

test("observe: a timed effect another handler answers is timed from the observer (simulated time)", () => {
  const spans: string[] = [];
  let clock = 0;
  const slowDb = handle(Query, function* (q, k) {
    yield* delay(30);
    clock += 30;
    return yield* transfer(k, `rows of ${q.sql}`);
  });
  const obs = observe([Query], (q) => {
    const start = clock;
    return (o) => spans.push(`${q.sql} ${o.status} ${clock - start} ms`);
  });
  const r = run(new Query("a"), { handlers: [scheduler, simulatedTime(), slowDb, obs] });
  assert.equal(r.value, "rows of a");
  assert.deepEqual(spans, ["a answered 30 ms"]);
});

test("observe: awaitPromise and a realTime delay under runAsync end when their promise or timer does", async () => {
  const events: string[] = [];
  let resolve!: (v: number) => void;
  const pending = new Promise<number>((r) => {
    resolve = r;
  });
  const obs = observe([AwaitPromise, Delay], (e) => {
    const name = (e as object).constructor.name;
    events.push(`${name} start`);
    return (o) =>
      events.push(`${name} ${o.status === "answered" ? `answered ${String(o.value)}` : o.status}`);
  });
  const main = program(function* () {
    yield* delay(5);
    events.push("after delay");
    const t = yield* spawn(
      program(function* () {
        yield* delay(5);
        events.push("resolving");
        resolve(7);
      }),
    );
    const v = yield* awaitPromise(() => pending);
    yield* wait(t);
    return v;
  });
  const r = await runAsync(main, { handlers: [scheduler, realTime, obs] });
  assert.equal(r.value, 7);
  assert.deepEqual(events, [
    "Delay start",
    "Delay answered undefined",
    "after delay",
    "AwaitPromise start",
    "Delay start",
    "Delay answered undefined",
    "resolving",
    "AwaitPromise answered 7",
  ]);
});

test("observe listed before the scheduler sees only what no handler inside took (docs: install it last)", () => {
  const outer: string[] = [];
  const inner: string[] = [];
  const main = program(function* () {
    yield* delay(5);
    yield* put("k", 1);
  });
  run(main, {
    handlers: [logging(outer, [Delay, Put]), scheduler, simulatedTime(), state, logging(inner, [Delay, Put])],
  });
  assert.deepEqual(inner, ["Delay", "Delay:answered=undefined", "Put", "Put:answered=undefined"]);
  assert.deepEqual(outer, []); // the clock took the Delay and state the Put before it could see them
});

test("observe: an effect whose task is cancelled (timeout) or whose run is aborted ends as cancelled", async () => {
  const lines: string[] = [];
  const slow = fn(function* slow(ms: number) {
    yield* delay(ms);
  });
  const main = program(function* () {
    return yield* safe(timeout(slow(100), 10));
  });
  const r = run(main, { handlers: [scheduler, simulatedTime(), logging(lines, [Delay])] });
  assert.equal(r.value.ok, false);
  // timeout's own deadline timer is a Delay too (in a task of its own), answered at 10 ms
  assert.deepEqual(lines, ["Delay", "Delay", "Delay:answered=undefined", "Delay:cancelled"]);

  const aborted: string[] = [];
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("stop")), 5);
  const ra = await runAsync(slow(10_000), {
    handlers: [scheduler, realTime, logging(aborted, [Delay])],
    signal: controller.signal,
  });
  assert.equal((ra.error as Error).message, "stop");
  assert.deepEqual(aborted, ["Delay", "Delay:cancelled"]);
});

test("observe: tracebacks are the same as without it", () => {
  const leaf = fn(function* leaf() {
    yield* get("missing");
  });
  const main = program(function* main() {
    yield* all([leaf()]);
  });
  const plain = run(main, { handlers: [scheduler, state] }).format();
  const observed = run(main, { handlers: [scheduler, state, observe(() => undefined)] }).format();
  assert.equal(observed, plain);
  assert.match(plain, /effect Get\("missing"\): state ✗, scheduler ·/);
});

test("observe: an effect no handler outside takes gets the VM's message, not 'performed by handler observe'", () => {
  const r = run(
    program(function* main() {
      return yield* new Query("x");
    }) as never,
    {
      handlers: [observe(() => undefined)],
    },
  );
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(
    (r.error as Error).message,
    "no handler takes Query (passed on by a handler); 1 visible handler(s) declined it. Install a handler for Query (e.g. handle(Query, ...)) around the code that performs it",
  );
});

test("observe: a throwing callback is kept on the warnings and changes nothing", () => {
  const oops = new Error("exporter bug");
  const late = new Error("end bug");
  const obs = observe((e) => {
    if (e instanceof Query) throw oops;
    return () => {
      throw late;
    };
  });
  const r = run(
    program(function* () {
      yield* put("a", 1);
      return yield* new Query("q");
    }),
    {
      handlers: [state, answer(Query, () => "ok"), obs],
    },
  );
  assert.equal(r.value, "ok");
  assert.deepEqual(r.warnings, [late, oops]);
  assert.equal(
    r.format(),
    'Ok: "ok"\n── 2 errors beside the outcome (RunResult.warnings) ──\n' +
      "observe's outcome callback for Put threw: Error: end bug\n" +
      "observe's callback for Query threw: Error: exporter bug",
  );
});

// (review: retry's internal Cede, one per retry, showed up as an effect of the program's)
test("observe and record: retry { times: Infinity }'s turn for the other tasks (an internal effect) is not the program's: neither sees it", () => {
  let n = 0;
  const flaky = fn(function* flaky() {
    const v = yield* new Query(`try ${++n}`);
    if (n < 3) throw new Error(`fail ${n}`);
    return v;
  });
  const lines: string[] = [];
  const rec = record();
  const r = run(retry(flaky(), { times: Infinity }), {
    handlers: [scheduler, answer(Query, (q) => q.sql), logging(lines), rec],
  });
  assert.equal(r.value, "try 3");
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(lines, [
    "Query",
    "Query:answered=try 1",
    "Query",
    "Query:answered=try 2",
    "Query",
    "Query:answered=try 3",
  ]);
  assert.deepEqual(
    rec.effects.map((e) => (e as Query).sql),
    ["try 1", "try 2", "try 3"],
  );
});

test("observe: the callback's third argument is the performing task, as getTaskInfo() answers in it (spawned tasks, their spawners, a task finalized by cancel, a nested scheduler's world); null without a scheduler", () => {
  const seen: string[] = [];
  const watch = observe([Query], (q, _ctx, task) => {
    seen.push(`${q.sql}:${task === null ? "none" : `${task.id}/${task.parent}`}`);
  });
  const ask = (sql: string) => new Query(sql);
  const leaf = fn(function* leaf(name: string) {
    yield* ask(name);
    yield* delay(1);
    yield* ask(`${name} again`);
  });
  const sleeper = program(function* sleeper() {
    try {
      yield* delay(100);
    } finally {
      yield* ask("sleeper finally"); // run by main's cancel: with the sleeper's context
    }
  });
  const main = program(function* main() {
    yield* ask("main");
    const a = yield* spawn(leaf("a"));
    const b = yield* spawn(
      program(function* mid() {
        yield* ask("mid");
        yield* wait(yield* spawn(leaf("c")));
      }),
    );
    const s = yield* spawn(sleeper);
    yield* gather(a, b);
    yield* cancel(s);
    // a different scheduler nested in main: a world of its own, numbered from 0 again
    yield* withHandler(
      createScheduler(),
      program(function* inner() {
        yield* ask("inner main");
        yield* wait(yield* spawn(leaf("inner task")));
      }),
    );
    yield* ask("main end");
  });
  for (const atSite of [true, false]) {
    schedulerFastPaths.atSite = atSite;
    try {
      seen.length = 0;
      const r = run(main, { handlers: [scheduler, simulatedTime(), answer(Query, (q) => q.sql), watch] });
      assert.equal(r.ok, true, String(r.error));
      assert.deepEqual(seen, [
        "main:0/null",
        "a:1/0",
        "mid:2/0",
        "c:4/2",
        "a again:1/0",
        "c again:4/2",
        "sleeper finally:3/0",
        "inner main:0/null",
        "inner task:1/0",
        "inner task again:1/0",
        "main end:0/null",
      ]);
    } finally {
      schedulerFastPaths.atSite = true;
    }
  }
  seen.length = 0;
  assert.equal(run(ask("alone"), { handlers: [answer(Query, (q) => q.sql), watch] }).value, "alone");
  assert.deepEqual(seen, ["alone:none"]);
});

test("observe: bad arguments are TypeErrors that say what to pass", () => {
  assert.throws(() => observe(undefined as never), {
    name: "TypeError",
    message: "observe expects a callback (effect, ctx) => ((outcome) => void) | undefined, got undefined",
  });
  assert.throws(() => observe([] as never, () => undefined), {
    name: "TypeError",
    message:
      "observe expects an effect class or a non-empty list of them first (or only the callback, to observe every effect), got an empty list",
  });
  assert.throws(() => observe([Query, "Delay"] as never, () => undefined), {
    name: "TypeError",
    message:
      'observe expects an effect class or a non-empty list of them first (or only the callback, to observe every effect), got "Delay"',
  });
  assert.throws(() => observe(Query, 42 as never), {
    name: "TypeError",
    message:
      "observe expects a callback (effect, ctx) => ((outcome) => void) | undefined second, after the effect classes, got 42",
  });
});

test("observe's task: tasks spawned with a shared store (one state Map) are each themselves, a task spawned by a handler is the handler's spawn, and a third parameter however declared gets the task (plain, with a default value, destructured with a default, a rest parameter, a bound callback's); a callback of two parameters is given it too", () => {
  class Job extends Effect<number> {
    declare readonly _tag: "Job";
  }
  // a handler that answers Job by running a task for it (its spawner: the task that performed Job)
  const jobs = handle(Job, function* (_e, k) {
    const t = yield* spawn(new Query("in handler's task"));
    return yield* transfer(k, t.id);
  });
  const seen: string[] = [];
  const shown = (t: TaskInfo | null | undefined) =>
    t === null || t === undefined ? String(t) : `${t.id}/${t.parent}`;
  const main = program(function* main() {
    const a = yield* spawn(new Query("shared a"), { store: "shared" });
    const b = yield* spawn(new Query("shared b"), { store: "shared" });
    yield* gather(a, b);
    const worker = yield* spawn(
      withHandler(
        jobs,
        program(function* worker() {
          const id = yield* new Job();
          yield* new Query(`worker, after spawning task ${id}`);
        }),
      ),
    );
    yield* wait(worker);
  });
  const callbacks = {
    declared: (q: Query, _c: unknown, t: TaskInfo | null) => {
      seen.push(`declared ${q.sql}:${shown(t)}`);
    },
    bound: function (this: unknown, q: Query, _c: unknown, t: TaskInfo | null) {
      seen.push(`bound ${q.sql}:${shown(t)}`);
    }.bind(null),
    defaulted: (q: Query, _c: unknown, t: TaskInfo | null = { id: -1, parent: null }) => {
      seen.push(`defaulted ${q.sql}:${shown(t)}`);
    },
    rest: (q: Query, ...more: unknown[]) => {
      seen.push(`rest ${q.sql}:${shown(more[1] as TaskInfo | null)}`);
    },
    // (JavaScript's `length` stops at the first default: 2 for these, which got null — a default
    // does not replace null, and destructuring it threw, the callback's data only a warning)
    destructured: (q: Query, _c: unknown, { id, parent }: TaskInfo = { id: -1, parent: null }) => {
      seen.push(`destructured ${q.sql}:${id}/${parent}`);
    },
    twoParameters: function (this: unknown, q: Query, _c: unknown) {
      // (`arguments` sees what a callback of two parameters is given: the task all the same)
      // biome-ignore lint/complexity/noArguments: what the callback was called with
      seen.push(`twoParameters ${q.sql}:${shown(arguments[2] as TaskInfo | null)}`);
    },
  };
  for (const [name, cb] of Object.entries(callbacks)) {
    seen.length = 0;
    const r = run(main, {
      handlers: [scheduler, answer(Query, (q) => q.sql), observe([Query], cb as never)],
    });
    assert.equal(r.ok, true, String(r.error));
    assert.deepEqual(r.warnings, []);
    const who = ["1/0", "2/0", "3/0", "4/3"];
    assert.deepEqual(seen, [
      `${name} shared a:${who[0]}`,
      `${name} shared b:${who[1]}`,
      `${name} worker, after spawning task 4:${who[2]}`, // (the spawned task waits its turn: FIFO)
      `${name} in handler's task:${who[3]}`,
    ]);
  }
});

test("observe's task: a third parameter declared past `length` gets it however the source is written — a `)` in a comment or a string before it, a method's computed or quoted name, minified — and so does a callback whose source does not say (a bound function, a Proxy: `[native code]`; a throwing `length`), and one of two parameters, whose third argument is the task; observe never throws for a callback's source", () => {
  // (from source text, as tsx drops comments: observe read the callback's source, and no longer does)
  const seen: string[] = [];
  const note = (task: unknown) => {
    seen.push(
      task === null
        ? "null"
        : typeof task === "object"
          ? `${(task as TaskInfo).id}/${(task as TaskInfo).parent}`
          : String(task),
    );
  };
  const from = (src: string) => new Function("note", `return ${src}`)(note) as Function;
  const callbacks: [string, Function, string][] = [
    ["a ) in a comment", from('(e /* the effect (any) */, ctx, task = "default") => note(task)'), "0/null"],
    ["a ) in a line comment", from('(e, // the effect)\n ctx, task = "default") => note(task)'), "0/null"],
    ["a ) in a string", from('(e, ctx = ")", task) => note(task)'), "0/null"],
    ["a ) in a template", from("(e, ctx = `)`, task) => note(task)"), "0/null"],
    ["a ) in a computed key", from('({ ["a)"]: x }, ctx, task = "default") => note(task)'), "0/null"],
    ["async, () in a comment", from('async /* () */ (e, ctx, task = "default") => note(task)'), "0/null"],
    ["a method", from("({ cb(e, ctx, { id, parent } = {}) { note({ id, parent }) } }).cb"), "0/null"],
    [
      "a computed method name",
      from('({ [Symbol.for("cb")](e, ctx, task = "default") { note(task) } })[Symbol.for("cb")]'),
      "0/null",
    ],
    ["a quoted method name", from('({ "a(b)"(e, ctx, task = "default") { note(task) } })["a(b)"]'), "0/null"],
    [
      "a class's static method",
      from("(class { static cb(e, ctx, ...more) { note(more[0]) } }).cb"),
      "0/null",
    ],
    ["minified", from('(e,c,t="default")=>note(t)'), "0/null"],
    ["bound", ((_e: unknown, _c: unknown, task: unknown = "default") => note(task)).bind(null), "0/null"],
    ["bound, rest", ((_e: unknown, ...more: unknown[]) => note(more[1])).bind(null), "0/null"],
    ["a Proxy", new Proxy((_e: unknown, _c: unknown, task: unknown = "default") => note(task), {}), "0/null"],
    [
      "a Proxy whose length throws",
      new Proxy((_e: unknown, _c: unknown, task: unknown = "default") => note(task), {
        get: (f, key) => {
          if (key === "length") throw new Error("no length");
          return Reflect.get(f, key);
        },
      }),
      "0/null",
    ],
    // (two parameters: `arguments` sees the task all the same)
    [
      "a third in a comment only",
      from("function (e, ctx /* , task = main */) { note(arguments[2]) }"),
      "0/null",
    ],
    [
      "() in a comment, two parameters",
      from("function (e /* (any) */, ctx) { note(arguments[2]) }"),
      "0/null",
    ],
  ];
  const main = program(function* main() {
    return yield* new Query("q");
  });
  for (const [name, cb, want] of callbacks) {
    seen.length = 0;
    const r = run(main, {
      handlers: [scheduler, answer(Query, (q) => q.sql), observe([Query], cb as never)],
    });
    assert.equal(r.ok, true, `${name}: ${String(r.error)}`);
    assert.deepEqual(r.warnings, [], name);
    assert.deepEqual(seen, [want], name);
  }
});

test("observe's task in a different scheduler nested in a task: the hosting task's until that scheduler's first effect makes its world (getTaskInfo() there answers the world's main), then the nested world's, as getTaskInfo() answers", () => {
  const seen: string[] = [];
  const shown = (t: TaskInfo | null) => (t === null ? "none" : `${t.id}/${t.parent}`);
  const watch = observe([Query], (q, _ctx, task) => {
    seen.push(`${q.sql}:${shown(task)}`);
  });
  const hosted = program(function* hosted() {
    yield* new Query("before"); // no world of the nested scheduler yet: task 1's effect
    seen.push(`getTaskInfo:${shown(yield* getTaskInfo())}`); // its first effect: the world's main
    yield* new Query("after");
    yield* wait(yield* spawn(new Query("nested task")));
  });
  const main = program(function* main() {
    yield* wait(yield* spawn(withHandler(createScheduler(), hosted)));
    yield* new Query("main");
  });
  const r = run(main, { handlers: [scheduler, answer(Query, (q) => q.sql), watch] });
  assert.equal(r.ok, true, String(r.error));
  assert.deepEqual(seen, [
    "before:1/0",
    "getTaskInfo:0/null",
    "after:0/null",
    "nested task:1/0",
    "main:0/null",
  ]);
});
