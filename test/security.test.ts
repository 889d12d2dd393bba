/**
 * Untrusted input (a request's body, a job's payload) in what doeff reads and prints: error
 * messages in reports (time, size, terminal control characters, frame lines in a message), hostile
 * values given to format(), "__proto__" as an env key, and data that holds doeff/workers' wire keys.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  Effect,
  get,
  getRunContext,
  local,
  MissingEnvKeyError,
  program,
  reader,
  run,
  state,
  TaskCancelledError,
  tracebackOf,
  UnhandledEffectError,
  VMInternalError,
} from "../src/index.js";
import { showValue } from "../src/testing/show.js";
import { framesOf, functionField } from "../src/trace/format.js";
import { describe } from "../src/vm/brand.js";
import { decodeValue, encodeFields, encodeValue, fromWire, toWire } from "../src/workers/wire.js";

const failWith = (e: unknown) =>
  run(
    program(function* failing() {
      throw e;
    }),
  );

test("security: a 150 kB message line that reads like a stack frame does not make the report quadratic", () => {
  // (a regex backtracked over it: 16,000 repeats took 3 s, 50,000 ~30 s; now ~1 ms)
  const body = `    at ${"a:1".repeat(50_000)}`;
  const t0 = performance.now();
  const r = failWith(new Error(`bad request body:\n${body}`));
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `the failed run took ${ms.toFixed(0)} ms`);
  assert.equal((r.error as Error).message.length, 18 + body.length);
});

test("security: framesOf reads a 150 kB stack line in linear time, and the same frames as before", () => {
  // (a stack set by code, `e.stack = …`, or a message on the name's line: not skipped as a message)
  const long: [string, string[][]][] = [
    [`    at ${"a:1".repeat(50_000)}`, []],
    [`    at ${":1".repeat(75_000)})`, [[":1".repeat(74_998), "1", "1"]]],
  ];
  for (const [line, frames] of long) {
    const t0 = performance.now();
    assert.deepEqual(framesOf(`Error: x\n${line}`), frames);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `framesOf took ${ms.toFixed(0)} ms`);
  }
  assert.deepEqual(
    framesOf(
      "Error: x\n    at f (file:///a b/c.js:1:2)\n    at /srv/d.js:3:4 \n    at g (h.js:5:6))\n    at (:7:8)\n    at async i (node:internal/x:9:10)",
    ),
    [
      ["file:///a b/c.js", "1", "2"], // a path may hold spaces (tsx's, Bun's): it was cut at the last one
      ["/srv/d.js", "3", "4"],
      ["node:internal/x", "9", "10"],
    ],
  );
});

test("security: a frame line inside an error's message is not where it was thrown", () => {
  const r = failWith(new Error("bad input\n    at handler (/srv/app/routes.ts:12:3)"));
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(0, 2), ["doeff traceback (outermost first):", "  failing"]);
  assert.match(lines[2]!, /^ {2}thrown at test\/security\.test\.ts:\d+$/);
  assert.deepEqual(lines.slice(3), ["Error: bad input", "    at handler (/srv/app/routes.ts:12:3)"]);
});

test("security: control characters in a message are escaped in the report; the error keeps them", () => {
  const message = "\x1b[2J\rok\u009b31m\u202egnp.exe\x00\ttab";
  const r = failWith(new Error(message));
  assert.equal(
    r.format().split("\n").at(-1),
    "Error: \\u001b[2J\\u000dok\\u009b31m\\u202egnp.exe\\u0000\ttab",
  );
  assert.equal((r.error as Error).message, message);
  assert.equal(
    run(
      program(function* () {
        return "\u009b2J";
      }),
    ).format(),
    'Ok: "\\u009b2J"',
  );
  const thrown = failWith({ note: "\u0085\u2028" }).format();
  assert.equal(thrown.split("\n").at(-1), 'thrown: {"note":"\\u0085\\u2028"}');
});

test("security: a report shows 10,000 characters of a message, then how many more there were", () => {
  const message = "x".repeat(1_000_000);
  const r = failWith(new Error(message));
  const last = r.format().split("\n").at(-1)!;
  assert.equal(last, `Error: ${"x".repeat(9_993)}… (990007 more characters)`);
  assert.equal((r.error as Error).message.length, 1_000_000);
  assert.ok(((r.error as { doeffTrace?: string }).doeffTrace ?? "").length < 11_000);
});

test("security: a cut message, effect field or value never ends in half of a surrogate pair (the cut moves before it)", () => {
  const E = "\u{1F600}"; // 😀, two UTF-16 code units
  // the text's line: "Error: " + 9,992 characters puts the emoji's halves at 9,999 and 10,000
  const line = failWith(new Error(`${"x".repeat(9_992)}${E}${"y".repeat(20)}`))
    .format()
    .split("\n")
    .at(-1)!;
  assert.equal(line, `Error: ${"x".repeat(9_992)}… (22 more characters)`);
  // the data's message is cut on its own: 9,999 characters, then the emoji
  const t = tracebackOf(failWith(new Error(`${"x".repeat(9_999)}${E}${"y".repeat(20)}`)).error as Error);
  assert.equal(t.error.message, `${"x".repeat(9_999)}… (22 more characters)`);
  // an effect's field in the report (cut at 57 + "..."), describe (37 + "..."), doeff/testing's showValue (79 + "…")
  const key = `${"k".repeat(56)}${E}zzzz`;
  const r = run(
    program(function* main() {
      return yield* get(key);
    }),
    { handlers: [state] },
  );
  assert.equal(r.format().split("\n")[2], `  effect Get("${"k".repeat(56)}..."): state ✗`);
  assert.equal(describe(`${"x".repeat(36)}${E.repeat(5)}`), `"${"x".repeat(36)}..."`);
  assert.equal(showValue({ s: `${"x".repeat(72)}${E.repeat(5)}` }), `{ s: "${"x".repeat(72)}…`);
});

test("security: an anonymous function field's source, cut to one short line, never ends in half of a surrogate pair", () => {
  const E = "\u{1F600}";
  // (an arrow made from source text: the test's own would be compiled with the emoji escaped)
  const arrow = (body: string) => new Function(`return () => ${body}`)() as Function;
  // "() => '" is 7 characters: 29 more put the emoji's halves at 36 and 37
  assert.equal(functionField(arrow(`'${"a".repeat(29)}${E}bbbbbbbbbb'`)), `() => '${"a".repeat(29)}...`);
  assert.equal(functionField(arrow(`'${"a".repeat(28)}${E}bbbbbbbbbb'`)), `() => '${"a".repeat(28)}${E}...`);
  // 40 characters are kept whole (whitespace runs as one space), 41 cut to 37
  assert.equal(functionField(arrow(`\n  ${"1".repeat(34)}`)), `() => ${"1".repeat(34)}`);
  assert.equal(functionField(arrow(`${"1".repeat(35)}`)), `() => ${"1".repeat(31)}...`);
});

test("security: format() never throws on a hostile value, and a failed run keeps its chain when the message cannot be read", () => {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const ok = (v: unknown) =>
    run(
      program(function* () {
        return v;
      }),
    ).format();
  assert.equal(ok(revocable.proxy), "Ok: a value that cannot be inspected (its properties throw)");
  const hostile = new Error("x");
  Object.defineProperty(hostile, "message", {
    get() {
      throw new Error("getter");
    },
  });
  assert.equal(ok(hostile), "Ok: Error object");
  const named = Object.assign(new Error("y"), { name: Symbol("n") });
  assert.equal(ok(named), "Ok: Error object");
  assert.equal(
    failWith(hostile).format(),
    ["doeff traceback (outermost first):", "  failing", "(an error that cannot be printed)"].join("\n"),
  );
  assert.equal(failWith(named).format().split("\n").at(-1), "Symbol(n): y");
  const noStack = new Error("z");
  Object.defineProperty(noStack, "stack", {
    get() {
      throw new Error("getter");
    },
  });
  assert.equal(failWith(noStack).format(), "doeff traceback (outermost first):\n  failing\nError: z");
});

test('security: local with a Map patch of the key "__proto__" overlays that key (not the patch\'s prototype)', () => {
  const asked = (patch: Map<string, unknown>, key: string) =>
    run(local(patch, ask(key)), { handlers: [reader] });
  assert.equal(asked(new Map([["__proto__", 8]]), "__proto__").value, 8);
  const r = asked(new Map<string, unknown>([["__proto__", { isAdmin: true }]]), "isAdmin");
  assert.ok(r.error instanceof MissingEnvKeyError);
  assert.deepEqual(asked(new Map<string, unknown>([["__proto__", { isAdmin: true }]]), "__proto__").value, {
    isAdmin: true,
  });
});

test('security: run options env and store given as plain objects (JSON.parse of a request) keep every own key as data — "__proto__" too — in Object.keys order, integer-like keys first', () => {
  const env = JSON.parse('{"b": 1, "2": "two", "__proto__": {"isAdmin": true}, "1": "one", "a": 0}');
  const store = JSON.parse('{"n": 1, "__proto__": 5, "0": "zero"}');
  const read = program(function* () {
    const stateKeys = [...(yield* getRunContext()).current.state.keys()];
    return [
      yield* ask<unknown>("__proto__"),
      yield* ask<unknown>("2"),
      yield* get<unknown>("__proto__"),
      stateKeys,
    ];
  });
  const r = run(read, { handlers: [reader, state], env, store });
  assert.deepEqual(r.value, [{ isAdmin: true }, "two", 5, ["0", "n", "__proto__"]]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(r.store, "__proto__")?.value, 5);
  // (the env's keys, as local's overlay and getRunContext see them: one Map, in the source's order)
  const keys = run(
    program(function* () {
      return [...(yield* getRunContext()).current.env.keys()];
    }),
    { handlers: [reader], env },
  );
  assert.deepEqual(keys.value, ["1", "2", "b", "__proto__", "a"]);
  assert.equal(
    run(ask<unknown>("isAdmin"), { handlers: [reader], env }).error instanceof MissingEnvKeyError,
    true,
  );
});

/** what crosses to a worker thread and back: encoded, structured-cloned, decoded */
const cross = (v: unknown) => decodeValue(structuredClone(encodeValue(v)));
const FORGED = `{"\\u0000doeff.workers.error": {"isError": true, "name": "TaskCancelledError", "doeff": true, "message": "forged", "stack": "forged", "fields": {}}}`;

test("security: data holding doeff/workers' wire keys (a request's JSON) crosses as data, not as a forged doeff error", () => {
  const body = JSON.parse(FORGED) as Record<string, unknown>;
  const top = cross(body);
  assert.ok(!(top instanceof TaskCancelledError));
  assert.deepEqual(top, JSON.parse(FORGED));
  assert.deepEqual(cross([{ body }]), [{ body: JSON.parse(FORGED) }]);
  const within = { "\u0000doeff.workers.errorsWithin": { a: body } };
  assert.deepEqual(cross(within), { "\u0000doeff.workers.errorsWithin": { a: JSON.parse(FORGED) } });
  const literal = { "\u0000doeff.workers.literal": 1 };
  assert.deepEqual(cross(literal), { "\u0000doeff.workers.literal": 1 });
  // beside a real error, which is rebuilt; a cycle through the data stays a cycle
  const mixed: Record<string, unknown> = { body, e: new RangeError("real") };
  mixed.self = mixed;
  const back = cross(mixed) as Record<string, unknown>;
  assert.ok(back.e instanceof RangeError);
  assert.equal((back.e as Error).message, "real");
  assert.equal(back.self, back);
  assert.deepEqual(back.body, JSON.parse(FORGED));
  // a forwarded effect's field named like a wire key
  const fields = { "\u0000doeff.workers.error": JSON.parse(FORGED)["\u0000doeff.workers.error"] };
  assert.deepEqual(decodeValue(structuredClone(encodeFields({ ...fields }))), fields);
});

test("security: an error's field \"__proto__\" crosses as a field, not as the rebuilt error's prototype", () => {
  const e = new RangeError("r");
  Object.defineProperty(e, "__proto__", { value: { polluted: 1 }, enumerable: true, configurable: true });
  const back = fromWire(structuredClone(toWire(e))) as Error;
  assert.equal(Object.getPrototypeOf(back), RangeError.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(back, "__proto__")?.value, { polluted: 1 });
  // and one read from JSON (doeff/queue keeps a job's error in Redis as JSON)
  const w = JSON.parse(JSON.stringify(toWire(new Error("j"))));
  w.fields = JSON.parse('{"__proto__": {"polluted": 1}}');
  const fromJson = fromWire(w) as Error;
  assert.equal(Object.getPrototypeOf(fromJson), Error.prototype);
  assert.equal((fromJson as unknown as { polluted?: number }).polluted, undefined);
  // data holding an error and an own "__proto__" key keeps the key
  const data = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
  data.e = new Error("in");
  const crossed = cross(data) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(crossed), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(crossed, "__proto__")?.value, { x: 1 });
});

test("security: a hostile value thrown or yielded (a Proxy whose traps throw, a revoked Proxy) gives the same outcome with trace.steps as without (INV-4), never a VMInternalError", () => {
  const sentinel = new Error("trap");
  const throwing = () => {
    throw sentinel;
  };
  const hostile = new Proxy(
    {},
    {
      get: throwing,
      getPrototypeOf: throwing,
      has: throwing,
      ownKeys: throwing,
      getOwnPropertyDescriptor: throwing,
    },
  );
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  for (const v of [hostile, revocable.proxy]) {
    const thrown = program(function* throws() {
      throw v;
    });
    const yielded = program(function* yields() {
      yield v as never;
    });
    for (const p of [thrown, yielded]) {
      const lines: string[] = [];
      const plain = run(p);
      const traced = run(p, { trace: { steps: (l) => lines.push(l) } });
      assert.equal(plain.ok, false);
      assert.equal(traced.ok, false);
      // (no instanceof on the Proxy itself: its getPrototypeOf trap throws)
      if (p === thrown)
        assert.ok(traced.error === v && plain.error === v); // the very object (INV-11)
      else {
        assert.ok(!(traced.error instanceof VMInternalError), (traced.error as Error).message);
        assert.ok(traced.error instanceof TypeError);
        assert.equal(traced.error.message, (plain.error as TypeError).message);
      }
      // the step that could not be described still has its line
      assert.ok(
        lines.some((l) => / (HandleYield|Throw) \? /.test(l)),
        lines.join("\n"),
      );
    }
  }
});

test("security: an unhandled effect whose class has a throwing `constructor`, `name` or `displayName` getter: UnhandledEffectError at the perform site, not a VMInternalError", () => {
  class CtorGetter extends Effect<number> {
    declare readonly _tag: "CtorGetter";
  }
  Object.defineProperty(CtorGetter.prototype, "constructor", {
    get() {
      throw new Error("constructor getter");
    },
  });
  class NameGetter extends Effect<number> {
    declare readonly _tag: "NameGetter";
    static override get name(): string {
      throw new Error("name getter");
    }
  }
  class DisplayNameGetter extends Effect<number> {
    declare readonly _tag: "DisplayNameGetter";
    static get displayName(): string {
      throw new Error("displayName getter");
    }
  }
  for (const e of [new CtorGetter(), new NameGetter(), new DisplayNameGetter()]) {
    // (run's compile-time check is for programs that mean to be handled: these are meant to fail)
    const r = run(
      program(function* performs() {
        try {
          return yield* e;
        } catch (err) {
          return err instanceof UnhandledEffectError && err.effect === e ? "caught at the site" : err;
        }
      }) as never,
    );
    assert.equal(r.ok ? r.value : r.error, "caught at the site");
    const failed = run(e as never);
    assert.ok(failed.error instanceof UnhandledEffectError);
    assert.match(failed.error.message, /^no handler takes .+; no handlers are installed here/);
    assert.equal(typeof failed.format(), "string");
  }
});
