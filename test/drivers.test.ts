/** L. Entry points and drivers (SEMANTICS §8). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Effect,
  get,
  getHandlers,
  type Handler,
  pass,
  put,
  type RunResult,
  resume,
  run,
  runAsync,
  state,
  tell,
  UnhandledEffectError,
  withHandler,
} from "../src/index.js";
import { body, H, Num, note, notes, P, rec, resetNotes } from "./helpers.js";

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
