/**
 * Core invariants (SEMANTICS §11), one test each. INV-2 (timing) is the benchmark's job; INV-13 needs
 * the scheduler and is tested with it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  asyncEscape,
  AsyncRequiredError,
  ContinuationConsumedError,
  createContinuation,
  delegate,
  detach,
  discontinue,
  finalize,
  fn,
  Get,
  get,
  getCallStack,
  getHandlers,
  type Handler,
  intercept,
  listen,
  local,
  MissingStateKeyError,
  modify,
  Primitive,
  Program,
  pass,
  pure,
  put,
  type RunOptions,
  type RunResult,
  reader,
  resume,
  resumeContinuation,
  run,
  runAsync,
  safe,
  state,
  tell,
  transfer,
  transferWith,
  type UnhandledEffectError,
  withHandler,
  writer,
} from "../src/index.js";
import {
  Abort,
  abandon,
  body,
  E1,
  E2,
  echo,
  H,
  Num,
  note,
  notes,
  P,
  Ping,
  rec,
  resetNotes,
  Tag,
} from "./helpers.js";

const WH = withHandler;
type Runnable = Parameters<typeof run>[0];

/** Count VM steps of a run with the trace sink. */
function countSteps(p: Runnable, opts: RunOptions = {}): { steps: number; r: RunResult<unknown> } {
  let steps = 0;
  const r = run(p, {
    ...opts,
    trace: {
      steps: () => {
        steps++;
      },
    },
  });
  return { steps, r };
}

/** Everything observable about a run, for comparisons. */
function outcome(r: RunResult<unknown>, extra: unknown[] = []) {
  return {
    ok: r.ok,
    value: r.ok ? r.value : undefined,
    error: r.ok ? undefined : describeError(r.error),
    store: r.store,
    log: r.log,
    extra,
  };
}
function describeError(e: unknown): unknown {
  if (e instanceof Error) return { cls: e.constructor.name, message: e.message };
  return e;
}

// ---------------------------------------------------------------------------------------------
// INV-1

test("INV-1 one-shot: any second use throws ContinuationConsumedError there, with no other effect", () => {
  type Use = (k: any) => any;
  const uses: Record<string, Use> = {
    resume: (k) => resume(k, 2),
    resumeContinuation: (k) => resumeContinuation(k, 2),
    transfer: (k) => transfer(k, 2),
    transferWith: (k) => transferWith(k, pure(2)),
    discontinue: (k) => discontinue(k, new Error("d")),
    finalize: (k) => finalize(k),
    pass: () => pass(),
  };
  const firsts: Record<string, Use> = {
    resume: (k) => resume(k, 1),
    discontinue: (k) => discontinue(k, new Error("first")),
    finalize: (k) => finalize(k),
  };
  for (const [firstName, first] of Object.entries(firsts)) {
    for (const [secondName, second] of Object.entries(uses)) {
      const label = `${firstName} then ${secondName}`;
      resetNotes();
      let bodyRuns = 0;
      const h = H(Num)(function* (_e, k) {
        try {
          let r1: unknown;
          try {
            r1 = yield* first(k);
          } catch (err) {
            r1 = `first threw ${(err as Error).message}`;
          }
          try {
            yield* second(k);
            return [r1, "no error"];
          } catch (err) {
            return [r1, (err as Error).constructor.name, err instanceof ContinuationConsumedError];
          }
        } finally {
          yield* note("h finally");
        }
      });
      const r = run(
        WH(
          h,
          P(function* () {
            let x: unknown;
            try {
              x = yield* new Num(0);
            } catch (e) {
              x = `caught ${(e as Error).message}`;
            } finally {
              yield* note("body finally");
            }
            bodyRuns++;
            yield* modify<number>("n", (n) => (n ?? 0) + 1);
            return x;
          }),
        ),
        { handlers: [rec, state] },
      );
      const expectedFirst =
        firstName === "resume" ? 1 : firstName === "discontinue" ? "caught first" : undefined;
      assert.deepEqual(r.value, [expectedFirst, "ContinuationConsumedError", true], label);
      assert.equal(bodyRuns, firstName === "finalize" ? 0 : 1, label);
      assert.deepEqual(r.store, firstName === "finalize" ? {} : { n: 1 }, label);
      assert.deepEqual(notes, ["body finally", "h finally"], label);
    }
  }

  // an unstarted continuation used twice; and a continuation used after its invocation finalized it
  let saved: any;
  let ran = 0;
  const r = run(
    P(function* () {
      const kc = yield* createContinuation(
        P(function* () {
          ran++;
          return 1;
        }),
      );
      const a = yield* resumeContinuation(kc, 0);
      let second: unknown;
      try {
        yield* resume(kc, 0);
      } catch (e) {
        second = e instanceof ContinuationConsumedError;
      }
      const first = yield* WH(
        H(Num)(function* (_e, k) {
          saved = k;
          return "first";
        }),
        body(0),
      );
      let third: unknown;
      try {
        yield* resume(saved, 1);
      } catch (e) {
        third = e instanceof ContinuationConsumedError;
      }
      return [a, second, first, third, ran];
    }),
  );
  assert.deepEqual(r.value, [1, true, "first", true, 1]);
});

// ---------------------------------------------------------------------------------------------
// INV-3

test("INV-3 stack safety under run, default stack: all five sizes", () => {
  // 1,000,000 nested calls (named recursion)
  const count = fn(function* count(n: number): Generator<unknown, number, any> {
    return n === 0 ? 0 : 1 + (yield* count(n - 1));
  });
  const r1 = run(count(1000000));
  assert.equal(r1.ok, true, String(r1.error));
  assert.equal(r1.value, 1000000);

  // 1,000,000 looped effects
  const r2 = run(
    P(function* () {
      let s = 0;
      for (let i = 0; i < 1000000; i++) s += yield* get<number>("one");
      return s;
    }),
    { handlers: [state], store: { one: 1 } },
  );
  assert.equal(r2.ok, true, String(r2.error));
  assert.equal(r2.value, 1000000);

  // 100,000 nested finally blocks finalized
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
  const r3 = run(
    WH(
      H(Abort)(() => pure("aborted")),
      nest(100000),
    ),
  );
  assert.equal(r3.ok, true, String(r3.error));
  assert.equal(r3.value, "aborted");
  assert.equal(closed, 100000);

  // 10,000 nested handlers (each a real, non-skipping handler on the path: pass through all)
  const passer = H(Num)(() => pass());
  let p4: Runnable = body(7);
  for (let i = 0; i < 10000; i++) p4 = WH(passer, p4 as never);
  const r4 = run(WH(echo, p4 as never));
  assert.equal(r4.ok, true, String(r4.error));
  assert.equal(r4.value, 7);

  // 100,000 non-tail resumes
  const r5 = run(
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
  assert.equal(r5.ok, true, String(r5.error));
  assert.equal(r5.value, 100000);
});

// ---------------------------------------------------------------------------------------------
// INV-4

/** A program touching most of the machine: state, reader (lazy, local), writer (listen), notes,
 * deep non-tail handlers, pass, delegate, transfer, finalization with effects, caught errors. */
function richProgram(fail: boolean) {
  const sub = fn(function* sub(n: number): Generator<unknown, number, any> {
    try {
      const v = yield* new Num(n);
      yield* tell(`sub ${n} got ${v}`);
      return v;
    } finally {
      yield* note(`sub ${n} finally`);
    }
  });
  const dbl = H(Num)(function* (e, k) {
    yield* note(`dbl ${e.v}`);
    const r = yield* resume(k, e.v * 2);
    yield* note(`dbl after ${String(r)}`);
    return r;
  });
  const passer = H(E1)(function* () {
    yield* note("passer");
    return yield* pass(new E2());
  });
  const e2h = H(E2)(function* (_e, k) {
    const v = yield* delegate(new Tag());
    return yield* transfer(k, `e2:${v}`);
  });
  const tagH = H(Tag)((_e, k) => resume(k, "tag"));
  return P(function* () {
    yield* put("a", 1);
    const l = yield* listen(
      P(function* () {
        yield* tell("in listen");
        return yield* ask<number>("lazy");
      }),
    );
    const loc = yield* local({ a: 10 }, ask("a"));
    const m = yield* modify<number>("a", (x) => x! + 1);
    const deep = yield* WH(
      dbl,
      P(function* () {
        return (yield* sub(1)) + (yield* sub(2));
      }),
    );
    const ab = yield* WH(
      abandon,
      P(function* () {
        try {
          yield* new Num(0);
        } finally {
          yield* put("fin", true);
          yield* note("abandoned finally");
        }
      }),
    );
    const pe = yield* WH(
      tagH,
      WH(
        e2h,
        WH(
          passer,
          P(function* () {
            return yield* new E1();
          }),
        ),
      ),
    );
    let caught: unknown;
    try {
      yield* get("missing");
    } catch (e) {
      caught = (e as Error).constructor.name;
    }
    const s = yield* safe(
      P(function* () {
        throw new Error("safe");
      }),
    );
    if (fail) yield* get("missing again");
    return {
      l,
      loc,
      m,
      deep,
      ab,
      pe,
      caught,
      s: s.isErr(),
      names: (yield* getCallStack()).map((x) => x.name),
    };
  });
}
const richOpts = (): RunOptions => ({
  handlers: [rec, tagOuter, state, reader, writer],
  env: {
    a: 1,
    lazy: P(function* () {
      yield* tell("lazy eval");
      return 42;
    }),
  },
  store: { s: 0 },
});
const tagOuter = H(Tag)((_e, k) => resume(k, "outer tag"));

test("INV-4 inert tracing: results, stores, logs and note order identical with/without trace", () => {
  for (const fail of [false, true]) {
    const p = richProgram(fail);
    resetNotes();
    const plainR = run(p, richOpts());
    const plain = outcome(plainR, [...notes]);
    resetNotes();
    const lines: string[] = [];
    const tracedR = run(p, { ...richOpts(), trace: { steps: (l) => lines.push(l) } });
    const traced = outcome(tracedR, [...notes]);
    assert.equal(tracedR.format(), plainR.format());
    resetNotes();
    const sited = outcome(run(p, { ...richOpts(), trace: { steps: () => {}, sites: true } }), [...notes]);
    resetNotes();
    const throwingSink = outcome(
      run(p, {
        ...richOpts(),
        trace: {
          steps: () => {
            throw new Error("sink");
          },
        },
      }),
      [...notes],
    );
    assert.equal(plain.ok, !fail);
    assert.ok(lines.length > 0);
    assert.deepEqual(traced, plain);
    assert.deepEqual(sited, plain);
    assert.deepEqual(throwingSink, plain);
  }
  // off: the sink is never called
  let calls = 0;
  const spy = () => {
    calls++;
  };
  const p = richProgram(false);
  run(p, { ...richOpts(), trace: { steps: spy } });
  const n = calls;
  assert.ok(n > 0);
  run(p, richOpts());
  run(p, { ...richOpts(), trace: {} });
  run(p, { ...richOpts(), trace: { sites: true } });
  assert.equal(calls, n);
});

// ---------------------------------------------------------------------------------------------
// INV-5

test("INV-5 finalization: finally blocks run innermost first, all before the outcome leaves the withHandler", () => {
  const tagT = H(Tag)((_e, k) => resume(k, "T"));
  const sub = fn(function* sub(): Generator<unknown, void, any> {
    try {
      yield* new Num(0);
    } finally {
      yield* note("f3 sub");
    }
  });
  const inner = (h: Handler) =>
    WH(
      h,
      P(function* () {
        try {
          return yield* WH(
            tagT,
            P(function* () {
              try {
                yield* sub();
              } finally {
                const t = yield* new Tag();
                yield* note(`f2 ${t}`);
              }
            }),
          );
        } finally {
          yield* put("x", (yield* get<number>("x")) + 1);
          yield* note("f1");
        }
      }),
    );
  // handler returns a value
  resetNotes();
  const r1 = run(
    P(function* () {
      const v = yield* inner(abandon);
      yield* note(`after ${v} x=${yield* get("x")}`);
      return v;
    }),
    { handlers: [rec, state], store: { x: 0 } },
  );
  assert.equal(r1.value, "A");
  assert.deepEqual(notes, ["f3 sub", "f2 T", "f1", "after A x=1"]);

  // handler throws
  resetNotes();
  const boom = new Error("h");
  const r2 = run(
    P(function* () {
      try {
        return yield* inner(
          H(Num)(function* () {
            yield* note("handler");
            throw boom;
          }),
        );
      } catch (e) {
        yield* note(`caught ${(e as Error).message}`);
        return e === boom;
      }
    }),
    { handlers: [rec, state], store: { x: 0 } },
  );
  assert.equal(r2.value, true);
  assert.deepEqual(notes, ["handler", "f3 sub", "f2 T", "f1", "caught h"]);

  // handler code after its own effects: finalization waits for the invocation to end
  resetNotes();
  const r3 = run(
    P(function* () {
      const v = yield* inner(
        H(Num)(function* () {
          yield* note("h start");
          yield* note("h end");
          return "H";
        }),
      );
      yield* note(`after ${v}`);
      return v;
    }),
    { handlers: [rec, state], store: { x: 0 } },
  );
  assert.equal(r3.value, "H");
  assert.deepEqual(notes, ["h start", "h end", "f3 sub", "f2 T", "f1", "after H"]);
});

// ---------------------------------------------------------------------------------------------
// INV-6

test("INV-6 run(p, {handlers: [a, b, c]}) ≡ withHandler nesting (visit order, getHandlers lists)", () => {
  const visits: string[] = [];
  const spy = (name: string): Handler =>
    Object.assign(function* () {}, {
      handles: (e: unknown) => {
        visits.push(`${name}:${(e as object).constructor.name}`);
        return false;
      },
    });
  const sA = spy("A");
  const sB = spy("B");
  const sC = spy("C");
  const mk = (name: string): Handler =>
    H(Num)(function* (_e, k) {
      yield* note(name);
      if (name === "h0") return yield* resume(k, yield* getHandlers());
      return yield* pass();
    });
  const h0 = mk("h0");
  const h1 = mk("h1");
  const h2 = mk("h2");
  const prog = P(function* () {
    const hs = yield* new Num(0);
    yield* put("k", 1);
    yield* tell("t");
    let unhandled: unknown;
    try {
      yield* new Ping();
    } catch (e) {
      unhandled = (e as UnhandledEffectError).handlers;
    }
    return { hs, unhandled };
  });
  const list: Handler[] = [rec, state, sA, writer, h0, sB, h1, h2, sC];
  const observe = (r: RunResult<any>) => {
    const v = r.value;
    return {
      hs: v.hs,
      unhandled: v.unhandled,
      notes: [...notes],
      visits: [...visits],
      store: r.store,
      log: r.log,
    };
  };
  resetNotes();
  visits.length = 0;
  const viaList = observe(run(prog, { handlers: list }));
  resetNotes();
  visits.length = 0;
  let nested: Runnable = prog;
  for (let i = list.length - 1; i >= 0; i--) nested = WH(list[i]!, nested as never);
  const viaNesting = observe(run(nested));
  assert.deepEqual(viaList, viaNesting);
  // and the expected shape
  assert.deepEqual(viaList.notes, ["h2", "h1", "h0"]);
  const hs = viaList.hs as Handler[];
  assert.equal(hs.length, list.length);
  list
    .slice()
    .reverse()
    .forEach((h, i) => {
      assert.equal(hs[i], h);
    });
  const un = viaList.unhandled as Handler[];
  assert.equal(un.length, list.length);
  list
    .slice()
    .reverse()
    .forEach((h, i) => {
      assert.equal(un[i], h);
    });
});

// ---------------------------------------------------------------------------------------------
// INV-7

test("INV-7 raw generator objects: only as the top-level program (plus fn-wrapped named recursion)", async () => {
  function* g(): Generator<unknown, number, any> {
    return 7;
  }
  function* gEff(): Generator<unknown, number, any> {
    return (yield* get<number>("x")) + 1;
  }
  // accepted at top level, with or without handlers
  assert.equal(run(g()).value, 7);
  assert.equal(run(g(), { handlers: [state] }).value, 7);
  assert.equal(run(gEff(), { handlers: [state], store: { x: 1 } }).value, 2);
  assert.equal((await runAsync(g())).value, 7);
  assert.equal((await runAsync(g(), { handlers: [state] })).value, 7);

  // refused (TypeError, synchronously) everywhere else
  const t = () => undefined;
  const anyG = g() as any;
  for (const [label, make] of [
    ["withHandler", () => WH(echo, anyG)],
    ["createContinuation", () => createContinuation(anyG)],
    ["safe", () => safe(anyG)],
    ["listen", () => listen(anyG)],
    ["local", () => local({}, anyG)],
    ["intercept", () => intercept(anyG, t)],
  ] as const) {
    assert.throws(make, TypeError, label);
  }
  const r = run(
    WH(
      H(Num)(function* (_e, k) {
        let msg = "none";
        try {
          transferWith(k, g() as any);
        } catch (e) {
          msg = (e as Error).constructor.name;
        }
        return yield* resume(k, msg);
      }),
      body(0),
    ),
  );
  assert.equal(r.value, "TypeError");
  // yielded (not yield*-ed) inside a program: TypeError into the yielder
  const r2 = run(
    P(function* () {
      try {
        yield g() as any;
        return "accepted";
      } catch (e) {
        return (e as Error).constructor.name;
      }
    }),
  );
  assert.equal(r2.value, "TypeError");

  // the exception: generator objects of an fn-wrapped generator function, reached through yield*
  function* twice(n: number): Generator<unknown, number, any> {
    return n === 0 ? 0 : 2 + (yield* twice(n - 1));
  }
  const twiceP = fn(twice);
  assert.equal(run(twiceP(3)).value, 6);
  // ... but not when yielded without * or passed as a program
  const r3 = run(
    P(function* () {
      try {
        yield twice(1) as any;
        return "accepted";
      } catch (e) {
        return (e as Error).constructor.name;
      }
    }),
  );
  assert.equal(r3.value, "TypeError");
  assert.throws(() => WH(echo, twice(1) as any), TypeError);

  // documented consequence: iterating such an object outside the library yields library call
  // objects, not its values
  function* vals(): Generator<number, number, any> {
    yield 1;
    yield 2;
    return 3;
  }
  fn(vals);
  const items = [...vals()] as unknown[];
  assert.notDeepEqual(items, [1, 2]);
  assert.ok(items.length > 0);
  for (const x of items) assert.ok(x instanceof Primitive || x instanceof Program);
});

// ---------------------------------------------------------------------------------------------
// INV-8

test("INV-8 capture and resume cost a constant number of steps at any call depth", () => {
  const nonTail = H(Num)(function* (e, k) {
    return yield* resume(k, e.v);
  });
  const prog = (depth: number, effects: number) => {
    const down = fn(function* down(d: number): Generator<unknown, number, any> {
      if (d > 1) return yield* down(d - 1);
      let s = 0;
      for (let i = 0; i < effects; i++) s += yield* new Num(1);
      return s;
    });
    return WH(nonTail, down(depth));
  };
  const perEffect = (depth: number) => {
    const a = countSteps(prog(depth, 50));
    const b = countSteps(prog(depth, 550));
    assert.equal(a.r.value, 50);
    assert.equal(b.r.value, 550);
    return (b.steps - a.steps) / 500;
  };
  const shallow = perEffect(1);
  const deep = perEffect(10000);
  assert.ok(shallow > 0 && Number.isInteger(shallow), String(shallow));
  assert.equal(deep, shallow);

  // the segment chain seen while handling does not grow with call depth
  const segsAtHandler = (depth: number) => {
    const segs: number[] = [];
    run(prog(depth, 1), {
      trace: {
        steps: (l) => {
          if (/ HandleYield prim:resume /.test(l)) segs.push(Number(/segs=(\d+)/.exec(l)![1]));
        },
      },
    });
    assert.ok(segs.length > 0);
    return segs;
  };
  assert.deepEqual(segsAtHandler(10000), segsAtHandler(1));

  // a continuation is a live chain, resumable from anywhere (only prompts change caller)
  let saved: any;
  const em = H(E1)(function* (_e, k) {
    saved = k;
    yield* detach(k);
    return "suspended";
  });
  const down = fn(function* down(d: number): Generator<unknown, string, any> {
    if (d > 0) return yield* down(d - 1);
    const v = yield* new E1();
    return `resumed with ${v}`;
  });
  const r = run(
    P(function* () {
      const a = yield* WH(em, down(10000));
      const b = yield* resume(saved, 5);
      return [a, b];
    }),
  );
  assert.deepEqual(r.value, ["suspended", "resumed with 5"]);
});

// ---------------------------------------------------------------------------------------------
// INV-9

test("INV-9 no bypass: every effect is dispatched; a handler inside state can take Get", () => {
  const seen: string[] = [];
  const spy: Handler = Object.assign(function* () {}, {
    handles: (e: unknown) => {
      seen.push((e as object).constructor.name);
      return false;
    },
  });
  const r = run(
    P(function* () {
      yield* put("x", 1);
      const a = yield* get<number>("x");
      const m = yield* modify<number>("x", (v) => v! + 1);
      const b = yield* ask<number>("e");
      const c = yield* local({ e: 5 }, ask("e"));
      yield* tell("t");
      const l = yield* listen(tell("u"));
      for (let i = 0; i < 100; i++) yield* get("x");
      return [a, m, b, c, l.log];
    }),
    { handlers: [state, reader, writer, spy], env: { e: 3 } },
  );
  assert.deepEqual(r.value, [1, 2, 3, 5, ["u"]]);
  assert.deepEqual(seen, [
    "Put",
    "Get",
    "Modify",
    "Ask",
    "Local",
    "Ask",
    "Tell",
    "Listen",
    "Tell",
    ...Array(100).fill("Get"),
  ]);

  // a handler inside state takes Get (some of them: decided per effect)
  let taken = 0;
  const evenGets = Object.assign(
    function* (_e: Get<number>, k: any) {
      taken++;
      return yield* resume(k, -1);
    },
    { handles: (e: unknown) => e instanceof Get && e.key === "y" },
  );
  const r2 = run(
    P(function* () {
      return [yield* get("x"), yield* get("y"), yield* get("x"), yield* get("y")];
    }),
    { handlers: [state, evenGets], store: { x: 1, y: 2 } },
  );
  assert.deepEqual(r2.value, [1, -1, 1, -1]);
  assert.equal(taken, 2);

  // an interceptor inside state sees state effects
  const names: string[] = [];
  const r3 = run(
    intercept(
      P(function* () {
        yield* put("z", 1);
        return yield* get("z");
      }),
      (e) => {
        names.push(e.constructor.name);
        return undefined;
      },
    ),
    { handlers: [state] },
  );
  assert.equal(r3.value, 1);
  assert.deepEqual(names, ["Put", "Get"]);
});

// ---------------------------------------------------------------------------------------------
// INV-10

/**
 * Slow copies of the standard handlers: plain generator handlers with no fast path. Each is named
 * like its original so that failure reports (which name the handlers visited) are comparable too.
 */
function slowCopy(h: Handler, name: string): Handler {
  const named = {
    [name]: function* (e: any, k: any) {
      return yield* h(e, k);
    },
  };
  return Object.assign(named[name]!, { handles: h.handles });
}
const slowState = slowCopy(state, "state");
const slowReader = slowCopy(reader, "reader");
const slowWriter = slowCopy(writer, "writer");

test("INV-10 standard handlers behave exactly like their generator reference versions", () => {
  const visits: string[] = [];
  const spy = (name: string): Handler =>
    Object.assign(function* () {}, {
      handles: (e: unknown) => {
        visits.push(`${name}:${(e as object).constructor.name}`);
        return false;
      },
    });
  const spyOut = spy("out");
  const spyW = spy("w");
  const spyR = spy("r");
  const spyS = spy("s");
  const spyIn = spy("in");
  const nameOf = new Map<unknown, string>([
    [state, "state"],
    [slowState, "state"],
    [reader, "reader"],
    [slowReader, "reader"],
    [writer, "writer"],
    [slowWriter, "writer"],
    [rec, "rec"],
    [spyOut, "spyOut"],
    [spyW, "spyW"],
    [spyR, "spyR"],
    [spyS, "spyS"],
    [spyIn, "spyIn"],
  ]);
  const userH = H(Num)(function* (e, k) {
    yield* tell(`handling ${e.v}`);
    const n = yield* modify<number>("count", (c) => (c ?? 0) + 1);
    const hs = (yield* getHandlers()).map((h) => nameOf.get(h) ?? "user");
    const r = yield* resume(k, `${e.v}:${n}:${hs.join(",")}`);
    yield* tell(`after ${e.v}`);
    return r;
  });
  const circ = P(function* (): Generator<unknown, unknown, any> {
    return yield* ask("circ");
  });
  const programs: Array<[string, Runnable]> = [
    [
      "basic",
      P(function* () {
        yield* put("a", 1);
        const m = yield* modify<number>("a", (x) => x! + 10);
        yield* tell("t1");
        const e = yield* ask("e");
        const l = yield* local(
          { e: "local" },
          P(function* () {
            yield* tell("in local");
            return [yield* ask("e"), yield* get("a")];
          }),
        );
        const li = yield* listen(
          P(function* () {
            yield* tell(["arr"]);
            yield* put("b", yield* ask("e"));
            return yield* listen(tell("nested"));
          }),
        );
        return { m, e, l, li, after: yield* ask("e") };
      }),
    ],
    [
      "errors",
      P(function* () {
        const out: unknown[] = [];
        for (const p of [
          get("missing"),
          ask("missing"),
          modify("a", () => {
            throw new Error("mod");
          }),
          local(
            { e: 1 },
            P(function* () {
              throw new Error("in local");
            }),
          ),
          listen(
            P(function* () {
              yield* tell("lost?");
              throw new Error("in listen");
            }),
          ),
          ask("lazyFail"),
          ask("circ"),
        ] as Runnable[]) {
          const s = yield* safe(p as never);
          out.push(s.isErr() ? describeError(s.error) : s.value);
          out.push(yield* safe(ask("e")));
        }
        out.push(yield* ask("lazy"), yield* ask("lazy"));
        return out;
      }),
    ],
    [
      "handlers",
      P(function* () {
        const a = yield* WH(
          userH,
          P(function* () {
            const x = yield* new Num(1);
            yield* put("mid", x);
            const y = yield* local(
              { e: "deep" },
              P(function* () {
                return [yield* new Num(2), yield* ask("e")];
              }),
            );
            return [x, y, (yield* getCallStack()).map((f) => f.name)];
          }),
        );
        const b = yield* WH(
          abandon,
          P(function* () {
            try {
              yield* tell("before abandon");
              yield* new Num(0);
            } finally {
              yield* put("fin", yield* get("a"));
              yield* tell("finally");
              yield* note(yield* ask("e"));
            }
          }),
        );
        const c = yield* intercept(
          P(function* () {
            yield* put("i", 1);
            return [yield* get("i"), yield* ask("e")];
          }),
          (e) => {
            visits.push(`intercept:${e.constructor.name}`);
            return e instanceof Get ? put("i", 2) : undefined;
          },
        );
        // delegate and pass with substitute state effects, from handler code
        const d = yield* WH(
          H(E1)(function* () {
            const v = yield* delegate(get<number>("a"));
            yield* modify<number>("a", (x) => x! + 100);
            return yield* pass(put("a", v + 1));
          }),
          P(function* () {
            const r = yield* new E1();
            return [r, yield* get("a")];
          }),
        );
        return [a, b, c, d];
      }),
    ],
    [
      "failing",
      P(function* () {
        yield* tell("before failure");
        yield* put("z", 1);
        return yield* get("nope");
      }),
    ],
  ];
  const observe = (std: boolean, p: Runnable) => {
    resetNotes();
    visits.length = 0;
    const [S, R, W] = std ? [state, reader, writer] : [slowState, slowReader, slowWriter];
    const r = run(p, {
      handlers: [rec, spyOut, W, spyW, R, spyR, S, spyS, spyIn],
      env: {
        e: "env",
        circ,
        lazy: P(function* () {
          yield* tell("lazy eval");
          return (yield* get<number>("a")) * 2;
        }),
        lazyFail: P(function* () {
          yield* tell("lazy fail");
          throw new Error("lazyFail");
        }),
      },
      store: { a: 0 },
    });
    return { ...outcome(r, [[...notes], [...visits]]), format: r.format() };
  };
  for (const [label, p] of programs) {
    const fast = observe(true, p);
    const slow = observe(false, p);
    assert.deepEqual(fast, slow, label);
  }
  // sanity: the reference runs produced what the semantics say for a few points
  const failing = observe(true, programs[3]![1]);
  assert.equal(failing.ok, false);
  assert.deepEqual(failing.error, {
    cls: "MissingStateKeyError",
    message: new MissingStateKeyError("nope").message,
  });
  assert.deepEqual(failing.store, { a: 0, z: 1 });
  assert.deepEqual(failing.log, ["before failure"]);
});

// ---------------------------------------------------------------------------------------------
// INV-11

test("INV-11 RunResult.error is the very object thrown", () => {
  const cases: Array<[string, unknown, (x: unknown) => Runnable, RunOptions?]> = [
    [
      "body",
      new Error("body"),
      (x) =>
        P(function* () {
          throw x;
        }),
    ],
    [
      "non-Error object",
      { weird: true },
      (x) =>
        P(function* () {
          throw x;
        }),
    ],
    [
      "string",
      "just a string",
      (x) =>
        P(function* () {
          throw x;
        }),
    ],
    [
      "handler",
      new Error("handler"),
      (x) =>
        WH(
          H(Num)(function* () {
            throw x;
          }),
          body(0),
        ),
    ],
    [
      "plain-function handler",
      new Error("sync handler"),
      (x) =>
        WH(
          H(Num)(() => {
            throw x;
          }),
          body(0),
        ),
    ],
    [
      "handler after resume",
      new Error("after resume"),
      (x) =>
        WH(
          H(Num)(function* (_e, k) {
            yield* resume(k, 1);
            throw x;
          }),
          body(0),
        ),
    ],
    [
      "finally during finalization",
      new Error("fin"),
      (x) =>
        WH(
          abandon,
          P(function* () {
            try {
              yield* new Num(0);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the scenario is a throwing finally block
              throw x;
            }
          }),
        ),
    ],
    [
      "finally during transfer",
      new Error("fin transfer"),
      (x) =>
        WH(
          H(Num)(function* (_e, k) {
            try {
              return yield* transfer(k, 1);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the scenario is a throwing finally block
              throw x;
            }
          }),
          body(0),
        ),
    ],
    [
      "discontinue",
      new Error("disc"),
      (x) =>
        WH(
          H(Num)((_e, k) => discontinue(k, x)),
          body(0),
        ),
    ],
    [
      "transferWith",
      new Error("tw"),
      (x) =>
        WH(
          H(Num)((_e, k) =>
            transferWith(
              k,
              P(function* () {
                throw x;
              }),
            ),
          ),
          body(0),
        ),
    ],
    [
      "modify f",
      new Error("modify"),
      (x) =>
        modify("a", () => {
          throw x;
        }),
      { handlers: [state] },
    ],
    [
      "intercept transform",
      new Error("transform"),
      (x) =>
        intercept(get("a"), () => {
          throw x;
        }),
      { handlers: [state], store: { a: 1 } },
    ],
    [
      "handles predicate",
      new Error("handles"),
      (x) =>
        WH(
          Object.assign(function* () {}, {
            handles: () => {
              throw x;
            },
          }),
          body(0),
        ),
    ],
    ["lazy env", new Error("lazy"), () => ask("lazy")],
    [
      "inside local",
      new Error("local"),
      (x) =>
        local(
          { q: 1 },
          P(function* () {
            throw x;
          }),
        ),
      { handlers: [reader] },
    ],
    [
      "inside listen",
      new Error("listen"),
      (x) =>
        listen(
          P(function* () {
            throw x;
          }),
        ),
      { handlers: [writer] },
    ],
    [
      "rethrown from safe",
      new Error("safe"),
      (x) =>
        P(function* () {
          const s = yield* safe(
            P(function* () {
              throw x;
            }),
          );
          throw s.error;
        }),
    ],
  ];
  for (const [label, thrown, make, opts] of cases) {
    const options: RunOptions =
      label === "lazy env"
        ? {
            handlers: [reader],
            env: {
              lazy: P(function* () {
                throw thrown;
              }),
            },
          }
        : (opts ?? {});
    const r = run(make(thrown), options);
    assert.equal(r.ok, false, label);
    assert.equal(r.error, thrown, label);
    assert.throws(
      () => r.value,
      (e: unknown) => e === thrown,
      label,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// INV-12

test("INV-12 no microtask runs between run's call and its return", () => {
  let micro = 0;
  queueMicrotask(() => {
    micro++;
  });
  void Promise.resolve().then(() => {
    micro++;
  });
  let escapeCalled = false;
  const r = run(
    P(function* () {
      const seen: number[] = [micro];
      void Promise.resolve().then(() => {
        micro++;
      });
      for (let i = 0; i < 5000; i++) yield* put("n", i);
      seen.push(micro);
      const d = yield* WH(
        H(Num)(function* (_e, k) {
          return ((yield* resume(k, 1)) as number) + 1;
        }),
        P(function* () {
          let s = 0;
          for (let i = 0; i < 1000; i++) s += yield* new Num(0);
          return s;
        }),
      );
      seen.push(micro);
      let asyncErr = false;
      try {
        yield* asyncEscape(() => {
          escapeCalled = true;
          return Promise.resolve(1);
        });
      } catch (e) {
        asyncErr = e instanceof AsyncRequiredError;
      }
      seen.push(micro);
      const a = yield* WH(
        abandon,
        P(function* () {
          try {
            yield* new Num(0);
          } finally {
            yield* put("fin", micro);
          }
        }),
      );
      return { seen, d, asyncErr, a };
    }),
    { handlers: [state] },
  );
  assert.equal(micro, 0);
  assert.deepEqual(r.value, { seen: [0, 0, 0, 0], d: 2000, asyncErr: true, a: "A" });
  assert.equal(r.store.fin, 0);
  assert.equal(escapeCalled, false);
  // a failing run makes no hop either
  const r2 = run(
    P(function* () {
      for (let i = 0; i < 1000; i++) yield* get("n");
      throw new Error(`micro=${micro}`);
    }),
    { handlers: [state], store: { n: 0 } },
  );
  assert.equal((r2.error as Error).message, "micro=0");
  assert.equal(micro, 0);
});

// ---------------------------------------------------------------------------------------------
// INV-14

test("INV-14 an effect performed by handler code never reaches that handler's own prompt", () => {
  // a handler that takes every effect performs one in its code: it reaches the next handler out
  let calls = 0;
  const greedy: Handler = function* (e: any, k: any) {
    calls++;
    if (e instanceof Ping) return yield* resume(k, "greedy ping");
    const before = yield* new Ping();
    const r = yield* resume(k, before);
    const after = yield* new Ping();
    return [r, after];
  };
  const outer = H(Ping)((_e, k) => resume(k, "outer ping"));
  const r1 = run(WH(outer, WH(greedy, body(0))));
  assert.deepEqual(r1.value, ["outer ping", "outer ping"]);
  assert.equal(calls, 1);

  // no handler outside: UnhandledEffectError in the handler code, listing only the outer handlers
  const seenBy: unknown[] = [];
  const lonely: Handler = function* (_e: any, k: any) {
    try {
      yield* new Ping();
      return "reached";
    } catch (err) {
      seenBy.push(...(err as UnhandledEffectError).handlers);
      return yield* resume(k, (err as Error).constructor.name);
    }
  };
  const r2 = run(WH(lonely, body(0)), { handlers: [writer] });
  assert.equal(r2.value, "UnhandledEffectError");
  assert.deepEqual(seenBy, [writer]);

  // handlers installed inside the prompt (in the body) are not reached either
  const getter = H(Num)(function* (_e, k) {
    try {
      return yield* resume(k, yield* get("x"));
    } catch (err) {
      return yield* resume(k, (err as Error).constructor.name);
    }
  });
  const r3 = run(WH(getter, WH(state, body(0))), { store: { x: 1 } });
  assert.equal(r3.value, "UnhandledEffectError");
  const r4 = run(WH(state, WH(getter, body(0))), { store: { x: 1 } });
  assert.equal(r4.value, 1);

  // delegate and a finally block of a closing handler go outward too
  resetNotes();
  const selfish = H(
    Num,
    Ping,
  )(function* (e, k) {
    if (e instanceof Ping) return yield* resume(k, "self");
    const d = yield* delegate(new Ping());
    try {
      return yield* transfer(k, d);
    } finally {
      yield* note(`closing ${yield* new Ping()}`);
    }
  });
  const r5 = run(WH(outer, WH(selfish, body(0))), { handlers: [rec] });
  assert.equal(r5.value, "outer ping");
  assert.deepEqual(notes, ["closing outer ping"]);
});

// ---------------------------------------------------------------------------------------------
// INV-15, INV-19: instrumented frames

interface Probe {
  events: string[];
  violations: string[];
}
/** A program factory whose generators report every call the VM makes on them. */
function probed<A extends unknown[]>(
  probe: Probe,
  name: string,
  g: (...a: A) => Generator<unknown, unknown, any>,
): (...a: A) => Program<any> {
  const wrap = (...args: A) => probeGen(probe, name, g(...args));
  return fn(wrap as unknown as (...a: A) => Generator<unknown, any, any>);
}
function probeGen(
  probe: Probe,
  name: string,
  gen: Generator<unknown, unknown, any>,
): Generator<unknown, any, any> {
  let done = false;
  let returns = 0;
  const call = (m: "next" | "throw" | "return", v: unknown): IteratorResult<unknown, unknown> => {
    if (done) probe.violations.push(`${name}.${m}() after completion`);
    if (m === "return") {
      returns++;
      probe.events.push(`${name} return()`);
    }
    try {
      const r = gen[m](v as never);
      if (r.done === true) {
        done = true;
        probe.events.push(`${name} done`);
      }
      return r;
    } catch (e) {
      done = true;
      probe.events.push(`${name} threw`);
      throw e;
    }
  };
  const it = {
    next: (v?: unknown) => call("next", v),
    throw: (e: unknown) => call("throw", e),
    return: (v?: unknown) => call("return", v),
    [Symbol.iterator]() {
      return it;
    },
    get returns() {
      return returns;
    },
  };
  return it as unknown as Generator<unknown, any, any>;
}
/** A handler whose generator is probed. */
function probedHandler(
  probe: Probe,
  name: string,
  classes: Array<abstract new (...a: any[]) => object>,
  g: (e: any, k: any) => Generator<unknown, unknown, any>,
): Handler {
  return H(...classes)((e, k) => probeGen(probe, name, g(e, k)));
}

test("INV-15 the VM never return()s generators of a detached or stashed continuation", () => {
  const probe: Probe = { events: [], violations: [] };
  // detached, never resumed: dropped, not closed, even when the run ends
  const detBody = probed(probe, "detached body", function* () {
    try {
      yield* new E1();
      return "unreached";
    } finally {
      yield* note("detached cleanup");
    }
  });
  const det = H(E1)(function* (_e, k) {
    yield* detach(k);
    return "dropped";
  });
  resetNotes();
  const r1 = run(WH(det, detBody()), { handlers: [rec] });
  assert.equal(r1.value, "dropped");
  assert.deepEqual(notes, []);
  assert.deepEqual(probe.events, []);

  // stashed: the invocation ends by transfer to another continuation; its own k is not finalized
  let saved: any;
  const stashBody = probed(probe, "stashed body", function* () {
    try {
      return (yield* new Num(0)) * 2;
    } finally {
      yield* note("stashed cleanup");
    }
  });
  const stasher = H(Num)(function* (_e, k) {
    saved = k;
    return yield* transfer(yield* createContinuation(pure("other")), null);
  });
  resetNotes();
  const r2 = run(WH(stasher, stashBody()), { handlers: [rec] });
  assert.equal(r2.value, "other");
  assert.ok(saved !== undefined);
  assert.deepEqual(notes, []);
  assert.deepEqual(probe.events, []);

  // a detached continuation resumed later continues where it was (its generators are intact)
  const gen3 = probed(probe, "resumable", function* () {
    const a = yield* new E1();
    const b = yield* new E1();
    return [a, b];
  });
  let k3: any;
  const keep = H(E1)(function* (_e, k) {
    k3 = k;
    yield* detach(k);
    return "paused";
  });
  const r3 = run(
    P(function* () {
      const first = yield* WH(keep, gen3());
      const second = yield* resume(k3, "x");
      const third = yield* resume(k3, "y");
      return [first, second, third];
    }),
  );
  assert.deepEqual(r3.value, ["paused", "paused", ["x", "y"]]);
  assert.deepEqual(probe.events, ["resumable done"]);
  assert.deepEqual(probe.violations, []);

  // a continuation detached after the handler resumed it (used): detach is a no-op
  const r4 = run(
    WH(
      H(Num)(function* (_e, k) {
        const v = yield* resume(k, 1);
        yield* detach(k);
        return v;
      }),
      body(0),
    ),
  );
  assert.equal(r4.value, 1);
});

test("INV-16 the same Program object run twice gives identical outcomes", () => {
  for (const fail of [false, true]) {
    const p = richProgram(fail);
    resetNotes();
    const a = outcome(run(p, richOpts()), [...notes]);
    resetNotes();
    const b = outcome(run(p, richOpts()), [...notes]);
    assert.deepEqual(a, b);
    assert.equal(a.ok, !fail);
  }
  // a program object reused within a run and across runs, including lazy env values
  let evals = 0;
  const cfg = P(function* () {
    evals++;
    return yield* get<number>("seed");
  });
  const inc = fn(function* inc(x: number) {
    return x + (yield* ask<number>("cfg"));
  });
  const q = inc(1);
  const main = P(function* () {
    return [yield* q, yield* q, yield* modify<number>("seed", (s) => s! + 1)];
  });
  const opts = { handlers: [state, reader], env: { cfg }, store: { seed: 10 } };
  const r1 = run(main, opts);
  const r2 = run(main, opts);
  assert.deepEqual(r1.value, [11, 11, 11]);
  assert.deepEqual(r2.value, r1.value);
  assert.deepEqual(r2.store, r1.store);
  assert.equal(evals, 2);
});

test("INV-17 the env and store option objects are never mutated", () => {
  const lazy = P(function* () {
    yield* put("fromLazy", true);
    return "lazy value";
  });
  const nested = { deep: [1, 2] };
  const env = { a: 1, lazy, nested };
  const store = { s: 1, obj: nested };
  const p = P(function* () {
    yield* put("s", 2);
    yield* put("added", 3);
    yield* modify<number>("s", (x) => x! + 1);
    const l = yield* ask("lazy");
    const inLocal = yield* local(
      { a: 2, b: 3 },
      P(function* () {
        return [yield* ask("a"), yield* ask("b")];
      }),
    );
    return [l, inLocal, yield* ask("a")];
  });
  for (const frozen of [false, true]) {
    const e = frozen ? Object.freeze({ ...env }) : env;
    const s = frozen ? Object.freeze({ ...store }) : store;
    const r = run(p, { handlers: [state, reader], env: e, store: s });
    assert.deepEqual(r.value, ["lazy value", [2, 3], 1]);
    assert.deepEqual(r.store, { s: 3, obj: nested, added: 3, fromLazy: true });
    assert.notEqual(r.store, s);
    assert.deepEqual(Object.keys(e), ["a", "lazy", "nested"]);
    assert.equal(e.a, 1);
    assert.equal(e.lazy, lazy);
    assert.equal(e.nested, nested);
    assert.deepEqual(Object.keys(s), ["s", "obj"]);
    assert.equal(s.s, 1);
    assert.equal(s.obj, nested);
    assert.deepEqual(nested, { deep: [1, 2] });
  }
});

test("INV-18 code after an inner withHandler always runs", () => {
  // the 18 case (deep)
  const h18 = H(Num)(function* (_e, k) {
    const r = (yield* resume(k, 1)) as number;
    return r * 3;
  });
  const r18 = run(
    WH(
      h18,
      P(function* () {
        const a = yield* new Num(0);
        const b = yield* new Num(0);
        return a + b;
      }),
    ),
  );
  assert.equal(r18.value, 18);
  // the 11 case (transfer)
  const h11 = H(Num)(function* (_e, k) {
    return yield* transfer(k, 5);
  });
  const r11 = run(
    P(function* () {
      const x = yield* WH(
        h11,
        P(function* () {
          const v = yield* new Num(0);
          return v * 2;
        }),
      );
      return x + 1;
    }),
  );
  assert.equal(r11.value, 11);
  // B5
  const r5 = run(
    P(function* () {
      const x = yield* WH(
        echo,
        P(function* () {
          return yield* get<number>("k");
        }),
      );
      return x + 1;
    }),
    { handlers: [state], store: { k: 5 } },
  );
  assert.equal(r5.value, 6);
  // abandoning, passing and throwing handlers: the code after the withHandler still runs
  const r6 = run(
    P(function* () {
      const a = yield* WH(abandon, body(0));
      const b = yield* WH(
        echo,
        WH(
          H(Num)(() => pass()),
          body(4),
        ),
      );
      let c: unknown;
      try {
        yield* WH(
          H(Num)(() => {
            throw new Error("h");
          }),
          body(0),
        );
      } catch (e) {
        c = (e as Error).message;
      }
      const d = yield* WH(
        H(Num)(function* (_e, k) {
          return yield* discontinue(k, new Error("d"));
        }),
        P(function* () {
          try {
            yield* new Num(0);
          } catch (e) {
            return `body caught ${(e as Error).message}`;
          }
        }),
      );
      return [`${a}!`, b + 1, `${c}!`, d];
    }),
  );
  assert.deepEqual(r6.value, ["A!", 5, "h!", "body caught d"]);
});

test("INV-19 each invocation's outcome is delivered exactly once; frames complete at most once", () => {
  const probe: Probe = { events: [], violations: [] };
  const delivered: string[] = [];

  // deep non-tail handler: invocation 2's outcome goes to invocation 1's resume, once each
  const h = probedHandler(probe, "h", [Num], function* (_e, k) {
    const r = (yield* resume(k, 1)) as number;
    delivered.push(`resume → ${r}`);
    return r * 3;
  });
  const b2 = probed(probe, "b2", function* () {
    const a = yield* new Num(0);
    const b = yield* new Num(0);
    return a + b;
  });
  const r1 = run(
    P(function* () {
      const x = yield* WH(h, b2());
      delivered.push(`withHandler → ${x}`);
      return x;
    }),
  );
  assert.equal(r1.value, 18);
  assert.deepEqual(delivered, ["resume → 2", "resume → 6", "withHandler → 18"]);
  assert.deepEqual(probe.events, ["b2 done", "h done", "h done"]);

  // an invocation waiting in resume inside an abandoned continuation: its outcome is discarded
  probe.events.length = 0;
  delivered.length = 0;
  resetNotes();
  const waiting = probedHandler(probe, "waiting", [Num], function* (_e, k) {
    try {
      const r = yield* resume(k, 1);
      delivered.push(`waiting got ${r}`);
      return r;
    } finally {
      yield* note("waiting closed");
    }
  });
  const abortBody = probed(probe, "abortBody", function* () {
    try {
      yield* new Num(0);
      yield* new Abort();
      return "unreached";
    } finally {
      yield* note("body closed");
    }
  });
  const r2 = run(
    P(function* () {
      const v = yield* WH(
        H(Abort)(() => pure("aborted")),
        WH(waiting, abortBody()),
      );
      delivered.push(`outer → ${v}`);
      return v;
    }),
    { handlers: [rec] },
  );
  assert.equal(r2.value, "aborted");
  assert.deepEqual(delivered, ["outer → aborted"]);
  assert.deepEqual(notes, ["body closed", "waiting closed"]);
  assert.deepEqual(probe.events, [
    "abortBody return()",
    "abortBody done",
    "waiting return()",
    "waiting done",
  ]);

  // abrupt exit outside k: a finally block's effect is taken by a handler beyond the finalizer that
  // returns without resuming; the abandoning invocation's outcome is discarded with everything inside
  probe.events.length = 0;
  delivered.length = 0;
  resetNotes();
  const stopper = H(Tag)(() => pure("stopped"));
  const finBody = probed(probe, "finBody", function* () {
    try {
      yield* new Num(0);
    } finally {
      yield* new Tag();
      yield* note("unreached after Tag");
    }
  });
  const r3 = run(
    P(function* () {
      const x = yield* WH(
        stopper,
        P(function* () {
          const y = yield* WH(abandon, finBody());
          delivered.push(`inner → ${y}`);
          return y;
        }),
      );
      delivered.push(`outer → ${x}`);
      return x;
    }),
    { handlers: [rec] },
  );
  assert.equal(r3.value, "stopped");
  assert.deepEqual(delivered, ["outer → stopped"]);
  assert.deepEqual(notes, []);
  assert.ok(probe.events.includes("finBody done"));

  // abrupt exit inside k: the finally's effect is taken by a handler inside k that returns without
  // resuming; its withHandler completes and the code after it runs, once
  probe.events.length = 0;
  delivered.length = 0;
  resetNotes();
  const finBody2 = probed(probe, "finBody2", function* () {
    try {
      yield* new Num(0);
    } finally {
      yield* new Tag();
      yield* note("unreached after Tag");
    }
  });
  const r4 = run(
    WH(
      abandon,
      P(function* () {
        try {
          const y = yield* WH(stopper, finBody2());
          delivered.push(`inner → ${y}`);
          return y;
        } finally {
          yield* note("outer finally");
        }
      }),
    ),
    { handlers: [rec] },
  );
  assert.equal(r4.value, "A");
  assert.deepEqual(delivered, ["inner → stopped"]);
  assert.deepEqual(notes, ["outer finally"]);
  assert.ok(probe.events.includes("finBody2 done"));

  // pass / delegate / transfer chains (C1–C3 values): every probed handler completes exactly once
  probe.events.length = 0;
  const user = probed(probe, "user", function* () {
    const x = yield* new Num(0);
    return x * 2;
  });
  const outer = probedHandler(probe, "outer", [Num], function* (_e, k) {
    const u = (yield* resume(k, 10)) as number;
    return u + 5;
  });
  const inners: Array<[string, Handler, number]> = [
    [
      "pass",
      probedHandler(probe, "inner", [Num], function* () {
        return yield* pass();
      }),
      25,
    ],
    [
      "delegate then abandon",
      probedHandler(probe, "inner", [Num], function* () {
        const o = yield* delegate<number>();
        return o + 1;
      }),
      16,
    ],
    [
      "delegate then resume",
      probedHandler(probe, "inner", [Num], function* (_e, k) {
        const o = yield* delegate<number>();
        return yield* resume(k, o + 1);
      }),
      27,
    ],
  ];
  for (const [label, inner, expected] of inners) {
    probe.events.length = 0;
    const r = run(WH(outer, WH(inner, user())));
    assert.equal(r.value, expected, label);
    const count = (n: string) => probe.events.filter((e) => e === `${n} done` || e === `${n} threw`).length;
    assert.equal(count("inner"), 1, label);
    assert.equal(count("outer"), 1, label);
    assert.equal(count("user"), 1, label);
  }
  assert.deepEqual(probe.violations, []);
});
