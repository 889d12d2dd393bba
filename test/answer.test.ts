/**
 * answer(EffectClass, f) (API §3): the tail-resumptive handler. It is compared with its definition,
 * `handle(C, function* (e, k) { try { v = f(e) } catch (x) { return yield* transferWith(k, raise(x)) }
 * return yield* transfer(k, v) })`, on fixed and on random programs (as INV-10 does for the standard
 * handlers' fast paths): values, thrown errors (the user's own object, at the perform site), deep
 * handling, the handler chain, and traceback text.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  Effect,
  fn,
  get,
  type Handler,
  handle,
  put,
  resume,
  run,
  state,
  transfer,
  transferWith,
  withHandler,
} from "../src/index.js";
import { hidden } from "../src/protocol.js";

class Num extends Effect<number> {
  constructor(readonly v: number) {
    super();
  }
}
class Word extends Effect<string> {
  constructor(readonly w: string) {
    super();
  }
}
class Other extends Effect<number> {
  declare readonly _tag: "Other";
}

function* raiseGen(error: unknown): Generator<never, never, unknown> {
  throw error;
}

/** The definition of answer(C, f), written with handle + transfer / transferWith. */
function reference<C extends abstract new (...args: any[]) => object>(
  c: C,
  f: (e: InstanceType<C>) => unknown,
  name: string,
): Handler<InstanceType<C>> {
  const named = {
    [name]: function* (e: InstanceType<C>, k: any) {
      let v: unknown;
      try {
        v = f(e);
      } catch (err) {
        return yield* transferWith(k, hidden(raiseGen, err));
      }
      return yield* transfer(k, v);
    },
  };
  // generic over any class here; the typed forms are checked in test/types/answer.ts
  return handle(c as never, named[name]! as never) as Handler<InstanceType<C>>;
}

type Mk = <C extends abstract new (...args: any[]) => object>(
  c: C,
  f: (e: InstanceType<C>) => unknown,
  name: string,
) => Handler<InstanceType<C>>;
const viaAnswer: Mk = (c, f, name) => {
  const named = { [name]: (e: any) => f(e) };
  return answer(c as never, named[name]! as never) as Handler<any>;
};
const viaReference: Mk = reference;

test("answer: the function's value is the effect's answer; the handler is deep", () => {
  const h = answer(Num, (e) => e.v * 2);
  const p = fn(function* () {
    let s = 0;
    for (let i = 1; i <= 3; i++) s += yield* new Num(i);
    return s;
  });
  const r = run(withHandler(h, p()));
  assert.equal(r.value, 12);
});

test("answer: a throw is thrown at the perform site, as the user's own error object", () => {
  const boom = new RangeError("too big");
  const h = answer(Num, (e) => {
    if (e.v > 1) throw boom;
    return e.v;
  });
  const p = fn(function* () {
    const a = yield* new Num(1);
    try {
      yield* new Num(2);
      return "not reached";
    } catch (err) {
      return [a, err === boom, (err as Error).message];
    }
  });
  assert.deepEqual(run(withHandler(h, p())).value, [1, true, "too big"]);
  // uncaught: the run fails with that same object
  const q = fn(function* () {
    return yield* new Num(5);
  });
  const r = run(withHandler(h, q()));
  assert.equal(r.ok, false);
  assert.equal(r.error, boom);
});

test("answer: other classes pass it by; the innermost answer wins; the handler is deep", () => {
  const outer = answer(Num, () => 100);
  const inner = answer(Num, () => 1);
  const words = answer(Word, (w) => w.w.toUpperCase());
  const p = fn(function* () {
    const a = yield* new Num(0);
    const b = yield* new Word("hi");
    return [a, b];
  });
  const r = run(withHandler(outer, withHandler(words, withHandler(inner, p()))));
  assert.deepEqual(r.value, [1, "HI"]);
  const unhandled = fn(function* () {
    return yield* new Other();
  });
  // @ts-expect-error -- Other is deliberately left unhandled (the type check says so too)
  const u = run(withHandler(inner, unhandled()));
  assert.equal(u.ok, false);
  assert.equal((u.error as Error).name, "UnhandledEffectError");
});

test("answer: called directly, its generator is the reference definition", () => {
  const h = answer(Num, (e) => e.v + 1);
  assert.equal(typeof h, "function");
  assert.equal(h.handles!(new Num(1)), true);
  assert.equal(h.handles!(new Other()), false);
  // a handler that forwards to it (so the VM runs answer's own generator, not the fast path)
  const fwd = handle(Num, function* fwd(e, k) {
    return yield* h(e, k) as Generator<unknown, unknown, unknown>;
  });
  const p = fn(function* () {
    return (yield* new Num(1)) + (yield* new Num(2));
  });
  assert.equal(run(withHandler(fwd, p())).value, 5);
  const boom = new Error("x");
  const thrower = answer(Num, () => {
    throw boom;
  });
  const fwd2 = handle(Num, function* fwd2(e, k) {
    return yield* thrower(e, k) as Generator<unknown, unknown, unknown>;
  });
  const q = fn(function* () {
    try {
      return yield* new Num(1);
    } catch (err) {
      return err === boom;
    }
  });
  assert.equal(run(withHandler(fwd2, q())).value, true);
});

test("answer: bad arguments are TypeErrors that say what to pass", () => {
  assert.throws(() => answer(42 as never, () => 1 as never), /answer expects an effect class first/);
  assert.throws(() => answer(Num, 3 as never), /answer expects a function \(effect\) => value second/);
  // a function that cannot return its answer synchronously would answer with a Promise / an iterator
  assert.throws(() => answer(Num, (async () => 1) as never), {
    name: "TypeError",
    message:
      "answer(Num, f): the function is an async function, so it would answer with a Promise; it must return the answer itself — for async work, use handle(Num, …) with awaitPromise, under runAsync with a scheduler",
  });
  assert.throws(() => answer(Num, function* () {} as never), {
    name: "TypeError",
    message:
      "answer(Num, f): the function is a generator function, so it would answer with a generator object; it must return the answer itself — for a handler that performs effects, use handle(Num, function* (effect, k) {...})",
  });
  assert.throws(
    () => answer(Num, async function* () {} as never),
    /async generator function, so it would answer with an async generator object/,
  );
});

test("a function* handler that returns resume(k, v) / transfer(k, v) without yield*: a TypeError saying so, not the primitive as the value", () => {
  const q = fn(function* q() {
    return (yield* new Num(1)) + 1;
  });
  for (const [h, op] of [
    [
      handle(Num, function* noStar(_e, k) {
        return resume(k, 1) as never;
      }),
      "resume",
    ],
    [
      handle(Num, function* noStar(_e, k) {
        return transfer(k, 1) as never;
      }),
      "transfer",
    ],
  ] as const) {
    const r = run(withHandler(h, q()));
    assert.equal(r.ok, false);
    assert.ok(r.error instanceof TypeError);
    assert.equal(
      (r.error as Error).message,
      `handler function noStar returned ${op}() unperformed: write \`return yield* ${op}(k, …)\``,
    );
  }
});

test("answer: traceback of an error thrown by f equals the reference's (sites on and off)", () => {
  for (const trace of [undefined, { sites: true }] as const) {
    const outs = [viaAnswer, viaReference].map((mk) => {
      const h = mk(
        Num,
        (e) => {
          if (e.v === 2) throw new TypeError(`bad ${e.v}`);
          return e.v;
        },
        "numbers",
      );
      const leaf = fn(function* leaf() {
        return (yield* new Num(1)) + (yield* new Num(2));
      });
      const top = fn(function* top() {
        yield* put("x", 1);
        return yield* leaf();
      });
      const r = run(withHandler(h, top()), {
        handlers: [state],
        ...(trace === undefined ? {} : { trace }),
      });
      return [
        r.ok,
        String(r.error),
        r.format().replace(/\(?\/[^\s)]*answer\.test\.ts:\d+(:\d+)?\)?/g, "SITE"),
      ];
    });
    assert.deepEqual(outs[0], outs[1]);
    assert.equal(outs[0]![0], false);
    assert.match(String(outs[0]![2]), /top[\s\S]*leaf[\s\S]*effect Num\(2\)[\s\S]*TypeError: bad 2$/);
  }
});

// ---------------------------------------------------------------------------------------------
// random programs: answer vs its definition

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Node =
  | { t: "num"; v: number }
  | { t: "word"; w: string }
  | { t: "put"; v: number }
  | { t: "get" }
  | { t: "try"; body: Node[] }
  | { t: "call"; body: Node[] }
  | { t: "inner"; body: Node[] } // withHandler(answer-or-reference(Word), body)
  | { t: "resumer"; body: Node[] } // withHandler(handle(Other, resume non-tail), body) + an Other
  | { t: "throw" };

function gen(r: () => number, depth: number): Node[] {
  const out: Node[] = [];
  const len = 1 + Math.floor(r() * 5);
  for (let i = 0; i < len; i++) {
    const x = r();
    if (depth > 0 && x < 0.12) out.push({ t: "try", body: gen(r, depth - 1) });
    else if (depth > 0 && x < 0.22) out.push({ t: "call", body: gen(r, depth - 1) });
    else if (depth > 0 && x < 0.3) out.push({ t: "inner", body: gen(r, depth - 1) });
    else if (depth > 0 && x < 0.36) out.push({ t: "resumer", body: gen(r, depth - 1) });
    else if (x < 0.6) out.push({ t: "num", v: Math.floor(r() * 12) });
    else if (x < 0.72) out.push({ t: "word", w: r() < 0.15 ? "" : "ab" });
    else if (x < 0.82) out.push({ t: "put", v: Math.floor(r() * 5) });
    else if (x < 0.95) out.push({ t: "get" });
    else out.push({ t: "throw" });
  }
  return out;
}

/** Runs `nodes` with handlers made by `mk`; returns the event log and outcome. */
function execute(nodes: Node[], mk: Mk): unknown {
  const log: unknown[] = [];
  const errors = new Map<unknown, string>();
  const errOf = (tag: string): Error => {
    const e = new Error(tag);
    errors.set(e, tag);
    return e;
  };
  const num = mk(
    Num,
    (e) => {
      log.push(`f num ${e.v}`);
      if (e.v % 7 === 3) throw errOf(`num ${e.v}`);
      return e.v * 3;
    },
    "nums",
  );
  const word = (outerTag: string) =>
    mk(
      Word,
      (e) => {
        log.push(`f word ${outerTag} ${e.w}`);
        if (e.w === "") throw errOf(`word ${outerTag}`);
        return `${outerTag}:${e.w}`;
      },
      "words",
    );
  const resumer: Handler = handle(Other, function* resumer(_e, k) {
    log.push("resumer in");
    const r = yield* resume(k, 1);
    log.push(`resumer out ${String(r)}`);
    return r;
  });
  const describeErr = (e: unknown) => errors.get(e) ?? `foreign ${String(e)}`;
  const block = fn(function* block(ns: Node[]): Generator<unknown, number, any> {
    let acc = 0;
    for (const n of ns) {
      switch (n.t) {
        case "num":
          acc += yield* new Num(n.v);
          break;
        case "word":
          log.push(yield* new Word(n.w));
          break;
        case "put":
          yield* put("s", n.v + acc);
          break;
        case "get":
          acc += (yield* get<number>("s")) ?? 0;
          break;
        case "try":
          try {
            acc += yield* block(n.body);
          } catch (e) {
            log.push(`caught ${describeErr(e)}`);
          }
          break;
        case "call":
          acc += yield* block(n.body);
          break;
        case "inner":
          acc += yield* withHandler(word("inner"), block(n.body));
          break;
        case "resumer":
          acc += yield* withHandler(
            resumer,
            fn(function* () {
              const x = yield* new Other();
              return x + (yield* block(n.body));
            })(),
          );
          break;
        case "throw":
          throw errOf("user");
      }
      log.push(acc);
    }
    return acc;
  });
  const r = run(withHandler(word("outer"), withHandler(num, block(nodes))), {
    handlers: [state],
    store: { s: 0 },
  });
  return { log, ok: r.ok, value: r.ok ? r.value : describeErr(r.error) };
}

test("answer: 400 random programs behave exactly like the handle + transfer definition", () => {
  const r = rng(1313);
  let failures = 0;
  for (let i = 0; i < 400; i++) {
    const prog = gen(r, 3);
    const a = execute(prog, viaAnswer);
    const b = execute(prog, viaReference);
    assert.deepEqual(a, b, `program ${i}: ${JSON.stringify(prog)}`);
    if (!(a as { ok: boolean }).ok) failures++;
  }
  // the generator exercises both outcomes
  assert.ok(failures > 20 && failures < 380, `failures: ${failures}`);
});
