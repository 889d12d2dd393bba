/**
 * doeff/workers: `workers({ errors })` registers classes in the parent only (a class cannot cross to
 * a thread). In the worker, a class the parent fails a forwarded effect with is rebuilt as itself when
 * the job's module lists it (`export const errors`) or the pool's `setup` module registers it.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { answer, realTime, runAsync, scheduler, UnhandledEffectError, writer } from "../src/index.js";
import { workers, runInWorker } from "../src/workers/index.js";
import { JobFailed, Lookup } from "./fixtures/workers/jobs.js";

const UNLISTED = new URL("./fixtures/workers/unlisted.ts", import.meta.url).href;
const SETUP = new URL("./fixtures/workers/errors-setup.ts", import.meta.url);

const refuse = answer(Lookup, (e) => {
  throw new JobFailed(`no user ${e.id}`, 404);
});

const parentOnly = workers({ size: 1, errors: [JobFailed] });
const withSetup = workers({ size: 1, errors: [JobFailed], setup: SETUP });
after(() => Promise.all([parentOnly.close(), withSetup.close()]));

test("workers: a class registered only in the parent reaches the worker as the built-in class it extends, keeping its name", async () => {
  const r = await runAsync(runInWorker<string>(UNLISTED, "lookupCaught", 1), {
    handlers: [scheduler, realTime, refuse, parentOnly],
  });
  assert.equal(r.value, "not JobFailed: JobFailed: no user 1");
});

test("workers: a class the pool's setup module registers is rebuilt as itself in the worker", async () => {
  const r = await runAsync(runInWorker<string>(UNLISTED, "lookupCaught", 2), {
    handlers: [scheduler, realTime, refuse, withSetup],
  });
  assert.equal(r.value, "caught JobFailed 404");
});

test("workers: a forgotten workers() handler is named by the UnhandledEffectError", async () => {
  // @ts-expect-error (runAsync's types say RunInWorker has no handler; at run time, the message does)
  const r = await runAsync(runInWorker(UNLISTED, "lookupCaught", 1), { handlers: [scheduler, writer] });
  assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
  assert.equal(
    r.error.message,
    "no handler takes RunInWorker; 2 visible handler(s) declined it. RunInWorker is answered by the standard handler workers({ size }) from doeff/workers: add it to the run's handlers",
  );
});
