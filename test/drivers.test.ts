/** L. Entry points and drivers (SEMANTICS §8). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  ask,
  asyncEscape,
  type Effect,
  get,
  getHandlers,
  type Handler,
  pass,
  pure,
  put,
  reader,
  type RunResult,
  resume,
  run,
  runAsync,
  state,
  tell,
  transfer,
  UnhandledEffectError,
  withHandler,
  writer,
} from "../src/index.js";
import { body, E2, H, Num, note, notes, P, rec, resetNotes } from "./helpers.js";

const WH = withHandler;

function assertErr(r: RunResult<unknown>, cls: abstract new (...a: any[]) => unknown): void {
  assert.equal(r.ok, false, `expected Err(${cls.name}), got Ok(${String(r.ok ? r.value : "")})`);
  assert.ok(r.error instanceof cls, `expected ${cls.name}, got ${String(r.error)}`);
  assert.equal((r.error as object).constructor, cls);
}

/** C8's mk: notes its name, h0 resumes with "done", the others pass. */
const mk = (name: string): Handler =>
  H(Num)(function* (_e, k) {
    yield* note(name);
    if (name === "h0") return yield* resume(k, "done");
    return yield* pass();
  });

test("L1 handlers list = manual nesting (visit order)", () => {
  const a = mk("h0");
  const b = mk("h1");
  const c = mk("h2");
  resetNotes();
  const r1 = run(body(0), { handlers: [rec, a, b, c] });
  assert.equal(r1.value, "done");
  assert.deepEqual(notes, ["h2", "h1", "h0"]);
  resetNotes();
  const r2 = run(WH(rec, WH(a, WH(b, WH(c, body(0))))));
  assert.equal(r2.value, "done");
  assert.deepEqual(notes, ["h2", "h1", "h0"]);
});

test("L1 handlers list = manual nesting (getHandlers by identity)", () => {
  const g0 = H(Num)(function* (_e, k) {
    return yield* resume(k, yield* getHandlers());
  });
  const pa = H(Num)(() => pass());
  const pb = H(Num)(() => pass());
  const r1 = run(body(0), { handlers: [g0, pa, pb] });
  const r2 = run(WH(g0, WH(pa, WH(pb, body(0)))));
  for (const r of [r1, r2]) {
    const hs = r.value as Handler[];
    assert.equal(hs.length, 3);
    assert.equal(hs[0], pb);
    assert.equal(hs[1], pa);
    assert.equal(hs[2], g0);
  }
});

test("L2 no default handlers: run(tell('x')) → Err(UnhandledEffectError)", () => {
  // typed open: with a closed row this is (rightly) a compile error (API §7)
  const r = run(tell("x") as Effect<any>);
  assertErr(r, UnhandledEffectError);
});

test("L3 run makes no microtask hop", () => {
  let flag = false;
  queueMicrotask(() => {
    flag = true;
  });
  const r = run(
    P(function* () {
      for (let i = 0; i < 10000; i++) yield* get("n");
      return flag;
    }),
    { handlers: [state], store: { n: 0 } },
  );
  assert.equal(r.value, false);
  assert.equal(flag, false);
});

const b2 = () =>
  WH(
    H(Num)(function* (_e, k) {
      const r = (yield* resume(k, 1)) as number;
      return r * 3;
    }),
    P(function* () {
      const a = yield* new Num(0);
      const b = yield* new Num(0);
      return a + b;
    }),
  );

test("L10 trace: one numbered line per step; same result; no sink call when off", () => {
  const lines: string[] = [];
  const p = b2();
  const traced = run(p, { trace: { steps: (l) => lines.push(l) } });
  assert.equal(traced.value, 18);
  assert.equal(run(p).value, 18);
  assert.ok(lines.length > 0);
  lines.forEach((line, i) => {
    assert.match(line, new RegExp(`^${i + 1} (Deliver|Throw|Unwind|HandleYield|Return)( |$)`), line);
  });
  let spyCalls = 0;
  const spy = (_l: string) => {
    spyCalls++;
  };
  // the spy is wired once, then runs without trace (or with steps off) never call it
  const once = run(p, { trace: { steps: spy } });
  assert.equal(once.value, 18);
  const before = spyCalls;
  assert.ok(before > 0);
  assert.equal(run(p).value, 18);
  assert.equal(run(p, { trace: {} }).value, 18);
  assert.equal(run(p, { trace: { sites: false } }).value, 18);
  assert.equal(spyCalls, before);
});

test("L11 G1's program run 20 times → 20 × Ok(1), each store {c: 1}", () => {
  const g1 = P(function* () {
    yield* put("c", 0);
    const v = yield* get<number>("c");
    yield* put("c", v + 1);
    return yield* get<number>("c");
  });
  for (let i = 0; i < 20; i++) {
    const r = run(g1, { handlers: [state] });
    assert.equal(r.ok, true);
    assert.equal(r.value, 1);
    assert.deepEqual(r.store, { c: 1 });
  }
});

test("L12 a non-program: run throws TypeError synchronously, runAsync rejects with TypeError", async () => {
  assert.throws(() => run(42 as never), TypeError);
  let pr: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    pr = runAsync(42 as never);
  });
  assert.ok(pr instanceof Promise);
  await assert.rejects(pr, TypeError);
});

test("L13 the store option object is never mutated", () => {
  const store = { c: 0 };
  const r = run(put("c", 5), { handlers: [state], store });
  assert.deepEqual(r.store, { c: 5 });
  assert.deepEqual(store, { c: 0 });
});

// ── Conformance audit review-n ──

test("§8 a run() nested in a handler (generator handler, answer's fast path, a handles predicate, a closing finally block) is a run of its own: the same state/writer objects keep per-run stores and logs", () => {
  const inner = (v: number) =>
    run(
      P(function* () {
        yield* tell("inner");
        yield* put("x", v);
        return yield* get<number>("x");
      }),
      { handlers: [writer, state], store: { x: 0 } },
    );
  const outerBody = P(function* () {
    yield* tell("o1");
    yield* put("x", 1);
    const v = yield* new Num(5);
    yield* tell("o2");
    return [v, yield* get<number>("x")];
  });
  const viaGen = H(Num)(function* (e, k) {
    const r = inner(e.v);
    return yield* resume(k, [r.value, r.store, r.log]);
  });
  const viaAnswer = answer(Num, (e: Num) => {
    const r = inner(e.v);
    return [r.value, r.store, r.log];
  });
  for (const h of [viaGen, viaAnswer]) {
    const r = run(outerBody, { handlers: [writer, state, h], store: { x: 1 } });
    assert.deepEqual(r.value, [[5, { x: 5 }, ["inner"]], 1]);
    assert.deepEqual(r.store, { x: 1 });
    assert.deepEqual(r.log, ["o1", "o2"]);
  }

  // in a `handles` predicate, and in a finally block closed by an abandonment
  resetNotes();
  const doubling = H(Num)((e, k) => resume(k, e.v * 2));
  const picky = ((_e: unknown, k: any) => resume(k, "picky")) as Handler;
  picky.handles = (e) => e instanceof Num && run(new Num(e.v), { handlers: [doubling] }).value === 2;
  const r = run(
    WH(
      H(E2)(() =>
        P(function* () {
          return "dropped";
        }),
      ),
      WH(
        picky,
        P(function* () {
          const a = yield* new Num(1);
          try {
            yield* new E2();
          } finally {
            yield* note(`nested ${run(new Num(3), { handlers: [doubling] }).value} after ${a}`);
          }
          return a;
        }),
      ),
    ),
    { handlers: [rec] },
  );
  assert.equal(r.value, "dropped");
  assert.deepEqual(notes, ["nested 6 after picky"]);
});

test("§8.2 runAsync reads its options at the call: env, store and the handlers array changed afterwards (while it waits) change nothing", async () => {
  const env: Record<string, unknown> = { a: 1 };
  const store: Record<string, unknown> = { s: 1 };
  const handlers: Handler[] = [reader, state];
  const p = runAsync(
    P(function* () {
      yield* asyncEscape(() => new Promise((done) => setTimeout(done, 1)));
      return [yield* ask("a"), yield* get("s")];
    }),
    { env, store, handlers },
  );
  env.a = 2;
  store.s = 2;
  handlers.length = 0;
  const r = await p;
  assert.deepEqual(r.value, [1, 1]);
  assert.deepEqual(r.store, { s: 1 });
  assert.deepEqual([env, store], [{ a: 2 }, { s: 2 }]);
});

test("§9.8 the run's signal aborted while k is being finalized, and while a handler closes for transfer: the rest of that finally block does not run, every other finally does (innermost first), Err(reason)", () => {
  // aborted in a finally block of an abandoned k
  resetNotes();
  const ac1 = new AbortController();
  const r1 = run(
    P(function* () {
      try {
        return yield* WH(
          H(Num)(() => pure("A")),
          P(function* () {
            try {
              try {
                yield* new Num(0);
              } finally {
                yield* note("f1");
                ac1.abort("R1");
                yield* note("f1 after abort");
              }
            } finally {
              yield* note("f2");
            }
          }),
        );
      } finally {
        yield* note("main finally");
      }
    }),
    { handlers: [rec], signal: ac1.signal },
  );
  assert.equal(r1.ok, false);
  assert.equal(r1.error, "R1");
  assert.deepEqual(notes, ["f1", "f2", "main finally"]);

  // aborted in the handler's finally while it closes for transfer: the transfer never happens and the
  // body is finalized instead
  resetNotes();
  const ac2 = new AbortController();
  const h = H(Num)(function* (_e, k) {
    try {
      return yield* transfer(k, 1);
    } finally {
      yield* note("h finally");
      ac2.abort("R2");
      yield* note("h finally after abort");
    }
  });
  const r2 = run(
    P(function* () {
      try {
        return yield* WH(
          h,
          P(function* () {
            try {
              const v = yield* new Num(0);
              yield* note(`body ${v}`);
              return v;
            } finally {
              yield* note("body finally");
            }
          }),
        );
      } finally {
        yield* note("main finally");
      }
    }),
    { handlers: [rec], signal: ac2.signal },
  );
  assert.equal(r2.error, "R2");
  assert.deepEqual(notes, ["h finally", "body finally", "main finally"]);
  assert.deepEqual(r2.warnings, []);
});
