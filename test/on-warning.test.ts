/**
 * The run option `onWarning` (run/options.ts): each error no program can receive is told as it
 * becomes known, while the run goes on, in the order it goes on `RunResult.warnings`; a spawned
 * task's error that nothing waits for yet is told "provisional" at once, then "retracted" when a
 * program receives it or "final" when the run ends. A throwing hook is a warning itself. Same under
 * run and runAsync; an aborted run's warnings too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  awaitPromise,
  cancel,
  Delay,
  delay,
  fn,
  observe,
  program,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  TaskCancelledError,
  wait,
  type WarningInfo,
} from "../src/index.js";

const failing = fn(function* failing(ms: number, message: string) {
  yield* delay(ms);
  throw new Error(message);
});

/** Waits `ms`; its finally block throws `message`. */
const leaky = fn(function* leaky(ms: number, message: string) {
  try {
    yield* delay(ms);
  } finally {
    // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
    throw new Error(message);
  }
});

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A hook writing `status where: message` lines into `events`, beside the program's own lines. */
function recorder() {
  const events: string[] = [];
  const hook = (error: unknown, info: WarningInfo) => {
    events.push(`${info.status} ${info.where}: ${messageOf(error)}`);
  };
  return { events, hook };
}

/**
 * Tasks 1 and 2 fail with nothing waiting, task 3 is cancelled and its finally block throws, an
 * observe callback throws on a Delay (final at once); main then waits for tasks 2 and 3, which
 * takes their warnings back. Task 1's error is the one left when the run ends. Main waits `mainMs` ms
 * for the failures of 1 and 2 ms: under realTime the tasks register their delays after main's (they
 * start when main blocks), so on a loaded machine 5 ms was not always enough (main woke first).
 */
function scenario(events: string[], mainMs = 5) {
  return program(function* () {
    yield* spawn(failing(1, "a"));
    const b = yield* spawn(failing(2, "b"));
    const c = yield* spawn(leaky(60_000, "c"));
    yield* delay(mainMs);
    events.push("main: both failed");
    yield* cancel(c);
    events.push("main: cancelled task 3");
    const rb = yield* safe(wait(b));
    events.push(`main: received ${messageOf(rb.ok ? null : rb.error)}`);
    const rc = yield* safe(wait(c));
    const cause = !rc.ok && rc.error instanceof TaskCancelledError ? rc.error.cause : null;
    events.push(`main: received the cause ${messageOf(cause)}`);
    return "done";
  });
}

const throwingObserver = (ms = 5) =>
  observe([Delay], (d) => {
    if (d.ms === ms) throw new Error("observer");
    return undefined;
  });

const EXPECTED = [
  "final observe's callback for Delay threw: observer",
  "provisional task 1 failed and nothing waited for it: a",
  "provisional task 2 failed and nothing waited for it: b",
  "main: both failed",
  "provisional a finally block of task 3 threw while it was cancelled: c",
  "main: cancelled task 3",
  "retracted task 2 failed and nothing waited for it: b",
  "main: received b",
  "retracted a finally block of task 3 threw while it was cancelled: c",
  "main: received the cause c",
  "final task 1 failed and nothing waited for it: a",
];

test("onWarning under run: told as each warning is made, provisional ones retracted or made final, in order", () => {
  const { events, hook } = recorder();
  const r = run(scenario(events), {
    handlers: [scheduler, simulatedTime(), throwingObserver()],
    onWarning: hook,
  });
  assert.equal(r.value, "done");
  assert.deepEqual(events, EXPECTED);
  // what was told final is exactly RunResult.warnings, in its order
  assert.deepEqual(r.warnings.map(messageOf), ["observer", "a"]);
  assert.equal(events.filter((e) => e.startsWith("final")).length, r.warnings.length);
});

test("onWarning under runAsync: the same calls in the same order", async () => {
  const { events, hook } = recorder();
  const r = await runAsync(scenario(events, 300), {
    handlers: [scheduler, realTime, throwingObserver(300)],
    onWarning: hook,
  });
  assert.equal(r.value, "done");
  assert.deepEqual(events, EXPECTED);
  assert.deepEqual(r.warnings.map(messageOf), ["observer", "a"]);
});

test("onWarning: the final call for a task's failure comes with doeff's traceback attached", () => {
  let trace: unknown;
  const r = run(
    program(function* () {
      yield* spawn(failing(1, "a"));
      yield* delay(2);
    }),
    {
      handlers: [scheduler, simulatedTime()],
      onWarning: (e, { status }) => {
        if (status === "final") trace = (e as { doeffTrace?: unknown }).doeffTrace;
      },
    },
  );
  assert.equal(r.ok, true);
  assert.equal(typeof trace, "string");
  assert.match(trace as string, /failing/);
  assert.equal(trace, (r.warnings[0] as { doeffTrace?: unknown }).doeffTrace);
});

test("onWarning: the provisional call for a task's failure has the traceback on the error already (a long-lived run logs it then)", () => {
  const seen: [string, unknown][] = [];
  const r = run(
    program(function* () {
      yield* spawn(failing(1, "a"));
      yield* delay(2);
    }),
    {
      handlers: [scheduler, simulatedTime()],
      onWarning: (e, { status }) => {
        seen.push([status, (e as { doeffTrace?: unknown }).doeffTrace]);
      },
    },
  );
  assert.equal(r.ok, true);
  const final = (r.warnings[0] as { doeffTrace?: unknown }).doeffTrace;
  assert.equal(typeof final, "string");
  // told twice, provisional (at the failure) and final (at the run's end), with the same traceback
  assert.deepEqual(seen, [
    ["provisional", final],
    ["final", final],
  ]);
});

test("a long-running runAsync: the hook hears of a failed unawaited task while main is still waiting", async () => {
  let release!: () => void;
  const stop = new Promise<void>((resolve) => {
    release = resolve;
  });
  let heard!: (x: [string, string, string]) => void;
  const told = new Promise<[string, string, string]>((resolve) => {
    heard = resolve;
  });
  let mainEnded = false;
  const server = program(function* () {
    yield* spawn(failing(1, "background job failed"));
    yield* awaitPromise(() => stop); // a server: returns only at shutdown
    mainEnded = true;
    return "shut down";
  });
  const calls: string[] = [];
  const result = runAsync(server, {
    handlers: [scheduler, realTime],
    onWarning: (e, { where, status }) => {
      calls.push(status);
      heard([status, where, messageOf(e)]);
    },
  });
  // resolved from the hook while main still waits for `stop`
  assert.deepEqual(await told, [
    "provisional",
    "task 1 failed and nothing waited for it",
    "background job failed",
  ]);
  assert.equal(mainEnded, false);
  assert.deepEqual(calls, ["provisional"]);
  release();
  const r = await result;
  assert.equal(r.value, "shut down");
  assert.deepEqual(calls, ["provisional", "final"]);
  assert.deepEqual(r.warnings.map(messageOf), ["background job failed"]);
});

test("a hook that throws does not break the run: its error is a warning of its own, not told to it", async () => {
  const calls: string[] = [];
  const hook = (e: unknown, { status }: WarningInfo) => {
    calls.push(`${status} ${messageOf(e)}`);
    throw new Error(`hook failed on ${messageOf(e)}`);
  };
  // (under realTime main waits 300 ms, not 5: task 1 registers its delay after main's, see scenario)
  const main = (wait: number) =>
    program(function* () {
      yield* spawn(failing(1, "a"));
      yield* delay(wait);
      return "done";
    });
  for (const r of [
    run(main(5), { handlers: [scheduler, simulatedTime(), throwingObserver()], onWarning: hook }),
    await runAsync(main(300), {
      handlers: [scheduler, realTime, throwingObserver(300)],
      onWarning: hook,
    }),
  ]) {
    assert.equal(r.value, "done");
    // main's delay(5) is observed before task 1 runs; the hook's errors follow what it was told
    assert.deepEqual(r.warnings.map(messageOf), [
      "observer",
      "hook failed on observer",
      "a",
      "hook failed on a", // its "provisional" call
      "hook failed on a", // its "final" call, as the run ends
    ]);
    const lines = r.format().split("\n");
    assert.ok(
      lines.includes(
        "the run option onWarning threw (called for: task 1 failed and nothing waited for it): Error: hook failed on a",
      ),
      r.format(),
    );
  }
  assert.deepEqual(calls, [
    "final observer",
    "provisional a",
    "final a",
    "final observer",
    "provisional a",
    "final a",
  ]);
});

test("an aborted run: the finally blocks' errors are told final as they are made, before the result", async () => {
  const controller = new AbortController();
  const events: string[] = [];
  const main = program(function* () {
    yield* spawn(leaky(10_000, "task cleanup"));
    try {
      yield* awaitPromise(() => new Promise(() => {}));
    } finally {
      events.push("main: finally");
      // biome-ignore lint/correctness/noUnsafeFinally: the point of the test
      throw new Error("main cleanup");
    }
  });
  const result = runAsync(main, {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    onWarning: (e, { status, where }) => events.push(`${status} ${where}: ${messageOf(e)}`),
  });
  setTimeout(() => controller.abort(new Error("shutdown")), 5);
  const r = await result;
  assert.equal(messageOf(r.error), "shutdown");
  events.push("result");
  assert.deepEqual(r.warnings.map(messageOf), ["main cleanup", "task cleanup"]);
  assert.deepEqual(events, [
    "main: finally",
    "final a finally block of the main task threw while the run was aborted: main cleanup",
    "final a finally block of task 1 threw while it was cancelled: task cleanup",
    "result",
  ]);
});

test("run option onWarning: anything but a function is a TypeError naming it and what to pass", async () => {
  const main = program(function* () {
    return 1;
  });
  const message = "run option onWarning must be a function (error, { where, status }) => void, got 5";
  assert.throws(() => run(main, { onWarning: 5 as never }), { name: "TypeError", message });
  await assert.rejects(runAsync(main, { onWarning: 5 as never }), { name: "TypeError", message });
  assert.throws(() => run(main, { onWarnings: () => {} } as never), {
    name: "TypeError",
    message:
      'unknown run option "onWarnings"; the options are handlers, env, store, trace, signal, onWarning and settle',
  });
  assert.equal(run(main, { onWarning: undefined as never }).value, 1); // (as for an absent option)
  // a run without warnings never calls it
  let called = 0;
  assert.equal(run(main, { onWarning: () => called++ }).value, 1);
  assert.equal(called, 0);
});

test("an async hook: runAsync's result waits for its promises; a rejection is a warning, never unhandled", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const sent: string[] = [];
    // a tracker that is down for the task's error, and slow
    const sendToTracker = (e: unknown, status: string) =>
      new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          if (status === "final") sent.push(messageOf(e));
          if (messageOf(e) === "a" && status === "provisional") reject(new Error("tracker down"));
          else resolve();
        }, 20),
      );
    const main = program(function* () {
      yield* spawn(failing(1, "a"));
      yield* delay(300); // (not 5: task 1 registers its delay after main's, see scenario)
      return "done";
    });
    const r = await runAsync(main, {
      handlers: [scheduler, realTime, throwingObserver(300)],
      onWarning: async (e, { status }) => await sendToTracker(e, status),
    });
    assert.equal(r.value, "done");
    // every report was sent when the result came (a process may exit then)
    assert.deepEqual(sent, ["observer", "a"]);
    assert.deepEqual(r.warnings.map(messageOf), ["observer", "a", "tracker down"]);
    assert.ok(
      r
        .format()
        .includes(
          "the run option onWarning threw (called for: task 1 failed and nothing waited for it): Error: tracker down",
        ),
      r.format(),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("an async hook under run: told once on the warnings that run cannot wait for it, never unhandled", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const main = program(function* () {
      yield* spawn(failing(1, "a"));
      yield* delay(5);
      return "done";
    });
    const r = run(main, {
      handlers: [scheduler, simulatedTime(), throwingObserver()],
      onWarning: async () => {
        throw new Error("tracker down");
      },
    });
    assert.deepEqual(r.warnings.map(messageOf), [
      "observer",
      "run cannot wait for the promise the run option onWarning returned (its rejection is ignored): use runAsync, or a hook that returns nothing",
      "a",
    ]);
    assert.ok(r.warnings[1] instanceof TypeError);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(unhandled, []);
    assert.equal(r.warnings.length, 3); // (nothing added after the result)
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("the first call for each warning comes in the order of RunResult.warnings; a provisional one's final as the run ends", () => {
  const { events, hook } = recorder();
  const main = program(function* () {
    yield* spawn(failing(1, "a"));
    yield* delay(2);
    yield* delay(5); // the observer throws here, after task 1's provisional warning
    return "done";
  });
  const r = run(main, { handlers: [scheduler, simulatedTime(), throwingObserver()], onWarning: hook });
  assert.deepEqual(r.warnings.map(messageOf), ["a", "observer"]);
  assert.deepEqual(events, [
    "provisional task 1 failed and nothing waited for it: a",
    "final observe's callback for Delay threw: observer",
    "final task 1 failed and nothing waited for it: a",
  ]);
});
