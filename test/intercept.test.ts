/** K. intercept (SEMANTICS §7.7). K6 needs the scheduler and is tested elsewhere. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Ask,
  ask,
  type Effect,
  get,
  intercept,
  local,
  type Program,
  put,
  reader,
  resume,
  run,
  state,
  withHandler,
} from "../src/index.js";
import { H, Num, P, Tag } from "./helpers.js";

function recorder(): { seen: string[]; t: (e: Effect<unknown>) => undefined } {
  const seen: string[] = [];
  return {
    seen,
    t: (e) => {
      seen.push(e.constructor.name);
      return undefined;
    },
  };
}

test("K1 the transform sees every effect leaving the program; undefined passes it on", () => {
  const { seen, t } = recorder();
  const r = run(
    intercept(
      P(function* () {
        yield* put("x", 1);
        return yield* get("x");
      }),
      t,
    ),
    { handlers: [state] },
  );
  assert.equal(r.value, 1);
  assert.deepEqual(seen, ["Put", "Get"]);
  assert.deepEqual(r.store, { x: 1 });
});

test("K2 an Effect returned by the transform is passed on instead (not fed back)", () => {
  let calls = 0;
  const t2 = (e: Effect<unknown>) => {
    calls++;
    return e instanceof Ask && e.key === "a" ? ask("b") : undefined;
  };
  const r = run(intercept(ask("a"), t2), { handlers: [reader], env: { a: "A", b: "B" } });
  assert.equal(r.value, "B");
  assert.equal(calls, 1);
});

test("K3 a program returned by the transform runs at the perform site, intercepted again", () => {
  const seen: string[] = [];
  const t3 = (e: Effect<unknown>) => {
    seen.push(e.constructor.name);
    if (e instanceof Num)
      return P(function* () {
        return (yield* get<number>("x")) + 1;
      });
    return undefined;
  };
  // Num is answered by the transform, which the row of the program cannot know: typed open
  const inner: Program<number> = P(function* () {
    yield* put("x", 41);
    return yield* new Num(0);
  });
  const r = run(intercept(inner, t3), { handlers: [state] });
  assert.equal(r.value, 42);
  assert.deepEqual(seen, ["Put", "Num", "Get"]);
});

test("K4 a throwing transform throws at the perform site", () => {
  const r = run(
    intercept(
      P(function* () {
        try {
          yield* get("x");
          return "unreached";
        } catch (e) {
          return (e as Error).message;
        }
      }),
      () => {
        throw new Error("t");
      },
    ),
    { handlers: [state] },
  );
  assert.equal(r.value, "t");
});

test("K5 effects taken by a handler inside the program are not seen", () => {
  const { seen, t } = recorder();
  const r = run(
    intercept(
      withHandler(
        H(Tag)((_e, k) => resume(k, 1)),
        P(function* () {
          const a = yield* new Tag();
          const b = yield* get<number>("x");
          return a + b;
        }),
      ),
      t,
    ),
    { handlers: [state], store: { x: 1 } },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(seen, ["Get"]);
});

test("K7 intercept reaches the body of a local", () => {
  const { seen, t } = recorder();
  const r = run(intercept(local({ a: 1 }, ask("a")), t), { handlers: [reader] });
  assert.equal(r.value, 1);
  assert.deepEqual(seen, ["Local", "Ask"]);
});
