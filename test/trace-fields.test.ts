/**
 * An effect's fields in a traceback's effect line (src/trace/format.ts fieldOf): a plain object
 * shows its first keys, one level deep, bounded as arrays and strings are, read without calling a
 * getter, and a value that cannot be inspected still renders.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Effect,
  fn,
  getHandlers,
  handle,
  type Program,
  program,
  resume,
  run,
  scoped,
  spawn,
  withHandler,
} from "../src/index.js";

class SaveOrder extends Effect<number> {
  declare readonly _tag: "SaveOrder";
  constructor(readonly order: unknown) {
    super();
  }
}

/** The effect line of the traceback of a run that performs `new SaveOrder(order)` with no handler. */
function effectLine(order: unknown): string | undefined {
  // (its row has SaveOrder, which no handler takes: typed as if it had none, to run it anyway)
  const main = program(function* main() {
    return yield* new SaveOrder(order);
  }) as unknown as Program<number>;
  return run(main).format().split("\n")[2];
}

test("a plain object field shows its keys and values, not `object`", () => {
  assert.equal(
    effectLine({ id: 1, total: 30 }),
    "  effect SaveOrder({ id: 1, total: 30 }): no handlers installed",
  );
  assert.equal(effectLine({}), "  effect SaveOrder({}): no handlers installed");
  // the whole report, as a user reads it
  const main = program(function* main() {
    return yield* new SaveOrder({ user: "u1", sku: "book", price: 300 });
  }) as unknown as Program<number>;
  assert.deepEqual(run(main).format().split("\n"), [
    "doeff traceback (outermost first):",
    "  main",
    '  effect SaveOrder({ user: "u1", sku: "book", price: 300 }): no handlers installed',
    "UnhandledEffectError: no handler takes SaveOrder; no handlers are installed here. Install one with withHandler(handler, program) or run(program, { handlers: [...] })",
  ]);
});

test("a plain object field is shown one level deep: a nested object or array by its kind", () => {
  assert.equal(
    effectLine({ id: 1, meta: { a: { b: 1 } }, tags: ["x", "y"] }),
    "  effect SaveOrder({ id: 1, meta: object, tags: Array(2) }): no handlers installed",
  );
  // an array of objects: its items one level deep, as before
  assert.equal(effectLine([{ a: 1 }, [1]]), "  effect SaveOrder([object, Array(1)]): no handlers installed");
});

test("a plain object with many keys, long keys or long values is bounded as arrays and strings are", () => {
  assert.equal(
    effectLine({ id: 1, a: 2, b: 3, c: 4, d: 5 }),
    "  effect SaveOrder({ id: 1, a: 2, b: 3, … 2 more }): no handlers installed",
  );
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
  assert.equal(
    effectLine(many),
    "  effect SaveOrder({ k0: 0, k1: 1, k2: 2, … 9997 more }): no handlers installed",
  );
  // a key is cut and kept on one line as a string is (request data can be a key), a value cut at 20
  assert.equal(
    effectLine({ "a\nb": "x".repeat(50), ["k".repeat(40)]: 1 }),
    `  effect SaveOrder({ a\\nb: "xxxxxxxxxxxxxxxxx...", ${"k".repeat(17)}...: 1 }): no handlers installed`,
  );
  // a cut never splits a surrogate pair (head)
  assert.equal(
    effectLine({ s: `${"x".repeat(16)}😀😀😀` }),
    `  effect SaveOrder({ s: "${"x".repeat(16)}..." }): no handlers installed`,
  );
});

test("a getter of a plain object field is never called: it shows as itself", () => {
  let calls = 0;
  const order = {
    id: 1,
    get total(): number {
      calls++;
      throw new Error("a getter was called");
    },
  };
  assert.equal(effectLine(order), "  effect SaveOrder({ id: 1, total: get total }): no handlers installed");
  assert.equal(calls, 0);
});

test("a Proxy whose traps throw, or a revoked one, is `object`: the traceback still renders", () => {
  const keysThrow = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error("ownKeys trap");
      },
    },
  );
  assert.equal(effectLine(keysThrow), "  effect SaveOrder(object): no handlers installed");
  const protoThrows = new Proxy(
    { id: 1 },
    {
      getPrototypeOf() {
        throw new Error("getPrototypeOf trap");
      },
    },
  );
  assert.equal(effectLine(protoThrows), "  effect SaveOrder(object): no handlers installed");
  const descriptorThrows = new Proxy(
    { id: 1 },
    {
      getOwnPropertyDescriptor() {
        throw new Error("getOwnPropertyDescriptor trap");
      },
    },
  );
  assert.equal(effectLine(descriptorThrows), "  effect SaveOrder(object): no handlers installed");
  const { proxy, revoke } = Proxy.revocable({ id: 1 }, {});
  revoke();
  const line = effectLine(proxy);
  assert.equal(
    line,
    "  effect SaveOrder(a value that cannot be inspected (its properties throw)): no handlers installed",
  );
});

test("a null-prototype object shows its keys; a class's instance keeps its class name", () => {
  const bare = Object.assign(Object.create(null) as object, { a: 1, b: "two" });
  assert.equal(effectLine(bare), '  effect SaveOrder({ a: 1, b: "two" }): no handlers installed');
  class Point {
    constructor(
      readonly x = 1,
      readonly y = 2,
    ) {}
  }
  assert.equal(effectLine(new Point()), "  effect SaveOrder(Point object): no handlers installed");
  assert.equal(effectLine(new Map([[1, 2]])), "  effect SaveOrder(Map object): no handlers installed");
});

test("a program under handlers shows as the program inside it, not `Primitive object`; another primitive by its operation", () => {
  const visit = program(function* visit() {
    return 1;
  });
  const h = handle(SaveOrder, (_e, k) => resume(k, 1));
  assert.equal(effectLine(withHandler(h, visit)), "  effect SaveOrder(visit()): no handlers installed");
  assert.equal(
    effectLine(withHandler(h, withHandler(h, visit))),
    "  effect SaveOrder(visit()): no handlers installed",
  );
  assert.equal(effectLine(getHandlers()), "  effect SaveOrder(getHandlers()): no handlers installed");
});

test("a spawn inside scoped with no scheduler: the Spawn scoped hands on shows the program spawned", () => {
  const visit = fn(function* visit(url: string) {
    return url;
  });
  const crawl = program(function* crawl() {
    return yield* scoped(
      program(function* loop() {
        yield* spawn(visit("https://a.test/"));
      }),
    );
  }) as unknown as Program<void>;
  assert.deepEqual(run(crawl).format().split("\n").slice(0, 6), [
    "doeff traceback (outermost first):",
    "  crawl",
    "  scoped",
    "  loop",
    '  handler scoped for Spawn(visit("https://a.test/"), "shared") ✗',
    '  effect Spawn(visit("https://a.test/"), "shared"): no handler outside the handler performing it',
  ]);
});
