/**
 * doeff/workers: a forwarded effect performed in a task of its own (src/workers/job-loop.ts) behaves
 * as when the calling task performed it: a handler around the call that answers without resuming
 * ends that handler's scope with its value (and the job is cancelled), `listen` around the call
 * hears the forwarded tells, and nothing internal shows in the run's warnings; an answer that fails
 * (discontinue, answer's function throwing) is thrown at the job's perform site, while a handler's
 * own throw fails the runInWorker call, as it ends a withHandler scope anywhere. Real worker threads.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  answer,
  delay,
  discontinue,
  Effect,
  handle,
  listen,
  program,
  realTime,
  resume,
  runAsync,
  scheduler,
  tell,
  UnhandledEffectError,
  withHandler,
  writer,
} from "../src/index.js";
import type { Handler } from "../src/index.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { Slow, Slow as ForwardedSlow } from "./fixtures/workers/fwd-drop.js";
import { Carry } from "./fixtures/workers/fwd-review.js";
import { within } from "./workers-helpers.js";

const JOBS = new URL("./fixtures/workers/fwd-drop.ts", import.meta.url).href;
const REVIEW = new URL("./fixtures/workers/fwd-review.ts", import.meta.url).href;
const pool = workers({ size: 1 });
after(() => pool.close());

// (it ended the scope around the call with that value when the calling task performed it; in a task
// of its own it ended only that task's copy of the scope, and the job waited for ever: a hang)
test("workers: a handler around runInWorker that answers a forwarded effect without resuming fails the call with a TypeError saying so (no hang); the pool goes on", async () => {
  const shortCircuit = handle(Slow, function* shortCircuit(e) {
    return `short ${e.tag}`;
  });
  const r = await within(
    20_000,
    runAsync(
      program(function* () {
        const v = yield* withHandler(shortCircuit, runInWorker<string>(JOBS, "waits", "z"));
        return `after ${v}`;
      }),
      { handlers: [scheduler, realTime, writer, pool] },
    ),
  );
  assert.ok(!r.ok);
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    "runInWorker(test/fixtures/workers/fwd-drop.ts#waits): the handler of the Slow it forwarded returned without resuming; a forwarded effect is performed in a task of its own (so that it stops when the job no longer waits for it), so that return cannot end a scope around runInWorker: resume with the answer (resume(k, v)), or fail the job's Slow with discontinue(k, error), which throws it at the job's perform site (a throw in the handler fails this runInWorker call instead)",
  );
  assert.deepEqual(r.warnings, []);
  // the job was cancelled, its thread is free: the next job runs
  const quick = handle(Slow, function* quick(e, k) {
    return yield* resume(k, `quick ${e.tag}`);
  });
  const again = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "waits", "y"), {
      handlers: [scheduler, realTime, writer, quick, pool],
    }),
  );
  assert.equal(again.value, "quick y");
});

test("workers: listen around runInWorker hears the tells the job forwarded, in order", async () => {
  const quick = handle(Slow, function* quick(e, k) {
    return yield* resume(k, `quick ${e.tag}`);
  });
  const r = await within(
    20_000,
    runAsync(
      program(function* () {
        const { value, log } = yield* listen(runInWorker<string>(JOBS, "givesUp", "g", 5_000));
        return [value, log] as const;
      }),
      { handlers: [scheduler, realTime, writer, quick, pool] },
    ),
  );
  assert.ok(r.ok, r.format());
  assert.deepEqual(r.value, ["quick g", ["after g"]]);
  assert.deepEqual(r.log, ["after g"]);
  assert.deepEqual(r.warnings, []);
});

// (the task performing it is the parent's own, stopped because the job gave the effect up: its
// handler's tells are not a log the user forgot to collect)
test("workers: a forwarded effect's handler that told something and is stopped (the job gave it up) leaves no warning", async () => {
  const tells = handle(Slow, function* tells(e, k) {
    yield* tell(`begin ${e.tag}`);
    yield* delay(10_000);
    return yield* resume(k, `late ${e.tag}`);
  });
  const r = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "givesUp", "t", 300), {
      handlers: [scheduler, realTime, writer, tells, pool],
    }),
  );
  assert.ok(r.ok, r.format());
  assert.equal(r.value, "TimeoutError");
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.log, ["after t"]);
});

// (the wait's end said to the parent that nobody waits any more, from a finally block, and read the
// job's answers before any was registered: a TypeError "Cannot read properties of null" took the
// place of this one)
test("workers: a job's first forwarded effect that cannot be sent fails in the job with the TypeError that says why", async () => {
  const carried = handle(Carry, function* carried(_e, k) {
    return yield* resume(k, "carried");
  });
  const r = await within(
    20_000,
    runAsync(runInWorker<string>(REVIEW, "sendsUncloneable"), {
      handlers: [scheduler, realTime, writer, carried, pool],
    }),
  );
  assert.ok(r.ok, r.format());
  assert.match(
    r.value,
    /^TypeError: Carry cannot be forwarded from the worker to the parent: its fields are not structured-cloneable \(.*WeakMap.*\); handle Carry in the worker \(export const handlers = \[…\]\) or send plain data$/,
  );
});

// (docs/workers.md said that a parent-side handler that throws sends the error back to the job, and
// the TypeError for a handler that returns without resuming said "throw to fail the job's Slow": a
// throw in a handler's own code ends its withHandler scope, as anywhere: here the runInWorker
// call, and the job's catch never sees it — discontinue(k, e) throws at the job's perform site)
test("workers: a forwarded effect failed with discontinue or answer's throw is caught by the job; a handle handler's own throw fails the runInWorker call with that error", async () => {
  const run1 = (h: Handler<Carry>) =>
    within(
      20_000,
      runAsync(runInWorker<string>(REVIEW, "catches", "k"), { handlers: [scheduler, realTime, h, pool] }),
    );
  const viaDiscontinue = await run1(
    handle(Carry, function* refuse(e, k) {
      return yield* discontinue(k, new RangeError(`no ${String(e.payload)}`));
    }),
  );
  assert.equal(viaDiscontinue.value, "caught RangeError: no k");
  const viaAnswer = await run1(
    answer(Carry, (e) => {
      throw new RangeError(`none for ${String(e.payload)}`);
    }),
  );
  assert.equal(viaAnswer.value, "caught RangeError: none for k");
  const thrown = new RangeError("the handler's own throw");
  const viaThrow = await run1(
    handle(Carry, function* throws() {
      throw thrown;
    }),
  );
  assert.ok(!viaThrow.ok);
  assert.equal(viaThrow.error, thrown); // the very error: it never went to the job
  assert.deepEqual(viaThrow.warnings, []);
  // the job was cancelled, its thread is free: the next job runs
  const again = await run1(answer(Carry, (e) => `ok ${String(e.payload)}`));
  assert.equal(again.value, "answered ok k");
});

// (a bundle that inlined the job module gives the application another class of the same name: its
// handler did not take the parent's rebuilt effect, and the message said to install a handler for
// it — the one the application had installed)
test("workers: a forwarded effect whose only handler takes another class of its name says that it is a second copy of the job module's class", async () => {
  class Slow extends Effect<string> {
    constructor(readonly tag: string) {
      super();
    }
  }
  const copy = answer(Slow, (e) => `copy ${e.tag}`);
  const r = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "waits", "c"), { handlers: [scheduler, realTime, copy, pool] }),
  );
  assert.ok(!r.ok);
  assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
  assert.equal(
    r.error.message,
    'no handler in the parent takes Slow, which the job test/fixtures/workers/fwd-drop.ts#waits forwarded (its module lists Slow in `forward`): answer(Slow) takes another class named Slow, not the one of the module the job runs — a second copy of that module (one a bundler inlined into your bundle, or one imported by another path). Import Slow from the module the job runs, by the same URL (with a bundler, mark the job module external: docs/workers.md, "Bundling")',
  );
  // the class the job module exports is taken as before
  const own = await within(
    20_000,
    runAsync(runInWorker<string>(JOBS, "waits", "d"), {
      handlers: [scheduler, realTime, answer(ForwardedSlow, (e) => `own ${e.tag}`), pool],
    }),
  );
  assert.equal(own.value, "own d");
});
