/**
 * provisionalWarning, and the traceback a warning it marks `traced` gets when the run ends. A module
 * of its own: only it marks a warning `traced` (a task's failure that nothing waited for: the
 * scheduler's), so it turns on that traceback (run.ts TRACED) as it loads, and a bundle without it —
 * the small import `run, program, state, get, put`, which cannot spawn — carries neither.
 */
import { formatFailure } from "../trace/format.js";
import type { Origins } from "../trace/origin.js";
import type { RunContext, RunContextImpl, RunWarning } from "./context.js";
import { attachTrace, TRACED } from "./run.js";

TRACED.warning = traced;

/**
 * Report `error` on the run's warnings now, and return what takes it back: for an error that may
 * still reach a program later (a cancelled task's, until a waiter reads it: scheduler-cancel.ts).
 * `ctx` is always the run's own context (getRunContext).
 */
export function provisionalWarning(
  ctx: RunContext,
  error: unknown,
  where: string,
  traced = false,
): () => void {
  const impl = ctx as RunContextImpl;
  impl.warn(error, where, traced);
  const w = impl.warnings![impl.warnings!.length - 1]!;
  return () => {
    const ws = impl.warnings;
    if (ws === null) return;
    const i = ws.indexOf(w);
    if (i >= 0) ws.splice(i, 1);
    if (ws.length === 0) impl.warnings = null; // (none: format() prints no warnings heading)
  };
}

/**
 * A task's failure that nothing waited for, with the traceback of where it was thrown (an invariant
 * that failed deep in a long-lived task of a simulation: the message alone did not say where): on
 * the error as `doeffTrace`, as a run's error has it, and its chain for format() to show under the
 * warning line. (A finally block's error during a cancellation keeps its one line.)
 */
function traced(origins: Origins, w: RunWarning, runError: unknown): RunWarning {
  const e = w.error;
  const o = origins.get(e);
  if (!w.traced || o === null || e === runError) return w;
  try {
    const report = formatFailure(o, e);
    attachTrace(e, report, [false, o]);
    // the chain's lines: those after the heading, up to the error's own line
    const trace = /\n((?: {2}.*\n)*)/.exec(report)![1]!.trimEnd();
    return trace === "" ? w : { ...w, trace };
  } catch {
    return w; // (a hostile error object: the warning line alone)
  }
}
