/**
 * doeff/workers: a job module's `export const errors = [C]` rebuilt C as itself in the worker only.
 * In the parent, a job's C came back as a RemoteError unless the parent repeated it in
 * workers({ errors }), so `retry(…, { while: (e) => e instanceof C })` silently never retried. The
 * parent now registers the module's `errors` (importing the module, as it does for `forward`) before
 * it rebuilds such an error. Real worker threads; nothing here registers StorageBusy in the parent.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { gather, program, realTime, retry, runAsync, safe, scheduler, spawn } from "../src/index.js";
import { RemoteError, runInWorker, workers } from "../src/workers/index.js";
import { StorageBusy } from "./fixtures/workers/module-errors.js";

const JOBS = new URL("./fixtures/workers/module-errors.ts", import.meta.url).href;
const pool = workers({ size: 1 });
after(() => pool.close());
const handlers = [scheduler, realTime, pool];

test("workers: retry(runInWorker(…), { while: e instanceof C }) retries an error of a class the job module lists in `errors`, with no workers({ errors }) in the parent", async () => {
  const seen: string[] = [];
  const r = await runAsync(
    retry(runInWorker<string>(JOBS, "flaky", "a", 2), {
      times: 3,
      while: (e) => e instanceof StorageBusy,
      onRetry: (attempt, e) => seen.push(`${attempt} ${(e as Error).message}`),
    }),
    { handlers },
  );
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, "a ok after 3 calls");
  assert.deepEqual(seen, ["1 a: storage busy (call 1)", "2 a: storage busy (call 2)"]);
});

test("workers: the module's error class comes back as itself (fields, stack boundary, remoteTraceback), for jobs failing at once and in a cause", async () => {
  const r = await runAsync(
    program(function* () {
      const a = yield* spawn(safe(runInWorker(JOBS, "flaky", "b", 1)));
      const b = yield* spawn(safe(runInWorker(JOBS, "flaky", "c", 1)));
      const c = yield* spawn(safe(runInWorker(JOBS, "wrapped", "d")));
      const d = yield* spawn(safe(runInWorker(JOBS, "unlisted")));
      return yield* gather(a, b, c, d);
    }),
    { handlers },
  );
  assert.ok(r.isOk(), r.format());
  const [a, b, c, d] = r.value.map((x) => (x.ok ? x.value : x.error)) as Error[];
  for (const [e, key] of [
    [a, "b"],
    [b, "c"],
  ] as const) {
    assert.ok(e instanceof StorageBusy, `${e?.constructor.name}: ${e?.message}`);
    assert.equal(e.name, "StorageBusy");
    assert.equal(e.message, `${key}: storage busy (call 1)`);
    assert.equal(e.code, "EAGAIN");
    assert.match(e.stack ?? "", /── in worker \(test\/fixtures\/workers\/module-errors\.ts#flaky\) ──/);
    assert.match(
      (e as { remoteTraceback?: string }).remoteTraceback ?? "",
      /^doeff traceback \(outermost first\):\n {2}flaky\n/,
    );
  }
  assert.ok(!(c instanceof StorageBusy));
  assert.equal(c?.message, "d failed");
  assert.ok(c?.cause instanceof StorageBusy, String(c?.cause));
  // a class the module does not list is not rebuilt: a RemoteError keeping its name, as before
  assert.ok(d instanceof RemoteError);
  assert.equal(d.name, "Unlisted");
});
