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

TRACED.end = end;

/**
 * The provisional warnings the run option onWarning was told of, and not yet told "retracted" or
 * "final", per run. (Here, not on the run's context: a bundle that cannot spawn makes none.)
 */
const unsettled = new WeakMap<RunContextImpl, Set<RunWarning>>();

/**
 * Report `error` on the run's warnings now, and return what takes it back: for an error that may
 * still reach a program later (a cancelled task's, until a waiter reads it: scheduler-cancel.ts).
 * `ctx` is always the run's own context (getRunContext). The run option `onWarning` is told of it at
 * once as `"provisional"`, then `"retracted"` when it is taken back, or `"final"` when the run ends
 * with it still there (`end` below, from run.ts as the run ends).
 */
export function provisionalWarning(
  ctx: RunContext,
  error: unknown,
  where: string,
  traced = false,
): () => void {
  const impl = ctx as RunContextImpl;
  const w: RunWarning = { error, where: String(where), traced };
  impl.keep(w);
  if (impl.hook !== null) {
    let told = unsettled.get(impl);
    if (told === undefined) unsettled.set(impl, (told = new Set()));
    told.add(w);
    // a long-lived run (a server's main ends at shutdown) logs it from here: with its traceback on
    // it as `doeffTrace` now, as "final" has it (it was told without one)
    const o = impl.machine?.origins;
    if (traced && o != null) withTrace(o, error);
    impl.tell(w, "provisional");
  }
  return () => {
    const ws = impl.warnings;
    if (ws === null) return;
    const i = ws.indexOf(w);
    if (i < 0) return;
    ws.splice(i, 1);
    if (ws.length === 0) impl.warnings = null; // (none: format() prints no warnings heading)
    if (unsettled.get(impl)?.delete(w) === true) impl.tell(w, "retracted");
  };
}

/**
 * The run ended (run.ts result): its warnings `ws` get their tracebacks (`traced`), then the
 * provisional ones still there are told "final" to the hook, in their order on the warnings.
 */
function end(ctx: RunContextImpl, ws: RunWarning[], origins: Origins | null, runError: unknown): void {
  const told = unsettled.get(ctx);
  unsettled.delete(ctx);
  const finals = told === undefined || told.size === 0 ? null : ws.map((w) => told.has(w));
  if (origins !== null) for (let i = 0; i < ws.length; i++) ws[i] = traced(origins, ws[i]!, runError);
  if (finals !== null) for (let i = 0; i < finals.length; i++) if (finals[i]) ctx.tell(ws[i]!, "final");
}

/**
 * A task's failure that nothing waited for, with the traceback of where it was thrown (an invariant
 * that failed deep in a long-lived task of a simulation: the message alone did not say where): on
 * the error as `doeffTrace`, as a run's error has it, and its chain for format() to show under the
 * warning line. (A finally block's error during a cancellation keeps its one line.)
 */
function traced(origins: Origins, w: RunWarning, runError: unknown): RunWarning {
  const e = w.error;
  if (!w.traced || e === runError) return w;
  const report = withTrace(origins, e);
  if (report === null) return w;
  // the chain's lines: those after the heading, up to the error's own line
  const trace = /\n((?: {2}.*\n)*)/.exec(report)?.[1]?.trimEnd() ?? "";
  return trace === "" ? w : { ...w, trace };
}

/** Format `e`'s traceback and put it on `e` as `doeffTrace`: the report, or null (no origin; a hostile error object). */
function withTrace(origins: Origins, e: unknown): string | null {
  const o = origins.get(e);
  if (o === null) return null;
  try {
    const report = formatFailure(o, e);
    attachTrace(e, report, [false, o]);
    return report;
  } catch {
    return null; // (a hostile error object: the warning line alone)
  }
}
