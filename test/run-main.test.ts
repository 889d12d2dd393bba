/**
 * doeff/node's runMain: signals wired to the run's signal, the report, the exit code, the listeners
 * removed, bad input refused — in this process (signals sent with process.emit) and in child
 * processes sent real signals (test/fixtures/run-main-child.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import {
  delay,
  fn,
  program,
  pure,
  realTime,
  RunResult,
  runAsync,
  scheduler,
  spawn as spawnTask,
} from "../src/index.js";
import { InterruptError, runMain } from "../src/node/index.js";

const root = new URL("..", import.meta.url).pathname;

let saved: typeof process.exitCode;
let stderr: string[];
let realWrite: typeof process.stderr.write;
beforeEach(() => {
  saved = process.exitCode;
  process.exitCode = undefined;
  stderr = [];
  realWrite = process.stderr.write;
  process.stderr.write = ((s: string) => {
    stderr.push(String(s));
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = realWrite;
  process.exitCode = saved;
});

const listeners = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

/** A run that waits in `delay` until interrupted, recording its cleanup. */
function waiting(events: string[]) {
  return program(function* () {
    try {
      events.push("started");
      yield* delay(60_000);
      return "never";
    } finally {
      events.push("finally");
    }
  });
}

test("runMain: SIGINT aborts the run with an InterruptError; finally blocks run; exit code 130; nothing printed", async () => {
  const before = listeners();
  const events: string[] = [];
  const reports: [boolean, number][] = [];
  const done = runMain((signal) => runAsync(waiting(events), { handlers: [scheduler, realTime], signal }), {
    report: (r, code) => reports.push([r.ok, code]),
  });
  assert.deepEqual(listeners(), [before[0]! + 1, before[1]! + 1]);
  await new Promise((r) => setTimeout(r, 10));
  process.emit("SIGINT", "SIGINT");
  const r = await done;
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof InterruptError);
  assert.equal((r.error as InterruptError).signal, "SIGINT");
  assert.equal((r.error as InterruptError).message, "interrupted by SIGINT");
  assert.equal((r.error as InterruptError).name, "InterruptError");
  assert.deepEqual(events, ["started", "finally"]);
  assert.deepEqual(reports, [[false, 130]]);
  assert.equal(process.exitCode, 130);
  assert.deepEqual(listeners(), before);
});

test("runMain: SIGTERM gives exit code 143; the default report prints nothing for an interruption", async () => {
  const events: string[] = [];
  const done = runMain((signal) => runAsync(waiting(events), { handlers: [scheduler, realTime], signal }));
  await new Promise((r) => setTimeout(r, 10));
  process.emit("SIGTERM", "SIGTERM");
  const r = await done;
  assert.equal((r.error as InterruptError).signal, "SIGTERM");
  assert.equal(process.exitCode, 143);
  assert.deepEqual(stderr, []);
});

test("runMain: an ok run leaves the exit code alone and prints nothing; its value is the result's", async () => {
  const r = await runMain((signal) => runAsync(pure(42), { signal }));
  assert.ok(r instanceof RunResult);
  assert.equal(r.value, 42);
  assert.equal(process.exitCode, undefined);
  assert.deepEqual(stderr, []);
});

test("runMain: a failed run prints its format() (the traceback) to stderr and sets exit code 1", async () => {
  const boom = new Error("boom");
  const failing = fn(function* failing() {
    yield* delay(1);
    throw boom;
  });
  const r = await runMain((signal) => runAsync(failing(), { handlers: [scheduler, realTime], signal }));
  assert.equal(r.error, boom);
  assert.equal(process.exitCode, 1);
  assert.deepEqual(stderr, [`${r.format()}\n`]);
  assert.match(stderr[0]!, /Error: boom/);
  assert.match(stderr[0]!, /failing/);
});

test("runMain: an ok run with errors beside its outcome prints those (not the value); exit code 0", async () => {
  const main = program(function* () {
    yield* spawnTask(
      program(function* () {
        throw new Error("lost");
      }),
    );
    return 1;
  });
  const r = await runMain((signal) => runAsync(main, { handlers: [scheduler], signal }));
  assert.equal(r.value, 1);
  assert.equal(r.warnings.length, 1);
  assert.equal(process.exitCode, undefined);
  assert.equal(stderr.length, 1);
  assert.ok(stderr[0]!.startsWith("── 1 error beside the outcome (RunResult.warnings) ──\n"), stderr[0]);
  assert.doesNotMatch(stderr[0]!, /Ok: 1/);
});

test("runMain: report false prints nothing; signals [] installs no listener", async () => {
  const before = listeners();
  const done = runMain(
    (signal) => {
      assert.deepEqual(listeners(), before);
      return runAsync(
        program(function* () {
          throw new Error("quiet");
        }),
        { signal },
      );
    },
    { report: false, signals: [] },
  );
  const r = await done;
  assert.equal((r.error as Error).message, "quiet");
  assert.deepEqual(stderr, []);
  assert.equal(process.exitCode, 1);
});

test("runMain: an error thrown by start rejects runMain with it, listeners removed, exit code untouched", async () => {
  const before = listeners();
  const e = new Error("no config");
  await assert.rejects(
    runMain(() => {
      throw e;
    }),
    (x) => x === e,
  );
  // runAsync's own refusal (an unknown option) comes back the same way
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a bad option on purpose
    runMain((signal) => runAsync(pure(1), { signal, retries: 3 } as any)),
    (x) => x instanceof TypeError && /unknown run option "retries"/.test(x.message),
  );
  assert.deepEqual(listeners(), before);
  assert.equal(process.exitCode, undefined);
});

test("runMain: bad input is a TypeError saying what to write", async () => {
  const main = program(function* () {
    return 1;
  });
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: the mistake under test
    runMain(main as any),
    {
      name: "TypeError",
      message:
        "runMain takes a function that starts the run, (signal) => runAsync(main(), { handlers, signal }), got Program object",
    },
  );
  const made = fn(function* made() {
    return 1;
  });
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: an fn program's maker given as start
    runMain(made as any),
    (x) =>
      x instanceof TypeError &&
      x.message.startsWith(
        "the function given to runMain must return runAsync(…)'s promise of a RunResult, got ",
      ) &&
      x.message.endsWith("(it returned a program: return runAsync(program, { handlers, signal }) instead)"),
  );
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: an unknown option on purpose
    runMain((signal) => runAsync(pure(1), { signal }), { handlers: [] } as any),
    {
      name: "TypeError",
      message:
        'unknown runMain option "handlers"; the options are signals, report and exit (run options such as handlers go to runAsync, in the function given to runMain)',
    },
  );
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a bad signal name on purpose
    runMain((signal) => runAsync(pure(1), { signal }), { signals: ["SIGNOPE"] } as any),
    {
      name: "TypeError",
      message:
        'runMain option signals must be an array of signal names (e.g. ["SIGINT", "SIGTERM"]), got signals[0] "SIGNOPE"',
    },
  );
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a bad report on purpose
    runMain((signal) => runAsync(pure(1), { signal }), { report: "stderr" } as any),
    {
      name: "TypeError",
      message: 'runMain option report must be a function (result, exitCode) => void or false, got "stderr"',
    },
  );
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a bad exit on purpose
    runMain((signal) => runAsync(pure(1), { signal }), { exit: 1 } as any),
    { name: "TypeError", message: "runMain option exit must be true or false, got 1" },
  );
  assert.equal(process.exitCode, undefined);
});

test("runMain: a signal listed twice is one signal: the first delivery aborts the run, it does not exit", async () => {
  const exits: unknown[] = [];
  const realExit = process.exit;
  process.exit = ((code?: number) => {
    exits.push(code);
  }) as typeof process.exit;
  try {
    const before = listeners();
    const events: string[] = [];
    const done = runMain((signal) => runAsync(waiting(events), { handlers: [scheduler, realTime], signal }), {
      signals: ["SIGINT", "SIGINT"],
    });
    assert.deepEqual(listeners(), [before[0]! + 1, before[1]!]);
    await new Promise((r) => setTimeout(r, 10));
    process.emit("SIGINT", "SIGINT");
    const r = await done;
    assert.equal((r.error as InterruptError).signal, "SIGINT");
    assert.deepEqual(events, ["started", "finally"]);
    assert.deepEqual(exits, []);
    assert.deepEqual(stderr, []);
    assert.equal(process.exitCode, 130);
    assert.deepEqual(listeners(), before);
  } finally {
    process.exit = realExit;
  }
});

test("runMain: SIGKILL or SIGSTOP in signals is a TypeError saying it cannot be caught; no listener is left", async () => {
  const before = listeners();
  let started = 0;
  const start = (signal: AbortSignal) => {
    started++;
    return runAsync(pure(1), { signal });
  };
  await assert.rejects(runMain(start, { signals: ["SIGINT", "SIGKILL"] }), {
    name: "TypeError",
    message:
      "runMain option signals: signals[1] SIGKILL cannot be caught by a process (no listener can be installed for it); leave it out",
  });
  await assert.rejects(runMain(start, { signals: ["SIGSTOP"] }), {
    name: "TypeError",
    message:
      "runMain option signals: signals[0] SIGSTOP cannot be caught by a process (no listener can be installed for it); leave it out",
  });
  assert.equal(started, 0);
  assert.deepEqual(listeners(), before);
  assert.equal(process.exitCode, undefined);
});

test("runMain: an ok run after a SIGINT it did not stop for exits 130, the report says why; its value is kept", async () => {
  const reports: [boolean, unknown, number][] = [];
  // the run is not given the signal: it finishes its work after the Ctrl-C
  const slow = program(function* () {
    yield* delay(30);
    return "done";
  });
  const done = runMain(() => runAsync(slow, { handlers: [scheduler, realTime] }), {
    report: (r, code) => reports.push([r.ok, r.value, code]),
  });
  await new Promise((r) => setTimeout(r, 5));
  process.emit("SIGINT", "SIGINT");
  const r = await done;
  assert.equal(r.ok, true);
  assert.equal(r.value, "done");
  assert.deepEqual(reports, [[true, "done", 130]]);
  assert.equal(process.exitCode, 130);
  assert.deepEqual(stderr, []);
  // the default report: one line saying why the status is not 0 (SIGTERM: 143)
  const again = runMain(() => runAsync(slow, { handlers: [scheduler, realTime] }));
  await new Promise((r) => setTimeout(r, 5));
  process.emit("SIGTERM", "SIGTERM");
  assert.equal((await again).value, "done");
  assert.equal(process.exitCode, 143);
  assert.deepEqual(stderr, [
    "doeff: SIGTERM received, but the run ended ok: it did not stop for the signal (its outcome was decided already, or runAsync was not given runMain's signal); exit code 143, as for an interrupted run\n",
  ]);
});

test("runMain: a report that throws rejects runMain with its error; the exit code is the run's already", async () => {
  const e = new Error("report failed");
  const failing = program(function* () {
    throw new RangeError("run failed");
  });
  const seen: [string, number][] = [];
  await assert.rejects(
    runMain((signal) => runAsync(failing, { signal }), {
      report: (r, code) => {
        seen.push([String(r.error), code]);
        throw e;
      },
    }),
    (x) => x === e,
  );
  assert.deepEqual(seen, [["RangeError: run failed", 1]]);
  assert.equal(process.exitCode, 1);
  assert.deepEqual(stderr, []);
});

/** Run test/fixtures/run-main-child.ts with `mode`; send `signals` once it printed "ready". */
function child(
  mode: string,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "test/fixtures/run-main-child.ts"), mode],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    let sent = false;
    p.stdout.on("data", (d: Buffer) => {
      out += d;
      if (!sent && out.includes("ready\n")) {
        sent = true;
        // each signal once the previous one was seen ("got SIGINT" lines come from the child's finally)
        let i = 0;
        const next = (): void => {
          const s = signals[i++];
          if (s === undefined) return;
          p.kill(s);
          setTimeout(next, 300);
        };
        next();
      }
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    p.on("error", reject);
    p.on("exit", (code) => resolve({ code, out, err }));
  });
}

test("runMain in a process: a real SIGINT runs the cleanup and exits 130", async () => {
  const r = await child("wait", ["SIGINT"]);
  assert.equal(r.err, "");
  assert.equal(r.out, "ready\nfinally\nresult: InterruptError SIGINT\n");
  assert.equal(r.code, 130);
});

test("runMain in a process: a second SIGINT while the run waits to settle exits 130 at once, saying so", async () => {
  const r = await child("hang", ["SIGINT", "SIGINT"]);
  assert.equal(r.out, "ready\nfinally\n");
  assert.equal(r.err, "doeff: SIGINT again: exiting without waiting for the run's cleanup\n");
  assert.equal(r.code, 130);
});

test("runMain in a process: exit: true ends a process a leftover handle would keep alive, with the run's code", async () => {
  const r = await child("exit", []);
  assert.equal(r.out, "ready\n");
  assert.match(r.err, /^doeff traceback \(outermost first\):\n/);
  assert.match(r.err, /\nError: failed on purpose\n$/);
  assert.equal(r.code, 1);
});

test("runMain in a process: exit: true after an ok run keeps the process.exitCode the program set", async () => {
  const r = await child("exit-code", []);
  assert.equal(r.out, "ready\n");
  assert.equal(r.err, "");
  assert.equal(r.code, 3);
});

test("runMain in a process: a run that ends ok after a real SIGINT it ignored exits 130, saying why", async () => {
  const r = await child("ignore", ["SIGINT"]);
  assert.equal(r.out, "ready\nresult: ok done\n");
  assert.equal(
    r.err,
    "doeff: SIGINT received, but the run ended ok: it did not stop for the signal (its outcome was decided already, or runAsync was not given runMain's signal); exit code 130, as for an interrupted run\n",
  );
  assert.equal(r.code, 130);
});

test("runMain in a process: a run left waiting for a promise nothing will settle is stopped when the event loop empties, with its report and exit code 1", async () => {
  const r = await child("stall", []);
  assert.equal(
    r.out,
    "ready\nfinally\nresult: DoeffError: the run was stopped by runMain: Node's event loop is empty while the run waits, so what it waits for can never come (an awaitPromise whose promise nothing will settle, an external promise nobody completes), and the process would have exited with the run unfinished\n",
  );
  assert.equal(
    r.err,
    [
      "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
      "where the run was when its signal aborted it (outermost first):",
      "  main",
      "  blocked in wait(task 1)",
      "  ── in task 1 ──",
      "  fetchConfig",
      "  blocked in awaitPromise(…)",
      "DoeffError: the run was stopped by runMain: Node's event loop is empty while the run waits, so what it waits for can never come (an awaitPromise whose promise nothing will settle, an external promise nobody completes), and the process would have exited with the run unfinished",
      "",
    ].join("\n"),
  );
  assert.equal(r.code, 1); // (it exited 13, or 0 without a top-level await, saying nothing)
});

test("runMain in a process: the same run not given runMain's signal cannot be stopped: the process exits 1, saying so", async () => {
  const r = await child("stall-unsignalled", []);
  assert.equal(r.out, "ready\n");
  assert.equal(
    r.err,
    "doeff: the process is exiting with the run unfinished: the event loop is empty while it waits, and runAsync was not given runMain's signal (or its cleanup waits for a promise nothing will settle)\n",
  );
  assert.equal(r.code, 1);
});
