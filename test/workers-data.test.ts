/**
 * doeff/workers: what crosses the thread boundary is structured-cloned, which keeps an object's own
 * data and drops its prototype. A class instance (in the arguments, the result or a forwarded
 * effect's #private fields) would arrive silently broken: it is refused with a message saying where.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { all, answer, realTime, runAsync, scheduler } from "../src/index.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { Spend, User } from "./fixtures/workers/data-jobs.js";

const JOBS = new URL("./fixtures/workers/data-jobs.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/data-jobs.ts";

const pool = workers({ size: 1 });
after(() => pool.close());
const handlers = [scheduler, realTime, answer(Spend, (e) => `spent ${e.cents}`), pool];

test("workers data: a class instance as an argument is a TypeError at the call, naming where it is", () => {
  assert.throws(() => runInWorker(JOBS, "echo", new User("ann")), {
    name: "TypeError",
    message:
      "runInWorker(echo): argument 1 is an instance of User, which the worker thread would receive as a plain object without its methods, getters and instanceof (structured clone copies own data only); pass plain data (e.g. { ...value } or value.toJSON()) and rebuild the instance in the job",
  });
  assert.throws(() => runInWorker(JOBS, "echo", 1, { team: [{ lead: new User("ann") }] }), {
    name: "TypeError",
    message: /^runInWorker\(echo\): argument 2 holds \.team\[0\]\.lead: an instance of User, which/,
  });
});

test("workers data: plain data, Maps, Sets, Dates, typed arrays and errors cross as they are", async () => {
  const value = {
    list: [1, "two", null],
    map: new Map([["k", new Set([1, 2])]]),
    when: new Date(0),
    bytes: new Uint8Array([1, 2, 3]),
    err: new RangeError("r"),
  };
  const r = await runAsync(runInWorker(JOBS, "echo", value), { handlers });
  assert.ok(r.ok, r.format());
  assert.deepEqual(r.value, value);
});

test("workers data: every kind of value comes back as itself, also objects shaped like the pool's own replies", async () => {
  // (a value that is not an object crosses bare, an object wrapped: messages.ts JobReply)
  const values: unknown[] = [
    0,
    -0,
    Number.NaN,
    "",
    "s",
    true,
    false,
    null,
    undefined,
    12n,
    [],
    [1, 2],
    { ok: true, value: 1 },
    { ok: false, cancelled: true },
    { ok: false, error: { name: "Error", message: "not one" } },
  ];
  const r = await runAsync(all(values.map((v) => runInWorker(JOBS, "echo", v))), { handlers });
  assert.ok(r.ok, r.format());
  assert.deepEqual(r.value, values);
  assert.ok(Object.is((r.value as unknown[])[1], -0));
  // one at a time: each job its own piscina task, not in a batch
  for (const v of [undefined, null, 7, { ok: false, cancelled: true }]) {
    const one = await runAsync(runInWorker(JOBS, "echo", v), { handlers });
    assert.ok(one.ok, one.format());
    assert.deepEqual(one.value, v);
  }
});

test("workers data: a result holding a class instance fails the job with a TypeError naming where it is", async () => {
  const r = await runAsync(runInWorker(JOBS, "makeUser", "ann"), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    `${LABEL}#makeUser returned a value that cannot be sent back to the parent thread (it holds .users[0]: an instance of User, which the parent would receive as a plain object without its methods, getters and instanceof); return structured-cloneable data (no functions, no class instances: return plain data and rebuild the instance in the parent)`,
  );
});

test("workers data: a forwarded effect with #private fields is refused at its perform site, saying why (the parent's handler could not read them)", async () => {
  const r = await runAsync(runInWorker(JOBS, "spend", 250), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    "Spend cannot be forwarded from the worker to the parent: it has #private members (#cents), which do not cross — the parent rebuilds a forwarded effect from its own enumerable fields, so its handler could not read them; declare the data as public fields (e.g. readonly cents: …), or handle Spend in the worker (export const handlers = […])",
  );
});

test("workers data: a Promise, WeakMap or WeakSet (which cannot be cloned at all) is refused saying so, in an argument and in a result", async () => {
  assert.throws(() => runInWorker(JOBS, "echo", Promise.resolve(1)), {
    name: "TypeError",
    message:
      "runInWorker(echo): argument 1 is a Promise, which cannot be sent to a worker thread at all (structured clone cannot copy it): await it in the parent and pass its value",
  });
  assert.throws(() => runInWorker(JOBS, "echo", 1, { cache: new WeakMap() }), {
    name: "TypeError",
    message:
      "runInWorker(echo): argument 2 holds .cache: a WeakMap, which cannot be sent to a worker thread at all (structured clone cannot copy it): pass a Map or plain data",
  });
  assert.throws(() => runInWorker(JOBS, "echo", [new WeakSet()]), {
    name: "TypeError",
    message:
      "runInWorker(echo): argument 1 holds [0]: a WeakSet, which cannot be sent to a worker thread at all (structured clone cannot copy it): pass a Set or an array",
  });
  const r = await runAsync(runInWorker(JOBS, "makePromise"), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    `${LABEL}#makePromise returned a value that cannot be sent back to the parent thread (it holds .pending: a Promise, which cannot be sent to the parent thread at all (structured clone cannot copy it): await it in the job (awaitPromise) and return its value); return structured-cloneable data (no functions, no class instances: return plain data and rebuild the instance in the parent)`,
  );
});

test("workers data: a result nested too deeply to be sent says so and to flatten it, not to drop functions or class instances", async () => {
  const r = await runAsync(runInWorker(JOBS, "makeDeep", 20_000), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    `${LABEL}#makeDeep returned a value that cannot be sent back to the parent thread: it is nested too deeply to be sent: structured clone ran out of stack copying it; flatten it (its levels as an array, or as records that name their parent by id) and rebuild the nesting in the parent`,
  );
  // (not deep enough to matter: it crosses as it is)
  const ok = await runAsync(runInWorker(JOBS, "makeDeep", 100), { handlers });
  assert.ok(ok.isOk(), ok.format());
  let depth = 0;
  for (let v = ok.value as { next?: object }; v.next !== undefined; v = v.next) depth++;
  assert.equal(depth, 100);
});

test("workers data: an argument nested too deeply to be sent names which argument and how deep, and says to flatten it (it was a WorkerCrashedError: `ended before answering (Maximum call stack size exceeded)`)", async () => {
  let deep: { next?: object } = {};
  for (let i = 0; i < 20_000; i++) deep = { next: deep };
  const r = await runAsync(runInWorker(JOBS, "echo", "fine", deep), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    `runInWorker(${LABEL}#echo): argument 2 is nested too deeply to be sent to a worker thread (20001 levels): structured clone ran out of stack copying it; flatten it (its levels as an array, or as records that name their parent by id) and rebuild the nesting in the job`,
  );
  assert.ok(r.error.cause instanceof RangeError);
  // an argument that cannot be cloned for another reason is named too (a Proxy passes the call's own check)
  const proxy = await runAsync(runInWorker(JOBS, "echo", 1, [2], new Proxy({ n: 3 }, {})), { handlers });
  assert.ok(proxy.error instanceof TypeError, String(proxy.error));
  assert.equal(
    proxy.error.message,
    `runInWorker(${LABEL}#echo): argument 3 cannot be sent to a worker thread (#<Object> could not be cloned.); pass structured-cloneable data (no functions, no class instances with behaviour)`,
  );
});
