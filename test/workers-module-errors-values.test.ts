/**
 * doeff/workers: a job module's `export const errors = [C]` was registered in the parent only when a
 * job of that module first failed. So a C *value* before that — a field of a job's result, or of an
 * effect the job forwarded — came back as a RemoteError (its class lost, `instanceof C` false). The
 * parent now registers the module's `errors` before it decodes such a value. Real worker threads;
 * nothing here registers StorageBusy or QuotaExceeded in the parent, and no job fails first (each
 * test file is a process of its own: the registry is per thread).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { handle, realTime, resume, runAsync, scheduler } from "../src/index.js";
import { RemoteError, runInWorker, workers } from "../src/workers/index.js";
import { QuotaExceeded, Report } from "./fixtures/workers/module-errors-fwd.js";
import { StorageBusy } from "./fixtures/workers/module-errors.js";

const pool = workers({ size: 1 });
after(() => pool.close());

test("workers: a job's result holding an error of a class its module lists in `errors` comes back as that class, before any job failed", async () => {
  const JOBS = new URL("./fixtures/workers/module-errors.ts", import.meta.url).href;
  const r = await runAsync(
    runInWorker<{ status: string; error: Error; all: Error[] }>(JOBS, "carries", "k"),
    { handlers: [scheduler, realTime, pool] },
  );
  assert.ok(r.ok, r.format());
  const { status, error, all } = r.value;
  assert.equal(status, "busy");
  assert.ok(error instanceof StorageBusy, `${error?.constructor.name}: ${error?.message}`);
  assert.ok(!(error instanceof RemoteError));
  assert.equal(error.name, "StorageBusy");
  assert.equal(error.message, "k: storage busy");
  assert.equal(error.code, "EAGAIN");
  assert.ok(all[0] instanceof StorageBusy, String(all[0]));
  assert.equal(all[0].message, "inner");
});

test("workers: a forwarded effect's field holding an error of a class its module lists in `errors` reaches the parent's handler as that class", async () => {
  const JOBS = new URL("./fixtures/workers/module-errors-fwd.ts", import.meta.url).href;
  const seen = handle(Report, function* seen(e, k) {
    const p = e.problem;
    const what = p instanceof QuotaExceeded ? `QuotaExceeded(${p.limit})` : `${p.constructor.name} ${p.name}`;
    return yield* resume(k, `${what}: ${p.message}`);
  });
  const r = await runAsync(runInWorker<string>(JOBS, "reports", "too many"), {
    handlers: [scheduler, realTime, seen, pool],
  });
  assert.ok(r.ok, r.format());
  assert.equal(r.value, "QuotaExceeded(10): too many");
});
