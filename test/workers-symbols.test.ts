/**
 * doeff/workers: structured clone copies string keys only, so a symbol-keyed field would vanish on
 * the way between the threads. A forwarded effect's own field keyed by a registered symbol
 * (`Symbol.for`) crosses (the parent re-creates the key); any other symbol-keyed field — keyed by a
 * `Symbol()`, or inside an argument, a result, an answer or a field's value — is a TypeError naming
 * it (src/workers/plain.ts).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { handle, realTime, resume, runAsync, scheduler } from "../src/index.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { Carry, SECRET, TAG, Tagged } from "./fixtures/workers/symbol-jobs.js";

const JOBS = new URL("./fixtures/workers/symbol-jobs.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/symbol-jobs.ts";

const pool = workers({ size: 1 });
after(() => pool.close());

const seen: unknown[] = [];
let carryAnswer: unknown = "ok";
const takeTagged = handle(Tagged, function* (e, k) {
  const fields = e as unknown as Record<symbol, unknown>;
  seen.push([e instanceof Tagged, e.label, fields[TAG], Object.getOwnPropertySymbols(e).map(String)]);
  return yield* resume(k, fields[TAG]);
});
const takeCarry = handle(Carry, function* (e, k) {
  seen.push(e.payload);
  return yield* resume(k, carryAnswer);
});
const handlers = [scheduler, realTime, pool, takeTagged, takeCarry];

test("workers symbols: a forwarded effect's field keyed by Symbol.for crosses to the parent, re-keyed", async () => {
  seen.length = 0;
  const r = await runAsync(runInWorker(JOBS, "tagged", true), { handlers });
  assert.ok(r.ok, r.format());
  const value = { n: 1, when: new Date(0) };
  assert.deepEqual(seen, [[true, "t", value, ["Symbol(doeff.test.tag)"]]]);
  // the answer (the field's value) went back as it was
  assert.deepEqual(r.value, value);
});

test("workers symbols: a forwarded effect's field keyed by a Symbol() is a TypeError at its perform site", async () => {
  seen.length = 0;
  const r = await runAsync(runInWorker(JOBS, "tagged", false), { handlers });
  assert.ok(!r.ok);
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    'Tagged cannot be forwarded from the worker to the parent: its field [Symbol(doeff.test.secret)] is keyed by a symbol made with Symbol(), which the parent cannot re-create (structured clone copies string keys only); key it with a registered symbol (Symbol.for("doeff.test.secret")) or a string, or handle Tagged in the worker (export const handlers = […])',
  );
  assert.deepEqual(seen, []); // never reached the parent
  void SECRET;
});

test("workers symbols: a symbol-keyed field inside a forwarded effect's field is a TypeError naming its path", async () => {
  seen.length = 0;
  const r = await runAsync(runInWorker(JOBS, "carryNested"), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    'Carry cannot be forwarded from the worker to the parent: its field .payload.list[0][Symbol.for("doeff.test.tag")] is keyed by a symbol inside a field\'s value, which structured clone drops (it copies string keys only); key it with a string, or handle Carry in the worker (export const handlers = […])',
  );
  assert.deepEqual(seen, []);
});

test("workers symbols: a job's result holding a symbol-keyed field fails the job with a TypeError naming it", async () => {
  const r = await runAsync(runInWorker(JOBS, "symbolResult"), { handlers });
  assert.ok(r.error instanceof TypeError, String(r.error));
  assert.equal(
    r.error.message,
    `${LABEL}#symbolResult returned a value that cannot be sent back to the parent thread (it holds .nested[0][Symbol(doeff.test.secret)]: a symbol-keyed field, which structured clone drops on the way to the parent thread (it copies string keys only): key the field with a string); return structured-cloneable data (no functions, no class instances: return plain data and rebuild the instance in the parent)`,
  );
});

test("workers symbols: an argument holding a symbol-keyed field is a TypeError at the call", () => {
  assert.throws(() => runInWorker(JOBS, "keysOf", { a: 1, [TAG]: 2 }), {
    name: "TypeError",
    message:
      'runInWorker(keysOf): argument 1 holds [Symbol.for("doeff.test.tag")]: a symbol-keyed field, which structured clone drops on the way to a worker thread (it copies string keys only): key the field with a string',
  });
  assert.throws(() => runInWorker(JOBS, "keysOf", { deep: [{ [SECRET]: 1 }] }), {
    name: "TypeError",
    message:
      /^runInWorker\(keysOf\): argument 1 holds \.deep\[0\]\[Symbol\(doeff\.test\.secret\)\]: a symbol-keyed field, /,
  });
  // (a non-enumerable symbol key is no field: structured clone leaves it, as it leaves such a string key)
  const quiet = Object.defineProperty({ a: 1 }, TAG, { value: 2, enumerable: false });
  assert.ok(runInWorker(JOBS, "keysOf", quiet));
});

test("workers symbols: the parent's answer holding a symbol-keyed field is a TypeError at the job's perform site", async () => {
  carryAnswer = { rows: [{ id: 1, [TAG]: "meta" }] };
  try {
    const r = await runAsync(runInWorker(JOBS, "carryAnswer"), { handlers });
    assert.ok(r.ok, r.format());
    assert.equal(
      r.value,
      `TypeError: the answer to an effect forwarded by ${LABEL}#carryAnswer holds .rows[0][Symbol.for("doeff.test.tag")], a field keyed by a symbol, which structured clone drops on the way to the worker thread (it copies string keys only); answer with string keys`,
    );
  } finally {
    carryAnswer = "ok";
  }
  const plain = await runAsync(runInWorker(JOBS, "carryAnswer"), { handlers });
  assert.equal(plain.value, "ok");
});

test("review-q workers symbols: a symbol-keyed field inside a Symbol.for-keyed field's value is a TypeError naming its path", async () => {
  seen.length = 0;
  const r = await runAsync(runInWorker(JOBS, "taggedNested"), { handlers });
  assert.ok(r.error instanceof TypeError, r.ok ? `ok: ${JSON.stringify(seen)}` : String(r.error));
  assert.equal(
    r.error.message,
    'Tagged cannot be forwarded from the worker to the parent: its field [Symbol.for("doeff.test.tag")].rows[0][Symbol.for("doeff.test.tag")] is keyed by a symbol inside a field\'s value, which structured clone drops (it copies string keys only); key it with a string, or handle Tagged in the worker (export const handlers = […])',
  );
  assert.deepEqual(seen, []); // never reached the parent
});

test("review-q workers symbols: ordinary data is never refused as holding a symbol-keyed field, both ways", async () => {
  const DATA = new URL("./fixtures/workers/data-jobs.ts", import.meta.url).href;
  const quiet = Object.defineProperty({ a: 1 }, TAG, { value: 2, enumerable: false });
  const values: unknown[] = [
    [1, [2, [3]], "x"],
    new Date(5),
    new Uint8Array([1, 2]),
    new Map<string, unknown>([["k", { v: [1] }]]),
    new Set([1, "a", { b: 2 }]),
    Object.freeze({ f: Object.freeze([1, 2]) }),
    quiet,
    { nested: { list: [{ when: new Date(0), bytes: new Float64Array([0.5]) }] } },
  ];
  for (const v of values) {
    const r = await runAsync(runInWorker(DATA, "echo", v), { handlers });
    assert.ok(r.ok, r.ok ? "" : r.format());
    // (a non-enumerable key is no field: structured clone leaves it, as it leaves such a string key)
    assert.deepEqual(r.value, v === quiet ? { a: 1 } : v);
  }
  // a symbol as a value (not a key) is refused as structured clone refuses it, naming where it is
  assert.throws(() => runInWorker(DATA, "echo", new Map([["k", Symbol.for("v")]])), {
    name: "TypeError",
    message:
      /^runInWorker\(echo\): argument 1 holds \.get\("k"\): a symbol, which cannot be sent to a worker thread at all/,
  });
});
