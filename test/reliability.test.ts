/**
 * Reliability regressions (issue 15): hostile handler results, deep `local` nesting, long real-time
 * delays, non-plain env/store, and options that throw while being read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as d from "../src/index.js";
import { Env } from "../src/run/context.js";

class A extends d.Effect<unknown> {
  declare readonly _tag: "A";
}
const onlyA = <F extends object>(f: F): F & { handles: (e: unknown) => boolean } =>
  Object.assign(f, { handles: (e: unknown) => e instanceof A });

class Boom extends Error {}
const boom = (what: string) => () => {
  throw new Boom(what);
};
const trapAll: ProxyHandler<any> = {
  get: boom("get"),
  has: boom("has"),
  getPrototypeOf: boom("getPrototypeOf"),
  ownKeys: boom("ownKeys"),
  getOwnPropertyDescriptor: boom("getOwnPropertyDescriptor"),
  apply: boom("apply"),
};

/** Hostile values: every one must be reported as a TypeError when it is not a valid result. */
const HOSTILE: readonly [string, () => unknown][] = [
  ["a Proxy whose every trap throws", () => new Proxy({}, trapAll)],
  ["a function Proxy whose every trap throws", () => new Proxy(() => 1, trapAll)],
  [
    "a revoked Proxy",
    () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    },
  ],
  ["a Proxy whose get trap throws only", () => new Proxy({}, { get: boom("get only") })],
  ["an object whose `next` getter throws", () => Object.defineProperty({}, "next", { get: boom("next") })],
  [
    "an object whose Symbol.toStringTag getter throws",
    () => Object.defineProperty({}, Symbol.toStringTag, { get: boom("tag") }),
  ],
  ["42", () => 42],
];

/** A body performing A inside try/finally; `order` records the finally. */
function bodyA(order: string[]) {
  return d.program(function* body() {
    try {
      return yield* new A();
    } finally {
      order.push("finally");
    }
  });
}

function assertTypeErrorWithFinally(label: string, make: (order: string[]) => unknown): void {
  const order: string[] = [];
  const r = d.run(make(order) as never);
  assert.equal(r.ok, false, label);
  assert.ok(r.error instanceof TypeError, `${label}: ${String(r.error)}`);
  assert.ok(!(r.error instanceof d.VMInternalError), label);
  assert.deepEqual(order, ["finally"], label);
}

for (const [label, make] of HOSTILE) {
  test(`issue15-3 a handler returning ${label} → TypeError, finally blocks run`, () => {
    assertTypeErrorWithFinally("plain handler", (o) => d.withHandler(onlyA(() => make()) as never, bodyA(o)));
    assertTypeErrorWithFinally("handle(A, f)", (o) =>
      d.withHandler(d.handle(A, (() => make()) as never), bodyA(o)),
    );
    assertTypeErrorWithFinally("intercept transform", (o) =>
      d.withHandler(
        onlyA((_e: A, k: any) => d.resume(k, 1)),
        d.intercept(bodyA(o), () => make() as never),
      ),
    );
    assertTypeErrorWithFinally("transferWith(k, v)", (o) =>
      d.withHandler(
        onlyA(function* (_e: A, k: any) {
          return yield* d.transferWith(k, make() as never);
        }),
        bodyA(o),
      ),
    );
  });

  test(`issue15-3 a program function / flatMap / yield of ${label} → TypeError, finally blocks run`, () => {
    assertTypeErrorWithFinally("fn returning it", (o) =>
      d.program(function* () {
        try {
          return yield* (d.fn((() => make()) as never) as any)();
        } finally {
          o.push("finally");
        }
      }),
    );
    assertTypeErrorWithFinally("flatMap returning it", (o) =>
      d.program(function* () {
        try {
          return yield* d.pure(1).flatMap(() => make() as never);
        } finally {
          o.push("finally");
        }
      }),
    );
    assertTypeErrorWithFinally("yielding it", (o) =>
      d.program(function* () {
        try {
          return yield make() as never;
        } finally {
          o.push("finally");
        }
      }),
    );
  });
}

// ------------------------------------------------------------------------------------------------
// issue15-2 deep `local` nesting is linear (parent-linked env views)

const nest: (n: number) => d.Program<number> = d.fn(function* nestLocal(
  n: number,
): Generator<any, number, any> {
  if (n === 0) return ((yield* d.ask("k1")) as number) + ((yield* d.ask(`k${DEEP}`)) as number);
  return yield* d.local({ [`k${n}`]: n }, nest(n - 1));
});
const DEEP = 100_000;

test("issue15-2 100,000 nested locals, each adding a key, run and see every overlay", () => {
  const r = d.run(nest(DEEP), { handlers: [d.reader] });
  assert.equal(r.ok, true, String(r.error));
  assert.equal(r.value, 1 + DEEP);
});

test("issue15-2 deep overlays keep §7.4: outer keys stay, inner keys shadow, env restored after each local", () => {
  const r = d.run(
    d.program(function* () {
      const seen: unknown[] = [];
      yield* d.local(
        { a: 1, b: 1 },
        d.program(function* () {
          yield* d.local(
            { b: 2 },
            d.program(function* () {
              seen.push(yield* d.ask("a"), yield* d.ask("b"), yield* d.ask("root"));
              return yield* d.local(
                { a: 3 },
                d.program(function* () {
                  seen.push(yield* d.ask("a"), yield* d.ask("b"));
                }),
              );
            }),
          );
          seen.push(yield* d.ask("a"), yield* d.ask("b"));
        }),
      );
      seen.push(yield* d.ask("root"));
      const missing = yield* d.safe(d.ask("a"));
      seen.push(missing.ok ? "present" : (missing.error as Error).constructor.name);
      return seen;
    }),
    { handlers: [d.reader], env: { root: "r" } },
  );
  assert.deepEqual(r.value, [1, 2, "r", 3, 2, 1, 1, "r", "MissingEnvKeyError"]);
});

test("issue15-2 a task spawned inside nested locals sees them as a snapshot (§9.6); lazy values and cycles still work", () => {
  const lazy = d.program(function* lazyA() {
    return `lazy:${yield* d.ask("deep")}`;
  });
  const self: d.Program<unknown> = d.program(function* selfRef() {
    return yield* d.ask("self");
  });
  const r = d.run(
    d.program(function* () {
      const t = yield* d.local(
        { deep: "d1" },
        d.local(
          { deep: "d2", extra: 1 },
          d.program(function* () {
            return yield* d.spawn(
              d.program(function* child() {
                return [yield* d.ask("deep"), yield* d.ask("extra"), yield* d.ask("top")];
              }),
            );
          }),
        ),
      );
      const fromChild = yield* d.wait(t);
      const lazyValue = yield* d.local({ deep: "L" }, d.ask("lz"));
      const cycle = yield* d.safe(d.ask("self"));
      return [fromChild, lazyValue, cycle.ok ? "no cycle" : (cycle.error as Error).constructor.name];
    }),
    { handlers: [d.scheduler, d.reader], env: { top: "t", lz: lazy, self } },
  );
  assert.deepEqual(r.value, [["d2", 1, "t"], "lazy:L", "CircularAskError"]);
});

// ------------------------------------------------------------------------------------------------
// issue15-1 long real-time delays: host timers overflow above 2^31−1 ms, so the clock chains them

const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * A stand-in for the host setTimeout/clearTimeout that behaves like Node (a delay above 2^31−1 ms
 * fires after 1 ms) and fires only when the test says so.
 */
class FakeTimers {
  readonly pending = new Map<number, { ms: number; f: () => void }>();
  readonly armed: number[] = [];
  readonly cleared: number[] = [];
  private next = 1;
  private readonly saved = { set: globalThis.setTimeout, clear: globalThis.clearTimeout };
  install(): void {
    (globalThis as any).setTimeout = (f: () => void, ms: number) => {
      const id = this.next++;
      const effective = ms > MAX_TIMEOUT ? 1 : ms; // Node's overflow
      this.pending.set(id, { ms: effective, f });
      this.armed.push(effective);
      return id;
    };
    (globalThis as any).clearTimeout = (id: number) => {
      if (this.pending.delete(id)) this.cleared.push(id);
    };
  }
  uninstall(): void {
    globalThis.setTimeout = this.saved.set;
    globalThis.clearTimeout = this.saved.clear;
  }
  /** Fire the only pending timer; returns its delay. */
  fireOne(): number {
    assert.equal(this.pending.size, 1, "exactly one timer pending");
    const [id, t] = [...this.pending][0]!;
    this.pending.delete(id);
    t.f();
    return t.ms;
  }
}

/** Let runAsync step: macrotask hops through setImmediate (not faked). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

async function fireChain(ms: number, handlers: readonly d.Handler[]): Promise<number[]> {
  const fake = new FakeTimers();
  fake.install();
  try {
    let done = false;
    const p = d
      .runAsync(
        d.program(function* () {
          yield* d.delay(ms);
          return "slept";
        }) as never,
        { handlers } as never,
      )
      .then((r: d.RunResult<unknown>) => {
        done = true;
        return r;
      });
    const fired: number[] = [];
    await settle();
    while (!done) {
      assert.ok(fake.pending.size > 0, `run not done and no timer pending after ${fired.length} timers`);
      fired.push(fake.fireOne());
      if (fired.length < 2 || fake.pending.size === 0) await settle();
    }
    const r = await p;
    assert.equal(r.value, "slept");
    return fired;
  } finally {
    fake.uninstall();
  }
}

for (const [label, handlers] of [
  ["with a scheduler", [d.scheduler, d.realTime]],
  ["without a scheduler", [d.realTime]],
] as const) {
  test(`issue15-1 realTime delay(2 ** 31) ${label} waits the full time (chained host timers)`, async () => {
    assert.deepEqual(await fireChain(2 ** 31, handlers), [MAX_TIMEOUT, 1]);
  });
  test(`issue15-1 realTime delay(3e9) ${label} waits the full time`, async () => {
    assert.deepEqual(await fireChain(3e9, handlers), [MAX_TIMEOUT, 3e9 - MAX_TIMEOUT]);
  });
  test(`issue15-1 realTime delay(1e12) ${label}: every link at most 2^31−1 ms, summing to 1e12`, async () => {
    const fired = await fireChain(1e12, handlers);
    assert.equal(fired.length, Math.ceil(1e12 / MAX_TIMEOUT));
    assert.ok(fired.every((ms) => ms > 1 && ms <= MAX_TIMEOUT));
    assert.equal(
      fired.reduce((a, b) => a + b, 0),
      1e12,
    );
  });
  test(`issue15-1 realTime short delay ${label} is one host timer`, async () => {
    assert.deepEqual(await fireChain(25, handlers), [25]);
  });
}

test("issue15-1 cancelling a task in a long realTime delay clears its pending host timer", async () => {
  const fake = new FakeTimers();
  fake.install();
  try {
    const p = d.runAsync(
      d.program(function* () {
        const t = yield* d.spawn(d.delay(3e9));
        yield* d.spawn(d.pure(0)); // let t start its delay
        yield* d.wait(yield* d.spawn(d.pure(0)));
        assert.equal(fake.pending.size, 1);
        fake.fireOne(); // first link (2^31−1 ms) passes; the second is armed
        yield* d.cancel(t);
        const r = yield* d.safe(d.wait(t));
        return r.ok ? "finished" : (r.error as Error).constructor.name;
      }) as never,
      { handlers: [d.scheduler, d.realTime] } as never,
    );
    const r = await p;
    assert.equal(r.value, "TaskCancelledError");
    assert.deepEqual(fake.armed, [MAX_TIMEOUT, 3e9 - MAX_TIMEOUT]);
    assert.equal(fake.cleared.length, 1);
    assert.equal(fake.pending.size, 0);
  } finally {
    fake.uninstall();
  }
});

// ------------------------------------------------------------------------------------------------
// issue15-4 non-plain env / store: a Map is accepted, other non-plain objects are a TypeError saying what to pass

test("issue15-4 a Map as env or store is read like a plain object, and is never mutated (INV-17)", () => {
  const env = new Map<string, unknown>([["a", 1]]);
  const store = new Map<string, unknown>([["x", 10]]);
  const r = d.run(
    d.program(function* () {
      yield* d.put("x", ((yield* d.get("x")) as number) + ((yield* d.ask("a")) as number));
      yield* d.put("y", 5);
      return yield* d.local({ a: 2 }, d.ask("a"));
    }),
    { handlers: [d.state, d.reader], env, store },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(r.store, { x: 11, y: 5 });
  assert.deepEqual([...store], [["x", 10]]);
  assert.deepEqual([...env], [["a", 1]]);
});

test("issue15-4 runAsync accepts a Map env/store too", async () => {
  const r = await d.runAsync(
    d.program(function* () {
      return [yield* d.ask("a"), yield* d.get("x")];
    }),
    { handlers: [d.state, d.reader], env: new Map([["a", "A"]]), store: new Map([["x", "X"]]) },
  );
  assert.deepEqual(r.value, ["A", "X"]);
});

test("issue15-4 a Map whose keys are not all strings → TypeError naming the key", () => {
  assert.throws(
    () => d.run(d.ask("a"), { handlers: [d.reader], env: new Map<any, unknown>([[1, "one"]]) }),
    (e: unknown) =>
      e instanceof TypeError && /run option env: a Map's keys must be strings, got the key 1/.test(e.message),
  );
});

class Settings {
  a = 1;
}
for (const [label, make] of [
  ["a Set", () => new Set(["a"])],
  ["a Date", () => new Date(0)],
  ["a class instance", () => new Settings()],
  ["a WeakMap", () => new WeakMap()],
  ["an array", () => [["a", 1]]],
  ["a function", () => () => 1],
] as const) {
  for (const key of ["env", "store"] as const) {
    test(`issue15-4 ${label} as ${key} → TypeError saying to pass a plain object or a Map`, async () => {
      const check = (e: unknown) =>
        e instanceof TypeError &&
        e.message.startsWith(
          `run option ${key} must be a plain object ({ key: value }) or a Map with string keys`,
        );
      const opts = { handlers: [d.state, d.reader], [key]: make() };
      assert.throws(() => d.run(d.pure(1), opts as never), check);
      await assert.rejects(d.runAsync(d.pure(1), opts as never), check);
    });
  }
}

test("issue15-4 an object with a null prototype and a frozen object are plain", () => {
  const env = Object.assign(Object.create(null), { a: 1 });
  const store = Object.freeze({ x: 2 });
  const r = d.run(
    d.program(function* () {
      return [yield* d.ask("a"), yield* d.get("x")];
    }),
    { handlers: [d.state, d.reader], env, store },
  );
  assert.deepEqual(r.value, [1, 2]);
});

// ------------------------------------------------------------------------------------------------
// issue15-6 options that throw while being read: a synchronous TypeError (runAsync: a rejection), like every
// bad option (SEMANTICS §8.1), naming the option, with the original error as `cause`

const withGetter = (key: string, what: string) =>
  Object.defineProperty({}, key, { enumerable: true, get: boom(what) });

const THROWING_OPTIONS: readonly [string, () => unknown, RegExp][] = [
  [
    "an options Proxy whose every trap throws",
    () => new Proxy({}, trapAll),
    /^run options could not be read/,
  ],
  [
    "a revoked options Proxy",
    () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    },
    /^run options could not be read/,
  ],
  [
    "an options Proxy whose get trap throws",
    () => new Proxy({ env: {} }, { get: boom("get") }),
    /^run option "env" could not be read/,
  ],
  [
    "a throwing `env` getter on the options",
    () => withGetter("env", "env"),
    /^run option "env" could not be read/,
  ],
  [
    "a throwing `handlers` getter on the options",
    () => withGetter("handlers", "handlers"),
    /^run option "handlers" could not be read/,
  ],
  [
    "an env with a throwing getter",
    () => ({ env: withGetter("a", "env.a") }),
    /^run option env\["a"\] could not be read/,
  ],
  [
    "a store with a throwing getter",
    () => ({ store: withGetter("x", "store.x") }),
    /^run option store\["x"\] could not be read/,
  ],
  [
    "an env Proxy whose every trap throws",
    () => ({ env: new Proxy({}, trapAll) }),
    /^run option env could not be read/,
  ],
  [
    "an env that is a function Proxy whose every trap throws (found by the malformed fuzzer)",
    () => ({ env: new Proxy(() => 1, trapAll) }),
    /^run option env must be a plain object/,
  ],
  [
    "a store Proxy whose ownKeys trap throws",
    () => ({ store: new Proxy({}, { ownKeys: boom("ownKeys") }) }),
    /^run option store could not be read/,
  ],
  [
    "a handlers Proxy whose get trap throws",
    () => ({ handlers: new Proxy([], { get: boom("handlers get") }) }),
    /^run option handlers could not be read/,
  ],
  [
    "a trace with a throwing getter",
    () => ({ trace: withGetter("steps", "trace.steps") }),
    /^run option trace "steps" could not be read/,
  ],
];

for (const [label, make, message] of THROWING_OPTIONS) {
  test(`issue15-6 ${label} → run throws TypeError (cause: the original error), runAsync rejects with it`, async () => {
    const check = (e: unknown) =>
      e instanceof TypeError &&
      message.test(e.message) &&
      (label.includes("function Proxy") || // rejected as not plain: nothing was read, no cause
        (e as { cause?: unknown }).cause instanceof (label.includes("revoked") ? TypeError : Boom));
    assert.throws(() => d.run(d.pure(1), make() as never), check);
    await assert.rejects(d.runAsync(d.pure(1), make() as never), check);
  });
}

test("issue15-6 every option is read exactly once (a getter cannot answer differently at validation and use)", () => {
  let reads = 0;
  const options = {
    handlers: [d.reader],
    get env() {
      reads++;
      return reads === 1 ? { a: "first" } : 42;
    },
  };
  const r = d.run(d.ask("a") as never, options as never);
  assert.equal(r.value, "first");
  assert.equal(reads, 1);
});

test("issue15-2 property: a parent-linked env view answers has/get/keys exactly like a flat copy", () => {
  const key = fc.constantFrom("a", "b", "c", "d", "e", "__proto__", "constructor");
  const op = fc.oneof(
    fc.record({ t: fc.constant("with" as const), patch: fc.dictionary(key, fc.integer(), { maxKeys: 3 }) }),
    fc.record({ t: fc.constant("eval" as const) }),
    fc.record({ t: fc.constant("pop" as const) }),
    fc.record({ t: fc.constant("look" as const), key }),
  );
  fc.assert(
    fc.property(
      fc.dictionary(key, fc.integer(), { maxKeys: 4 }),
      fc.array(op, { maxLength: 60 }),
      (root, ops) => {
        const stack: { env: Env; flat: Map<string, unknown> }[] = [
          { env: Env.from(root), flat: new Map(Object.entries(root)) },
        ];
        for (const o of ops) {
          const top = stack[stack.length - 1]!;
          if (o.t === "with") {
            const flat = new Map(top.flat);
            for (const [k, v] of Object.entries(o.patch)) flat.set(k, v);
            stack.push({ env: top.env.with(o.patch), flat });
          } else if (o.t === "eval") stack.push({ env: top.env.evaluatingProgram({}), flat: top.flat });
          else if (o.t === "pop") {
            if (stack.length > 1) stack.pop();
          } else {
            assert.equal(top.env.has(o.key), top.flat.has(o.key));
            assert.equal(top.env.get(o.key), top.flat.get(o.key));
          }
        }
        for (const { env, flat } of stack) {
          assert.deepEqual([...env.keys()], [...flat.keys()]);
          for (const k of ["a", "b", "c", "d", "e", "__proto__", "constructor", "zz"]) {
            assert.equal(env.get(k), flat.get(k));
            assert.equal(env.has(k), flat.has(k));
          }
        }
      },
    ),
    { numRuns: 500, seed: 15 },
  );
});

test("issue15-6 options read once still see inherited option properties (as a plain read does)", () => {
  const base = { handlers: [d.reader], env: { a: "inherited" }, trace: Object.create({ sites: true }) };
  const r = d.run(d.ask("a") as never, Object.create(base) as never);
  assert.equal(r.value, "inherited");
});
