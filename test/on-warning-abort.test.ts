/**
 * An `async` onWarning hook whose promise hangs (a tracker that does not answer) and the run's
 * signal: runAsync's result waits for the hook's promises, but once the signal has aborted (a
 * shutdown, a client gone) only up to the run option `settle` ms (0: not at all). Before, such a
 * run never settled: runMain's SIGTERM left the process waiting until a second signal, and a
 * server's per-request run held its request for ever. Each promise not waited for is a warning.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DoeffError, delay, program, realTime, runAsync, scheduler, spawn } from "../src/index.js";

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const never = () => new Promise<void>(() => {});
const TASK = "task 1 failed and nothing waited for it";

/** Task 1 fails at once with nothing waiting for it; main waits `ms` ms. */
const main = (ms: number) =>
  program(function* () {
    yield* spawn(
      program(function* () {
        throw new Error("bg");
      }),
    );
    yield* delay(ms);
    return "done";
  });

const notWaited = (after: string) =>
  `the promise the run option onWarning returned had not settled ${after} the run's signal aborted: the result did not wait for it (give the hook's own call a timeout: AbortSignal.timeout(ms))`;
const WHERE = `the run option onWarning returned a promise (called for: ${TASK})`;

test("a run aborted while its onWarning hook's promise hangs: the result comes, with a warning naming the call", async () => {
  const controller = new AbortController();
  const calls: string[] = [];
  const reason = new Error("shutdown");
  const result = runAsync(main(60_000), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    onWarning: (e, { status }) => {
      calls.push(`${status} ${messageOf(e)}`);
      if (status === "provisional") controller.abort(reason); // (the hook's call is in flight)
      return never();
    },
  });
  const r = await result;
  assert.equal(r.ok, false);
  assert.equal(r.error, reason);
  assert.deepEqual(calls, ["provisional bg", "final bg"]);
  assert.deepEqual(
    r.warnings.map((w) => [w instanceof DoeffError, messageOf(w)]),
    [
      [false, "bg"],
      [true, notWaited("when")],
      [true, notWaited("when")],
    ],
  );
  assert.deepEqual(
    r
      .format()
      .split("\n")
      .filter((l) => l.startsWith("the run option onWarning returned")),
    [`${WHERE}: DoeffError: ${notWaited("when")}`, `${WHERE}: DoeffError: ${notWaited("when")}`],
  );
});

test("a run that ended ok while its hook's promise hangs: the signal aborting after its end lets the result come", async () => {
  const controller = new AbortController();
  let hooked = 0;
  const result = runAsync(main(1), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    onWarning: (_e, { status }) => {
      hooked++;
      // the last call is made as the run ends: abort once the result waits for the hooks
      if (status === "final") setTimeout(() => controller.abort(new Error("SIGTERM")), 0);
      return never();
    },
  });
  const r = await result;
  assert.equal(r.ok, true);
  assert.equal(r.value, "done");
  assert.equal(hooked, 2);
  assert.deepEqual(r.warnings.map(messageOf), ["bg", notWaited("when"), notWaited("when")]);
});

test("with settle, an aborted run waits up to settle ms for a hook's promise that hangs, then says so", async () => {
  const controller = new AbortController();
  const r = await runAsync(main(60_000), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    settle: 30,
    onWarning: (_e, { status }) => {
      if (status === "provisional") setTimeout(() => controller.abort(new Error("shutdown")), 0);
      return never();
    },
  });
  assert.equal(messageOf(r.error), "shutdown");
  assert.deepEqual(r.warnings.map(messageOf), ["bg", notWaited("30 ms after"), notWaited("30 ms after")]);
});

test("with settle, an aborted run waits for its hook's promises that settle in time: their rejection is kept, no warning for them", async () => {
  const controller = new AbortController();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    let fail!: (e: Error) => void;
    const result = runAsync(main(60_000), {
      handlers: [scheduler, realTime],
      signal: controller.signal,
      settle: 600_000, // (not reached: the hook's promises settle first)
      onWarning: (_e, { status }) => {
        if (status === "final") return new Promise<void>((_, reject) => (fail = reject));
        setTimeout(() => controller.abort(new Error("shutdown")), 0);
        return Promise.resolve();
      },
    });
    // the run is aborted, the final call made, its promise pending: the result waits for it
    await new Promise((resolve) => setTimeout(resolve, 20));
    fail(new Error("tracker down"));
    const r = await result;
    assert.equal(messageOf(r.error), "shutdown");
    assert.deepEqual(r.warnings.map(messageOf), ["bg", "tracker down"]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("a hook's promise that rejects after the result came: not on that result, never unhandled", async () => {
  const controller = new AbortController();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const rejects: ((e: Error) => void)[] = [];
    const r = await runAsync(main(60_000), {
      handlers: [scheduler, realTime],
      signal: controller.signal,
      onWarning: () => {
        setTimeout(() => controller.abort(new Error("shutdown")), 0);
        return new Promise<void>((_, reject) => rejects.push(reject));
      },
    });
    const before = r.warnings.map(messageOf);
    assert.deepEqual(before, ["bg", notWaited("when"), notWaited("when")]);
    for (const reject of rejects) reject(new Error("tracker down"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(r.warnings.map(messageOf), before);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
