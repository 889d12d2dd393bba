/**
 * doeff/node's runMain as a consumer types it: the result keeps runAsync's value type, the options
 * are checked (signal names are Node's), and a program where the starting function goes is an error.
 */
import { program, type RunResult, realTime, runAsync, scheduler } from "../../../src/index.js";
import { InterruptError, type RunMainOptions, runMain } from "../../../src/node/index.js";

const main = program(function* () {
  return 1;
});

export const result: Promise<RunResult<number>> = runMain((signal) =>
  runAsync(main, { handlers: [scheduler, realTime], signal }),
);
export const options: RunMainOptions = {
  signals: ["SIGINT", "SIGHUP"],
  exit: false,
  report: (r, code) => {
    if (!r.ok && code === 1) console.error(r.format());
  },
};
export const quiet: RunMainOptions = { report: false, signals: [] };
export const signalOf = (e: unknown): NodeJS.Signals | null =>
  e instanceof InterruptError ? e.signal : null;

// @ts-expect-error: a program is not the function that starts the run
runMain(main);
// @ts-expect-error: not a signal's name
export const badSignal: RunMainOptions = { signals: ["SIGNOPE"] };
// @ts-expect-error: run options go to runAsync, in the function given to runMain
export const badOption: RunMainOptions = { handlers: [scheduler] };
