/**
 * The scheduler's wait on a lone external promise at the perform site (waitAlone in
 * src/handlers/scheduler-site.ts: a task that waits on the only pending external promise while
 * nothing else can run is suspended on its completion in place) against the general path (block,
 * R6 (3) idle wait for the next external completion, R7, switch back), on random programs: tasks
 * that wait on external promises completed later, at once, on a microtask or by failing, share one
 * with another task, wait on realTime delays, spawn, wait, gather and cancel. Events (with their
 * order), outcomes, logs, warnings and the formatted report must be identical.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";
import { observed, taskStep } from "./sched-helpers.js";
import {
  awaitPromise,
  cancel,
  createExternalPromise,
  delay,
  type ExternalPromise,
  fn,
  handle,
  realTime,
  resume,
  runAsync,
  scheduler,
  spawn,
  tell,
  wait,
  withHandler,
  writer,
} from "../src/index.js";
import { Effect } from "../src/effects/effect.js";

type Op =
  | { t: "extLater"; v: number }
  | { t: "extFail"; v: number }
  | { t: "extNow"; v: number }
  | { t: "extMicro"; v: number }
  | { t: "extShared"; v: number }
  | { t: "staleFirst"; v: number }
  | { t: "delay" }
  | { t: "awaitLater"; v: number }
  | { t: "spawn"; ops: Op[] }
  | { t: "waitLast" }
  | { t: "gatherAll" }
  | { t: "cancelLast" };

const num = fc.nat(99);
const leaf: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant("extLater" as const), v: num }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("extFail" as const), v: num }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("extNow" as const), v: num }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("extMicro" as const), v: num }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("extShared" as const), v: num }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("staleFirst" as const), v: num }) },
  { weight: 1, arbitrary: fc.constant({ t: "delay" } as Op) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("awaitLater" as const), v: num }) },
  { weight: 1, arbitrary: fc.constant({ t: "waitLast" } as Op) },
  { weight: 1, arbitrary: fc.constant({ t: "gatherAll" } as Op) },
  { weight: 1, arbitrary: fc.constant({ t: "cancelLast" } as Op) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: leaf },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant("spawn" as const), ops: fc.array(leaf, { maxLength: 4 }) }),
  },
);

const later = (f: () => void): void => {
  setImmediate(f);
};

/** Turn every scheduler fast path on (true) or off (false). */
function fastPaths(on: boolean): void {
  schedulerFastPaths.waitAtSite = on;
  schedulerFastPaths.awaitAtSite = on;
  schedulerFastPaths.awaitAlone = on;
  schedulerFastPaths.blockAtSite = on;
}

async function exec(ops: Op[], fast: boolean, signal?: AbortSignal): Promise<unknown> {
  const events: string[] = [];
  const body = fn(function* body(name: string, list: Op[]): Generator<any, string, any> {
    const mine: unknown[] = [];
    try {
      for (const op of list) {
        try {
          switch (op.t) {
            case "extLater":
            case "extFail":
            case "extNow":
            case "extMicro": {
              const ext = yield* createExternalPromise<number>();
              if (op.t === "extLater") later(() => ext.complete(op.v));
              else if (op.t === "extFail") later(() => ext.fail(new RangeError(`f${op.v}`)));
              else if (op.t === "extNow") ext.complete(op.v);
              else void Promise.resolve().then(() => ext.complete(op.v));
              events.push(`${name} got ${yield* wait(ext.future)}`);
              break;
            }
            case "extShared": {
              // another task waits on the same external promise first
              const ext = yield* createExternalPromise<number>();
              const other = yield* spawn(
                fn(function* sharer() {
                  const v = yield* wait(ext.future);
                  events.push(`${name} sharer got ${v}`);
                  return v;
                })(),
              );
              mine.push(other);
              yield* awaitPromise(() => new Promise<void>((r) => later(r)));
              later(() => ext.complete(op.v));
              events.push(`${name} got shared ${yield* wait(ext.future)}`);
              break;
            }
            case "staleFirst": {
              // a cancelled task's awaitPromise settles first (abandoned), then the external
              const t = yield* spawn(
                fn(function* stale() {
                  return yield* awaitPromise(() => new Promise<number>((r) => later(() => r(-1))));
                })(),
              );
              yield* awaitPromise(() => 0); // t starts and blocks on its promise
              yield* cancel(t);
              const ext = yield* createExternalPromise<number>();
              setTimeout(() => ext.complete(op.v), 2);
              events.push(`${name} got after stale ${yield* wait(ext.future)}`);
              break;
            }
            case "delay":
              yield* delay(1);
              events.push(`${name} slept`);
              break;
            case "awaitLater":
              events.push(
                `${name} awaited ${yield* awaitPromise(() => new Promise<number>((r) => later(() => r(op.v))))}`,
              );
              break;
            case "spawn":
            case "waitLast":
            case "gatherAll":
              yield* taskStep(op, name, mine, events, body);
              break;
            case "cancelLast":
              if (mine.length > 0) events.push(`${name} cancelled ${yield* cancel(mine.pop() as never)}`);
              break;
          }
          yield* tell(`${name}:${op.t}`);
        } catch (e) {
          events.push(`${name} caught ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      return name;
    } finally {
      events.push(`${name} finally`);
    }
  });
  fastPaths(fast);
  try {
    const handlers = [writer, scheduler, realTime] as const;
    const r = await (signal === undefined
      ? runAsync(body("main", ops), { handlers })
      : runAsync(body("main", ops), { handlers, signal }));
    return observed(events, r);
  } finally {
    fastPaths(true);
  }
}

test("wait on a lone external promise at the perform site: 300 random programs give the same events, outcome, log and report as the general path", async () => {
  const taken0 = schedulerFastPaths.waitAtSiteTaken;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 8 }), async (ops) => {
      const general = await exec(ops, false);
      assert.deepEqual(await exec(ops, true), general);
    }),
    { numRuns: 300, seed: 0x3a17e },
  );
  const taken = schedulerFastPaths.waitAtSiteTaken - taken0;
  assert.ok(taken > 300, `the at-site wait was taken ${taken} times`);
});

test("wait on a lone external promise: each case gives its exact events, and the at-site path is taken only where nothing else can run", async () => {
  const cases: [Op[], string[], number][] = [
    [[{ t: "extLater", v: 1 }], ["main got 1", "main finally"], 1],
    [[{ t: "extFail", v: 2 }], ["main caught RangeError: f2", "main finally"], 1],
    [[{ t: "extNow", v: 3 }], ["main got 3", "main finally"], 0], // settled at the site: no wait
    [[{ t: "extMicro", v: 4 }], ["main got 4", "main finally"], 1],
    [[{ t: "delay" }], ["main slept", "main finally"], 1],
    // the sharer waits first (it is woken first), so main's wait goes to the handler
    [[{ t: "extShared", v: 5 }], ["main sharer got 5", "main got shared 5", "main finally"], 0],
    // the abandoned await's completion arrives first; the wait goes on to the external's
    [[{ t: "staleFirst", v: 6 }], ["main got after stale 6", "main finally"], 1],
  ];
  for (const [ops, events, atSite] of cases) {
    for (const fast of [false, true]) {
      const taken0 = schedulerFastPaths.waitAtSiteTaken;
      const r = (await exec(ops, fast)) as { events: string[]; ok: boolean };
      assert.deepEqual(r.events, events, `${ops[0]!.t} fast=${fast}`);
      assert.equal(r.ok, true);
      assert.equal(
        schedulerFastPaths.waitAtSiteTaken - taken0,
        fast ? atSite : 0,
        `${ops[0]!.t} fast=${fast}`,
      );
    }
  }
});

test("wait on a lone external promise is not taken at the site in a run with a signal", async () => {
  const taken0 = schedulerFastPaths.waitAtSiteTaken;
  const r = (await exec([{ t: "extLater", v: 1 }], true, new AbortController().signal)) as {
    events: string[];
  };
  assert.deepEqual(r.events, ["main got 1", "main finally"]);
  assert.equal(schedulerFastPaths.waitAtSiteTaken - taken0, 0);
});

class Lookup extends Effect<number> {
  constructor(readonly id: number) {
    super();
  }
}

test("wait on a lone external promise inside a handler (doeff/workers' shape): a failure reports the general path's traceback", async () => {
  // the handler waits on an external promise its service completes, as doeff/workers does for a job
  const service = handle(Lookup, function* lookupService(e, k) {
    const ext: ExternalPromise<number> = yield* createExternalPromise<number>();
    later(() => (e.id < 0 ? ext.fail(new RangeError(`no record ${e.id}`)) : ext.complete(e.id * 10)));
    const v = yield* wait(ext.future);
    return yield* resume(k, v);
  });
  const main = fn(function* main(id: number) {
    const a = yield* new Lookup(1);
    return a + (yield* new Lookup(id));
  });
  const reports: string[] = [];
  for (const fast of [false, true]) {
    fastPaths(fast);
    const taken0 = schedulerFastPaths.waitAtSiteTaken;
    try {
      const ok = await runAsync(withHandler(service, main(2)), { handlers: [scheduler] });
      assert.equal(ok.value, 30);
      const bad = await runAsync(withHandler(service, main(-4)), { handlers: [scheduler] });
      assert.equal(bad.ok, false);
      assert.ok(bad.error instanceof RangeError);
      assert.equal((bad.error as Error).message, "no record -4");
      reports.push(bad.format());
      // every Lookup's wait, in both runs (the scheduler's first invocation, R8, was the first
      // createExternalPromise)
      assert.equal(schedulerFastPaths.waitAtSiteTaken - taken0, fast ? 4 : 0);
    } finally {
      fastPaths(true);
    }
  }
  assert.equal(reports[1], reports[0]);
  // (the first Lookup's handler resumed main non-tail, so main runs inside it)
  assert.equal(
    reports[0],
    [
      "doeff traceback (outermost first):",
      "  handler lookupService for Lookup(1) ✓",
      "  main",
      "  handler lookupService for Lookup(-4) ✗",
      "  effect Wait(Future): scheduler ✗",
      `  thrown at test/scheduler-wait-alone.test.ts:${lineOf("new RangeError(`no record")}`,
      "RangeError: no record -4",
    ].join("\n"),
  );
});

/** The 1-based line of this file that contains `text` (for "thrown at" lines). */
function lineOf(text: string): number {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  return lines.findIndex((l) => l.includes(text) && !l.includes("lineOf(")) + 1;
}
