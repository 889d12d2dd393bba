/**
 * The `RunInWorker` effect: run a *named* program — an export of a module, called with structured-
 * cloneable arguments — on a worker thread. What crosses the thread boundary is the module URL, the
 * export name, the arguments and, back, the result or error; continuations never leave the thread.
 */
import { Effect } from "../index.js";
import { describe, type ResultOf } from "../protocol.js";
import { shortUrl } from "./short-url.js";

export class RunInWorker<T = unknown> extends Effect<T> {
  /** `module#export`, the module shown relative to the working directory (for tracebacks) */
  readonly job: string;
  readonly args: readonly unknown[];
  /** the module's URL as a string (`file:///…/jobs.js`, or any URL `import()` accepts) */
  declare readonly moduleUrl: string;
  declare readonly exportName: string;
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
    this.job = `${shortUrl(moduleUrl)}#${exportName}`;
    this.args = args;
    // not enumerable: tracebacks show the short `job` instead
    Object.defineProperty(this, "moduleUrl", { value: moduleUrl });
    Object.defineProperty(this, "exportName", { value: exportName });
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
