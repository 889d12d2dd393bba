/// <reference types="node" preserve="true" />
// (kept in the emitted .d.ts: `signals` is typed NodeJS.Signals[]; TypeScript 6+ loads no @types by default)
/**
 * `runMain(start)`: the entry point of a Node program — a command-line tool, a server, a consumer.
 * What every such program wrote by hand (six of the examples did): an AbortController aborted by
 * SIGINT/SIGTERM and given to `runAsync`, a failed result printed with its traceback, an exit code
 * (1 for a failure, 128 + the signal's number for an interruption, as shells report it), a second
 * Ctrl-C that kills a process whose cleanup hangs, and the listeners removed afterwards.
 *
 * `start` receives the signal and starts the run (`runAsync(main(), { handlers, signal })`), so the
 * run keeps runAsync's own typing and options (handlers, env, settle…): runMain adds nothing between.
 */
import { constants } from "node:os";
import { DoeffError } from "../errors.js";
import { RunResult } from "../run/result.js";
import { describe } from "../vm/brand.js";

/**
 * The reason a run started by {@link runMain} is aborted with when the process receives one of its
 * signals: `result.error` of an interrupted run (its finally blocks ran). `signal` is the signal's name.
 *
 * @example
 * ```ts
 * const result = await runMain((signal) => runAsync(main(), { handlers: [scheduler, realTime], signal }));
 * if (result.error instanceof InterruptError) console.error(`stopped by ${result.error.signal}`);
 * ```
 */
export class InterruptError extends Error {
  /** The signal that interrupted the run, e.g. `"SIGINT"`. */
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = "InterruptError";
    this.signal = signal;
  }
}

/** Options of {@link runMain}. */
export interface RunMainOptions {
  /**
   * The signals that interrupt the run (default `["SIGINT", "SIGTERM"]`; `[]`: none). The first one
   * aborts the run's signal with an {@link InterruptError}; its finally blocks run. The same or
   * another one received again before the run has ended exits the process at once with
   * 128 + that signal's number, without waiting for the cleanup.
   */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * What is printed when the run ends (default: to stderr, a failed run's `format()` — the error with
   * its traceback — and the errors beside the outcome (`RunResult.warnings`) of any run; an
   * interruption alone prints nothing, as a Ctrl-C in a shell does; an ok run after a signal, one
   * line saying why its exit code is 128 + n). A function replaces that (it is given the result and
   * the exit code: an ok result with a code other than 0 is such a run); `false` prints nothing.
   */
  readonly report?: ((result: RunResult<unknown>, exitCode: number) => void) | false;
  /**
   * `false` (the default): set `process.exitCode` (when not 0) and return, so the process exits once
   * nothing holds it open. `true`: call `process.exit(exitCode)` after the report — for a program
   * whose libraries keep handles open (a database pool) after the run has ended. After an ok run
   * that no signal came during, as without `exit`, a `process.exitCode` the program set is the
   * process's status.
   */
  readonly exit?: boolean;
}

const OPTIONS = ["signals", "report", "exit"];

/** What a run stopped because Node's event loop emptied while it waited fails with (see onStall). */
const STALLED =
  "the run was stopped by runMain: Node's event loop is empty while the run waits, so what it waits for can never come (an awaitPromise whose promise nothing will settle, an external promise nobody completes), and the process would have exited with the run unfinished";

/** 128 + the signal's number: the status a shell reports for a process the signal ended (SIGINT 130). */
function statusOf(signal: NodeJS.Signals): number {
  return 128 + ((constants.signals as Record<string, number | undefined>)[signal] ?? 0);
}

function defaultReport(result: RunResult<unknown>, code: number, interrupt?: InterruptError): void {
  const text = result.format();
  if (!result.ok && !(result.error instanceof InterruptError)) {
    process.stderr.write(`${text}\n`);
    return;
  }
  // an ok or interrupted run: only the errors beside the outcome, if any (not the value)
  const i = text.indexOf("\n── ");
  if (i >= 0) process.stderr.write(`${text.slice(i + 1)}\n`);
  // an ok run that a signal did not stop: why its status is not 0 (see `code` in runMain)
  if (result.ok && interrupt !== undefined)
    process.stderr.write(
      `doeff: ${interrupt.signal} received, but the run ended ok: it did not stop for the signal (its outcome was decided already, or runAsync was not given runMain's signal); exit code ${code}, as for an interrupted run\n`,
    );
}

function checkOptions(options: unknown): RunMainOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new TypeError(`runMain options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!OPTIONS.includes(key))
      throw new TypeError(
        `unknown runMain option ${JSON.stringify(key)}; the options are signals, report and exit (run options such as handlers go to runAsync, in the function given to runMain)`,
      );
  const { signals, report, exit } = o;
  if (signals !== undefined) {
    const bad = Array.isArray(signals)
      ? signals.findIndex((s) => typeof s !== "string" || !Object.hasOwn(constants.signals, s))
      : -1;
    if (!Array.isArray(signals) || bad >= 0)
      throw new TypeError(
        `runMain option signals must be an array of signal names (e.g. ["SIGINT", "SIGTERM"]), got ${
          bad >= 0 ? `signals[${bad}] ${describe((signals as unknown[])[bad])}` : describe(signals)
        }`,
      );
    // Node refuses a listener for these (uv_signal_start EINVAL), after the ones before were added
    const uncatchable = signals.findIndex((s) => s === "SIGKILL" || s === "SIGSTOP");
    if (uncatchable >= 0)
      throw new TypeError(
        `runMain option signals: signals[${uncatchable}] ${signals[uncatchable]} cannot be caught by a process (no listener can be installed for it); leave it out`,
      );
  }
  if (report !== undefined && report !== false && typeof report !== "function")
    throw new TypeError(
      `runMain option report must be a function (result, exitCode) => void or false, got ${describe(report)}`,
    );
  if (exit !== undefined && typeof exit !== "boolean")
    throw new TypeError(`runMain option exit must be true or false, got ${describe(exit)}`);
  return o as RunMainOptions;
}

/**
 * Run a program as the process's main: `start(signal)` starts the run — normally
 * `runAsync(main(), { handlers, signal })` — and runMain resolves with its result once the run has
 * ended, after reporting it and setting the exit code: 0 when ok, 1 when failed, 128 + the signal's
 * number when one of `signals` interrupted it (SIGINT 130, SIGTERM 143) — also when the run ended
 * ok after the signal without stopping for it (the value is still the result's; the default report
 * says so on stderr). The promise rejects only if
 * `start` throws or does not give a RunResult (a TypeError saying so), or if `report` throws (the
 * exit code is set already; `exit: true` then does not exit). Its signal listeners are
 * removed when the run ends, so a signal after that has Node's default effect. A run left waiting for
 * something that can never come (Node's event loop emptied: an awaitPromise whose promise nothing
 * will settle) is stopped the same way, with a DoeffError saying so, and exits 1 with its report.
 *
 * @example
 * ```ts
 * import { program, realTime, runAsync, scheduler } from "doeff";
 * import { runMain } from "doeff/node";
 *
 * await runMain((signal) => runAsync(main(), { handlers: [scheduler, realTime], signal }));
 * ```
 */
export async function runMain<T>(
  start: (signal: AbortSignal) => Promise<RunResult<T>> | RunResult<T>,
  options?: RunMainOptions,
): Promise<RunResult<T>> {
  if (typeof start !== "function")
    throw new TypeError(
      `runMain takes a function that starts the run, (signal) => runAsync(main(), { handlers, signal }), got ${describe(start)}`,
    );
  const {
    signals: given = ["SIGINT", "SIGTERM"],
    report = defaultReport,
    exit = false,
  } = checkOptions(options);
  // once each: a signal listed twice would run onSignal twice per delivery, the second call taking
  // the first signal for a second one (an exit at once, without the cleanup)
  const signals = [...new Set(given)];
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      controller.abort(new InterruptError(signal));
      return;
    }
    // a second signal: the cleanup the first one started is taking too long, or hangs
    process.stderr.write(`doeff: ${signal} again: exiting without waiting for the run's cleanup\n`);
    process.exit(statusOf(signal));
  };
  // Node's event loop emptied while the run still waits: what it waits for (an awaitPromise whose
  // promise nothing will settle, an external promise nobody completes) cannot come, and the process
  // would exit now with the run unfinished — with nothing said (code 13 for a top-level await, 0
  // otherwise). Stop it instead, as a signal does: its finally blocks run, and its report says where
  // main and each task waited. A run not given runMain's signal cannot be stopped: that is said.
  let stalls = 0;
  const onStall = (): void => {
    if (stalls++ === 0 && !controller.signal.aborted) {
      controller.abort(new DoeffError(STALLED));
      // (one more turn: a run that heard the abort goes on from there; one that did not leaves the
      // loop empty again, and this is called a second time)
      setImmediate(() => {});
      return;
    }
    process.off("beforeExit", onStall);
    process.stderr.write(
      "doeff: the process is exiting with the run unfinished: the event loop is empty while it waits, and runAsync was not given runMain's signal (or its cleanup waits for a promise nothing will settle)\n",
    );
    // (an interrupted run whose cleanup waits so: the signal's status, as for the interruption)
    const why: unknown = controller.signal.reason;
    process.exitCode = why instanceof InterruptError ? statusOf(why.signal) : 1;
  };
  for (const s of signals) process.on(s, onSignal);
  process.on("beforeExit", onStall);
  let result: unknown;
  try {
    result = await start(controller.signal);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off("beforeExit", onStall);
  }
  if (!(result instanceof RunResult)) {
    const hint =
      typeof result === "object" && result !== null && Symbol.iterator in result
        ? " (it returned a program: return runAsync(program, { handlers, signal }) instead)"
        : "";
    throw new TypeError(
      `the function given to runMain must return runAsync(…)'s promise of a RunResult, got ${describe(result)}${hint}`,
    );
  }
  const r = result as RunResult<T>;
  const interrupt = controller.signal.aborted ? (controller.signal.reason as InterruptError) : undefined;
  // An ok run after a signal (one that did not stop for it: it was not given the signal, or its
  // outcome was decided before the signal came, e.g. while `settle` waited) exits 128 + n too, not
  // 0. The user asked the program to stop, and without runMain's listener Node would have ended the
  // process with that status: taking over the signal must not turn an interruption into a success
  // that `tool && deploy`, `set -e` or a supervisor acts on. The status says "interrupted"; the value
  // is still the result's, and the default report says why the status is not 0. A failed run stays
  // 1 whatever came before: its traceback says more than the signal.
  const code = r.ok
    ? interrupt === undefined
      ? 0
      : statusOf(interrupt.signal)
    : r.error instanceof InterruptError && r.error === interrupt
      ? statusOf(interrupt.signal)
      : 1;
  // the status before the report: a report that throws (rejecting runMain) leaves the run's, not 0
  if (code !== 0) process.exitCode = code;
  if (report === defaultReport) defaultReport(r, code, interrupt);
  else if (report !== false) report(r, code);
  // 0: process.exit() with no argument, which exits with a process.exitCode the program set, as
  // returning does (process.exit(0) would drop it; Node 20 reads process.exit(undefined) as 0 too)
  if (exit) code === 0 ? process.exit() : process.exit(code);
  return r;
}
