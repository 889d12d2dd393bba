/** G. State (SEMANTICS §7.3). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  Get,
  get,
  type Handler,
  MissingStateKeyError,
  modify,
  put,
  type RunResult,
  reader,
  run,
  state,
  tell,
  transfer,
  writer,
} from "../src/index.js";
import { P } from "./helpers.js";

function assertErr(r: RunResult<unknown>, cls: abstract new (...a: any[]) => unknown): void {
  assert.equal(r.ok, false, `expected Err(${cls.name}), got Ok(${String(r.ok ? r.value : "")})`);
  assert.ok(r.error instanceof cls, `expected ${cls.name}, got ${String(r.error)}`);
  assert.equal((r.error as object).constructor, cls);
}

const g1 = P(function* () {
  yield* put("c", 0);
  const v = yield* get<number>("c");
  yield* put("c", v + 1);
  return yield* get<number>("c");
});

test("G1 put/get/put/get → Ok(1), store {c: 1}", () => {
  const r = run(g1, { handlers: [state] });
  assert.equal(r.value, 1);
  assert.deepEqual(r.store, { c: 1 });
});

test("G2 two keys → Ok(30)", () => {
  const r = run(
    P(function* () {
      yield* put("a", 10);
      yield* put("b", 20);
      return (yield* get<number>("a")) + (yield* get<number>("b"));
    }),
    { handlers: [state] },
  );
  assert.equal(r.value, 30);
  assert.deepEqual(r.store, { a: 10, b: 20 });
});

test("G3 missing key → MissingStateKeyError {key}, catchable at the site; uncaught → Err", () => {
  const r = run(
    P(function* () {
      try {
        yield* get("nope");
        return "unreached";
      } catch (e) {
        return [e instanceof MissingStateKeyError, (e as MissingStateKeyError).key];
      }
    }),
    { handlers: [state] },
  );
  assert.deepEqual(r.value, [true, "nope"]);
  const r2 = run(get("nope"), { handlers: [state] });
  assertErr(r2, MissingStateKeyError);
  assert.equal((r2.error as MissingStateKeyError).key, "nope");
});

test("G4 a stored undefined is present; put answers undefined", () => {
  const r = run(
    P(function* () {
      const x = yield* put("u", undefined);
      return [x, yield* get("u")];
    }),
    { handlers: [state] },
  );
  assert.deepEqual(r.value, [undefined, undefined]);
  assert.ok(Object.hasOwn(r.store, "u"));
  assert.deepEqual(r.store, { u: undefined });
});

test("G5 modify returns the new value", () => {
  const r = run(
    P(function* () {
      yield* put("c", 10);
      const n = yield* modify<number>("c", (x) => x! * 2);
      return [n, yield* get("c")];
    }),
    { handlers: [state] },
  );
  assert.deepEqual(r.value, [20, 20]);
  assert.deepEqual(r.store, { c: 20 });
});

test("G6 modify of an absent key calls f(undefined)", () => {
  let seen: unknown = "unset";
  const r = run(
    P(function* () {
      return yield* modify<number>("n", (x) => {
        seen = x;
        return (x ?? 0) + 1;
      });
    }),
    { handlers: [state] },
  );
  assert.equal(r.value, 1);
  assert.equal(seen, undefined);
  assert.deepEqual(r.store, { n: 1 });
});

test("G7 modify whose f throws: error at the site, nothing stored", () => {
  const r = run(
    P(function* () {
      yield* put("a", 1);
      let m: unknown;
      try {
        yield* modify("a", () => {
          throw new Error("m");
        });
      } catch (e) {
        m = (e as Error).message;
      }
      return [m, yield* get("a")];
    }),
    { handlers: [state] },
  );
  assert.deepEqual(r.value, ["m", 1]);
  assert.deepEqual(r.store, { a: 1 });
});

test("G8 store option seeds the state", () => {
  const r = run(get("c"), { handlers: [state], store: { c: 99 } });
  assert.equal(r.value, 99);
  assert.deepEqual(r.store, { c: 99 });
});

test("G9 an inner handler intercepts Get", () => {
  const hX: Handler = Object.assign(
    function* (_e: unknown, k: any) {
      return yield* transfer(k, 42);
    },
    { handles: (e: unknown) => e instanceof Get && e.key === "x" },
  );
  const r = run(
    P(function* () {
      return [yield* get("x"), yield* get("y")];
    }),
    { handlers: [state, hX], store: { x: 1, y: 2 } },
  );
  assert.deepEqual(r.value, [42, 2]);
  assert.deepEqual(r.store, { x: 1, y: 2 });
});

test("G10 state, reader and writer side by side: store exactly {s: 1}, log [t]", () => {
  const r = run(
    P(function* () {
      yield* tell("t");
      yield* put("s", 1);
      return yield* ask("e");
    }),
    { handlers: [state, reader, writer], env: { e: 2 } },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(r.store, { s: 1 });
  assert.deepEqual(r.log, ["t"]);
});

test("G11 100,000 get/put increments → Ok(100000)", () => {
  const r = run(
    P(function* () {
      yield* put("n", 0);
      for (let i = 0; i < 100000; i++) yield* put("n", (yield* get<number>("n")) + 1);
      return yield* get("n");
    }),
    { handlers: [state] },
  );
  assert.equal(r.value, 100000);
  assert.deepEqual(r.store, { n: 100000 });
});
