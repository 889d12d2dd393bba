/**
 * How run and runAsync read their options (SEMANTICS §8.1, INV-17), pinned for the fast reading of
 * perf-run10 (src/run/read-options.ts ReadOptions): every option read once, in the order a plain
 * copy reads them; env and store copied once, from the caller's object, into the Maps the run uses;
 * the caller's objects never mutated; read errors before validation errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ask, fn, get, put, reader, run, runAsync, state } from "../src/index.js";

const bump = fn(function* bump() {
  const c = yield* get<number>("c");
  yield* put("c", c + 1);
  return c;
});

test("run options: the env and store are copied once, from the caller's object (no Map is made from another Map)", async () => {
  const Original = globalThis.Map;
  const fromMap: unknown[] = [];
  globalThis.Map = new Proxy(Original, {
    construct(target, args, newTarget) {
      if (args[0] instanceof Original) fromMap.push(args[0]);
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    const p = fn(function* p() {
      return [yield* ask("a"), yield* bump()];
    })();
    const r1 = run(p, { handlers: [state, reader], store: { c: 1 }, env: { a: "x" } });
    const r2 = await runAsync(p, { handlers: [state, reader], store: { c: 1 }, env: { a: "x" } });
    assert.deepEqual([r1.value, r1.store], [["x", 1], { c: 2 }]);
    assert.deepEqual([r2.value, r2.store], [["x", 1], { c: 2 }]);
  } finally {
    globalThis.Map = Original;
  }
  assert.deepEqual(fromMap, []);
});

test("run options: one options object runs twice from the same store, and the caller's store (object or Map) is never written", async () => {
  const record = { c: 0 };
  const map = new Map([["c", 10]]);
  const withRecord = { handlers: [state], store: record };
  const withMap = { handlers: [state], store: map };
  const results = [
    run(bump(), withRecord),
    run(bump(), withRecord),
    await runAsync(bump(), withRecord),
    run(bump(), withMap),
    await runAsync(bump(), withMap),
  ];
  assert.deepEqual(
    results.map((r) => [r.value, r.store]),
    [
      [0, { c: 1 }],
      [0, { c: 1 }],
      [0, { c: 1 }],
      [10, { c: 11 }],
      [10, { c: 11 }],
    ],
  );
  assert.deepEqual(record, { c: 0 });
  assert.deepEqual([...map], [["c", 10]]);
});

test("run options: read through a Proxy, the own keys first, then each option not among them, in order, once", () => {
  const log: string[] = [];
  const options = new Proxy(
    { store: { c: 5 }, handlers: [state] },
    {
      ownKeys(t) {
        log.push("ownKeys");
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, k) {
        log.push(`describe ${String(k)}`);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
      get(t, k, receiver) {
        log.push(`get ${String(k)}`);
        return Reflect.get(t, k, receiver);
      },
    },
  );
  const r = run(bump(), options as never);
  assert.deepEqual([r.ok, r.value, r.store], [true, 5, { c: 6 }]);
  assert.deepEqual(log, [
    "ownKeys",
    "describe store",
    "describe handlers",
    "get store",
    "get handlers",
    "get env",
    "get trace",
    "get signal",
    "get onWarning",
    "get settle",
  ]);
});

test("run options: an inherited or non-enumerable option is honoured; an own `__proto__` key is an unknown option", () => {
  const hidden = Object.defineProperty({ handlers: [state] }, "store", {
    value: { c: 7 },
    enumerable: false,
  });
  assert.equal(run(bump(), hidden as never).value, 7);
  const inherited = Object.create({ store: { c: 8 } });
  inherited.handlers = [state];
  assert.equal(run(bump(), inherited as never).value, 8);
  const proto = JSON.parse('{"handlers": 5, "__proto__": 1, "bogus": 2}');
  assert.throws(
    () => run(bump(), proto as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        'unknown run option "__proto__"; the options are handlers, env, store, trace, signal, onWarning and settle',
  );
});

test("run options: a read that throws is reported before a bad value read earlier (a store Map's key)", () => {
  const options = {
    store: new Map<unknown, unknown>([[1, "one"]]),
    trace: Object.defineProperty({}, "steps", {
      enumerable: true,
      get() {
        throw new RangeError("steps");
      },
    }),
  };
  assert.throws(
    () => run(bump(), options as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message.startsWith('run option trace "steps" could not be read (RangeError: steps); ') &&
      e.cause instanceof RangeError,
  );
  delete (options as { trace?: unknown }).trace;
  assert.throws(
    () => run(bump(), options as never),
    (e: unknown) =>
      e instanceof TypeError && e.message === "run option store: a Map's keys must be strings, got the key 1",
  );
});

test("run options: the trace option is read like the options — a Proxy's own keys first, then steps and sites not among them, once; errors name what was read", () => {
  const log: string[] = [];
  const logged = (target: object) =>
    new Proxy(target, {
      ownKeys(t) {
        log.push("ownKeys");
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, k) {
        log.push(`describe ${String(k)}`);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
      get(t, k, receiver) {
        log.push(`get ${String(k)}`);
        return Reflect.get(t, k, receiver);
      },
    });
  const lines: string[] = [];
  const r = run(bump(), {
    handlers: [state],
    store: { c: 1 },
    trace: logged(Object.create({ steps: (l: string) => lines.push(l) }, { sites: { value: false } })),
  } as never);
  assert.deepEqual([r.ok, r.value], [true, 1]);
  assert.ok(lines.length > 0, "the inherited steps option was honoured");
  assert.deepEqual(log, ["ownKeys", "describe sites", "get steps", "get sites"]);
  log.length = 0;
  const unknown = logged(JSON.parse('{"sites": true, "__proto__": 1}'));
  const message = (options: unknown): string => {
    try {
      run(bump(), options as never);
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
    return "no error";
  };
  assert.equal(
    message({ handlers: [state], store: { c: 1 }, trace: unknown }),
    'TypeError: unknown trace option "__proto__"; the trace options are steps and sites',
  );
  assert.deepEqual(log, [
    "ownKeys",
    "describe sites",
    "describe __proto__",
    "get sites",
    "get __proto__",
    "get steps",
  ]);
  assert.equal(message({ trace: [true] }), "TypeError: run option trace must be an object, got Array(1)");
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.match(
    message({ trace: revoked.proxy }),
    /^TypeError: run option trace could not be read \(TypeError: .*\); pass a plain options object \{ handlers, env, store, trace, signal, onWarning, settle \}$/,
  );
  const keysThrow = new Proxy(
    {},
    {
      ownKeys() {
        throw new RangeError("keys");
      },
    },
  );
  assert.equal(
    message({ trace: keysThrow }),
    "TypeError: run option trace could not be read (RangeError: keys); pass { steps?, sites? }",
  );
  const inheritedThrows = Object.create({
    get sites() {
      throw new RangeError("sites");
    },
  });
  assert.equal(
    message({ trace: inheritedThrows }),
    'TypeError: run option trace "sites" could not be read (RangeError: sites); pass { steps?, sites? }',
  );
});
