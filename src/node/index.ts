/**
 * doeff/node — a Node program's entry point: `runMain` runs it with Ctrl-C (SIGINT) and SIGTERM
 * wired to the run's signal, reports a failure with its traceback and sets the exit code. Import from
 * "doeff/node"; the core "doeff" entry never loads this module (it runs in browsers too). See
 * docs/cookbook.md ("Cancelling a run from a signal").
 *
 * @module doeff/node
 */
export { InterruptError, type RunMainOptions, runMain } from "./run-main.js";
