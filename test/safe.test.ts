/** J. safe (SEMANTICS §7.6). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { get, pure, put, run, safe, state, tell, UnhandledEffectError, writer } from "../src/index.js";
import { body, P } from "./helpers.js";

test("J1 safe(pure(1)) → Ok(r), r.isOk(), r.value 1", () => {
  const r = run(safe(pure(1)));
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.ok, true);
  assert.equal(res.isOk(), true);
  assert.equal(res.isErr(), false);
  assert.equal(res.isOk() ? res.value : undefined, 1);
  assert.equal(res.error, undefined);
});

test("J2 safe of a failure → Err holding the very error object", () => {
  const e = new Error("x");
  const r = run(
    safe(
      P(function* () {
        throw e;
      }),
    ),
  );
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.ok, false);
  assert.equal(res.isErr(), true);
  assert.equal(res.isOk(), false);
  assert.equal(res.error, e);
});

test("J3 state and log are not rolled back by safe", () => {
  const r = run(
    P(function* () {
      yield* safe(
        P(function* () {
          yield* put("x", 2);
          yield* tell("t");
          throw new Error();
        }),
      );
      return yield* get("x");
    }),
    { handlers: [state, writer] },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(r.store, { x: 2 });
  assert.deepEqual(r.log, ["t"]);
});

test("J4 nested safe: the inner catches, the outer is Ok", () => {
  const r = run(
    safe(
      safe(
        P(function* () {
          throw new Error("i");
        }),
      ),
    ),
  );
  const outer = r.value;
  assert.equal(outer.isOk(), true);
  assert.ok(outer.isOk());
  const inner = outer.value;
  assert.equal(inner.isErr(), true);
  assert.equal((inner.error as Error).message, "i");
});

test("J5 safe catches UnhandledEffectError", () => {
  const r = run(safe(body(1)));
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.isErr(), true);
  assert.ok(res.error instanceof UnhandledEffectError);
});
