/**
 * withPermit's fast path (src/concurrency/semaphore.ts `permitFastPath`): a free permit is taken in
 * withPermit's own frame instead of a frame of acquire's that takes it and returns at once.
 * Compared with the general path (the switch off): random programs of tasks that share semaphores
 * — contended and not, jobs that fail, time out while they wait or while they hold the permit, a
 * release too many — give the same events (with the semaphore's counts read inside each job),
 * outcome, log, warnings and formatted traceback, with and without trace sites.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { permitFastPath } from "../src/concurrency/semaphore.js";
import {
  createSemaphore,
  delay,
  fn,
  release,
  run,
  type Semaphore,
  scheduler,
  simulatedTime,
  spawn,
  tell,
  timeout,
  wait,
  withPermit,
  writer,
} from "../src/index.js";
import { observed, withSwitch } from "./sched-helpers.js";

function withFastPath<T>(on: boolean, f: () => T): T {
  return withSwitch(permitFastPath, "on", on, f);
}

/** One task's use of a semaphore: hold it `hold` ms, maybe fail, maybe under a deadline, maybe releasing once too often. */
interface Use {
  sem: number;
  at: number;
  hold: number;
  fail: boolean;
  limit: number | null;
  extraRelease: boolean;
}

const useArb: fc.Arbitrary<Use> = fc.record({
  sem: fc.nat(1),
  at: fc.nat(2),
  hold: fc.nat(3),
  fail: fc.boolean(),
  limit: fc.option(fc.nat(4), { nil: null }),
  extraRelease: fc.boolean(),
});

function program(permits: [number, number], uses: Use[], events: string[]) {
  const job = fn(function* job(name: string, s: Semaphore, u: Use): Generator<any, string, any> {
    try {
      events.push(`${name} holds (available ${s.available}, waiting ${s.waiting})`);
      yield* tell(`${name} in`);
      if (u.hold > 0) yield* delay(u.hold);
      if (u.extraRelease) yield* release(s);
      if (u.fail) throw new Error(`${name} failed`);
      return name;
    } finally {
      events.push(`${name} finally (available ${s.available})`);
    }
  });
  const user = fn(function* user(name: string, s: Semaphore, u: Use): Generator<any, string, any> {
    if (u.at > 0) yield* delay(u.at);
    const guarded = withPermit(s, job(name, s, u));
    return u.limit === null ? yield* guarded : yield* timeout(guarded, u.limit);
  });
  return fn(function* main() {
    const sems = [yield* createSemaphore(permits[0]), yield* createSemaphore(permits[1])];
    const tasks = [];
    for (const [i, u] of uses.entries()) tasks.push(yield* spawn(user(`u${i}`, sems[u.sem]!, u)));
    // main takes a permit itself too, uncontended first
    events.push(
      `main ${yield* withPermit(sems[0]!, job("main", sems[0]!, { ...uses[0]!, hold: 0, fail: false, extraRelease: false }))}`,
    );
    for (const t of tasks) {
      try {
        events.push(`waited ${yield* wait(t)}`);
      } catch (e) {
        events.push(`caught ${(e as Error).message}`);
      }
    }
    return `${sems[0]!.available} ${sems[1]!.available}`;
  })();
}

test("withPermit fast path: 300 random programs of tasks sharing semaphores (contended or not, failing, timing out, a release too many) give the same events, counts, outcome, log, warnings and traceback as acquire's frame, with and without sites", () => {
  const exec = (permits: [number, number], uses: Use[], on: boolean, sites: boolean) =>
    withFastPath(on, () => {
      const events: string[] = [];
      return observed(
        events,
        run(program(permits, uses, events), {
          handlers: [writer, scheduler, simulatedTime()],
          trace: { sites },
        }),
      );
    });
  fc.assert(
    fc.property(
      fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      fc.array(useArb, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (permits, uses, sites) => {
        assert.deepEqual(exec(permits, uses, true, sites), exec(permits, uses, false, sites));
      },
    ),
    { numRuns: 300, seed: 0x9e41 },
  );
});

test("withPermit fast path: an uncontended permit is taken and given back — the counts inside and after, and a release too many, read the same as on the general path", () => {
  const go = (on: boolean) =>
    withFastPath(on, () => {
      const events: string[] = [];
      const r = run(
        program([1, 1], [{ sem: 0, at: 0, hold: 0, fail: false, limit: null, extraRelease: false }], events),
        { handlers: [writer, scheduler, simulatedTime()] },
      );
      return observed(events, r);
    });
  const general = go(false);
  assert.deepEqual(go(true), general);
  assert.deepEqual(general.events, [
    "main holds (available 0, waiting 0)",
    "main finally (available 0)",
    "main main",
    "u0 holds (available 0, waiting 0)",
    "u0 finally (available 0)",
    "waited u0",
  ]);
  assert.equal(general.value, "1 1");
  // a release too many: withPermit's own release finds none held
  const extra = (on: boolean) =>
    withFastPath(on, () => {
      const events: string[] = [];
      return observed(
        events,
        run(
          program([1, 1], [{ sem: 1, at: 0, hold: 0, fail: false, limit: null, extraRelease: true }], events),
          {
            handlers: [writer, scheduler, simulatedTime()],
            trace: { sites: true },
          },
        ),
      );
    });
  const generalExtra = extra(false);
  assert.deepEqual(extra(true), generalExtra);
  assert.deepEqual(generalExtra.events.slice(-1), [
    "caught release without a matching acquire (semaphore of 1 permit(s), none held); release once per acquire, or use withPermit(sem, program)",
  ]);
});
