/**
 * The VM side of the differential test: evaluates program source (print.ts) against the real doeff
 * API and runs it with `run`. This is the only module under test/reference/ that imports src/; the
 * reference interpreter does not.
 */
import * as doeff from "../../src/index.js";
import type { Program } from "./ast.js";
import { API_NAMES, printForEval } from "./print.js";

export interface VmResult {
  readonly ok: boolean;
  readonly value: unknown;
  readonly error: unknown;
  readonly store: Record<string, unknown>;
  readonly log: readonly unknown[];
}

/**
 * Run source whose last statement is `return { main, handlers, store, env }` on the VM; `traced`
 * adds a step-trace sink (which must change nothing, INV-4).
 */
export function runSourceOnVm(src: string, traced = false): VmResult {
  const make = new Function(...API_NAMES, src) as (...args: unknown[]) => {
    main: doeff.Program<unknown>;
    handlers?: doeff.Handler[];
    store?: Record<string, unknown>;
    env?: Record<string, unknown>;
  };
  const api = doeff as unknown as Record<string, unknown>;
  const { main, handlers = [], store = {}, env = {} } = make(...API_NAMES.map((n) => api[n]));
  let lines = 0;
  const trace = traced ? { trace: { steps: () => void lines++ } } : {};
  const r = doeff.run(main, { handlers, store, env, ...trace });
  return {
    ok: r.ok,
    value: r.ok ? r.value : undefined,
    error: r.error,
    store: { ...r.store },
    log: [...r.log],
  };
}

export function runOnVm(p: Program, traced = false): VmResult {
  return runSourceOnVm(printForEval(p), traced);
}
