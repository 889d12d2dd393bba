/**
 * Soak test: `npm run soak` (node --expose-gc). Long runs that must not leak.
 *
 *  1. 10,000,000 state effects (get / put / modify) in one run under `state`;
 *  2. 1,000,000 effects through a custom tail-resumptive generator handler (no fast path);
 *  3. 100,000 spawned tasks under `scheduler`: one at a time (spawn + wait), then in batches of 1,000
 *     (spawn × 1,000 + gather);
 *  4. a server loop's patterns, each 50,000 times in one long `runAsync` (docs/reliability-notes.md
 *     "Long-running processes"): tasks never waited on, failures caught from a waited task, a lazy
 *     env value per request, timeouts in time and expired, semaphore and channel waiters cancelled,
 *     rateLimited, a Tell handler that hands entries on; under `observe`, as a service's metrics.
 *     `npm run soak -- --loops` runs this phase only.
 *
 * For each phase: heap after a full GC before the run, inside the run at checkpoints (the program
 * calls gc() itself, so per-effect growth within a run shows), and after the run. Every figure must
 * stay within LIMIT_MB of the phase's baseline; otherwise the script exits with status 1.
 */
import {
  acquire,
  ask,
  createChannel,
  createSemaphore,
  delay,
  Effect,
  gather,
  get,
  awaitPromise,
  handle,
  local,
  modify,
  observe,
  program,
  put,
  rateLimited,
  rateLimiter,
  reader,
  receive,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  state,
  Tell,
  tell,
  timeout,
  transfer,
  wait,
  withHandler,
} from "../src/index.js";

const LIMIT_MB = 10;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write("soak: run with --expose-gc (npm run soak)\n");
  process.exit(2);
}

function heapMB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

let failed = false;
const loopsOnly = process.argv.includes("--loops");

function phase(name: string, body: (checkpoint: (label: string) => void) => unknown): void {
  const before = heapMB();
  const t0 = Date.now();
  let peak = before;
  const checkpoint = (label: string) => {
    const h = heapMB();
    peak = Math.max(peak, h);
    process.stdout.write(`    ${label.padEnd(22)} heap ${h.toFixed(1)} MB (${(h - before).toFixed(1)} MB)\n`);
  };
  process.stdout.write(`\n${name}\n    before                 heap ${before.toFixed(1)} MB\n`);
  const value = body(checkpoint);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const after = heapMB();
  peak = Math.max(peak, after);
  const growth = peak - before;
  const ok = growth < LIMIT_MB;
  if (!ok) failed = true;
  process.stdout.write(
    `    after                  heap ${after.toFixed(1)} MB (${(after - before).toFixed(1)} MB)\n` +
      `    ${ok ? "ok" : "FAIL"}: result ${String(value)}, ${secs} s, max growth ${growth.toFixed(1)} MB (limit ${LIMIT_MB} MB)\n`,
  );
}

function classicPhases(): void {
  // 1. 10M state effects -------------------------------------------------------------------------

  const STATE_EFFECTS = 10_000_000;
  phase(
    `1. ${STATE_EFFECTS.toLocaleString("en")} state effects (get/put/modify under state)`,
    (checkpoint) => {
      const r = run(
        program(function* () {
          yield* put("n", 0);
          let done = 1;
          while (done < STATE_EFFECTS) {
            const n = yield* get<number>("n");
            yield* put("n", n + 1);
            yield* modify<number>("m", (m = 0) => m + 1);
            done += 3;
            if (done % 2_500_002 < 3) checkpoint(`${(done / 1e6).toFixed(1)}M effects`);
          }
          return yield* get<number>("n");
        }),
        { handlers: [state] },
      );
      if (!r.ok) throw r.error;
      return r.value;
    },
  );

  // 2. 1M effects through a custom generator handler ------------------------------------------------

  class Tick extends Effect<number> {
    declare readonly _tag: "Tick";
  }
  const CUSTOM_EFFECTS = 1_000_000;
  phase(
    `2. ${CUSTOM_EFFECTS.toLocaleString("en")} effects through a custom transfer handler`,
    (checkpoint) => {
      let count = 0;
      const ticker = handle(Tick, function* (_e, k) {
        count++;
        return yield* transfer(k, count);
      });
      const r = run(
        withHandler(
          ticker,
          program(function* () {
            let last = 0;
            for (let i = 1; i <= CUSTOM_EFFECTS; i++) {
              last = yield* new Tick();
              if (i % 250_000 === 0) checkpoint(`${i / 1000}k effects`);
            }
            return last;
          }),
        ),
      );
      if (!r.ok) throw r.error;
      return r.value;
    },
  );

  // 3. 100k spawned tasks ------------------------------------------------------------------------------

  const TASKS = 100_000;
  const child = (i: number) =>
    program(function* () {
      yield* put("last", i); // isolated per-task state (§9.6)
      return i;
    });

  phase(`3a. ${TASKS.toLocaleString("en")} tasks, one at a time (spawn + wait)`, (checkpoint) => {
    const r = run(
      program(function* () {
        let sum = 0;
        for (let i = 0; i < TASKS; i++) {
          const t = yield* spawn(child(i));
          sum += yield* wait(t);
          if ((i + 1) % 25_000 === 0) checkpoint(`${(i + 1) / 1000}k tasks`);
        }
        return sum;
      }),
      { handlers: [scheduler, state] },
    );
    if (!r.ok) throw r.error;
    return r.value;
  });

  phase(
    `3b. ${TASKS.toLocaleString("en")} tasks in batches of 1,000 (spawn × 1,000 + gather)`,
    (checkpoint) => {
      const r = run(
        program(function* () {
          let sum = 0;
          for (let b = 0; b < TASKS / 1000; b++) {
            const batch = [];
            for (let i = 0; i < 1000; i++) batch.push(yield* spawn(child(b * 1000 + i)));
            const values = yield* gather(...batch);
            for (const v of values) sum += v;
            if ((b + 1) % 25 === 0) checkpoint(`${b + 1}k tasks`);
          }
          return sum;
        }),
        { handlers: [scheduler, state] },
      );
      if (!r.ok) throw r.error;
      return r.value;
    },
  );
}

// 4. a server loop's patterns --------------------------------------------------------------------------

const LOOPS = 50_000;
/** Growth allowed between the checkpoints (5k and 50k iterations): under 45 B per iteration. */
const LOOP_LIMIT_MB = 2;

/** A heap figure taken inside the run: a turn of the event loop, then full collections. */
async function heapAsync(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    await new Promise((done) => setImmediate(done));
    gc!();
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

type Step = (i: number, shared: { sem: unknown; ch: unknown }) => Generator<unknown, unknown, any>;
const toLogger = handle(Tell, (_e, k) => transfer(k, undefined));
/** installed too, as a service's metrics would be: it sees every effect and how it ended */
let observed = 0;
const metrics = observe(() => () => {
  observed++;
});
const limiter = rateLimiter({ limit: 5, interval: 10 });

const loops: [string, Step][] = [
  [
    "tasks never waited on",
    function* () {
      yield* spawn(delay(1));
      yield* delay(1);
    },
  ],
  [
    "a waited task's failure caught",
    function* () {
      const t = yield* spawn(
        program(function* () {
          yield* delay(1);
          throw new Error("request failed");
        }),
      );
      try {
        yield* wait(t);
      } catch {}
    },
  ],
  [
    "a lazy env value per request",
    function* (i) {
      const conn = program(function* () {
        return { id: i };
      });
      yield* local({ conn }, ask<{ id: number }>("conn"));
    },
  ],
  [
    "timeout in time, timeout expired",
    function* () {
      yield* timeout(delay(1), 1000);
      yield* safe(timeout(delay(1000), 1));
    },
  ],
  [
    "semaphore and channel waiters timed out",
    function* (_i, s) {
      yield* safe(timeout(acquire(s.sem as never), 1));
      yield* safe(timeout(receive(s.ch as never), 1));
    },
  ],
  [
    "rateLimited",
    function* () {
      yield* rateLimited(limiter, delay(1));
    },
  ],
  [
    "tell through a handler that hands it on",
    function* (i) {
      yield* tell({ request: i });
    },
  ],
];

async function loopPhases(): Promise<void> {
  for (const [name, step] of loops) {
    const marks: number[] = [];
    const t0 = Date.now();
    const r = await runAsync(
      program(function* () {
        const sem = yield* createSemaphore(1);
        yield* acquire(sem); // held for the whole run: every acquire below waits, then times out
        const ch = yield* createChannel({ capacity: 1 }); // empty: every receive waits
        for (let i = 0; i < LOOPS; i++) {
          if (i === LOOPS / 10) marks.push(yield* awaitPromise(heapAsync));
          yield* step(i, { sem, ch });
        }
        marks.push(yield* awaitPromise(heapAsync));
      }),
      { handlers: [scheduler, simulatedTime(), reader, toLogger, metrics] },
    );
    const [a = 0, b = 0] = marks;
    const ok = r.ok && r.warnings.length === 0 && b - a < LOOP_LIMIT_MB;
    if (!ok) failed = true;
    const per = (((b - a) * 1024 * 1024) / (LOOPS * 0.9)).toFixed(1);
    process.stdout.write(
      `\n4. ${LOOPS.toLocaleString("en")} × ${name}\n    ${ok ? "ok" : "FAIL"}: heap ${a.toFixed(1)} → ${b.toFixed(1)} MB from ${LOOPS / 10} to ${LOOPS} iterations (${per} B each; limit ${LOOP_LIMIT_MB} MB), ${((Date.now() - t0) / 1000).toFixed(1)} s${r.ok ? "" : `, ${String(r.error)}`}\n`,
    );
  }
}

if (!loopsOnly) classicPhases();
await loopPhases();
process.stdout.write(failed ? "\nsoak: FAIL (heap grew by more than the limit)\n" : "\nsoak: ok\n");
process.exit(failed ? 1 : 0);
