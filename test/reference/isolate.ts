/**
 * Running code that may hang (a VM bug) without hanging the test suite: in a worker thread that is
 * terminated after a deadline. Node 20 workers do not inherit `--import tsx`, so the worker boots
 * through tsx's ESM API before importing its entry.
 */
import { Worker } from "node:worker_threads";

const BOOT = `
const { workerData } = require("node:worker_threads");
import(workerData.__tsx).then(({ register }) => { register(); return import(workerData.__entry); });
`;

/** Start a worker running the TypeScript module `entry` (a file URL) with `data` as workerData. */
export function startWorker(entry: string, data: Record<string, unknown>): Worker {
  return new Worker(BOOT, {
    eval: true,
    workerData: { ...data, __tsx: import.meta.resolve("tsx/esm/api"), __entry: entry },
  });
}

export type Isolated<T> =
  | { readonly status: "done"; readonly value: T }
  | { readonly status: "threw"; readonly error: string }
  | { readonly status: "timeout" };

const SRC_INDEX = new URL("../../src/index.ts", import.meta.url).href;
const RUNNER = new URL("./isolate-runner.ts", import.meta.url).href;

/**
 * Run `f(doeff)` in a fresh worker; `f` must be self-contained (it is shipped as source text, so it
 * may use only its argument and globals) and return a structured-cloneable value (or a promise of
 * one). After `timeoutMs` the worker is terminated and the result is `{status: "timeout"}`.
 */
export function inWorker<T>(
  f: (doeff: typeof import("../../src/index.js")) => T | Promise<T>,
  timeoutMs = 3000,
): Promise<Isolated<T>> {
  return new Promise((resolve) => {
    const w = startWorker(RUNNER, { source: f.toString(), index: SRC_INDEX });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve({ status: "timeout" });
    }, timeoutMs);
    w.once("message", (m: Isolated<T>) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once("error", (e) => {
      clearTimeout(timer);
      resolve({ status: "threw", error: String(e) });
    });
  });
}
