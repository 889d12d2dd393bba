/**
 * tracebackOf (SEMANTICS §8.8, docs/observability.md): the traceback as data — exact objects for a
 * failed run, an Err, an error with or without a doeff origin, a succeeded run's warnings, an
 * aborted run, a worker or queue job's remote traceback; raw strings bounded as the text is; the
 * text unchanged. (test/traceback-data-sweep.test.ts checks data and text agree over the trace tests.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  awaitPromise,
  delegate,
  Effect,
  Err,
  type FailureTraceback,
  fn,
  handle,
  program,
  resume,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  spawn,
  type TraceEntry,
  type TraceError,
  tracebackOf,
  wait,
  withHandler,
} from "../src/index.js";
import { fromWire, toWire } from "../src/workers/wire.js";
import { bothWays } from "./traceback-render.js";

const FILE = "test/traceback-data.test.ts";
const source = readFileSync(new URL(import.meta.url), "utf8").split("\n");
/** the line of this file whose comment is `// marker` */
const lineOf = (marker: string): number => source.findIndex((l) => l.endsWith(`// ${marker}`)) + 1;

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}
const db = handle(Query, function* db(q) {
  throw new Error(`no table in: ${q.sql}`, { cause: { code: "42P01" } }); // @db-throw
});
const load = fn(function* load(user: string) {
  return yield* new Query(`orders of ${user}`); // @load-yield
});
const request = fn(function* request(user: string) {
  const t = yield* spawn(load(user)); // @request-spawn
  return yield* wait(t); // @request-wait
});

const at = (marker: string) => ({ file: FILE, line: lineOf(marker) });

test("tracebackOf(result): a failed run's chain, effect, site and error as data; JSON writes it as is", () => {
  const r = run(request("bob"), { handlers: [scheduler, db], trace: { sites: true } });
  const t = tracebackOf(r);
  const expected: FailureTraceback = {
    outcome: "failed",
    chain: [
      { kind: "program", name: "request", at: at("@request-wait") },
      {
        kind: "task",
        name: `in task 1 (spawned at ${FILE}:${lineOf("@request-spawn")})`,
        tasks: [1],
        count: 1,
        spawnedAt: at("@request-spawn"),
      },
      { kind: "program", name: "load", at: at("@load-yield") },
      { kind: "handler", name: "db", effect: 'Query("orders of bob")', marker: "✗", outcome: "threw" },
    ],
    effect: {
      text: 'Query("orders of bob")',
      class: "Query",
      handlers: [
        { kind: "handler", name: "db", marker: "✗", outcome: "threw" },
        { kind: "handler", name: "scheduler", marker: "·", outcome: "not reached" },
      ],
    },
    thrownAt: at("@db-throw"),
    error: {
      text: "Error: no table in: orders of bob",
      name: "Error",
      message: "no table in: orders of bob",
      cause: { text: 'thrown: {"code":"42P01"}', value: { code: "42P01" } },
    },
    warnings: [],
  };
  assert.deepEqual(t, expected);
  // plain data: JSON gives it back whole, and the text report is the same as before
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
  const [text, data] = bothWays(r);
  assert.equal(data, text);
  // the run's error gives the same (what its doeffTrace shows)
  assert.deepEqual(tracebackOf(r.error), expected);
});

test("tracebackOf(err): what Err.format() prints; a hand-made Err, an error doeff never saw and a thrown value have an empty chain", () => {
  const r = run(
    program(function* main() {
      // (a handler's error is thrown where it is installed: inside the safe)
      const caught = yield* safe(withHandler(db, load("ada")));
      if (caught.ok) return null;
      const [text, data] = bothWays(caught);
      assert.equal(data, text);
      return tracebackOf(caught);
    }),
  );
  assert.deepEqual(r.value, {
    outcome: "failed",
    chain: [
      { kind: "program", name: "main" },
      { kind: "program", name: "load" },
      { kind: "handler", name: "db", effect: 'Query("orders of ada")', marker: "✗", outcome: "threw" },
    ],
    effect: {
      text: 'Query("orders of ada")',
      class: "Query",
      handlers: [{ kind: "handler", name: "db", marker: "✗", outcome: "threw" }],
    },
    thrownAt: at("@db-throw"),
    error: {
      text: "Error: no table in: orders of ada",
      name: "Error",
      message: "no table in: orders of ada",
      cause: { text: 'thrown: {"code":"42P01"}', value: { code: "42P01" } },
    },
    warnings: [],
  });
  const plain = new TypeError("not from a run"); // @plain
  assert.deepEqual(tracebackOf(plain), {
    outcome: "failed",
    chain: [],
    thrownAt: at("@plain"),
    error: { text: "TypeError: not from a run", name: "TypeError", message: "not from a run" },
    warnings: [],
  });
  assert.deepEqual(tracebackOf("quota"), {
    outcome: "failed",
    chain: [],
    error: { text: 'thrown: "quota"' },
    warnings: [],
  });
  assert.deepEqual(tracebackOf(undefined).outcome, "failed");
  // an Err made by hand: no origin, as its format() has none
  assert.deepEqual(tracebackOf(new Err(new Error("by hand"))).chain, []);
});

test("tracebackOf(result) of a run that succeeded: outcome ok, with its warnings — a failed task's chain where it was thrown", () => {
  const lost = fn(function* lost() {
    throw new RangeError("lost"); // @lost-throw
  });
  const r = run(
    program(function* main() {
      yield* spawn(lost());
      return 1;
    }),
    { handlers: [scheduler] },
  );
  // (main ended first: the task never ran — said as such, with no chain: nothing of it ran)
  const neverRan =
    "main returned before task 1 (lost) started, so ending the run cancelled it before it ran any code: wait for it before main returns (`yield* wait(task)`, or gather it), in a test end main with `yield* quiescent()`, or spawn a task that should not outlive its block in `scoped(…)`";
  assert.deepEqual(tracebackOf(r), {
    outcome: "ok",
    warnings: [
      {
        where: "task 1 (lost) never ran: main returned before it started",
        chain: [],
        error: { text: `DoeffError: ${neverRan}`, name: "DoeffError", message: neverRan },
      },
    ],
  });
  const main2 = program(function* main() {
    yield* spawn(lost());
    yield* wait(yield* spawn(fn(function* other() {})()));
    return 2;
  });
  const r2 = run(main2, { handlers: [scheduler] });
  assert.equal(r2.value, 2);
  const t = tracebackOf(r2);
  assert.deepEqual(t, {
    outcome: "ok",
    warnings: [
      {
        where: "task 1 failed and nothing waited for it",
        chain: [
          { kind: "task", name: "in task 1", tasks: [1], count: 1 },
          { kind: "program", name: "lost" },
        ],
        thrownAt: at("@lost-throw"),
        error: { text: "RangeError: lost", name: "RangeError", message: "lost" },
      },
    ],
  });
  // the warning's error on its own: its doeffTrace as data
  const w = tracebackOf(r2.warnings[0]);
  assert.deepEqual(w.outcome === "ok" ? null : w.chain, t.warnings[0]!.chain);
  // a run with nothing beside its value
  assert.deepEqual(tracebackOf(run(program(function* main() {}))), { outcome: "ok", warnings: [] });
});

test("tracebackOf(result) of an aborted run: outcome aborted, each computation's chain ending with what it was blocked in; before it started, none", async () => {
  const child = fn(function* child() {
    return yield* awaitPromise(() => new Promise<number>(() => {}));
  });
  const main = fn(function* main() {
    const a = yield* spawn(child());
    const b = yield* spawn(child());
    return (yield* wait(a)) + (yield* wait(b));
  });
  const ac = new AbortController();
  const reason = new Error("stop");
  setTimeout(() => ac.abort(reason), 20);
  const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: ac.signal });
  const t = tracebackOf(r);
  const chain: TraceEntry[] = [
    { kind: "program", name: "main" },
    { kind: "wait", name: "wait(task 1)", tasks: [1], count: 1 },
    { kind: "task", name: "in tasks 1, 2", tasks: [1, 2], count: 2 },
    { kind: "program", name: "child" },
    { kind: "wait", name: "awaitPromise(…)", tasks: [], count: 0 },
  ];
  assert.deepEqual(t.outcome === "ok" ? null : [t.outcome, t.chain, t.error.text], [
    "aborted",
    chain,
    "Error: stop",
  ]);
  const [text, data] = bothWays(r);
  assert.equal(data, text);
  const before = new AbortController();
  before.abort(new Error("not now"));
  const r2 = run(main(), { handlers: [scheduler], signal: before.signal });
  const t2 = tracebackOf(r2);
  assert.deepEqual(t2.outcome === "ok" ? null : [t2.outcome, t2.chain, t2.error.message], [
    "aborted",
    [],
    "not now",
  ]);
});

test("a doeff/workers or doeff/queue error keeps the job's own traceback as lines (error.remoteTraceback), at any depth of causes", () => {
  const remote = "doeff traceback (outermost first):\n  resize at jobs.ts:3\nTypeError: bad size";
  const e = fromWire(toWire(new TypeError("bad size"), remote)) as Error;
  const r = run(
    program(function* main() {
      throw new Error("job failed", { cause: e });
    }),
  );
  const t = tracebackOf(r);
  assert.deepEqual(t.outcome === "ok" ? null : t.error.cause, {
    text: "TypeError: bad size",
    name: "TypeError",
    message: "bad size",
    remoteTraceback: ["doeff traceback (outermost first):", "  resize at jobs.ts:3", "TypeError: bad size"],
  });
  assert.deepEqual(tracebackOf(e).error.remoteTraceback, remote.split("\n"));
});

test("strings are raw (JSON escapes them, the text escapes control characters) and bounded as the text: a message cut at 10,000 characters", () => {
  const long = `\u001b[31mred\u001b[0m\n${"x".repeat(20_000)}`;
  const r = run(
    program(function* main() {
      throw new Error(long);
    }),
  );
  const t = tracebackOf(r.error as Error);
  const cut = `${long.slice(0, 10_000)}… (${long.length - 10_000} more characters)`;
  assert.equal(t.error.message, cut);
  assert.equal(
    t.error.text,
    `Error: ${long}`.slice(0, 10_000) + `… (${long.length + 7 - 10_000} more characters)`,
  );
  assert.ok(!r.format().includes("\u001b"));
  assert.ok(JSON.stringify(t).includes("\\u001b[31mred"));
});

test("causes and AggregateError errors nest as deep and as many as the text shows: 10 errors and a count, a cycle stopped at its first repeat", () => {
  const agg = new AggregateError(
    Array.from({ length: 12 }, (_, i) => new Error(`e${i}`)),
    "all failed",
  );
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  const t = tracebackOf(agg);
  assert.deepEqual(
    t.error.errors?.map((x) => x.message),
    ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"],
  );
  assert.equal(t.error.moreErrors, 2);
  assert.deepEqual(tracebackOf(a).error.cause, {
    text: "Error: b",
    name: "Error",
    message: "b",
    cause: { text: "Error: a", name: "Error", message: "a", cycle: true },
  });
  // four levels below the error, as the text (its `causes` stops there)
  let deep: Error = new Error("e5");
  for (let i = 4; i >= 0; i--) deep = new Error(`e${i}`, { cause: deep });
  const seen: string[] = [];
  for (let x: TraceError | undefined = tracebackOf(deep).error; x !== undefined; x = x.cause)
    seen.push(x.message ?? "");
  assert.deepEqual(seen, ["e0", "e1", "e2", "e3", "e4"]);
});

test("runs of like lines fold as in the text: a deep recursion and a chain of delegating handlers give a gap with its count", () => {
  class Ping extends Effect<number> {
    declare readonly _tag: "Ping";
  }
  const deep = fn(function* deep(n: number): Generator<unknown, number, unknown> {
    if (n === 0) return yield* new Ping();
    return yield* deep(n - 1);
  });
  const delegator = handle(Ping, function* delegator(_e, k) {
    return yield* resume(k, yield* delegate<number>());
  });
  const thrower = handle(Ping, function* thrower() {
    throw new Error("no ping");
  });
  const r = run(deep(100), { handlers: [thrower, delegator, delegator, delegator, delegator, delegator] });
  const t = tracebackOf(r);
  assert.ok(t.outcome === "failed");
  assert.deepEqual(t.chain.slice(0, 3), [
    { kind: "program", name: "deep" },
    { kind: "gap", name: "… 99 more …", skipped: 99 },
    { kind: "program", name: "deep" },
  ]);
  assert.deepEqual(t.effect?.handlers, [
    { kind: "handler", name: "delegator", marker: "⇆", outcome: "delegated" },
    { kind: "gap", name: "… 3 more …", skipped: 3 },
    { kind: "handler", name: "delegator", marker: "⇆", outcome: "delegated" },
    { kind: "handler", name: "thrower", marker: "✗", outcome: "threw" },
  ]);
  const [text, data] = bothWays(r);
  assert.equal(data, text);
});

test("tracebackOf never throws: a revoked Proxy, an error whose message getter throws (the text's placeholders)", () => {
  const { proxy, revoke } = Proxy.revocable(new Error("gone"), {});
  revoke();
  assert.deepEqual(tracebackOf(proxy), {
    outcome: "failed",
    chain: [],
    error: { text: "(an error that cannot be printed)" },
    warnings: [],
  });
  const hostile = new Error("x");
  Object.defineProperty(hostile, "message", {
    get() {
      throw new Error("no");
    },
  });
  const r = run(
    program(function* main() {
      throw hostile;
    }),
  );
  const t = tracebackOf(r);
  assert.deepEqual(t.outcome === "ok" ? null : [t.chain, t.error], [
    [{ kind: "program", name: "main" }],
    { text: "(an error that cannot be printed)" },
  ]);
  const [text, data] = bothWays(r);
  assert.equal(data, text);
});

test("an error that fails two runs: its doeffTrace and its data are the later run's — and a frozen one keeps the first run's text, so it keeps that run's data too", () => {
  const chainOf = (e: unknown) => (tracebackOf(e) as FailureTraceback).chain.map((x) => x.name);
  const shared = new Error("shared");
  const firstRun = program(function* firstRun() {
    throw shared;
  });
  const secondRun = program(function* secondRun() {
    throw shared;
  });
  run(firstRun);
  run(secondRun);
  assert.deepEqual(chainOf(shared), ["secondRun"]);
  assert.match((shared as { doeffTrace?: string }).doeffTrace!, /^ {2}secondRun$/m);
  let [text, data] = bothWays(shared);
  assert.equal(data, text);
  // frozen after the first run: the second cannot replace its doeffTrace; the data was the second's
  const frozen = new Error("frozen");
  run(
    program(function* firstRun() {
      throw frozen;
    }),
  );
  Object.freeze(frozen);
  const second = run(
    program(function* secondRun() {
      throw frozen;
    }),
  );
  assert.match((frozen as { doeffTrace?: string }).doeffTrace!, /^ {2}firstRun$/m);
  assert.deepEqual(chainOf(frozen), ["firstRun"]);
  [text, data] = bothWays(frozen);
  assert.equal(data, text);
  // the second run's result still has its own (as its format() does)
  assert.deepEqual((tracebackOf(second) as FailureTraceback).chain, [{ kind: "program", name: "secondRun" }]);
  // frozen before any run: no doeffTrace, and so no data (an error doeff did not see thrown)
  const cold = Object.freeze(new Error("cold"));
  run(
    program(function* main() {
      throw cold;
    }),
  );
  assert.equal((cold as { doeffTrace?: string }).doeffTrace, undefined);
  assert.deepEqual(chainOf(cold), []);
});

test("a run's error that is also its warning, an Err re-thrown after safe: data and text agree", () => {
  const shared = new Error("both");
  let err: Err | undefined;
  const r = run(
    program(function* main() {
      yield* spawn(
        program(function* bg() {
          throw shared;
        }),
      );
      yield* wait(yield* spawn(program(function* idle() {})));
      const caught = yield* safe(
        program(function* inner() {
          throw shared;
        }),
      );
      err = caught as Err;
      throw caught.error;
    }),
    { handlers: [scheduler] },
  );
  assert.deepEqual([r.error, r.warnings], [shared, [shared]]);
  for (const of of [r, shared, err!]) {
    const [text, data] = bothWays(of);
    assert.equal(data, text);
  }
  const t = tracebackOf(r);
  assert.deepEqual(
    t.warnings.map((w) => [w.where, w.chain]),
    [["task 1 failed and nothing waited for it", []]],
  );
});

test("tracebackOf(result) keeps the warnings format() lists: the first 20 and the last 5 of more than 26, moreWarnings counting the rest", () => {
  const row = fn(function* row(i: number) {
    throw new Error(`row ${i}`);
  });
  /** a run whose `n` tasks fail while nothing waits for them; `fail`: main fails too */
  const withLost = (n: number, fail = false) =>
    run(
      program(function* main() {
        for (let i = 0; i < n; i++) yield* spawn(row(i));
        yield* wait(yield* spawn(program(function* idle() {})));
        if (fail) throw new TypeError("main");
        return n;
      }),
      { handlers: [scheduler] },
    );
  const messages = (t: { warnings: readonly { error: TraceError }[] }) =>
    t.warnings.map((w) => w.error.message);
  // 26: all of them, as format() lists all 26, and no count
  const all = tracebackOf(withLost(26));
  assert.deepEqual(
    [all.outcome, messages(all), "moreWarnings" in all],
    ["ok", Array.from({ length: 26 }, (_, i) => `row ${i}`), false],
  );
  // 27: the first 20 and the last 5, 2 left out between (format()'s `… 2 more …`)
  const r27 = withLost(27);
  const t27 = tracebackOf(r27);
  assert.deepEqual(
    [messages(t27), t27.moreWarnings, t27.warnings[20]!.where],
    [
      [
        ...Array.from({ length: 20 }, (_, i) => `row ${i}`),
        ...Array.from({ length: 5 }, (_, i) => `row ${22 + i}`),
      ],
      2,
      "task 23 failed and nothing waited for it",
    ],
  );
  assert.match(r27.format(), /\n… 2 more …\ntask 23 failed and nothing waited for it: Error: row 22\n/);
  assert.equal(r27.warnings.length, 27); // (the run keeps all of them)
  // a failed run's the same, its warnings after its error
  const failed = tracebackOf(withLost(27, true));
  assert.deepEqual(
    [
      failed.outcome,
      failed.outcome === "ok" ? null : failed.error.text,
      failed.warnings.length,
      failed.moreWarnings,
    ],
    ["failed", "TypeError: main", 25, 2],
  );
  assert.deepEqual(Object.keys(failed).slice(-2), ["warnings", "moreWarnings"]);
  for (const r of [r27, withLost(27, true), withLost(26)]) {
    const [text, data] = bothWays(r);
    assert.equal(data, text);
  }
  // 9,800 failed tasks: 25 warnings and a count, a JSON of kilobytes (it was 6.2 MB)
  const big = tracebackOf(withLost(9800));
  assert.deepEqual(
    [big.warnings.length, big.moreWarnings, big.warnings[24]!.error.message],
    [25, 9775, "row 9799"],
  );
  const json = JSON.stringify(big).length;
  assert.ok(json < 20_000, `JSON of ${json} characters`);
});
