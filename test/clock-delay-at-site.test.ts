/**
 * The clocks' delay at the perform site (src/handlers/time.ts `atSite`, the VM's SITE_SWITCH.call):
 * under a scheduler, `simulatedTime()` and `realTime` run their delay program at the site instead of
 * capturing the continuation and invoking the handler for it to `transferWith` the same program.
 * Compared with the handler's path (clockFastPaths.delayAtSite off): events in order, outcome, log,
 * warnings and the formatted traceback — random programs under both orders of scheduler and clock,
 * with and without trace sites, an observer between them, and the errors a delay program throws at
 * its site (virtual time stuck, a due time past the safe range), attributed to the Delay either way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { clockFastPaths } from "../src/handlers/time.js";
import {
  all,
  Cancel,
  Delay,
  delay,
  fn,
  type Handler,
  now,
  observe,
  raceAll,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  tell,
  timeout,
  wait,
  writer,
} from "../src/index.js";
import { observed, withSwitch } from "./sched-helpers.js";

function withDelayAtSite<T>(on: boolean, f: () => T): T {
  return withSwitch(clockFastPaths, "delayAtSite", on, f);
}

type Op =
  | { t: "timeout"; work: number; limit: number; fail: boolean }
  | { t: "raceAll"; a: number; b: number; failA: boolean }
  | { t: "all"; a: number; b: number }
  | { t: "spawnDelay"; ms: number; wait: boolean }
  | { t: "delay"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("timeout" as const), work: fc.nat(3), limit: fc.nat(3), fail: fc.boolean() }),
  fc.record({ t: fc.constant("raceAll" as const), a: fc.nat(3), b: fc.nat(3), failA: fc.boolean() }),
  fc.record({ t: fc.constant("all" as const), a: fc.nat(3), b: fc.nat(3) }),
  fc.record({ t: fc.constant("spawnDelay" as const), ms: fc.nat(3), wait: fc.boolean() }),
  fc.record({ t: fc.constant("delay" as const), ms: fc.nat(3) }),
);

function program(ops: Op[], events: string[]) {
  const job = fn(function* job(name: string, ms: number, fails: boolean): Generator<any, string, any> {
    try {
      yield* tell(`${name} start ${yield* now()}`);
      if (ms > 0) yield* delay(ms);
      if (fails) throw new Error(`${name} failed`);
      yield* tell(`${name} end ${yield* now()}`);
      return name;
    } finally {
      events.push(`${name} finally ${yield* now()}`);
    }
  });
  return fn(function* main() {
    for (const [i, op] of ops.entries()) {
      try {
        switch (op.t) {
          case "timeout":
            events.push(String(yield* timeout(job(`w${i}`, op.work, op.fail), op.limit)));
            break;
          case "raceAll":
            events.push(String(yield* raceAll([job(`a${i}`, op.a, op.failA), job(`b${i}`, op.b, false)])));
            break;
          case "all":
            events.push(String(yield* all([job(`a${i}`, op.a, false), job(`b${i}`, op.b, false)])));
            break;
          case "spawnDelay": {
            const t = yield* spawn(job(`s${i}`, op.ms, false));
            if (op.wait) events.push(`waited ${yield* wait(t)}`);
            break;
          }
          case "delay":
            yield* delay(op.ms);
            events.push(`main at ${yield* now()}`);
            break;
        }
      } catch (e) {
        events.push(`caught ${(e as Error).message}`);
      }
    }
    return events.length;
  })();
}

test("clock delay at the site: 300 random programs (timeout, raceAll, all, delays in tasks and main) under [scheduler, clock] and [clock, scheduler], with and without sites and an observer, give the same events, outcome, log, warnings and traceback as the handler's path", () => {
  const exec = (ops: Op[], on: boolean, order: number, sites: boolean, observer: boolean) =>
    withDelayAtSite(on, () => {
      const events: string[] = [];
      const seen: Handler = observe(Delay, (e) => {
        events.push(`observed delay ${e.ms}`);
      });
      const clock = simulatedTime();
      const hs: Handler[] = order === 0 ? [scheduler, clock] : [clock, scheduler];
      if (observer) hs.push(seen); // (innermost: it sees every Delay on its way to the clock)
      return observed(events, run(program(ops, events), { handlers: [writer, ...hs], trace: { sites } }));
    });
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 6 }),
      fc.nat(1),
      fc.boolean(),
      fc.boolean(),
      (ops, order, sites, observer) => {
        assert.deepEqual(exec(ops, true, order, sites, observer), exec(ops, false, order, sites, observer));
      },
    ),
    { numRuns: 300, seed: 0x7002 },
  );
  // (and the programs do delay: virtual time moves, and the observer inside sees the delay)
  const events: string[] = [];
  const r = run(program([{ t: "spawnDelay", ms: 2, wait: true }], events), {
    handlers: [
      writer,
      scheduler,
      simulatedTime(),
      observe(Delay, (e) => void events.push(`observed delay ${e.ms}`)),
    ],
  });
  assert.ok(r.ok, String(r.error));
  assert.deepEqual(events, ["observed delay 2", "s0 finally 2", "waited s0"]);
  assert.deepEqual(r.log, ["s0 start 0", "s0 end 2"]);
});

test("clock delay at the site: an error the delay program throws at its site (virtual time stuck; a due time past Number.MAX_SAFE_INTEGER) reads the same, attributed to the Delay, as on the handler's path", () => {
  const stuck = fn(function* spinner() {
    const late = yield* spawn(delay(5));
    for (;;) yield* delay(0);
    // biome-ignore lint/correctness/noUnreachable: (the task is never waited for)
    yield* wait(late);
  });
  const far = fn(function* far() {
    const t = yield* spawn(delay(Number.MAX_SAFE_INTEGER));
    yield* delay(1);
    return yield* wait(t);
  });
  for (const p of [stuck, far]) {
    const go = (on: boolean) =>
      withDelayAtSite(on, () => {
        const r = run(p(), { handlers: [scheduler, simulatedTime({ start: 1 })] });
        return { ok: r.ok, error: String(r.error), format: r.format(), warnings: r.warnings.map(String) };
      });
    const general = go(false);
    assert.deepEqual(go(true), general);
    assert.equal(general.ok, false);
    assert.match(general.format, /effect Delay\(/, general.format);
  }
});

test("clock delay at the site: realTime under runAsync — timeout kept and expired, a race whose loser's timer is cleared — gives the same events, outcome and traceback as the handler's path", async () => {
  const go = async (on: boolean) => {
    clockFastPaths.delayAtSite = on;
    try {
      const events: string[] = [];
      const main = fn(function* main() {
        const slow = fn(function* slow(ms: number) {
          try {
            yield* delay(ms);
            return ms;
          } finally {
            events.push(`slow ${ms} finally`);
          }
        });
        events.push(`kept ${yield* timeout(slow(1), 200)}`);
        try {
          yield* timeout(slow(200), 5);
        } catch (e) {
          events.push(`caught ${(e as Error).message}`);
        }
        events.push(`race ${yield* raceAll([slow(2), slow(300)])}`);
        return yield* timeout(slow(300), 3);
      });
      return observed(events, await runAsync(main(), { handlers: [scheduler, realTime] }));
    } finally {
      clockFastPaths.delayAtSite = true;
    }
  };
  const general = await go(false);
  assert.deepEqual(await go(true), general);
  assert.equal(general.ok, false);
  assert.deepEqual(general.events.slice(0, 5), [
    "slow 1 finally",
    "kept 1",
    "slow 200 finally",
    "caught slow timed out after 5 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
    "slow 2 finally",
  ]);
});

test("timeout kept: the program's task, whose value `wait` gave, is not cancelled again — one Cancel per call (the timer's), each answered true", () => {
  const cancels: string[] = [];
  const quick = fn(function* quick(i: number) {
    return i;
  });
  const main = fn(function* main() {
    let s = 0;
    for (let i = 1; i <= 3; i++) s += yield* timeout(quick(i), 10);
    return s;
  });
  const r = run(main(), {
    handlers: [
      scheduler,
      simulatedTime(),
      observe(Cancel, (e) => (o) => {
        cancels.push(`cancel task ${e.task.id}: ${o.status === "answered" ? o.value : o.status}`);
      }),
    ],
  });
  assert.ok(r.ok, String(r.error));
  assert.equal(r.value, 6);
  // tasks 1, 3, 5 are the timers (spawned first); 2, 4, 6 the programs
  assert.deepEqual(cancels, ["cancel task 1: true", "cancel task 3: true", "cancel task 5: true"]);
});
