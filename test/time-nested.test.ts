/**
 * One simulated clock, two scheduler worlds: a different scheduler nested in a task is "a separate
 * world running inside the hosting task" (SEMANTICS §9.7), on the run's one clock. Each world's
 * timers fire exactly once, in (due, seq) order, when that world is idle — a world held up by the
 * other (the host blocked in the outer world, or the outer world waiting while the host runs its
 * inner world) fires its timers late, when it runs again, and virtual time never goes back. And the
 * cost: each world keeps its own timers, so one world's rounds do not walk the other's (with one
 * heap for both, each round popped the other world's overdue timers and pushed them back).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createScheduler } from "../src/handlers/scheduler.js";
import { clockIn } from "../src/handlers/time.js";
import {
  cancel,
  completePromise,
  createPromise,
  delay,
  fn,
  gather,
  getRunContext,
  now,
  program,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  wait,
  withHandler,
} from "../src/index.js";

const entity = fn(function* entity(log: string[], name: string, steps: readonly number[]) {
  for (const s of steps) {
    yield* delay(s);
    log.push(`${name}@${yield* now()}`);
  }
});

const twoWorlds = (log: string[]) =>
  program(function* outer() {
    const gate = yield* createPromise<undefined>();
    const o1 = yield* spawn(entity(log, "O1", [1, 1, 1]));
    const o2 = yield* spawn(entity(log, "O2", [2, 2]));
    // the host: a world of its own, whose main first waits for the outer world's gate
    const host = yield* spawn(
      withHandler(
        createScheduler(),
        program(function* inner() {
          const i1 = yield* spawn(entity(log, "I1", [1, 1, 1]));
          const i2 = yield* spawn(entity(log, "I2", [3]));
          yield* wait(gate.future); // the host blocks in the outer world: I1 and I2 have not started
          log.push(`gate@${yield* now()}`);
          yield* gather(i1, i2);
          return yield* now();
        }),
      ),
    );
    const opener = yield* spawn(
      program(function* opener() {
        yield* delay(2);
        yield* completePromise(gate, undefined);
      }),
    );
    yield* gather(o1, o2, opener);
    return [yield* wait(host), yield* now()];
  });

// At 2: O2's, the opener's and O1's timers fire in seq order; the gate wakes the host after O1.
// The host then runs its world to 5 (I1 at 3, 4, 5; I2 at 5, its timer set before I1's third),
// while O1's timer due at 3 and O2's due at 4 wait: they fire when the outer world is idle again,
// at 5, each in a round of its own (due 3, then due 4), never twice and never before the host ends.
const expected = ["O1@1", "O2@2", "O1@2", "gate@2", "I1@3", "I1@4", "I2@5", "I1@5", "O1@5", "O2@5"];

test("nested scheduler worlds on one simulated clock: every timer of each fires exactly once, in its world's (due, seq) order, late when the other world held its world up; the same under run and runAsync", async () => {
  const log: string[] = [];
  const r = run(twoWorlds(log), { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(r.value, [5, 5]);
  assert.deepEqual(log, expected);
  const log2: string[] = [];
  const r2 = await runAsync(twoWorlds(log2), { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(r2.value, [5, 5]);
  assert.deepEqual(log2, expected);
});

test("nested scheduler worlds: the inner world's rounds do not walk the outer world's overdue timers (4,000 rounds beside 4,000 of them: 6 s when each round popped and pushed them back)", () => {
  const n = 4000;
  let fired = 0;
  const main = program(function* main() {
    const sleepers = [];
    for (let i = 0; i < n; i++)
      sleepers.push(
        yield* spawn(
          program(function* sleeper() {
            yield* delay(1);
            fired++;
          }),
        ),
      );
    yield* delay(0); // the sleepers' timers (due at 1) are set
    const t0 = performance.now();
    // inline in main: the inner world runs to n while the outer world's n timers are overdue
    const end = yield* withHandler(
      createScheduler(),
      program(function* inner() {
        for (let i = 0; i < n; i++) yield* delay(1);
        return yield* now();
      }),
    );
    const ms = performance.now() - t0;
    assert.equal(fired, 0); // (the outer world has not run meanwhile)
    yield* gather(sleepers);
    return [end, yield* now(), ms];
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assert.equal(r.ok, true, String(r.error));
  const [end, t, ms] = r.value as [number, number, number];
  assert.deepEqual([end, t, fired], [n, n, n]); // each overdue timer fired once, at n
  // measured ~0.3 s; 6 s (quadratic) with one heap for both worlds
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms for ${n} inner rounds beside ${n} overdue outer timers`);
});

test("nested scheduler worlds: a world that ended with its tasks cancelled in their delays leaves no timers on the clock (1,000 such worlds in a run: none kept, nor their tasks)", () => {
  const clock = simulatedTime();
  const held = program(function* held() {
    const ctx = yield* getRunContext();
    const holding = (clockIn(clock, ctx) as { holding: Set<{ heap: unknown[] }> }).holding;
    let n = 0;
    for (const ts of holding) n += ts.heap.length;
    return [holding.size, n];
  });
  const r = run(
    program(function* main() {
      const beat = yield* spawn(delay(1_000_000)); // the outer world's one timer, pending throughout
      yield* delay(0); // (the beat starts: its timer is set)
      for (let i = 0; i < 1000; i++) {
        // main ends with its sleepers pending: R9 cancels them in their delays (never fired)
        yield* withHandler(
          createScheduler(),
          program(function* request() {
            for (let j = 0; j < 3; j++) yield* spawn(delay(1000 + j));
            yield* delay(1);
          }),
        );
      }
      const [worlds, timers] = yield* held;
      yield* cancel(beat);
      return [worlds, timers, yield* now()];
    }),
    { handlers: [scheduler, clock] },
  );
  // the outer world's timer only; before, each ended world kept its three removed timers
  assert.deepEqual(r.value, [1, 1, 1000]);
});

test("nested scheduler worlds: timers due at one instant in both worlds fire in the order the clock's one heap gave them before the per-world heaps (31065d9); a world that ended with timers pending, followed by a new world in the same host, leaves the new world's timers and the outer world's alone", () => {
  const sameInstant = (log: string[]) =>
    program(function* outer() {
      const a = yield* spawn(entity(log, "O1", [5, 5, 5]));
      const b = yield* spawn(entity(log, "O2", [10, 5]));
      const host = yield* spawn(
        program(function* host() {
          yield* delay(5); // an outer-world timer of the host itself
          log.push(`H@${yield* now()}`);
          const v = yield* withHandler(
            createScheduler(),
            program(function* inner() {
              const i1 = yield* spawn(entity(log, "I1", [5, 5]));
              const i2 = yield* spawn(entity(log, "I2", [10]));
              yield* delay(5);
              log.push(`IM@${yield* now()}`);
              yield* gather(i1, i2);
              return yield* now();
            }),
          );
          log.push(`H2@${yield* now()}/${v}`);
          yield* delay(5);
          log.push(`H3@${yield* now()}`);
        }),
      );
      yield* gather(a, b, host);
      return yield* now();
    });
  const worldsInARow = (log: string[]) =>
    program(function* outer() {
      const o = yield* spawn(entity(log, "O", [3, 3, 3, 3, 3]));
      const host = yield* spawn(
        program(function* host() {
          for (let round = 0; round < 3; round++) {
            yield* withHandler(
              createScheduler(),
              program(function* inner() {
                yield* spawn(entity(log, `L${round}`, [100])); // still in its delay at the end: cancelled
                yield* wait(yield* spawn(entity(log, `I${round}`, [2, 2])));
              }),
            );
            log.push(`H${round}@${yield* now()}`);
            yield* delay(1);
          }
        }),
      );
      yield* gather(o, host);
      return yield* now();
    });
  const log: string[] = [];
  let r = run(sameInstant(log), { handlers: [scheduler, simulatedTime()] });
  assert.equal(r.value, 20);
  assert.deepEqual(log, [
    ...["O1@5", "H@5", "IM@10", "I1@10", "I2@15", "I1@15", "H2@15/15"],
    ...["O2@15", "O1@15", "H3@20", "O2@20", "O1@20"],
  ]);
  log.length = 0;
  r = run(worldsInARow(log), { handlers: [scheduler, simulatedTime()] });
  assert.equal(r.value, 20);
  assert.deepEqual(log, [
    ...["I0@2", "I0@4", "H0@4", "O@4", "I1@7", "I1@9", "H1@9", "O@9"],
    ...["I2@12", "I2@14", "H2@14", "O@14", "O@17", "O@20"],
  ]);
});
