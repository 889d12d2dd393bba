/**
 * The scheduler's awaitAlone fast path (an awaitPromise when nothing else can run until it settles
 * is awaited in place, src/handlers/scheduler-ops.ts) against the general path (an external promise,
 * block, R6 idle wait, switch back), on random programs: tasks that await resolved, rejected,
 * macrotask-settled and plain values, throw from the thunk, spawn, wait, gather and sometimes abort
 * the run from inside a thunk. Events (with their order), outcomes and warnings must be identical.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";
import { awaitPromise, fn, gather, runAsync, scheduler, spawn, tell, wait, writer } from "../src/index.js";

type Op =
  | { t: "resolved"; v: number }
  | { t: "rejected"; v: number }
  | { t: "later"; v: number }
  | { t: "plain"; v: number }
  | { t: "throws"; v: number }
  | { t: "abort" }
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

async function exec(ops: Op[], fast: boolean): Promise<unknown> {
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
            case "spawn":
              mine.push(yield* spawn(body(`${name}.${mine.length}`, op.ops)));
              break;
            case "waitLast":
              if (mine.length > 0)
                events.push(`${name} waited ${yield* wait(mine[mine.length - 1] as never)}`);
              break;
            case "gatherAll":
              events.push(`${name} gathered ${(yield* gather(...(mine as never[]))).join(",")}`);
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
    }
  });
  schedulerFastPaths.awaitAlone = fast;
  try {
    const r = await runAsync(body("main", ops), { handlers: [writer, scheduler], signal: ctl.signal });
    return {
      events,
      ok: r.ok,
      value: r.ok ? r.value : String(r.error),
      log: r.log,
      warnings: r.warnings.map(String),
    };
  } finally {
    schedulerFastPaths.awaitAlone = true;
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
