import { runAsync, program, scheduler, realTime, writer, reader, handle, resume, transfer } from "/work/wt/scale/src/index.ts";
import { runInWorker, workers } from "/work/wt/scale/src/workers/index.ts";
import { Lookup } from "/work/wt/scale/test/fixtures/workers/jobs.ts";
const url = new URL("/work/wt/scale/test/fixtures/workers/jobs.ts", "file://").href;
const pool = workers({ size: 2 });
const lookup = handle(Lookup, function* (e, k) { return yield* resume(k, `user${e.id}`); });
const r = await runAsync(program(function* () {
  const a = yield* runInWorker<number>(url, "fib", 20);
  const b = yield* runInWorker<string>(url, "chatty", 7);
  return [a, b];
}), { handlers: [scheduler, realTime, writer, reader, lookup, pool], env: { greeting: "Hi" } });
console.log(r.format(), r.log);
const r2 = await runAsync(runInWorker(url, "failing", 5), { handlers: [scheduler, realTime, writer, pool] });
console.log(r2.format()); console.log((r2.error as Error).stack, (r2.error as any).cause, r2.error);
await pool.close();
