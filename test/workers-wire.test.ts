/**
 * doeff/workers: errors across the thread boundary are rebuilt as what they were, not by class name
 * alone — a user's class named like doeff's (or like a registered class) is not that class on the
 * other side; a built-in subclass comes back as its built-in class, a DOMException as a DOMException.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { answer, reader, realTime, runAsync, scheduler, TimeoutError, writer } from "../src/index.js";
import {
  RemoteError,
  runInWorker,
  WorkerCrashedError,
  WorkerModuleError,
  workers,
} from "../src/workers/index.js";
import { asBuiltin, fromWire, registerErrorClasses, toWire } from "../src/workers/wire.js";
import { JobFailed, Lookup } from "./fixtures/workers/jobs.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;
const IMPOSTORS = new URL("./fixtures/workers/impostors.ts", import.meta.url).href;

const pool = workers({ size: 1, errors: [JobFailed] });
after(() => pool.close());

async function failure(kind: string): Promise<Error> {
  const r = await runAsync(runInWorker(IMPOSTORS, "impostor", kind), {
    handlers: [scheduler, realTime, pool],
  });
  assert.ok(!r.ok, `impostor(${kind}) should fail`);
  return r.error as Error;
}

test("workers wire: a user's class named like doeff's (WorkerModuleError, TimeoutError) thrown in a job is not doeff's class in the parent", async () => {
  const mod = await failure("module");
  assert.ok(!(mod instanceof WorkerModuleError), `rebuilt as doeff's WorkerModuleError: ${String(mod)}`);
  assert.equal(Object.getPrototypeOf(mod), Error.prototype);
  assert.equal(mod.name, "Error");
  assert.equal(mod.message, "not doeff's");
  const t = await failure("timeout");
  assert.ok(!(t instanceof TimeoutError), `rebuilt as doeff's TimeoutError: ${String(t)}`);
  assert.ok(t instanceof RemoteError);
  assert.equal(t.name, "TimeoutError");
  assert.equal(t.message, "the db timed out");
  assert.ok(t.cause instanceof RangeError);
  assert.equal((t.cause as Error).message, "deep");
  assert.match(t.stack ?? "", /^TimeoutError: the db timed out\n\s+at impostor \(.*impostors\.ts:\d+:\d+\)/);
});

test("workers wire: a class that only shares its name with a registered class is not rebuilt as it (each way)", async () => {
  // worker → parent (the worker registers the real JobFailed: its module's `errors`)
  const e = await failure("jobFailed");
  assert.ok(!(e instanceof JobFailed), `rebuilt as the registered JobFailed: ${String(e)}`);
  assert.ok(e instanceof RemoteError);
  assert.equal(e.name, "JobFailed");
  assert.equal(e.message, "another JobFailed");
  // parent → worker: the parent's handler fails a forwarded effect with a namesake of JobFailed
  class JobFailedNamesake extends Error {
    override name = "JobFailed";
  }
  Object.defineProperty(JobFailedNamesake, "name", { value: "JobFailed" });
  const refuse = answer(Lookup, (l) => {
    throw new JobFailedNamesake(`no user ${l.id}`);
  });
  const r = await runAsync(runInWorker<string>(JOBS, "lookupCaught", 4), {
    handlers: [scheduler, realTime, writer, reader, refuse, pool],
  });
  assert.equal(r.value, "not JobFailed: JobFailed: no user 4");
});

test("workers wire: a built-in subclass comes back as its built-in class keeping its name; a DOMException as a DOMException", async () => {
  const bad = await failure("badInput");
  assert.equal(Object.getPrototypeOf(bad), TypeError.prototype);
  assert.equal(bad.name, "BadInput");
  assert.equal(bad.message, "n must be > 0");
  const abort = await failure("abort");
  assert.ok(abort instanceof DOMException, String(abort));
  assert.equal(abort.name, "AbortError");
  assert.equal(abort.message, "stopped");
});

test("workers wire: doeff's own classes and registered ones still come back as themselves (subclasses as their registered base)", () => {
  const mod = fromWire(toWire(new WorkerModuleError("u", "x", "no export"))) as WorkerModuleError;
  assert.ok(mod instanceof WorkerModuleError);
  assert.equal(mod.exportName, "x");
  assert.equal(mod.message, "no export");
  class Worse extends JobFailed {}
  const sub = fromWire(toWire(new Worse("worse", 7))) as JobFailed;
  assert.equal(Object.getPrototypeOf(sub), JobFailed.prototype);
  assert.equal(sub.code, 7);
  assert.equal(sub.name, "JobFailed");
  // a class named "DOMException" that is not one is not rebuilt as one
  class DOMExceptionLike extends Error {}
  Object.defineProperty(DOMExceptionLike, "name", { value: "DOMException" });
  const like = fromWire(toWire(new DOMExceptionLike("fake"))) as Error;
  assert.ok(!(like instanceof DOMException));
  assert.equal(Object.getPrototypeOf(like), Error.prototype);
});

test("workers wire: doeff/queue's UnknownProgramError stays the queue's class when a user registers a class of the same name", async () => {
  const { UnknownProgramError } = await import("../src/queue/errors.js");
  const { registerErrorClasses } = await import("../src/workers/wire.js");
  class UnknownProgramErrorMine extends Error {}
  Object.defineProperty(UnknownProgramErrorMine, "name", { value: "UnknownProgramError" });
  registerErrorClasses([UnknownProgramErrorMine]);
  const real = fromWire(toWire(new UnknownProgramError("send", ["fetch"])));
  assert.ok(real instanceof UnknownProgramError, `not rebuilt as the queue's class: ${String(real)}`);
  assert.equal((real as InstanceType<typeof UnknownProgramError>).programName, "send");
  const mine = fromWire(toWire(new UnknownProgramErrorMine("mine"))) as Error;
  assert.ok(mine instanceof UnknownProgramErrorMine, String(mine));
  assert.equal(mine.message, "mine");
});

test("workers wire: registerErrorClasses given one class, a string or a non-class says what it expects", () => {
  const expects =
    "registerErrorClasses expects an array of Error subclasses, e.g. registerErrorClasses([MyError]), got";
  class MyError extends Error {}
  // (it said "classes is not iterable", and a string's letters were checked one by one: "got M")
  assert.throws(() => registerErrorClasses(MyError as never), {
    name: "TypeError",
    message: `${expects} function MyError`,
  });
  assert.throws(() => registerErrorClasses("MyError" as never), {
    name: "TypeError",
    message: `${expects} "MyError"`,
  });
  // (an element that is no class read "got [object Object]")
  assert.throws(() => registerErrorClasses([{}] as never), {
    name: "TypeError",
    message: "registerErrorClasses expects Error subclasses (class X extends Error), got object",
  });
});

test("workers wire: a thread's uncaught AggregateError is the WorkerCrashedError's cause as an AggregateError (Node's copy is a plain Error)", async () => {
  const r = await runAsync(runInWorker(IMPOSTORS, "crashAggregate"), {
    handlers: [scheduler, realTime, pool],
  });
  assert.ok(r.error instanceof WorkerCrashedError, r.format());
  const c = r.error.cause as AggregateError;
  assert.ok(c instanceof AggregateError, `a ${Object.prototype.toString.call(c)} named ${c.name}`);
  assert.equal(Object.getPrototypeOf(c), AggregateError.prototype);
  assert.equal(c.name, "AggregateError");
  assert.equal(c.message, "all failed");
  assert.match(
    c.stack ?? "",
    /^AggregateError: all failed\n\s+at Timeout\._onTimeout \(.*impostors\.ts:\d+:\d+\)/,
  );
  assert.equal(c.errors.length, 1);
  assert.ok(c.errors[0] instanceof RangeError);
  assert.equal(c.errors[0].message, "first");
  assert.ok(c.cause instanceof TypeError);
  assert.equal((c.cause as Error).message, "why");
});

test("workers wire: asBuiltin gives a plain Error named for a built-in class that class, keeping message, stack and fields; others as they are", () => {
  const e = Object.assign(new Error("too big", { cause: "n" }), { code: 7 });
  e.name = "RangeError";
  const stack = e.stack;
  const r = asBuiltin(e) as RangeError & { code: number };
  assert.equal(Object.getPrototypeOf(r), RangeError.prototype);
  assert.deepEqual([r.name, r.message, r.stack, r.cause, r.code], ["RangeError", "too big", stack, "n", 7]);
  assert.equal(Object.hasOwn(r, "name"), false); // (RangeError.prototype's)
  const plain = new Error("plain");
  const custom = Object.assign(new Error("custom"), { name: "QuotaError" });
  const real = new TypeError("real");
  class Sub extends Error {}
  const sub = Object.assign(new Sub("sub"), { name: "TypeError" });
  for (const x of [plain, custom, real, sub, "RangeError", null]) assert.equal(asBuiltin(x), x);
});

async function crashed(kind: string): Promise<WorkerCrashedError> {
  const r = await runAsync(runInWorker(IMPOSTORS, "crashWith", kind), {
    handlers: [scheduler, realTime, pool],
  });
  assert.ok(r.error instanceof WorkerCrashedError, r.format());
  return r.error;
}

const crashText = (what: string) =>
  `the worker thread running test/fixtures/workers/impostors.ts#crashWith ended before answering (${what}); only this job failed and the pool starts a new thread. Look for process.exit, an uncaught error in a callback, or memory limits in the job`;

test("workers wire: a thread's uncaught DOMException is the WorkerCrashedError's cause as a DOMException of its name (Node's copy was an empty object: `([object Object])`)", async () => {
  const abort = await crashed("abort");
  assert.equal(abort.message, crashText("AbortError: x"));
  const c = abort.cause as DOMException;
  assert.ok(c instanceof DOMException, `a ${Object.prototype.toString.call(c)}`);
  assert.deepEqual([c.name, c.message, c.code], ["AbortError", "x", 20]);
  assert.match(c.stack ?? "", /\n\s+at Timeout\._onTimeout \(.*impostors\.ts:\d+:\d+\)/);
  // a DataCloneError that ended the thread is no complaint about the job's arguments
  const clone = await crashed("clone");
  assert.equal(clone.message, crashText("DataCloneError: ()=>1 could not be cloned."));
  assert.ok(clone.cause instanceof DOMException);
  assert.deepEqual([clone.cause.name, clone.cause.message], ["DataCloneError", "()=>1 could not be cloned."]);
});

test("workers wire: a thread's uncaught subclass of a built-in error is rebuilt as the job's thrown one is, and the crash message names its class", async () => {
  const e = await crashed("range");
  assert.equal(e.message, crashText("MyRange: too far"));
  const c = e.cause as RangeError;
  const r = await runAsync(runInWorker(IMPOSTORS, "throwMyRange"), { handlers: [scheduler, realTime, pool] });
  const thrown = r.error as RangeError & { remoteTraceback: string };
  for (const x of [c, thrown]) {
    assert.equal(Object.getPrototypeOf(x), RangeError.prototype);
    assert.deepEqual([x.name, x.message], ["RangeError", "too far"]);
  }
  assert.match(thrown.remoteTraceback, /\nMyRange: too far$/);
  assert.match(c.stack ?? "", /^RangeError: too far\n\s+at Timeout\._onTimeout \(.*impostors\.ts:\d+:\d+\)/);
});
