/**
 * The scheduler's awaitAlone fast path (an awaitPromise when nothing else can run until it settles
 * is awaited in place, src/handlers/scheduler-ops.ts) against the general path (an external promise,
 * block, R6 idle wait, switch back), on random programs: tasks that await resolved, rejected,
 * macrotask-settled and plain values, throw from the thunk, spawn, wait, gather and sometimes abort
 * the run from inside a thunk. Events (with their order), outcomes and warnings must be identical.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";
import { observed, taskStep } from "./sched-helpers.js";
import { awaitPromise, fn, runAsync, scheduler, spawn, tell, wait, writer } from "../src/index.js";

type Op =
  | { t: "resolved"; v: number }
  | { t: "rejected"; v: number }
  | { t: "later"; v: number }
  | { t: "plain"; v: number }
  | { t: "throws"; v: number }
  | { t: "abort" }
  | { t: "abortLater"; v: number }
  | { t: "abortNever" }
  | { t: "spawn"; ops: Op[] }
  | { t: "waitLast" }
  | { t: "gatherAll" };

const leaf: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant("resolved" as const), v: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("rejected" as const), v: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("later" as const), v: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("plain" as const), v: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("throws" as const), v: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("waitLast" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("gatherAll" as const) }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: leaf },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant("spawn" as const), ops: fc.array(leaf, { maxLength: 5 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ t: "abort" } as Op) },
);

/** Which fast paths run: none (the general path), awaitAlone, or awaitAlone + the at-site await. */
type Mode = "general" | "alone" | "site";

async function exec(ops: Op[], fast: boolean | Mode, withSignal = true): Promise<unknown> {
  const mode: Mode = fast === true ? "alone" : fast === false ? "general" : fast;
  const events: string[] = [];
  const ctl = new AbortController();
  const body = fn(function* body(name: string, list: Op[]): Generator<any, string, any> {
    const mine: unknown[] = [];
    try {
      for (const op of list) {
        try {
          switch (op.t) {
            case "resolved":
              events.push(`${name} got ${yield* awaitPromise(() => Promise.resolve(op.v))}`);
              break;
            case "rejected":
              yield* awaitPromise(() => Promise.reject(new Error(`r${op.v}`)));
              break;
            case "later":
              events.push(
                `${name} got ${yield* awaitPromise(() => new Promise<number>((r) => setImmediate(() => r(op.v))))}`,
              );
              break;
            case "plain":
              events.push(`${name} got ${yield* awaitPromise(() => op.v)}`);
              break;
            case "throws":
              yield* awaitPromise((): number => {
                throw new Error(`t${op.v}`);
              });
              break;
            case "abort":
              yield* awaitPromise(() => {
                ctl.abort(new Error("stop"));
                return Promise.resolve(0);
              });
              break;
            case "abortLater":
              // aborted while the await is pending; its promise settles after that
              events.push(
                `${name} got ${yield* awaitPromise(
                  () =>
                    new Promise<number>((r) =>
                      setImmediate(() => {
                        ctl.abort(new Error("later"));
                        setImmediate(() => r(op.v));
                      }),
                    ),
                )}`,
              );
              break;
            case "abortNever":
              // aborted while the await is pending; its promise never settles
              yield* awaitPromise(() => {
                setImmediate(() => ctl.abort(new Error("never")));
                return new Promise<number>(() => {});
              });
              break;
            case "spawn":
            case "waitLast":
            case "gatherAll":
              yield* taskStep(op, name, mine, events, body);
              break;
          }
          yield* tell(`${name}:${op.t}`);
        } catch (e) {
          events.push(`${name} caught ${(e as Error).message}`);
        }
      }
      return name;
    } finally {
      events.push(`${name} finally`);
      yield* tell(`${name} finally`);
    }
  });
  schedulerFastPaths.awaitAlone = mode !== "general";
  schedulerFastPaths.awaitAtSite = mode === "site";
  schedulerFastPaths.blockAtSite = mode === "site";
  try {
    const handlers = [writer, scheduler] as const;
    const r = await (withSignal
      ? runAsync(body("main", ops), { handlers, signal: ctl.signal })
      : runAsync(body("main", ops), { handlers }));
    return observed(events, r);
  } finally {
    schedulerFastPaths.awaitAlone = true;
    schedulerFastPaths.awaitAtSite = true;
    schedulerFastPaths.blockAtSite = true;
  }
}

test("awaitAlone: 300 random task programs give the same events, outcome and log as the general path", async () => {
  let aborted = 0;
  const taken0 = schedulerFastPaths.awaitAloneTaken;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 10 }), async (ops) => {
      const general = await exec(ops, false);
      const fast = await exec(ops, true);
      assert.deepEqual(fast, general);
      if ((general as { ok: boolean }).ok === false) aborted++;
    }),
    { numRuns: 300, seed: 0xa3a17 },
  );
  assert.ok(aborted > 0, "some generated runs abort");
  const taken = schedulerFastPaths.awaitAloneTaken - taken0;
  assert.ok(taken > 300, `the fast path was taken ${taken} times`);
});

const noAbortOp: fc.Arbitrary<Op> = opArb.filter((op) => op.t !== "abort");

test("awaitPromise at the perform site: 300 random programs without a signal give the same events, outcome, log and report as awaitAlone and the general path", async () => {
  const site0 = schedulerFastPaths.awaitAtSiteTaken;
  await fc.assert(
    fc.asyncProperty(fc.array(noAbortOp, { maxLength: 10 }), async (ops) => {
      const general = await exec(ops, "general", false);
      assert.deepEqual(await exec(ops, "alone", false), general);
      assert.deepEqual(await exec(ops, "site", false), general);
    }),
    { numRuns: 300, seed: 0x5173a },
  );
  const taken = schedulerFastPaths.awaitAtSiteTaken - site0;
  assert.ok(taken > 300, `the at-site await was taken ${taken} times`);
});

test("awaitPromise at the perform site is taken in a run with a signal too (the abort hands it back to awaitAlone)", async () => {
  const site0 = schedulerFastPaths.awaitAtSiteTaken;
  const alone0 = schedulerFastPaths.awaitAloneTaken;
  const p = fn(function* () {
    return (yield* awaitPromise(() => Promise.resolve(1))) + (yield* awaitPromise(() => 2));
  });
  const r = await runAsync(p(), { handlers: [scheduler], signal: new AbortController().signal });
  assert.equal(r.value, 3);
  // the first await is the scheduler's first invocation (R8: it resumes main non-tail), the second
  // is awaited at its site
  assert.equal(schedulerFastPaths.awaitAloneTaken - alone0, 1);
  assert.equal(schedulerFastPaths.awaitAtSiteTaken - site0, 1);
  const r2 = await runAsync(p(), { handlers: [scheduler] });
  assert.equal(r2.value, 3);
  assert.equal(schedulerFastPaths.awaitAloneTaken - alone0, 2);
  assert.equal(schedulerFastPaths.awaitAtSiteTaken - site0, 2);
});

const abortOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: opArb },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("abortLater" as const), v: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.constant({ t: "abortNever" } as Op) },
);

test("awaitPromise at the perform site with a signal: 300 random programs, aborted from a thunk or while an await is pending, give the same events, outcome, log, warnings and report as the general path", async () => {
  let aborted = 0;
  let later = 0;
  const site0 = schedulerFastPaths.awaitAtSiteTaken;
  await fc.assert(
    fc.asyncProperty(fc.array(abortOp, { maxLength: 10 }), async (ops) => {
      const general = await exec(ops, "general");
      assert.deepEqual(await exec(ops, "alone"), general);
      assert.deepEqual(await exec(ops, "site"), general);
      if ((general as { ok: boolean }).ok === false) {
        aborted++;
        if (/later|never/.test(String((general as { value: unknown }).value))) later++;
      }
    }),
    { numRuns: 300, seed: 0x51a7e },
  );
  assert.ok(later > 20, `${later} runs aborted while an await was pending`);
  assert.ok(aborted > later, "some runs aborted from a thunk");
  const taken = schedulerFastPaths.awaitAtSiteTaken - site0;
  assert.ok(taken > 300, `the at-site await was taken ${taken} times`);
});

test("awaitAlone and the at-site await: an uncaught rejection and a throwing thunk report the general path's traceback", async () => {
  const inner = fn(function* fetchUser(id: number) {
    return yield* awaitPromise(() => Promise.reject(new RangeError(`no user ${id}`)));
  });
  const throwing = fn(function* readConfig() {
    return yield* awaitPromise((): Promise<number> => {
      throw new TypeError("bad config");
    });
  });
  const main = fn(function* main(which: number) {
    yield* tell(`start ${yield* awaitPromise(() => 0)}`); // (the scheduler's first invocation)
    return which === 0 ? yield* inner(7) : yield* throwing();
  });
  for (const which of [0, 1]) {
    const reports: string[] = [];
    for (const mode of ["general", "alone", "site"] as const) {
      schedulerFastPaths.awaitAlone = mode !== "general";
      schedulerFastPaths.awaitAtSite = mode === "site";
      try {
        const r = await runAsync(main(which), { handlers: [writer, scheduler] });
        assert.equal(r.ok, false);
        assert.ok(r.error instanceof (which === 0 ? RangeError : TypeError));
        reports.push(r.format());
        reports.push((r.error as { doeffTrace?: string }).doeffTrace ?? "");
      } finally {
        schedulerFastPaths.awaitAlone = true;
        schedulerFastPaths.awaitAtSite = true;
      }
    }
    assert.equal(reports[2], reports[0]);
    assert.equal(reports[3], reports[1]);
    assert.equal(reports[4], reports[0]);
    assert.equal(reports[5], reports[1]);
    const fnName = which === 0 ? "fetchUser" : "readConfig";
    assert.equal(
      reports[0],
      [
        "doeff traceback (outermost first):",
        "  main",
        `  ${fnName}`,
        // (an anonymous thunk is shown by its source, as the runtime has it: here tsx's output)
        `  effect AwaitPromise(${which === 0 ? "()=>Promise.reject(new RangeError(`no..." : '()=>{throw new TypeError("bad config")}'}): scheduler ✗, writer ·`,
        `  thrown at test/scheduler-await-alone.test.ts:${lineOf(which === 0 ? "new RangeError(`no user" : 'new TypeError("bad config")')}`,
        which === 0 ? "RangeError: no user 7" : "TypeError: bad config",
      ].join("\n"),
    );
  }
});

test("a rejected awaitPromise that is the run's first scheduler effect: no line for the scheduler, which only handed the rejection on", async () => {
  // the scheduler's first invocation gives main the rejection with discontinue (R8: non-tail), which
  // traced the scheduler as the thrower ("handler scheduler for AwaitPromise(…) ✗") — unlike any
  // later await; the effect's line names it either way
  const loadUser = fn(function* loadUser(id: number) {
    return yield* awaitPromise(() => Promise.reject(new RangeError(`no user #${id}`)));
  });
  const main = fn(function* main() {
    return yield* loadUser(3);
  });
  for (const mode of ["general", "alone", "site"] as const) {
    schedulerFastPaths.awaitAlone = mode !== "general";
    schedulerFastPaths.awaitAtSite = mode === "site";
    try {
      for (const handlers of [[scheduler], [scheduler, writer]]) {
        const r = await runAsync(main(), { handlers });
        assert.ok(r.error instanceof RangeError);
        assert.equal(
          r.format(),
          [
            "doeff traceback (outermost first):",
            "  main",
            "  loadUser",
            `  effect AwaitPromise(()=>Promise.reject(new RangeError(\`no...): ${handlers.length === 1 ? "scheduler ✗" : "writer ↗, scheduler ✗"}`,
            `  thrown at test/scheduler-await-alone.test.ts:${lineOf("new RangeError(`no user #")}`,
            "RangeError: no user #3",
          ].join("\n"),
        );
      }
    } finally {
      schedulerFastPaths.awaitAlone = true;
      schedulerFastPaths.awaitAtSite = true;
    }
  }
});

test("awaitPromise passes the task's signal only to a thunk that declares a parameter (no signal is made otherwise)", async () => {
  const seen: unknown[] = [];
  const main = fn(function* () {
    const t = yield* spawn(
      fn(function* child() {
        // a plain function without parameters cannot name the signal; `arguments` does not get one
        yield* awaitPromise(function (this: unknown) {
          // biome-ignore lint/complexity/noArguments: the test is about what a length-0 thunk receives
          seen.push(arguments.length);
          return 1;
        });
        yield* awaitPromise((signal: AbortSignal) => {
          seen.push(signal instanceof AbortSignal && !signal.aborted);
          return new Promise((resolve) => setImmediate(resolve));
        });
        return "done";
      })(),
    );
    yield* awaitPromise(() => Promise.resolve(0)); // main alone is not: the child runs first
    return yield* wait(t);
  });
  for (const awaitAtSite of [false, true]) {
    seen.length = 0;
    schedulerFastPaths.awaitAtSite = awaitAtSite;
    try {
      const r = await runAsync(main(), { handlers: [scheduler] });
      assert.equal(r.value, "done");
      assert.deepEqual(seen, [0, true]);
    } finally {
      schedulerFastPaths.awaitAtSite = true;
    }
  }
});

/** The 1-based line of this file that contains `text` (for "thrown at" lines). */
function lineOf(text: string): number {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  return lines.findIndex((l) => l.includes(text) && !l.includes("lineOf(")) + 1;
}

test("awaitPromise at the perform site with a signal: a task awaiting alone while main waits for it is finalized after main, as the general path's blocked task, whether its thunk aborts the run or the abort comes while it waits", async () => {
  async function exec(site: boolean, fromThunk: boolean) {
    const events: string[] = [];
    const ctl = new AbortController();
    const child = fn(function* child() {
      try {
        yield* awaitPromise(() => 1);
        events.push("child before");
        const v = yield* awaitPromise(() => {
          if (fromThunk) ctl.abort(new Error("stop"));
          else setImmediate(() => ctl.abort(new Error("stop")));
          return fromThunk ? Promise.resolve(5) : new Promise<number>(() => {});
        });
        events.push(`child got ${v}`);
      } finally {
        events.push("child finally");
        yield* tell("child finally");
      }
    });
    const main = fn(function* main() {
      try {
        return yield* wait(yield* spawn(child()));
      } finally {
        events.push("main finally");
        yield* tell("main finally");
      }
    });
    schedulerFastPaths.awaitAtSite = site;
    schedulerFastPaths.blockAtSite = site;
    const site0 = schedulerFastPaths.awaitAtSiteTaken;
    try {
      const r = await runAsync(main(), { handlers: [writer, scheduler], signal: ctl.signal });
      assert.equal(schedulerFastPaths.awaitAtSiteTaken - site0, site ? 2 : 0);
      return { events, ok: r.ok, log: r.log, warnings: r.warnings.map(String), report: r.format() };
    } finally {
      schedulerFastPaths.awaitAtSite = true;
      schedulerFastPaths.blockAtSite = true;
    }
  }
  for (const fromThunk of [true, false]) {
    const general = await exec(false, fromThunk);
    assert.deepEqual(general.events, ["child before", "main finally", "child finally"]);
    assert.deepEqual(general.log, ["main finally"]);
    assert.match(
      general.report,
      /\n {2}main\n {2}blocked in wait\(task 1\)\n {2}── in task 1 ──\n {2}child\n/,
    );
    assert.deepEqual(await exec(true, fromThunk), general);
  }
});
