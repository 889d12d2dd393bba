/**
 * The worker thread's side of a job's warnings (the errors its run kept beside its outcome,
 * `RunResult.warnings`): made into data its reply carries to the parent, which adds them to the
 * calling run's warnings (the parent's side, below). Also what a job's value is checked with
 * before it is sent.
 */
import { type RunContext, RunContextImpl, type RunWarning } from "../run/context.js";
import type { RunResult } from "../run/result.js";
import { runTraces } from "../trace/origin.js";
import type { WireWarning } from "./messages.js";
import { classInstanceIn, neverClonable, refusal } from "./plain.js";
import { fromWire, toWire } from "./wire.js";

/**
 * true when `v` is small plain data (primitives, plain objects, arrays) and so certainly cloneable;
 * false when unsure (the caller then tries structuredClone). `budget.left` bounds the walk.
 */
function plainData(v: unknown, budget: { left: number }): boolean {
  if (v === null) return true;
  const t = typeof v;
  if (t !== "object") return t !== "function" && t !== "symbol";
  if (--budget.left < 0) return false;
  // (a symbol-keyed field would be dropped: not plain, so that classInstanceIn names it)
  if (Object.getOwnPropertySymbols(v as object).length !== 0) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const a = v as unknown[];
    for (let i = 0; i < a.length; i++) if (!plainData(a[i], budget)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in v as object) {
    if (!plainData((v as Record<string, unknown>)[key], budget)) return false;
  }
  return true;
}

/**
 * uncloneable's answer for a value nested so deeply (a chain of ~10,000 objects and more) that
 * structured clone ran out of stack copying it: no class or function is to blame, its depth is
 */
export const TOO_DEEP = "it is nested too deeply to be sent: structured clone ran out of stack copying it";

/** why `v` cannot be structured-cloned, or null when it can */
export function uncloneable(v: unknown): string | null {
  if (typeof v === "function" || typeof v === "symbol") return `a ${typeof v}`;
  if (v === null || typeof v !== "object") return null;
  try {
    if (plainData(v, { left: 256 })) return null; // the common case, without cloning twice
  } catch {}
  const inst = classInstanceIn(v);
  if (inst !== null && neverClonable(inst)) return `it ${refusal(inst, "worker")}`;
  if (inst !== null)
    return `${inst.startsWith(".") || inst.startsWith("[") ? `it holds ${inst}` : `it is ${inst}`}, which the parent would receive as a plain object without its methods, getters and instanceof`;
  try {
    structuredClone(v);
    return null;
  } catch (e) {
    if (e instanceof RangeError && /call stack size/i.test(e.message)) return TOO_DEEP;
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The job's run's warnings, in order, as data the reply can carry: each error in the wire form a
 * job's error crosses in (its class, fields, cause; its doeff traceback as `remoteTraceback` when the
 * run made one: a failed task's), with the line `format()` shows for it. Never throws.
 */
export function warningsOf(res: RunResult<unknown>): WireWarning[] {
  const ws = runTraces.get(res)?.[2] ?? [];
  const out: WireWarning[] = [];
  for (const w of ws) out.push(wireWarning(w));
  return out;
}

function wireWarning(w: RunWarning): WireWarning {
  const where = typeof w.where === "string" ? w.where : String(w.where);
  try {
    const error = toWire(sendable(w.error, where), w.trace === undefined ? undefined : traceOf(w.error));
    structuredClone(error); // (toWire gives plain data; checked, so that the reply itself is sent)
    return typeof w.trace === "string" ? { where, error, trace: w.trace } : { where, error };
  } catch (e) {
    return {
      where,
      error: toWire(
        new TypeError(
          `a warning of the worker job's run (${where}) could not be sent to the parent thread (${e instanceof Error ? e.message : String(e)}); this TypeError stands for it`,
        ),
      ),
    };
  }
}

/** the doeff traceback the run gave a failed task's error (run/provisional.ts traced), if any */
function traceOf(e: unknown): string | undefined {
  try {
    const t = (e as { doeffTrace?: unknown }).doeffTrace;
    return typeof t === "string" ? t : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A warning's error as it can cross: an Error as it is (toWire leaves out the fields that cannot be
 * cloned, as for a job's error); any other thrown value that structured clone refuses or would change
 * (a function in it, a class instance) as a TypeError that says what it was — toWire would send only
 * its printed form, which the parent could take for the value itself.
 */
function sendable(v: unknown, where: string): unknown {
  if (v instanceof Error || uncloneable(v) === null) return v;
  const inst = typeof v === "object" ? classInstanceIn(v) : null;
  let why: string;
  if (typeof v === "function" || typeof v === "symbol") why = `it is a ${typeof v}`;
  else if (inst !== null)
    why = inst.startsWith(".") || inst.startsWith("[") ? `it holds ${inst}` : `it is ${inst}`;
  else {
    try {
      structuredClone(v);
      why = "structured clone would change it";
    } catch (e) {
      why = e instanceof Error ? e.message : String(e);
    }
  }
  return new TypeError(
    `a worker job's run kept a warning (${where}) whose error is not an Error and cannot be sent to the parent thread (${why}); this TypeError stands for it, which was ${toWire(v).message}. Throw Error objects (their fields that cannot be cloned are left out) or plain data`,
  );
}

// ── the parent's side ──

/** A warning of a job's run as the parent adds it to the calling run's (RunContext.warn). */
export interface JobWarning extends RunWarning {
  /** `in worker (jobs.ts#resize) — task 1 failed and nothing waited for it` */
  readonly where: string;
}

/**
 * Add a job's warning to the calling run's: kept (format() shows its worker-side chain lines under
 * it) and told to its onWarning as "final", as RunContext.warn does.
 */
export function addWarning(ctx: RunContext, w: JobWarning): void {
  if (!(ctx instanceof RunContextImpl)) ctx.warn(w.error, w.where);
  else {
    ctx.keep(w);
    if (ctx.hook !== null) ctx.tell(w, "final");
  }
}

/**
 * A reply's warnings rebuilt in the parent (`label`: the job's `module#export`), each `where` saying
 * which job's run kept it. Never throws.
 */
export function receivedWarnings(ws: readonly WireWarning[], label: string): JobWarning[] | undefined {
  if (!Array.isArray(ws) || ws.length === 0) return undefined;
  const out: JobWarning[] = [];
  for (const w of ws) {
    let error: unknown;
    try {
      error = fromWire(w.error, `── in worker (${label}) ──`);
    } catch (e) {
      error = e; // (a malformed reply: never from our worker-entry)
    }
    const where = `in worker (${label}) — ${String(w.where)}`;
    out.push(typeof w.trace === "string" ? { error, where, trace: w.trace } : { error, where });
  }
  return out;
}
