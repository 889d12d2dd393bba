/** O. Stack safety and cost (SEMANTICS §11: INV-2, INV-3). Full sizes, default stack, under `run`. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  fn,
  program as P,
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
import { Abort, H, Num, tailEcho } from "./helpers.js";

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

// A Program object started again inside itself, without end: the frames are not on the JavaScript
// stack, so nothing stopped it before memory ran out (the process died with "JavaScript heap out of
// memory" after ~20 million frames). The machine looks once every 65,536 program calls: the first
// look that finds 100,000 frames of that very object refuses the call with a RangeError.
const RUNAWAY = (name: string): string =>
  `Program(${name}) runs inside itself 100,000 levels deep (one Program object started again before it ended): end the recursion, or loop in one program`;

test("O7 a Program that yields itself fails with a RangeError at its 131,072nd call (the second look), every level's finally run, not out of memory", () => {
  let closed = 0;
  const again: Program<number> = P(function* loop(): Generator<unknown, number, any> {
    try {
      return yield* again;
    } finally {
      closed++;
    }
  });
  const r = run(again);
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof RangeError, String(r.error));
  assert.equal((r.error as Error).message, RUNAWAY("loop"));
  assert.equal(closed, 131_071); // calls 1 … 131,071 ran; the 131,072nd was refused at its yield*
  // the same with a bare `yield` and no name: Program(anonymous)
  const bare: Program<unknown> = P(function* () {
    yield bare;
  });
  const b = run(bare);
  assert.ok(b.error instanceof RangeError);
  assert.equal((b.error as Error).message, RUNAWAY("anonymous"));
});

test("O7 through a cycle (a yields b, b yields a) and through a handler installed per level: the same RangeError", () => {
  const a: Program<number> = P(function* ping(): Generator<unknown, number, any> {
    return yield* b;
  });
  const b: Program<number> = P(function* pong(): Generator<unknown, number, any> {
    return yield* a;
  });
  const r = run(a);
  assert.ok(r.error instanceof RangeError, String(r.error));
  // the even calls are pong's; the fourth look (call 262,144) finds 131,071 of its frames
  assert.equal((r.error as Error).message, RUNAWAY("pong"));
  const nested: Program<number> = P(function* nest(): Generator<unknown, number, any> {
    return yield* WH(state, nested);
  });
  const n = run(nested);
  assert.ok(n.error instanceof RangeError, String(n.error));
  assert.equal((n.error as Error).message, RUNAWAY("nest"));
});

test("O7 a Program that runs itself again and stops, 120,000 levels deep, is Ok (counted from the first look: 65,535 frames)", () => {
  const down: Program<number> = P(function* countDown(): Generator<unknown, number, any> {
    const n = yield* get<number>("n");
    if (n === 0) return 0;
    yield* put("n", n - 1);
    return 1 + (yield* down);
  });
  const r = run(down, { handlers: [state], store: { n: 120_000 } });
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 120_000);
});
