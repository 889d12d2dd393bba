/**
 * expectEffects' comparison and its mistakes (review-ah): data with cycles, effects inside an effect's
 * fields (compared and shown as the effects of the list are), a class that is no effect class in the
 * expected list, an `only` / `record` predicate that throws on an effect it was not written for, a
 * program that is no program, and the report of a run whose scheduler effect nothing takes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expect } from "expect";
import {
  Effect,
  program,
  run,
  Spawn,
  scheduler,
  spawn,
  Tell,
  tell,
  UnhandledEffectError,
  wait,
  writer,
} from "../src/index.js";
import {
  compareEffects,
  EffectExpectationError,
  expectEffects,
  expectEffectsAsync,
  mock,
  quiescent,
  record,
  virtualClock,
} from "../src/testing/index.js";

interface Order {
  id: number;
  items: { sku: string; order: Order }[];
}
class Save extends Effect<number> {
  declare readonly _tag: "Save";
  constructor(readonly doc: object) {
    super();
  }
}
class Fetch extends Effect<string> {
  declare readonly _tag: "Fetch";
  constructor(readonly url: string) {
    super();
  }
}
class Batch extends Effect<string[]> {
  declare readonly _tag: "Batch";
  constructor(
    readonly requests: Fetch[],
    readonly first: Fetch,
  ) {
    super();
  }
}

/** An order whose items link back to it (a parent link: a cycle). */
function order(sku: string): Order {
  const o: Order = { id: 1, items: [] };
  o.items.push({ sku, order: o });
  return o;
}

test("expectEffects: equal fields with a cycle match (a RangeError, 'Maximum call stack size exceeded', was thrown out of expectEffects), and a difference in them is named by its path", () => {
  const saving = program(function* () {
    return yield* new Save(order("x"));
  });
  const handlers = [mock(Save, 7)] as const;
  assert.equal(expectEffects(saving, [new Save(order("x"))], { handlers }).value, 7);
  assert.equal(compareEffects([new Save(order("x"))], [new Save(order("x"))]), null);
  assert.throws(
    () => expectEffects(saving, [new Save(order("y"))], { handlers }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Save({ id: 1, items: [{ sku: "y", order: [Circular] }] }), got Save({ id: 1, items: [{ sku: "x", order: [Circular] }] })',
          '  at doc.items[0].sku: expected "y", got "x"',
          "performed effects (1):",
          '  1. Save({ id: 1, items: [{ sku: "x", order: [Circular] }] })',
        ].join("\n"),
      );
      return true;
    },
  );
  // a cycle met first: the search for the difference passes it over (it went round it until the
  // stack overflowed, and the message had no `at` line)
  const selfFirst = (name: string) => {
    const o: { self?: object; name?: string } = {};
    o.self = o;
    o.name = name;
    return o;
  };
  assert.equal(
    compareEffects([new Save(selfFirst("a"))], [new Save(selfFirst("b"))]),
    [
      'effect #1: expected Save({ self: [Circular], name: "a" }), got Save({ self: [Circular], name: "b" })',
      '  at doc.name: expected "a", got "b"',
    ].join("\n"),
  );
  const loop = (n: number) => {
    const a: unknown[] = [n];
    a.push(a);
    return { a };
  };
  assert.equal(compareEffects([new Save(loop(1))], [new Save(loop(1))]), null);
  assert.equal(
    compareEffects([new Save(loop(1))], [new Save(loop(2))]),
    [
      "effect #1: expected Save({ a: [1, [Circular]] }), got Save({ a: [2, [Circular]] })",
      "  at doc.a[0]: expected 1, got 2",
    ].join("\n"),
  );
});

test("expectEffects: an effect in an effect's fields matches by its class and fields, as one in the list (it matched only itself), and is shown with its fields (it read `Fetch object`)", () => {
  const batching = program(function* () {
    return yield* new Batch([new Fetch("/a"), new Fetch("/b")], new Fetch("/a"));
  });
  const handlers = [mock(Batch, (e) => e.requests.map((f) => f.url))] as const;
  assert.deepEqual(
    expectEffects(batching, [new Batch([new Fetch("/a"), new Fetch("/b")], new Fetch("/a"))], { handlers })
      .value,
    ["/a", "/b"],
  );
  assert.throws(
    () =>
      expectEffects(batching, [new Batch([new Fetch("/a"), new Fetch("/c")], new Fetch("/a"))], { handlers }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Batch([Fetch("/a"), Fetch("/c")], Fetch("/a")), got Batch([Fetch("/a"), Fetch("/b")], Fetch("/a"))',
          '  at requests[1].url: expected "/c", got "/b"',
          "performed effects (1):",
          '  1. Batch([Fetch("/a"), Fetch("/b")], Fetch("/a"))',
        ].join("\n"),
      );
      return true;
    },
  );
  // an effect of another class with the same fields is no match
  class Head extends Effect<string> {
    declare readonly _tag: "Head";
    constructor(readonly url: string) {
      super();
    }
  }
  assert.equal(
    compareEffects([new Batch([], new Head("/a") as never)], [new Batch([], new Fetch("/a"))]),
    'effect #1: expected Batch([], Head("/a")), got Batch([], Fetch("/a"))',
  );
  // a spawned effect shows as itself in the list of what was performed
  const spawning = program(function* () {
    return yield* wait(yield* spawn(new Fetch("/a")));
  });
  assert.throws(
    () => expectEffects(spawning, [Fetch], { handlers: [scheduler, mock(Fetch, "body")] }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected any Fetch, got Spawn(Fetch("/a"), "shared")',
          "performed effects (3):",
          '  1. Spawn(Fetch("/a"), "shared")',
          "  2. Wait(Task(1))",
          '  3. Fetch("/a")',
        ].join("\n"),
      );
      return true;
    },
  );
});

test("expectEffects: a class that is no effect class in the expected list is a TypeError at the call (Error was called as a predicate: 'the predicate returned Error object')", () => {
  const fetching = program(function* () {
    return yield* new Fetch("/a");
  });
  const handlers = [mock(Fetch, "body")] as const;
  assert.throws(() => expectEffects(fetching, [Error], { handlers }), {
    name: "TypeError",
    message:
      "expectEffects: expected[0] is function Error, which does not extend Effect, so no performed effect is an instance of it; use an effect class (Roll), an effect instance (new Roll(6)) or a predicate ((e) => e instanceof Roll && e.sides > 2)",
  });
  class Response {}
  assert.throws(() => expectEffects(fetching, [Fetch, Response], { handlers }), {
    name: "TypeError",
    message:
      "expectEffects: expected[1] is function Response, which does not extend Effect, so no performed effect is an instance of it; use an effect class (Roll), an effect instance (new Roll(6)) or a predicate ((e) => e instanceof Roll && e.sides > 2)",
  });
  assert.throws(() => compareEffects([Map], []), {
    name: "TypeError",
    message: /^compareEffects: expected\[0\] is function Map, which does not extend Effect/,
  });
  // predicates stay predicates: an arrow, a function expression, a bound one
  const isFetch = function (this: { cls: Function }, e: unknown) {
    return e instanceof this.cls;
  }.bind({ cls: Fetch });
  assert.equal(
    expectEffects(
      fetching,
      [
        function isA(e: unknown) {
          return e instanceof Fetch && e.url === "/a";
        },
      ],
      { handlers },
    ).value,
    "body",
  );
  assert.equal(expectEffects(fetching, [isFetch], { handlers }).value, "body");
  assert.equal(expectEffects(fetching, [Effect], { handlers }).value, "body");
});

test("record / expectEffects' only: a predicate that throws on an effect it was not written for names itself and the effect, keeping its error (a bare 'Cannot read properties of undefined' failed the run)", () => {
  const p = program(function* main() {
    yield* tell("hi");
    return yield* new Fetch("/a");
  });
  const byUrl = (e: Effect) => (e as unknown as Fetch).url.startsWith("/");
  const hint = "test the class first, (e) => e instanceof Roll && …, or pass the class";
  assert.throws(
    () => expectEffects(p, [Fetch], { handlers: [writer, mock(Fetch, "body")], only: byUrl }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      const cause = e.cause;
      assert.ok(cause instanceof TypeError);
      assert.equal(
        cause.message,
        `expectEffects' only predicate threw on Tell("hi"): Cannot read properties of undefined (reading 'startsWith') (it is offered every effect the program performs, Tell too: ${hint}, only: Roll)`,
      );
      assert.equal(
        e.message.split("\n")[1],
        `the run failed (its error is .result.error and this error's cause): TypeError: ${cause.message}`,
      );
      return true;
    },
  );
  const rec = record(byUrl);
  const r = run(p, { handlers: [writer, mock(Fetch, "body"), rec] });
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    `record's predicate threw on Tell("hi"): Cannot read properties of undefined (reading 'startsWith') (it is offered every effect the program performs, Tell too: ${hint}, record(Roll))`,
  );
  // the traceback still points at the predicate, and the stack carries the new message
  assert.match(r.format(), /\n {2}thrown at .*testing-expect-compare\.test\.ts:\d+\n/);
  assert.ok(r.error.stack?.includes("record's predicate threw on Tell"));
  assert.deepEqual(rec.entries, []);
  // a value thrown that is no Error is thrown as it is; an error thrown again is explained once
  const refusal = new RangeError("no");
  const twice = record(() => {
    throw refusal;
  });
  const again = program(function* () {
    try {
      yield* tell("a");
    } catch {}
    yield* tell("b");
  });
  const r2 = run(again, { handlers: [writer, twice] });
  assert.equal(r2.error, refusal);
  assert.equal(
    refusal.message,
    `record's predicate threw on Tell("a"): no (it is offered every effect the program performs, Tell too: ${hint}, record(Roll))`,
  );
  const r3 = run(tell("c"), {
    handlers: [
      writer,
      record(() => {
        throw "nope";
      }),
    ],
  });
  assert.equal(r3.error, "nope");
});

test("expectEffects: the run's report says what its error says of a scheduler effect nothing takes (format() kept the VM's 'passed on by a handler … list it before the handler')", async () => {
  const child = program(function* () {
    return 1;
  });
  const spawning = program(function* main() {
    return yield* wait(yield* spawn(child));
  });
  const said =
    "no handler takes Spawn: expectEffects recorded it and passed it on to the handlers in options.handlers, and none takes it; add Spawn's standard handler, scheduler, to options.handlers. spawn, wait, awaitPromise and the concurrency toolkit (all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest) perform scheduler effects: a program that calls only them needs the scheduler too";
  for (const r of [
    // @ts-expect-error -- the point: no scheduler
    expectEffects(spawning, [Spawn], { handlers: [writer] }),
    // @ts-expect-error -- the point: no scheduler
    await expectEffectsAsync(spawning, [Spawn], { handlers: [writer] }),
  ]) {
    assert.ok(r.error instanceof UnhandledEffectError);
    assert.equal(r.error.message, said);
    assert.deepEqual(r.format().split("\n"), [
      "doeff traceback (outermost first):",
      "  main",
      '  effect Spawn(program(), "shared"): expectEffects ↗, writer ↗',
      `UnhandledEffectError: ${said}`,
    ]);
  }
});

test("expectEffects / expectEffectsAsync: a program that is no program is a TypeError naming the helper called (it named run / runAsync)", async () => {
  const gen = function* () {
    yield* tell("x");
  };
  assert.throws(() => expectEffects(gen as never, []), {
    name: "TypeError",
    message:
      "expectEffects expects a Program (fn/program/pure), an Effect, or a generator object, got function gen; did you forget to call it, e.g. run(main()) or program(function* () {...})?",
  });
  assert.throws(() => expectEffects(5 as never, [], { handlers: [writer] }), {
    name: "TypeError",
    message: "expectEffects expects a Program (fn/program/pure), an Effect, or a generator object, got 5",
  });
  await assert.rejects(expectEffectsAsync(gen as never, []), {
    name: "TypeError",
    message:
      "expectEffectsAsync expects a Program (fn/program/pure), an Effect, or a generator object, got function gen; did you forget to call it, e.g. run(main()) or program(function* () {...})?",
  });
  // a generator object runs, once
  const once = gen();
  assert.equal(expectEffects(once, [Tell], { handlers: [writer] }).ok, true);
  assert.throws(() => expectEffects(once, [Tell], { handlers: [writer] }), {
    name: "TypeError",
    message: /^expectEffects got a generator object that was already run/,
  });
});

test("expectEffects: an effect's symbol-keyed fields, which it compares, are shown (both sides read `Tagged()`)", () => {
  const tag = Symbol("tag");
  class Tagged extends Effect<number> {
    declare readonly _tag: "Tagged";
    readonly [tag]: string;
    constructor(t: string) {
      super();
      this[tag] = t;
    }
  }
  const tagging = program(function* () {
    return yield* new Tagged("a");
  });
  assert.throws(
    () => expectEffects(tagging, [new Tagged("b")], { handlers: [mock(Tagged, 1)] }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Tagged("b"), got Tagged("a")',
          "performed effects (1):",
          '  1. Tagged("a")',
        ].join("\n"),
      );
      return true;
    },
  );
  assert.equal(expectEffects(tagging, [new Tagged("a")], { handlers: [mock(Tagged, 1)] }).value, 1);
});

test("expectEffects: a failed expectation names the errors the run kept beside an ok outcome — a task that failed or never ran, often why effects are missing (the message said nothing of them)", () => {
  const failing = program(function* crawl() {
    yield* spawn(
      program(function* worker() {
        for (const u of ["/1", "/2", "/3"]) yield* new Fetch(u);
      }),
    );
    yield* quiescent();
    return "done";
  });
  let n = 0;
  const flaky = mock(Fetch, () => {
    if (++n === 2) throw new Error("HTTP 503 for /2");
    return "ok";
  });
  assert.throws(
    () =>
      expectEffects(failing, [new Fetch("/1"), new Fetch("/2"), new Fetch("/3")], {
        handlers: [...virtualClock().handlers, flaky],
        only: Fetch,
      }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(e.result.ok, true);
      assert.equal(e.cause, undefined);
      assert.equal(
        e.message,
        [
          'effect #3: expected Fetch("/3"), but the program performed only 2',
          "the run kept an error that nothing received (.result.warnings; .result.format() says where it was thrown): Error: HTTP 503 for /2",
          "performed effects (2, only those the `only` option selects):",
          '  1. Fetch("/1")',
          '  2. Fetch("/2")',
        ].join("\n"),
      );
      return true;
    },
  );
  // several: the first three, the rest counted
  const many = program(function* main() {
    for (let i = 1; i <= 5; i++)
      yield* spawn(
        program(function* () {
          throw new RangeError(`job ${i}`);
        }),
      );
    yield* quiescent();
  });
  assert.throws(
    () => expectEffects(many, [Fetch], { handlers: [...virtualClock().handlers], only: Fetch }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.deepEqual(e.message.split("\n").slice(0, 6), [
        "effect #1: expected any Fetch, but the program performed only 0",
        "the run kept 5 errors that nothing received (.result.warnings; .result.format() says where each was thrown):",
        "  - RangeError: job 1",
        "  - RangeError: job 2",
        "  - RangeError: job 3",
        "  … 2 more",
      ]);
      return true;
    },
  );
  // a task that never ran: the warning names the fix
  const placeOrder = program(function* placeOrder() {
    yield* spawn(new Fetch("/audit"));
    return "o1";
  });
  assert.throws(
    () =>
      expectEffects(placeOrder, [new Fetch("/audit")], {
        handlers: [...virtualClock().handlers, mock(Fetch, "ok")],
        only: Fetch,
      }),
    {
      message:
        /\nthe run kept an error that nothing received \(\.result\.warnings; \.result\.format\(\) says where it was thrown\): DoeffError: main returned before task 1 started, so ending the run cancelled it before it ran any code: .* in a test end main with `yield\* quiescent\(\)`/,
    },
  );
  // a run with no warning says nothing of them
  assert.throws(() => expectEffects(new Fetch("/x"), [], { handlers: [mock(Fetch, "ok")] }), {
    message: 'effect #1: expected no more effects, got Fetch("/x")\nperformed effects (1):\n  1. Fetch("/x")',
  });
});

test("expectEffects: an effect that keeps its data in #private fields behind getters is compared (and shown) by its getters (any two matched: a wrong expectation passed)", () => {
  class Get extends Effect<string> {
    declare readonly _tag: "Get";
    readonly #url: string;
    readonly #tries: number;
    constructor(url: string, tries = 1) {
      super();
      this.#url = url;
      this.#tries = tries;
    }
    get url(): string {
      return this.#url;
    }
    get tries(): number {
      return this.#tries;
    }
    get broken(): never {
      throw new Error("not readable");
    }
  }
  class Head extends Get {
    get method(): string {
      return "HEAD";
    }
  }
  const getting = program(function* () {
    return yield* new Get("/a");
  });
  const handlers = [mock(Get, "body")] as const;
  assert.throws(
    () => expectEffects(getting, [new Get("/b")], { handlers }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Get("/b", 1, (a getter that threw)), got Get("/a", 1, (a getter that threw))',
          "performed effects (1):",
          '  1. Get("/a", 1, (a getter that threw))',
        ].join("\n"),
      );
      return true;
    },
  );
  assert.equal(expectEffects(getting, [new Get("/a")], { handlers }).value, "body");
  // (a getter that throws on both sides is no difference: it cannot be compared)
  assert.equal(
    compareEffects([new Get("/a", 2)], [new Get("/a", 3)]),
    'effect #1: expected Get("/a", 2, (a getter that threw)), got Get("/a", 3, (a getter that threw))',
  );
  // a subclass's getters come first, then its parent's; inside another effect too
  assert.equal(
    compareEffects([new Batch([new Head("/a") as never], new Fetch("/a"))], [new Batch([], new Fetch("/a"))]),
    [
      'effect #1: expected Batch([Head("HEAD", "/a", 1)], Fetch("/a")), got Batch([], Fetch("/a"))',
      "  at requests.length: expected 1, got 0",
    ].join("\n"),
  );
  // an effect with own fields is compared by them alone, as before
  class Tagged extends Effect<number> {
    declare readonly _tag: "Tagged";
    constructor(readonly id: number) {
      super();
    }
    get twice(): number {
      return this.id * 2;
    }
  }
  assert.equal(compareEffects([new Tagged(1)], [new Tagged(1)]), null);
  assert.equal(
    compareEffects([new Tagged(1)], [new Tagged(2)]),
    "effect #1: expected Tagged(1), got Tagged(2)",
  );
});

test("expectEffects: a Jest / vitest asymmetric matcher matches what it says, in a field or as an expected item (it compared by identity: `expected Fetch(Any object)`), and is shown as Jest shows it", () => {
  class Call extends Effect<string> {
    declare readonly _tag: "Call";
    constructor(
      readonly url: string,
      readonly headers: object,
    ) {
      super();
    }
  }
  const calling = program(function* () {
    return yield* new Call("/a?x=1", { auth: "t", id: 5 });
  });
  const handlers = [mock(Call, "body")] as const;
  for (const ok of [
    new Call(expect.stringMatching(/^\/a/) as never, expect.objectContaining({ auth: "t" })),
    new Call(expect.any(String) as never, expect.anything()),
    new Call("/a?x=1", { auth: expect.any(String), id: 5 }),
    expect.objectContaining({ url: "/a?x=1" }),
  ])
    assert.equal(expectEffects(calling, [ok], { handlers }).value, "body");
  const first = (expected: object) => {
    try {
      expectEffects(calling, [expected], { handlers });
    } catch (e) {
      assert.ok(e instanceof EffectExpectationError);
      return e.message.split("\n").slice(0, -2).join("\n");
    }
    assert.fail("expected an EffectExpectationError");
  };
  assert.equal(
    first(new Call(expect.stringMatching(/^\/b/) as never, expect.anything())),
    'effect #1: expected Call(StringMatching /^\\/b/, Anything), got Call("/a?x=1", { auth: "t", id: 5 })',
  );
  assert.equal(
    first(new Call("/a?x=1", { auth: expect.any(Number), id: 5 })),
    [
      'effect #1: expected Call("/a?x=1", { auth: Any<Number>, id: 5 }), got Call("/a?x=1", { auth: "t", id: 5 })',
      '  at headers.auth: expected Any<Number>, got "t"',
    ].join("\n"),
  );
  assert.equal(
    first(expect.objectContaining({ url: "/b" })),
    'effect #1: expected an effect matching ObjectContaining { url: "/b" }, got Call("/a?x=1", { auth: "t", id: 5 })',
  );
  // a matcher that throws does not match; an object that only looks like one is an error at the call
  const throwing = {
    $$typeof: Symbol.for("jest.asymmetricMatcher"),
    asymmetricMatch: () => {
      throw new Error("x");
    },
    toString: () => "Odd",
  };
  assert.equal(
    first(new Call("/a?x=1", throwing)),
    'effect #1: expected Call("/a?x=1", Odd), got Call("/a?x=1", { auth: "t", id: 5 })',
  );
  assert.throws(() => expectEffects(calling, [{ asymmetricMatch: () => true }], { handlers }), {
    name: "TypeError",
    message: /^expectEffects: expected\[0\] is a plain object, which never matches a performed effect/,
  });
});
