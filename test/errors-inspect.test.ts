/**
 * What Node prints of an UnhandledEffectError: console.log / util.inspect, and the report of an
 * uncaught throw (a child process). It showed every visible handler with its internals (its TAKES
 * list of effect classes, its fast path), dozens of lines between the message and the effect.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { inspect } from "node:util";
import { Effect, fn, Get, handle, resume, run, state, UnhandledEffectError, writer } from "../src/index.js";

class Charge extends Effect<string> {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {
    super();
  }
}
const charge = fn(function* charge() {
  return yield* new Charge("o1", 10);
});
const failed = () =>
  run(
    fn(function* checkout() {
      return yield* charge();
    })(),
    // @ts-expect-error -- no handler takes Charge: the point
    { handlers: [state, handle(Get, (_e, k) => resume(k, 1)), writer] },
  );

/** the lines after the stack's `at` lines */
const tail = (text: string) => text.split("\n").filter((l) => !/^ {4}at /.test(l));

test("util.inspect of an UnhandledEffectError: the message, its stack, the effect with its fields and doeff's traceback (naming the handlers that declined it)", () => {
  const e = failed().error as UnhandledEffectError;
  assert.ok(e instanceof UnhandledEffectError);
  const text = inspect(e);
  assert.ok(text.startsWith(`${e.stack}\n`), text);
  assert.deepEqual(tail(text), [
    "UnhandledEffectError: no handler takes Charge; 3 visible handler(s) declined it. Install a handler for Charge (e.g. handle(Charge, ...)) around the code that performs it",
    "  effect: Charge { orderId: 'o1', amount: 10 }",
    "  doeff traceback (outermost first):",
    "    checkout",
    "    charge",
    '    effect Charge("o1", 10): writer ↗, handle(Get) ↗, state ↗',
  ]);
  // none of the handlers' internals
  for (const internal of [
    "Symbol(doeff",
    "handles:",
    "handlers:",
    "GeneratorFunction",
    "displayName",
    "tellAnswer",
  ])
    assert.ok(!text.includes(internal), `${internal} in:\n${text}`);
  // the fields stay readable, and `handlers` is still the handlers (not enumerable)
  assert.equal(e.handlers.length, 3);
  assert.equal(e.handlers[2], state);
  assert.deepEqual(Object.keys(e), ["name", "effect"]);
  // an error no run has given a traceback yet (caught in a handler, made by hand): no traceback lines
  assert.deepEqual(tail(inspect(new UnhandledEffectError(new Charge("o2", 1), [state]))), [
    "UnhandledEffectError: no handler takes Charge; 1 visible handler(s) declined it. Install a handler for Charge (e.g. handle(Charge, ...)) around the code that performs it",
    "  effect: Charge { orderId: 'o2', amount: 1 }",
  ]);
  // chai's loupe calls the hook without Node's inspect: the stack
  const hook = (e as unknown as Record<symbol, (d: number, o: object) => unknown>)[
    Symbol.for("nodejs.util.inspect.custom")
  ]!;
  assert.equal(hook.call(e, 2, {}), e.stack);
});

test("Node's report of an uncaught UnhandledEffectError shows the effect, not the handlers' internals", () => {
  const script = `
    import { Effect, program, run, state, writer } from "./src/index.js";
    class Charge extends Effect { constructor() { super(); this.orderId = "o1"; } }
    run(program(function* () { return yield* new Charge(); }), { handlers: [state, writer] }).value;
  `;
  let stderr = "";
  try {
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url).pathname,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    assert.fail("the script did not throw");
  } catch (e) {
    stderr = (e as { stderr: string }).stderr;
  }
  assert.ok(stderr.includes("UnhandledEffectError: no handler takes Charge; 2 visible handler(s)"), stderr);
  assert.ok(stderr.includes("{\n  effect: Charge { orderId: 'o1' }\n}"), stderr);
  for (const internal of ["Symbol(doeff", "handlers:", "GeneratorFunction", "tellAnswer"])
    assert.ok(!stderr.includes(internal), `${internal} in:\n${stderr}`);
});
