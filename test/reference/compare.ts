/**
 * One differential case: evaluate a program with the reference interpreter and with the VM, and
 * compare the observable outcome — ok/err, value, error (class; message for user errors; key for
 * missing-key errors), final store and the exact writer log.
 */
import type { Program } from "./ast.js";
import { evaluate, ReferenceBug } from "./interpreter.js";
import { printOptions, printProgram } from "./print.js";
import { runOnVm } from "./vm.js";

/** A comparable description of an error: user errors by message, library errors by class (and key). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error ${String(e)}`;
  const name = e.name === "Error" ? "Error" : e.constructor.name === "LibError" ? e.name : e.constructor.name;
  if (name === "Error") return `Error(${JSON.stringify(e.message)})`;
  const key = (e as { key?: unknown }).key;
  return key === undefined ? name : `${name}{key: ${JSON.stringify(key)}}`;
}

export interface Observed {
  readonly outcome: string;
  readonly store: Record<string, unknown>;
  readonly log: readonly unknown[];
}

/** What the reference saw the case exercise (not compared). */
export type Coverage = Readonly<Record<string, number>>;

/** Reference steps beyond which a case is discarded (a few generated programs blow up exponentially). */
export const STEP_BUDGET = 20_000;

/** Thrown by `expected` when the program exceeds STEP_BUDGET (callers skip the case). */
export class OverBudget extends Error {}

export function expected(p: Program): Observed & { readonly stats: Coverage } {
  let r: ReturnType<typeof evaluate>;
  try {
    r = evaluate(p, STEP_BUDGET);
  } catch (e) {
    if (e instanceof ReferenceBug && e.message.includes("step limit")) throw new OverBudget(e.message);
    throw e;
  }
  return {
    outcome: r.outcome.ok
      ? `Ok(${JSON.stringify(r.outcome.value)})`
      : `Err(${describeError(r.outcome.error)})`,
    store: r.store,
    log: r.log,
    stats: r.stats,
  };
}

function observe(p: Program, traced: boolean): Observed {
  let r: ReturnType<typeof runOnVm>;
  try {
    r = runOnVm(p, traced);
  } catch (e) {
    return { outcome: `run threw ${describeError(e)}: ${String(e)}`, store: {}, log: [] };
  }
  const error = r.error as { name?: string; message?: string } | undefined;
  const internal = !r.ok && error?.name === "VMInternalError" ? ` [${error.message}]` : "";
  return {
    outcome: r.ok ? `Ok(${JSON.stringify(r.value)})` : `Err(${describeError(r.error)})${internal}`,
    store: r.store,
    log: r.log,
  };
}

/** The VM's outcome; also run with a step-trace sink, which must change nothing (INV-4). */
export function actual(p: Program): Observed {
  const plain = observe(p, false);
  const traced = observe(p, true);
  if (same(plain, traced)) return plain;
  return { ...plain, outcome: `${plain.outcome} — but with trace.steps: ${formatObserved(traced)}` };
}

function same(a: Observed, b: Observed): boolean {
  return (
    a.outcome === b.outcome &&
    JSON.stringify(sortKeys(a.store)) === JSON.stringify(sortKeys(b.store)) &&
    JSON.stringify(a.log) === JSON.stringify(b.log)
  );
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface CaseResult {
  readonly equal: boolean;
  readonly expected: Observed;
  readonly actual: Observed;
  readonly coverage: Coverage;
}

/** Runs one case; null when the reference exceeds its step budget (the case is skipped). */
export function runCase(p: Program): CaseResult | null {
  let e: ReturnType<typeof expected>;
  try {
    e = expected(p);
  } catch (err) {
    if (err instanceof OverBudget) return null;
    throw err;
  }
  const exp = { outcome: e.outcome, store: sortKeys(e.store), log: e.log };
  const act = actual(p);
  return {
    equal: same(exp, act),
    expected: exp,
    actual: { ...act, store: sortKeys(act.store) },
    coverage: e.stats,
  };
}

export function formatObserved(o: Observed): string {
  return `${o.outcome}  store ${JSON.stringify(o.store)}  log ${JSON.stringify(o.log)}`;
}

/** A failure report: the program as TypeScript plus expected vs actual. */
export function formatCase(p: Program, r: CaseResult): string {
  return [
    printProgram(p),
    "",
    `// run options: ${printOptions(p)}`,
    `// expected (reference): ${formatObserved(r.expected)}`,
    `// actual   (VM):        ${formatObserved(r.actual)}`,
  ].join("\n");
}
