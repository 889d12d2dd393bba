/**
 * An effect as a traceback's `effect X(…)` and `handler h for X(…)` lines show it (src/trace/format.ts
 * showEffect), as doeff/testing's messages do: an effect that keeps its data in `#private` fields by
 * its classes' getters (it read `Fetch()`), an effect in another's field with its fields (it read
 * `Fetch object`), and symbol-keyed fields (they showed nothing).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Effect, handle, type Program, program, run, tracebackOf, withHandler } from "../src/index.js";

class Fetch extends Effect<string> {
  declare readonly _tag: "Fetch";
  readonly #url: string;
  constructor(url: string) {
    super();
    this.#url = url;
  }
  get url(): string {
    return this.#url;
  }
}

class Batch extends Effect<string> {
  declare readonly _tag: "Batch";
  constructor(readonly items: unknown) {
    super();
  }
}

/** The report of a run that performs `effect` with no handler. */
function report(effect: Effect<unknown>): string[] {
  // (its row has an effect no handler takes: typed as if it had none, to run it anyway)
  const main = program(function* main() {
    return yield* effect;
  }) as unknown as Program<unknown>;
  return run(main).format().split("\n");
}

const effectLine = (effect: Effect<unknown>): string | undefined => report(effect)[2];

test("an effect whose data is in #private fields shows its getters' values, not `Fetch()`", () => {
  assert.deepEqual(report(new Fetch("/a")), [
    "doeff traceback (outermost first):",
    "  main",
    '  effect Fetch("/a"): no handlers installed',
    "UnhandledEffectError: no handler takes Fetch; no handlers are installed here. Install one with withHandler(handler, program) or run(program, { handlers: [...] })",
  ]);
  // its toString (a handler's log line) and tracebackOf's text say the same
  assert.equal(`${new Fetch("/b")}`, 'Fetch("/b")');
  const main = program(function* main() {
    return yield* new Fetch("/c");
  }) as unknown as Program<unknown>;
  const t = tracebackOf(run(main));
  assert.equal(t.outcome, "failed");
  assert.deepEqual(t.outcome === "failed" && t.effect && { text: t.effect.text, class: t.effect.class }, {
    text: 'Fetch("/c")',
    class: "Fetch",
  });
});

test("getters: its own class's first, then its base classes' (an overridden one once), at most 3", () => {
  class Resource extends Effect<string> {
    readonly #id = 7;
    get id(): number {
      return this.#id;
    }
    get url(): string {
      return "base";
    }
  }
  class Page extends Resource {
    declare readonly _tag: "Page";
    override get url(): string {
      return "/p";
    }
    get title(): string {
      return "Home";
    }
  }
  assert.equal(effectLine(new Page()), '  effect Page("/p", "Home", 7): no handlers installed');
  class Wide extends Effect<void> {
    get a(): number {
      return 1;
    }
    get b(): number {
      return 2;
    }
    get c(): number {
      return 3;
    }
    get d(): number {
      throw new Error("the fourth getter is never called");
    }
  }
  assert.equal(effectLine(new Wide()), "  effect Wide(1, 2, 3): no handlers installed");
});

test("a getter that throws shows as such and the report is whole; one with fields has no getter run", () => {
  class Flaky extends Effect<void> {
    get token(): string {
      throw new Error("expired");
    }
    get retries(): number {
      return 2;
    }
  }
  assert.equal(
    effectLine(new Flaky()),
    "  effect Flaky(token: (its getter threw), 2): no handlers installed",
  );
  // (an effect with fields shows them: its computed getters are user code a report does not run)
  let calls = 0;
  class Order extends Effect<void> {
    constructor(readonly id: number) {
      super();
    }
    get total(): number {
      calls++;
      return 30;
    }
  }
  assert.equal(effectLine(new Order(1)), "  effect Order(1): no handlers installed");
  assert.equal(calls, 0);
  // a getter that shows its own effect (`${this}`) is cut, not a stack overflow
  class Loud extends Effect<void> {
    get me(): string {
      return `${this}`.slice(0, 10);
    }
  }
  assert.equal(effectLine(new Loud()), '  effect Loud("Loud(\\"Loud"): no handlers installed');
});

test("an effect in another effect's field shows its fields, not `Fetch object`", () => {
  assert.equal(effectLine(new Batch(new Fetch("/a"))), '  effect Batch(Fetch("/a")): no handlers installed');
  assert.equal(
    effectLine(new Batch([new Fetch("/a"), new Fetch("/b")])),
    '  effect Batch([Fetch("/a"), Fetch("/b")]): no handlers installed',
  );
  // its fields as an item's: a string cut at 20, an object by its kind
  assert.equal(
    effectLine(new Batch(new Batch({ id: 1 }))),
    "  effect Batch(Batch(object)): no handlers installed",
  );
  assert.equal(
    effectLine(new Batch(new Fetch("x".repeat(30)))),
    `  effect Batch(Fetch("${"x".repeat(17)}...")): no handlers installed`,
  );
  // a nest (or an effect that holds itself) is cut 3 deep
  const loop = new Batch(null) as { items: unknown };
  loop.items = loop;
  assert.equal(effectLine(loop as Batch), "  effect Batch(Batch(Batch(Batch(…)))): no handlers installed");
  // and in a handler's line
  const main = program(function* main() {
    return yield* new Batch(new Fetch("/a"));
  }) as unknown as Program<unknown>;
  const r = run(
    withHandler(
      handle(Batch, (e) => {
        throw new Error(`refused ${e}`);
      }),
      main,
    ),
  );
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(2, 4), [
    '  handler handle(Batch) for Batch(Fetch("/a")) ✗',
    '  effect Batch(Fetch("/a")): handle(Batch) ✗',
  ]);
  assert.match(lines[4]!, /^ {2}thrown at test\/trace-effect-shown\.test\.ts:\d+$/);
  assert.deepEqual(lines.slice(5), ['Error: refused Batch(Fetch("/a"))']);
});

test("symbol-keyed fields show, after the string-keyed ones", () => {
  const kind = Symbol("kind");
  class Tag extends Effect<void> {
    declare readonly _tag: "Tag";
    [kind] = "urgent";
  }
  assert.equal(effectLine(new Tag()), '  effect Tag("urgent"): no handlers installed');
  class Note extends Effect<void> {
    [kind] = "memo";
    constructor(readonly text: string) {
      super();
    }
  }
  assert.equal(effectLine(new Note("hi")), '  effect Note("hi", "memo"): no handlers installed');
  // a symbol-keyed getter that throws is named by its symbol
  const late = Symbol("late");
  const e = new Tag();
  Object.defineProperty(e, late, {
    enumerable: true,
    get() {
      throw new Error("no");
    },
  });
  assert.equal(
    effectLine(e),
    '  effect Tag("urgent", Symbol(late): (its getter threw)): no handlers installed',
  );
});
