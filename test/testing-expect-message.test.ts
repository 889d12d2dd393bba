/** EffectExpectationError shows object fields and names the first differing path. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  Effect,
  fn,
  Put,
  program,
  put,
  run,
  state,
  UnhandledEffectError,
  withHandler,
} from "../src/index.js";
import { EffectExpectationError, expectEffects, mock, record } from "../src/testing/index.js";

test("expectEffects: object fields are shown, and the first difference is named by its path", () => {
  assert.throws(
    () =>
      expectEffects(put("user", { name: "Ada", age: 36 }), [new Put("user", { name: "Ada", age: 37 })], {
        handlers: [state],
      }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          'effect #1: expected Put("user", { name: "Ada", age: 37 }), got Put("user", { name: "Ada", age: 36 })',
          "  at value.age: expected 37, got 36",
          "performed effects (1):",
          '  1. Put("user", { name: "Ada", age: 36 })',
        ].join("\n"),
      );
      return true;
    },
  );
});

test("expectEffects / record: an effect no handler takes says to add its handler or a mock (it read as a handler-order mistake of 'handler function expectEffects', before that 'recorder')", () => {
  class Save extends Effect<number> {
    declare readonly _tag: "Save";
  }
  const r = expectEffects(
    program(function* () {
      return yield* new Save();
    }),
    [Save],
    // @ts-expect-error -- the point: Save has no handler (MissingHandlerError<Save> at compile time too)
    { handlers: [state] },
  );
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(
    r.error.message,
    "no handler takes Save: expectEffects recorded it and asked the handlers in options.handlers, and none takes it; add a handler for Save to options.handlers, or mock it: mock(Save, (effect) => answer)",
  );
  assert.equal(r.error.effect instanceof Save, true);
  const r2 = run(new Save(), { handlers: [state, record()] } as never);
  assert.equal(
    (r2.error as Error).message,
    "no handler takes Save: record recorded it and asked the handlers listed before it, and none takes it; add a handler for Save to handlers, before record(), or mock it: mock(Save, (effect) => answer)",
  );
});

test("expectEffects: options given as an array, or handlers given as one handler, are TypeErrors saying how to write them", () => {
  const p = put("n", 1);
  assert.throws(
    () => expectEffects(p, [Put], [state] as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "expectEffects' third argument is its options, { handlers: [...], only?, env?, store? }; got an array (write { handlers: [state, …] })",
  );
  assert.throws(
    () => expectEffects(p, [Put], { handlers: state } as never),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "expectEffects: options.handlers must be an array of handlers, got the handler state alone (write handlers: [state])",
  );
});

test("record / expectEffects: a predicate written as function (e) {…} is a predicate, not a class (it matched nothing)", () => {
  const rec = record(function isPut(e: unknown) {
    return e instanceof Put;
  });
  run(put("n", 1), { handlers: [state, rec] });
  assert.deepEqual(
    rec.effects.map((e) => (e as Put).key),
    ["n"],
  );
});

test("expectEffects: a plain object, an array or a Program as an expected item is a TypeError at the call", () => {
  const p = put("n", 1);
  for (const [item, what] of [
    [{ key: "n", value: 1 }, "a plain object"],
    [[1], "an array"],
    [program(function* () {}), "a Program"],
  ] as const) {
    assert.throws(
      () => expectEffects(p, [new Put("n", 1), item as never], { handlers: [state] }),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message ===
          `expectEffects: expected[1] is ${what}, which never matches a performed effect; use an effect instance (new Roll(6)), an effect class (Roll) or a predicate ((e) => e instanceof Roll && e.sides > 2)`,
      String(item),
    );
  }
});

test("expectEffects: when the run failed, the expectation error says so and keeps the run's error as its cause", () => {
  const boom = new RangeError("no such user");
  const p = program(function* () {
    yield* put("n", 1);
    throw boom;
  });
  assert.throws(
    () => expectEffects(p, [new Put("n", 1), new Put("n", 2)], { handlers: [state] }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(e.cause, boom);
      assert.equal(
        e.message,
        [
          'effect #2: expected Put("n", 2), but the program performed only 1',
          "the run failed (its error is .result.error and this error's cause): RangeError: no such user",
          "performed effects (1):",
          '  1. Put("n", 1)',
        ].join("\n"),
      );
      return true;
    },
  );
});

test("expectEffects: a long list of performed effects is cut (first 30, last 5), and `only` is named", () => {
  const p = program(function* () {
    for (let i = 0; i < 100; i++) yield* put("n", i);
  });
  assert.throws(
    () => expectEffects(p, [], { handlers: [state], only: Put }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      const lines = e.message.split("\n");
      const at = lines.indexOf("performed effects (100, only those the `only` option selects):");
      assert.ok(at > 0, e.message);
      assert.equal(lines.length, at + 1 + 30 + 1 + 5);
      assert.equal(lines[at + 1], '  1. Put("n", 0)');
      assert.equal(lines[at + 30], '  30. Put("n", 29)');
      assert.equal(lines[at + 31], "  … 65 more …");
      assert.equal(lines[at + 32], '  96. Put("n", 95)');
      assert.equal(lines[at + 36], '  100. Put("n", 99)');
      assert.equal(e.actual.length, 100);
      return true;
    },
  );
});

test("expectEffects: Date fields compare by time; a predicate's truthy non-true answer gets a hint; a predicate that throws is reported with the effect", () => {
  class Book extends Effect<undefined> {
    declare readonly _tag: "Book";
    constructor(readonly at: Date) {
      super();
    }
  }
  const p = program(function* () {
    yield* new Book(new Date(Date.UTC(2026, 0, 2)));
  });
  const handlers = [mock(Book, () => undefined)] as const;
  const r = expectEffects(p, [new Book(new Date(Date.UTC(2026, 0, 2)))], { handlers: [...handlers] });
  assert.equal(r.ok, true);
  assert.throws(
    () => expectEffects(p, [new Book(new Date(Date.UTC(2026, 0, 3)))], { handlers: [...handlers] }),
    EffectExpectationError,
  );
  assert.throws(
    () => expectEffects(p, [(e: unknown) => (e as Book).at.getTime()], { handlers: [...handlers] }),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.split("\n")[1] ===
        "  (the predicate returned 1767312000000, not true: return a boolean, e.g. !!x)",
  );
  const boom = function picky(e: unknown): boolean {
    return (e as { missing: { x: number } }).missing.x > 0;
  };
  assert.throws(
    () => expectEffects(p, [boom], { handlers: [...handlers] }),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message
        .split("\n")[0]!
        .startsWith("effect #1: the predicate picky threw TypeError: Cannot read properties of undefined") &&
      e.result.ok === true,
  );
});

test("expectEffects: an anonymous predicate that throws reads `the predicate threw …` (it read `the predicate a predicate threw`)", () => {
  class Ping extends Effect<undefined> {
    declare readonly _tag: "Ping";
  }
  const handlers = [mock(Ping, undefined)] as const;
  assert.throws(
    () =>
      expectEffects(
        new Ping(),
        [
          () => {
            throw new Error("no");
          },
        ],
        { handlers: [...handlers] },
      ),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.split("\n")[0] === "effect #1: the predicate threw Error: no on Ping()",
  );
});

test("expectEffects: an outer handler's error prints the program's frames once (they printed twice), with no line for the recorder", () => {
  class Fetch extends Effect<number> {
    declare readonly _tag: "Fetch";
    constructor(readonly id: number) {
      super();
    }
  }
  const failing = answer(Fetch, (e) => {
    throw new RangeError(`no ${e.id}`);
  });
  const inner = fn(function* inner() {
    return yield* new Fetch(1);
  });
  const outer = fn(function* outer() {
    return yield* inner();
  });
  const lines = expectEffects(outer(), [Fetch], { handlers: [failing] })
    .format()
    .split("\n");
  assert.deepEqual(lines, [
    "doeff traceback (outermost first):",
    "  outer",
    "  inner",
    "  effect Fetch(1): answer(Fetch) ✗",
    lines[4]!.startsWith("  thrown at ") ? lines[4]! : "(thrown at …)",
    "RangeError: no 1",
  ]);
  // as without the recorder
  assert.equal(run(outer(), { handlers: [failing] }).format(), lines.join("\n"));
});

test("record / expectEffects leave a traceback as without them: an outer generator handler's throw kept no program frames, a discontinue printed them twice under a ✓ line", async () => {
  const { discontinue, handle } = await import("../src/index.js");
  class Fetch extends Effect<number> {
    declare readonly _tag: "Fetch";
    constructor(readonly id: number) {
      super();
    }
  }
  const inner = fn(function* inner() {
    return yield* new Fetch(1);
  });
  const outer = fn(function* outer() {
    return yield* inner();
  });
  const throwing = handle(Fetch, function* (e) {
    throw new RangeError(`no ${e.id}`);
  });
  const discontinuing = handle(Fetch, (e, k) => discontinue(k, new RangeError(`no ${e.id}`)));
  for (const h of [throwing, discontinuing]) {
    const plain = run(outer(), { handlers: [h] }).format();
    assert.deepEqual(plain.split("\n").slice(0, 5), [
      "doeff traceback (outermost first):",
      "  outer",
      "  inner",
      "  handler handle(Fetch) for Fetch(1) ✗",
      "  effect Fetch(1): handle(Fetch) ✗",
    ]);
    assert.equal(expectEffects(outer(), [Fetch], { handlers: [h] }).format(), plain);
    const rec = record();
    assert.equal(run(outer(), { handlers: [h, rec] }).format(), plain);
  }
});

test("expectEffects: a long string field that differs names the character where it differs (also at the top level)", () => {
  class Send extends Effect<undefined> {
    declare readonly _tag: "Send";
    constructor(readonly body: string) {
      super();
    }
  }
  const base = "Dear customer, thank you for your order number 12345 placed on our store; it ships ";
  const p = program(function* () {
    yield* new Send(`${base}tomorrow morning by courier.`);
  });
  const handlers = [answer(Send, () => undefined)];
  assert.throws(
    () => expectEffects(p, [new Send(`${base}tomorrow evening by courier.`)], { handlers }),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.split("\n")[1] ===
        '  at body: expected …"; it ships tomorrow evening by courier.", got …"; it ships tomorrow morning by courier." (they differ at character 92)',
  );
  // a short one shows itself: no second line
  const q = program(function* () {
    yield* new Send("hi");
  });
  assert.throws(
    () => expectEffects(q, [new Send("ho")], { handlers }),
    (e: unknown) =>
      e instanceof EffectExpectationError && e.message.split("\n")[1] === "performed effects (1):",
  );
});

test("expectEffects: a Date is shown by its time (both read `Date object`, with a note that class instances match by identity), and two Invalid Dates are equal", () => {
  class Book extends Effect<undefined> {
    declare readonly _tag: "Book";
    constructor(
      readonly at: Date,
      readonly extra?: { until: Date },
    ) {
      super();
    }
  }
  const handlers = [mock(Book, () => undefined)];
  const p = program(function* () {
    yield* new Book(new Date(Date.UTC(2026, 0, 2)), { until: new Date(Date.UTC(2026, 0, 5)) });
  });
  assert.throws(
    () =>
      expectEffects(
        p,
        [new Book(new Date(Date.UTC(2026, 0, 2)), { until: new Date(Date.UTC(2026, 0, 6)) })],
        {
          handlers,
        },
      ),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.split("\n").slice(0, 2).join("\n") ===
        "effect #1: expected Book(Date(2026-01-02T00:00:00.000Z), { until: Date(2026-01-06T00:00:00.000Z) }), got Book(Date(2026-01-02T00:00:00.000Z), { until: Date(2026-01-05T00:00:00.000Z) })\n" +
          "  at extra.until: expected Date(2026-01-06T00:00:00.000Z), got Date(2026-01-05T00:00:00.000Z)",
  );
  const invalid = program(function* () {
    yield* new Book(new Date(Number.NaN));
  });
  assert.equal(expectEffects(invalid, [new Book(new Date("not a date"))], { handlers }).ok, true);
  assert.throws(
    () => expectEffects(invalid, [new Book(new Date(0))], { handlers }),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.split("\n")[0] ===
        "effect #1: expected Book(Date(1970-01-01T00:00:00.000Z), undefined), got Book(Date(Invalid Date), undefined)",
  );
});

test("expectEffects on a program that needs the event loop says to use expectEffectsAsync (the AsyncRequiredError said runAsync)", async () => {
  const { awaitPromise, scheduler, AsyncRequiredError } = await import("../src/index.js");
  const p = program(function* () {
    return yield* awaitPromise(() => Promise.resolve(1));
  });
  assert.throws(
    () => expectEffects(p, [], { handlers: [scheduler] }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.ok(e.cause instanceof AsyncRequiredError);
      assert.deepEqual(e.message.split("\n").slice(0, 3), [
        "effect #1: expected no more effects, got AwaitPromise(()=>Promise.resolve(1))",
        "the run failed (its error is .result.error and this error's cause): AsyncRequiredError: awaitPromise needs the event loop; use runAsync(program, options) instead of run()",
        "  (under expectEffects: use await expectEffectsAsync(program, expected, options) instead)",
      ]);
      return true;
    },
  );
});

test("expectEffects: a forgotten standard handler is named — scheduler, reader, writer for what the recorder passes on (the VM's message blamed the order of 'that handler'), state for Get", async () => {
  const { Get, get, Listen, listen, Local, local, scheduler, Spawn, spawn, tell, Wait, wait } = await import(
    "../src/index.js"
  );
  const child = program(function* () {
    return 1;
  });
  const spawning = program(function* () {
    return yield* wait(yield* spawn(child));
  });
  // @ts-expect-error -- the point: no scheduler (MissingHandlerError at compile time too)
  const r1 = expectEffects(spawning, [Spawn], {});
  assert.ok(r1.error instanceof UnhandledEffectError);
  assert.equal(
    r1.error.message,
    "no handler takes Spawn: expectEffects recorded it and passed it on to the handlers in options.handlers, and none takes it; add Spawn's standard handler, scheduler, to options.handlers. spawn, wait, awaitPromise and the concurrency toolkit (all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest) perform scheduler effects: a program that calls only them needs the scheduler too",
  );
  assert.equal(expectEffects(spawning, [Spawn, Wait], { handlers: [scheduler] }).value, 1);
  const scoped = program(function* () {
    return yield* local({ a: 1 }, child);
  });
  assert.equal(
    // @ts-expect-error -- no reader
    (expectEffects(scoped, [Local], {}).error as Error).message,
    "no handler takes Local: expectEffects recorded it and passed it on to the handlers in options.handlers, and none takes it; add Local's standard handler, reader, to options.handlers",
  );
  const heard = program(function* () {
    return yield* listen(tell("x"));
  });
  assert.match(
    // @ts-expect-error -- no writer
    (expectEffects(heard, [Listen], {}).error as Error).message,
    /add Listen's standard handler, writer, to/,
  );
  assert.equal(
    // @ts-expect-error -- no state
    (expectEffects(get("n"), [Get], {}).error as Error).message,
    "no handler takes Get: expectEffects recorded it and asked the handlers in options.handlers, and none takes it; add Get's standard handler, state, to options.handlers, or mock it: mock(Get, (effect) => answer)",
  );
});

test("expectEffects: when no effect reached the recorder, the message says a withHandler inside the program takes them (a backend review's db handler)", () => {
  class Query extends Effect<number> {
    declare readonly _tag: "Query";
  }
  const db = answer(Query, () => 7);
  const service = program(function* service() {
    return yield* new Query();
  });
  const app = program(function* app() {
    return yield* withHandler(db, service);
  });
  assert.throws(
    () => expectEffects(app, [Query], { handlers: [] }),
    (e: unknown) => {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(
        e.message,
        [
          "effect #1: expected any Query, but the program performed only 0",
          "(no effect reached the recorder: an effect that a withHandler inside the program takes never does — test the program that handler runs, with the handler in `handlers`)",
          "performed effects (0):",
          "  (none)",
        ].join("\n"),
      );
      return true;
    },
  );
  // what the hint says works
  assert.equal(expectEffects(service, [Query], { handlers: [db] }).value, 7);
  // with `only`, nothing recorded is explained by the filter: no hint
  assert.throws(
    () => expectEffects(put("n", 1), [Query], { handlers: [state], only: Query }),
    (e: unknown) => e instanceof EffectExpectationError && !e.message.includes("no effect reached"),
  );
  // a program that performed something (here a passed-on effect) gets no hint
  assert.throws(
    () => expectEffects(put("n", 1), [Query], { handlers: [state] }),
    (e: unknown) => e instanceof EffectExpectationError && !e.message.includes("no effect reached"),
  );
});

test("expectEffects: a long string's excerpt never starts or ends in half of a surrogate pair, and the character that differs is the whole emoji", () => {
  class Send extends Effect<undefined> {
    declare readonly _tag: "Send";
    constructor(readonly body: string) {
      super();
    }
  }
  const E = "\u{1F600}"; // 😀 \ud83d\ude00
  const F = "\u{1F601}"; // 😁 \ud83d\ude01: the same first half
  const second = (expected: string, actual: string): string | undefined => {
    const p = program(function* () {
      yield* new Send(actual);
    });
    try {
      expectEffects(p, [new Send(expected)], { handlers: [answer(Send, () => undefined)] });
    } catch (e) {
      if (e instanceof EffectExpectationError) return e.message.split("\n")[1];
      throw e;
    }
    return undefined;
  };
  // 20 before the difference (at 122) is 102, the second half of an emoji: the excerpt starts at 101
  assert.equal(
    second(`x${E.repeat(60)}ab`, `x${E.repeat(60)}ac`),
    `  at body: expected …"${E.repeat(10)}ab", got …"${E.repeat(10)}ac" (they differ at character 122)`,
  );
  // they differ in an emoji's second half (61): from its first (60); the end falls between halves too
  assert.equal(
    second(E.repeat(60), `${E.repeat(30)}${F}${E.repeat(29)}`),
    `  at body: expected …"${E.repeat(30)}"…, got …"${E.repeat(10)}${F}${E.repeat(19)}"… (they differ at character 60)`,
  );
});

test("EffectExpectationError: its own properties are actual, result, then name, as before its fields were `declare`d (Object.keys, JSON.stringify, util.inspect read that order)", () => {
  const failing = program(function* () {
    yield* put("n", 1);
    throw new RangeError("no such user");
  });
  const passing = program(function* () {
    yield* put("n", 1);
  });
  for (const p of [failing, passing]) {
    assert.throws(
      () => expectEffects(p, [], { handlers: [state] }),
      (e: unknown) => {
        assert.ok(e instanceof EffectExpectationError);
        assert.deepEqual(Object.keys(e), ["actual", "result", "name"]);
        assert.deepEqual(
          Reflect.ownKeys(e).filter((k) => k !== "stack" && k !== "message" && k !== "cause"),
          ["actual", "result", "name"],
        );
        assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(e))), ["actual", "result", "name"]);
        return true;
      },
    );
  }
});

test("expectEffects: a predicate that answers false is named by its name, or, written inline, by its source (it read `an effect matching a predicate`)", () => {
  class Charge extends Effect<number> {
    declare readonly _tag: "Charge";
    constructor(
      readonly orderId: string,
      readonly amount: number,
    ) {
      super();
    }
  }
  const handlers = [mock(Charge, 1)] as const;
  const first = (f: (e: unknown) => boolean) => {
    try {
      expectEffects(new Charge("o1", 99), [f], { handlers: [...handlers] });
    } catch (e) {
      assert.ok(e instanceof EffectExpectationError);
      return e.message.split("\n")[0];
    }
    assert.fail("the expectation passed");
  };
  // (the source as the runtime gives it: tsx and esbuild print it without its spaces)
  // (in an array, as written inline in the expected list: a const would give the arrow its name)
  const inline = [(e: unknown) => e instanceof Charge && e.amount > 100][0]!;
  assert.equal(inline.name, "");
  const source = String(inline).replace(/\s+/g, " ");
  assert.ok(source.includes("e.amount") && source.length < 80, source);
  assert.equal(first(inline), `effect #1: expected an effect matching ${source}, got Charge("o1", 99)`);
  const isBig = (e: unknown) => e instanceof Charge && e.amount > 100;
  assert.equal(first(isBig), 'effect #1: expected an effect matching isBig, got Charge("o1", 99)');
  // a long one is cut at 80 characters
  const long = [
    (e: unknown) =>
      e instanceof Charge && e.orderId === "an order id long enough to be cut at eighty characters",
  ][0]!;
  const cut = `${String(long).replace(/\s+/g, " ").slice(0, 79)}…`;
  assert.equal(first(long), `effect #1: expected an effect matching ${cut}, got Charge("o1", 99)`);
});

test("expectEffects: symbol-keyed fields and array holes count (they compared equal: Object.keys has no symbols, a hole read undefined)", () => {
  const tag = Symbol.for("tenant");
  const p = (v: unknown) => put("k", v);
  const holed = (): unknown[] => {
    const a: unknown[] = [];
    a[1] = 1; // [ <1 empty item>, 1 ]
    return a;
  };
  // equal when they are equal
  assert.equal(expectEffects(p({ [tag]: 1 }), [new Put("k", { [tag]: 1 })], { handlers: [state] }).ok, true);
  assert.equal(expectEffects(p(holed()), [new Put("k", holed())], { handlers: [state] }).ok, true);
  const messageOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof EffectExpectationError);
      return e.message.split("\n").slice(0, 2).join("\n");
    }
    assert.fail("no EffectExpectationError");
  };
  assert.equal(
    messageOf(() => expectEffects(p({ [tag]: 2 }), [new Put("k", { [tag]: 1 })], { handlers: [state] })),
    'effect #1: expected Put("k", {}), got Put("k", {})\n  at value[Symbol(tenant)]: expected 1, got 2',
  );
  assert.equal(
    messageOf(() => expectEffects(p([undefined, 1]), [new Put("k", holed())], { handlers: [state] })),
    'effect #1: expected Put("k", [undefined, 1]), got Put("k", [undefined, 1])\n  at value[0]: expected a hole, got a value',
  );
});
