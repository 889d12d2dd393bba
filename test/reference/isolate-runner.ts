/** Worker entry of `inWorker` (isolate.ts): evaluates the shipped function against doeff and replies. */
import { parentPort, workerData } from "node:worker_threads";

const { source, index } = workerData as { source: string; index: string };
// the shipped source was compiled by tsx (esbuild, keepNames), which may call its `__name` helper
Object.assign(globalThis, {
  __name: (f: object, value: string) => Object.defineProperty(f, "name", { value, configurable: true }),
});
try {
  const doeff = await import(index);
  const f = new Function(`return (${source});`)() as (d: unknown) => unknown;
  const value = await f(doeff);
  parentPort!.postMessage({ status: "done", value });
} catch (e) {
  parentPort!.postMessage({
    status: "threw",
    error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
  });
}
