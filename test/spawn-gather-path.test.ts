/**
 * The per-task path of spawn + gather (bench spawn_gather_*): what it saves, checked where it can be
 * seen, and the cases where it must not apply.
 *
 * - A frame's segment exits in the step its last frame returns (machine.ts afterCall), untraced:
 *   a task's body ending, its report and the switch to the next task make one step, not three.
 * - A frame that ended is reused by the next program call (Machine.spare), unless something may
 *   have recorded it (trace sites, an error's origin, a transferWith).
 * - gather() checks each item once (the Gather it makes does not check them again).
 * - (a guard for the order the fast path keeps) gather at the perform site applies the queued
 *   external completions (R7) before it reads its cells' states.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createExternalPromise,
  fn,
  Gather,
  gather,
  getCallStack,
  withHandler,
  program,
  run,
  scheduler,
  spawn,
  type Task,
} from "../src/index.js";
import { Machine } from "../src/vm/machine.js";
import type { Frame } from "../src/vm/segment.js";
import { Env, RunContextImpl, TaskCtx } from "../src/run/context.js";
import { ST_DONE } from "../src/vm/modes.js";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";

/** Step `top` one step at a time to its end: the steps taken and every top frame seen (with its name then). */
function stepped(
  top: unknown,
  sites = false,
): { steps: number; frames: [Frame, string | null][]; m: Machine } {
  const ctx = new RunContextImpl("sync", new TaskCtx(new Map(), Env.EMPTY));
  const m = new Machine(top, ctx, null, sites);
  const frames: [Frame, string | null][] = [];
  let steps = 0;
  while (m.run(1) !== ST_DONE) {
    steps++;
    const f = m.cur.top;
    const last = frames[frames.length - 1];
    if (f !== null && (last === undefined || last[0] !== f || last[1] !== f.name)) frames.push([f, f.name]);
    assert.ok(steps < 1000, "the run should end");
  }
  return { steps: steps + 1, frames, m };
}

const inner = fn(function* inner(n: number) {
  return n;
});
const other = fn(function* other(n: number) {
  const names = yield* getCallStack();
  return `${names.map((f) => f.name).join("<")}:${n}`;
});

test("a segment exits in the step its last frame returns: 4 steps for outer calling inner, not 6", () => {
  const outer = fn(function* outer() {
    return (yield* inner(1)) + 1;
  });
  const r = stepped(outer());
  assert.equal(r.m.ok, true);
  assert.equal(r.m.result, 2);
  // call outer; outer yields inner, called; inner returns; outer returns and the root exits
  assert.equal(r.steps, 4);
});

test("spawn + gather of 3 trivial tasks: each task's end, report and the next task's start are one step", () => {
  const main = fn(function* main() {
    const ts: Task<number>[] = [];
    for (let i = 0; i < 3; i++) ts.push(yield* spawn(inner(i)));
    return yield* gather(...ts);
  });
  const r = stepped(withHandler(scheduler, main()));
  assert.equal(r.m.ok, true);
  assert.deepEqual(r.m.result, [0, 1, 2]);
  // (was 25: two steps more per segment exit — each task's, and main's own at the end)
  assert.equal(r.steps, 17);
});

test("a frame that ended is the next program call's frame, named and run as that program", () => {
  const outer = fn(function* outer() {
    const a = yield* inner(1);
    const b = yield* other(2);
    return `${a} ${b}`;
  });
  const r = stepped(outer());
  assert.equal(r.m.result, "1 other<outer:2");
  const innerFrame = r.frames.find(([, n]) => n === "inner")![0];
  const otherFrame = r.frames.find(([, n]) => n === "other")![0];
  // the same object, made again as other's frame (its name, program, no closing, no site)
  assert.equal(otherFrame, innerFrame);
  assert.equal(innerFrame.name, "other");
  assert.equal(innerFrame.closing, null);
  assert.equal(innerFrame.site, null);
});

test("no frame is reused while trace sites are on, nor once an error was recorded", () => {
  const outer = fn(function* outer() {
    const a = yield* inner(1);
    const b = yield* other(2);
    return `${a} ${b}`;
  });
  const withSites = stepped(outer(), true);
  assert.equal(withSites.m.result, "1 other<outer:2");
  const seen = withSites.frames.filter(([, n]) => n === "inner" || n === "other");
  assert.deepEqual(
    seen.map(([, n]) => n),
    ["inner", "other"],
  );
  assert.notEqual(seen[0]![0], seen[1]![0]);
  assert.equal(seen[0]![0].name, "inner"); // (not made again as other's)

  const failing = fn(function* failing() {
    throw new RangeError("caught");
  });
  const afterError = fn(function* afterError() {
    try {
      yield* failing();
    } catch {}
    const a = yield* inner(1);
    const b = yield* other(2);
    return `${a} ${b}`;
  });
  const r = stepped(afterError());
  assert.equal(r.m.result, "1 other<afterError:2");
  const seenAfter = r.frames.filter(([, n]) => n === "inner" || n === "other");
  assert.deepEqual(
    seenAfter.map(([, n]) => n),
    ["inner", "other"],
  );
  assert.notEqual(seenAfter[0]![0], seenAfter[1]![0]);
});

test("gather() checks each item once: the Gather it makes does not check them again", () => {
  const r = run(
    program(function* () {
      return yield* spawn(inner(1));
    }),
    { handlers: [scheduler] },
  );
  assert.equal(r.ok, true);
  const t = r.value as Task<number>;
  let asked = 0;
  const counted = new Proxy(t, {
    getPrototypeOf(target) {
      asked++;
      return Reflect.getPrototypeOf(target);
    },
  });
  assert.ok(gather(counted) instanceof Gather);
  assert.equal(asked, 1);
  asked = 0;
  gather([counted]);
  assert.equal(asked, 1);
  asked = 0;
  new Gather([counted]); // (made directly: checked by the class)
  assert.equal(asked, 1);
  // and a bad item is still refused, named as the call wrote it
  assert.throws(() => gather(t, 5 as never), /gather \(item 1\)/);
  assert.throws(() => gather([t, 5 as never]), /gather \(array item 1\)/);
});

test("gather at the perform site reads its cells after R7 settled them: a queued failure is thrown at once, before a ready task runs", () => {
  for (const fast of [true, false]) {
    schedulerFastPaths.atSite = fast;
    try {
      const events: string[] = [];
      const r = run(
        program(function* () {
          const ext = yield* createExternalPromise<number>();
          const t = yield* spawn(
            program(function* () {
              events.push("task ran");
              return 1;
            }),
          );
          ext.fail(new RangeError("failed outside"));
          try {
            yield* gather(ext.future, t);
          } catch (e) {
            events.push(`caught ${(e as Error).message}`);
          }
          const done = yield* createExternalPromise<number>();
          done.complete(5);
          events.push(`gathered ${(yield* gather(done.future, t)).join(",")}`);
          return events;
        }),
        { handlers: [scheduler] },
      );
      assert.equal(r.ok, true, String(r.error));
      assert.deepEqual(r.value, ["caught failed outside", "task ran", "gathered 5,1"], `fast ${fast}`);
    } finally {
      schedulerFastPaths.atSite = true;
    }
  }
});

test("new Gather(null) and new Gather(5) are still checked (gather()'s check-once mark is never null's)", () => {
  assert.throws(() => new Gather(null as never), { name: "TypeError", message: /^gather/ });
  assert.throws(() => new Gather(5 as never), { name: "TypeError", message: /^gather/ });
  assert.throws(() => new Gather([null] as never), { name: "TypeError", message: /^gather/ });
});
