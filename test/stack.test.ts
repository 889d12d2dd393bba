/** O. Stack safety and cost (SEMANTICS §11: INV-2, INV-3). Full sizes, default stack, under `run`. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  fn,
  get,
  type Handler,
  type Program,
  pure,
  put,
  resume,
  run,
  state,
  withHandler,
} from "../src/index.js";
import { Abort, H, Num, P, tailEcho } from "./helpers.js";

const WH = withHandler;

test("O1 1,000,000-deep named recursion → Ok(1000000)", () => {
  const count = fn(function* count(n: number): Generator<unknown, number, any> {
    return n === 0 ? 0 : 1 + (yield* count(n - 1));
  });
  const r = run(count(1000000));
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 1000000);
});

test("O1 1,000,000-deep recursion through the wrapped function → Ok(1000000)", () => {
  const count2: (n: number) => Program<number> = fn(function* (n: number): Generator<unknown, number, any> {
    return n === 0 ? 0 : 1 + (yield* count2(n - 1));
  });
  const r = run(count2(1000000));
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 1000000);
});

test("O2 1,000,000 looped state effects → Ok(999999)", () => {
  const r = run(
    P(function* () {
      for (let i = 0; i < 1000000; i++) yield* put("n", i);
      return yield* get("n");
    }),
    { handlers: [state] },
  );
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 999999);
});

test("O2 1,000,000 looped tail-resumed user effects → Ok(1000000)", () => {
  const r = run(
    WH(
      tailEcho,
      P(function* () {
        let s = 0;
        for (let i = 0; i < 1000000; i++) s += yield* new Num(1);
        return s;
      }),
    ),
  );
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 1000000);
});

test("O3 100,000 non-tail resumes → Ok(100000)", () => {
  const r = run(
    WH(
      H(Num)(function* (_e, k) {
        return yield* resume(k, 1);
      }),
      P(function* () {
        let s = 0;
        for (let i = 0; i < 100000; i++) s += yield* new Num(0);
        return s;
      }),
    ),
  );
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 100000);
});

test("O4 10,000 nested handlers → Ok(1)", () => {
  const skip: Handler = Object.assign(function* () {}, { handles: () => false });
  let p: Program<unknown> | ReturnType<typeof WH> = P(function* () {
    return yield* get("x");
  });
  for (let i = 0; i < 10000; i++) p = WH(skip, p);
  const r = run(p, { handlers: [state], store: { x: 1 } });
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 1);
});

test("O5 100,000 nested finally blocks finalized → Ok('aborted'), closed 100000", () => {
  let closed = 0;
  const nest = fn(function* nest(n: number): Generator<unknown, void, any> {
    if (n === 0) {
      yield* new Abort();
      return;
    }
    try {
      yield* nest(n - 1);
    } finally {
      closed++;
    }
  });
  const r = run(
    WH(
      H(Abort)(() => pure("aborted")),
      nest(100000),
    ),
  );
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, "aborted");
  assert.equal(closed, 100000);
});

/** VM steps for a run: counted with the trace sink. */
function steps(p: Parameters<typeof run>[0], opts: Parameters<typeof run>[1] = {}): number {
  let n = 0;
  const r = run(p, {
    ...opts,
    trace: {
      steps: () => {
        n++;
      },
    },
  });
  assert.equal(r.ok, true, String(r.error));
  return n;
}

/** Recurse to `depth` calls, then perform `gets` get effects. */
function atDepth(depth: number, gets: number): Program<number> {
  const down = fn(function* down(d: number): Generator<unknown, number, any> {
    if (d > 1) return yield* down(d - 1);
    let s = 0;
    for (let i = 0; i < gets; i++) s += yield* get<number>("x");
    return s;
  });
  return down(depth);
}

test("O6 VM steps per get at call depth 10,000 = at depth 1", () => {
  const opts = { handlers: [state], store: { x: 1 } };
  const per = (depth: number): number => {
    const a = steps(atDepth(depth, 100), opts);
    const b = steps(atDepth(depth, 1100), opts);
    return (b - a) / 1000;
  };
  const shallow = per(1);
  const deep = per(10000);
  assert.ok(shallow > 0);
  assert.ok(Number.isInteger(shallow), `steps per get at depth 1: ${shallow}`);
  assert.equal(deep, shallow);
});
