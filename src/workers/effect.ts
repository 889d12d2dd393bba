/**
 * The `RunInWorker` effect: run a *named* program — an export of a module, called with structured-
 * cloneable arguments — on a worker thread. What crosses the thread boundary is the module URL, the
 * export name, the arguments and, back, the result or error; continuations never leave the thread.
 */
import { Effect } from "../index.js";
import { describe, type ResultOf } from "../protocol.js";

export class RunInWorker<T = unknown> extends Effect<T> {
  /** the module's URL as a string (`file:///…/jobs.js`, or any URL `import()` accepts) */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  constructor(moduleUrl: string | URL, exportName: string, args: readonly unknown[]) {
    super();
    if (moduleUrl instanceof URL) moduleUrl = moduleUrl.href;
    if (typeof moduleUrl !== "string" || moduleUrl === "")
      throw new TypeError(
        `runInWorker expects a module URL first (e.g. new URL("./jobs.js", import.meta.url)), got ${describe(moduleUrl)}`,
      );
    if (!/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl))
      throw new TypeError(
        `runInWorker needs an absolute module URL, got ${JSON.stringify(moduleUrl)}; write new URL(${JSON.stringify(moduleUrl)}, import.meta.url)`,
      );
    if (typeof exportName !== "string" || exportName === "")
      throw new TypeError(`runInWorker expects the export's name second, got ${describe(exportName)}`);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === "function" || typeof a === "symbol")
        throw new TypeError(
          `runInWorker(${exportName}): argument ${i + 1} is a ${typeof a}, which cannot be sent to a worker thread; pass structured-cloneable data (numbers, strings, plain objects, arrays, Maps, typed arrays…)`,
        );
    }
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
    this.args = args;
  }
}

/** Perform: run `moduleUrl#exportName(...args)` on a worker thread; answers the program's value. */
export function runInWorker<T = unknown>(
  moduleUrl: string | URL,
  exportName: string,
  ...args: unknown[]
): RunInWorker<T> {
  return new RunInWorker<T>(moduleUrl, exportName, args);
}

/**
 * A typed handle on one export: `const fib = workerFn<typeof import("./jobs.js").fib>(url, "fib")`,
 * then `yield* fib(30)` is a `RunInWorker<number>`.
 */
export function workerFn<F extends (...args: any[]) => unknown>(
  moduleUrl: string | URL,
  exportName: string,
): (...args: Parameters<F>) => RunInWorker<ResultOf<ReturnType<F>>> {
  const url = moduleUrl instanceof URL ? moduleUrl.href : moduleUrl;
  new RunInWorker(url, exportName, []); // validate now
  return (...args) => new RunInWorker(url, exportName, args);
}
