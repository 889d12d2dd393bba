/**
 * Two behaviours of a run that is stopped while it waits, pinned as docs/reliability-notes.md
 * describes them ("A run aborted while its cleanup waits", "Loops that never wait for later"):
 * - §9.8 × §9.4: the run's signal aborts while main or a task is *already* blocked inside a
 *   `finally` block (an asynchronous cleanup): the awaited thunk's signal is aborted, the frame is
 *   closed at that call (JavaScript's `return()`: the rest of that block and a `catch` around the call
 *   do not run; finally blocks around it do), and the rest of the run is finalized as R9 says. A
 *   `finally` block that *starts* during the finalization instead sees the call throw
 *   TaskCancelledError and goes on.
 * - §10: tasks that are always ready (zero delays) while main waits for what none of them does:
 *   under `run` nothing can tell that from a long batch, so the stuck-clock DoeffError comes only
 *   when a timer due later is kept from firing — a batch inside a `timeout` included — and
 *   `runAsync` with a signal is how a test bounds such a run and learns where every task was.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  awaitPromise,
  createPromise,
  DoeffError,
  delay,
  fn,
  program,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  wait,
} from "../src/index.js";

/** A body whose finally awaits a cleanup that never settles, noting what runs; `started` aborts the run. */
function cleanupProgram(who: string, ev: string[], started: () => void, ms = 1) {
  return fn(function* withCleanup() {
    try {
      try {
        yield* delay(ms);
        return "body";
      } finally {
        ev.push(`${who}: cleanup starts`);
        try {
          yield* awaitPromise((signal) => {
            signal.addEventListener("abort", () => ev.push(`${who}: cleanup's signal aborted`));
            started();
            return new Promise<void>(() => {});
          });
          ev.push(`${who}: after the cleanup's await`);
        } catch (e) {
          ev.push(`${who}: caught ${(e as Error).name}`);
        } finally {
          ev.push(`${who}: inner finally`);
        }
        ev.push(`${who}: end of the cleanup`);
      }
    } finally {
      ev.push(`${who}: outer finally`);
    }
  });
}

test("§9.8 the signal aborts while main is blocked inside its finally: that await's signal aborts, the frame closes there (inner and outer finally blocks run, the rest of the block does not)", async () => {
  const ev: string[] = [];
  const ac = new AbortController();
  const stop = new Error("stop");
  const main = cleanupProgram("main", ev, () => setTimeout(() => ac.abort(stop), 0));
  const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(ev, [
    "main: cleanup starts",
    "main: cleanup's signal aborted",
    "main: inner finally",
    "main: outer finally",
  ]);
});

test("§9.8 the same for a task (R9 cancels it), and a finally block that starts during the finalization: its await throws TaskCancelledError and the block goes on", async () => {
  const ev: string[] = [];
  const ac = new AbortController();
  const stop = new Error("stop");
  const task = cleanupProgram("task", ev, () => setTimeout(() => ac.abort(stop), 0));
  const late = cleanupProgram("main", ev, () => {}, 10_000); // still in its body when the abort comes
  const main = program(function* main() {
    yield* spawn(task());
    return yield* late();
  });
  const r = await runAsync(main, { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.deepEqual(ev, [
    "task: cleanup starts",
    // the run's abort aborts the signals of the awaits in flight at once, before any finally runs
    "task: cleanup's signal aborted",
    // main is finalized first, inside its body's delay: its cleanup starts during the finalization,
    // where its await throws at once (its thunk is not called) and the block goes on
    "main: cleanup starts",
    "main: caught TaskCancelledError",
    "main: inner finally",
    "main: end of the cleanup",
    "main: outer finally",
    // then R9 cancels the task, blocked inside its cleanup: closed at that call
    "task: inner finally",
    "task: outer finally",
  ]);
});

const zeroDelays = fn(function* zeroDelays(n: number, every: number) {
  let done = 0;
  for (let i = 0; i < n; i++) {
    done++;
    if (i % every === 0) yield* delay(0); // let the other ready tasks run
  }
  return done;
});

test("§10 a finite batch of zero delays inside a timeout is taken for a stuck clock after 100,000 rounds (its deadline is a timer due later); yielding every 10th item, it ends", () => {
  const perItem = run(timeout(zeroDelays(150_000, 1), 1000), { handlers: [scheduler, simulatedTime()] });
  assert.ok(perItem.error instanceof DoeffError);
  assert.match(
    perItem.error.message,
    /^virtual time is stuck at 0 ms: timers fired at that instant 100000 times in a row/,
  );
  const batched = run(timeout(zeroDelays(150_000, 10), 1000), { handlers: [scheduler, simulatedTime()] });
  assert.equal(batched.value, 150_000);
});

test("§10 tasks that are always ready while main waits for a promise no one completes: runAsync + simulatedTime() with a signal stops it, and its report shows each task's loop", async () => {
  const spin = fn(function* spin() {
    for (;;) yield* delay(0);
  });
  const main = program(function* main() {
    yield* spawn(spin());
    yield* spawn(spin());
    const p = yield* createPromise<number>();
    return yield* wait(p.future);
  });
  const r = await runAsync(main, {
    handlers: [scheduler, simulatedTime()],
    signal: AbortSignal.timeout(100),
  });
  assert.equal((r.error as DOMException).name, "TimeoutError");
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(1, 4), [
    "where the run was when its signal aborted it (outermost first):",
    "  main",
    "  blocked in wait(a promise)",
  ]);
  // each task in its loop: one section when both were at the same point (both blocked in their
  // delay, or both ready), else a section each — where the signal landed, which real time decides
  const rest = lines.slice(4, -1).join("\n");
  assert.ok(
    /^ {2}── in tasks 1, 2 ──\n {2}spin(\n|$)/.test(rest) ||
      /^ {2}── in task 1 ──\n {2}spin\n[\s\S]*\n {2}── in task 2 ──\n {2}spin(\n|$)/.test(rest),
    rest,
  );
});
