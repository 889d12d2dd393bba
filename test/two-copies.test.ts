/**
 * Two copies of doeff loaded at once (two versions in node_modules, or a library that bundles its
 * own): a program, effect or primitive of one copy run by the other is not the other's (its VM and
 * continuations are another machine's), and the message must say that and how to fix it — it said
 * only "got Program object" / "yielded Ping object, which is not an Effect".
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { Effect, Get, get, handle, program, type RunResult, resume, run, state } from "../src/index.js";

type Doeff = typeof import("../src/index.js");
let copyDir = "";
let other: Doeff;
before(async () => {
  copyDir = mkdtempSync(join(tmpdir(), "doeff-copy-"));
  cpSync(new URL("../src", import.meta.url), copyDir, { recursive: true });
  other = (await import(pathToFileURL(join(copyDir, "index.ts")).href)) as Doeff;
});
after(() => rmSync(copyDir, { recursive: true, force: true }));

/** run, unchecked: the other copy's values are not this copy's types */
const runAny = run as unknown as (p: unknown, o?: unknown) => RunResult<unknown>;
const COPY =
  "from another copy of doeff (two copies are loaded: `npm ls doeff` shows them; `npm dedupe`, or doeff as a peer dependency of the library that brings its own, makes them one)";

test("two copies: a Program of another copy given to run names the copy and the fix", () => {
  assert.notEqual(other.Program, undefined);
  assert.notEqual(other.run, run); // really a second copy
  const p = other.program(function* () {
    return yield* other.get<number>("n");
  });
  assert.throws(
    () => runAny(p, { handlers: [state], store: { n: 1 } }),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        `run expects a Program (fn/program/pure), an Effect, or a generator object, got Program object ${COPY}`,
  );
});

test("two copies: an effect of another copy yielded in a program fails the run, saying so", () => {
  class Ping extends other.Effect<number> {
    readonly _tag = "Ping";
  }
  const p = program(function* () {
    const n = yield* get<number>("n");
    return n + ((yield new Ping()) as number);
  });
  const r = runAny(p, { handlers: [state], store: { n: 1 } });
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    (r.error as TypeError).message,
    `yielded Ping object ${COPY}, which is not an Effect, Program or primitive; yield* an Effect (e.g. get("key")) or a Program`,
  );
});

test("two copies: a handler of another copy resuming this copy's continuation names the copy", () => {
  class Coin extends Effect<boolean> {
    readonly _tag = "Coin";
  }
  const p = program(function* () {
    return yield* new Coin();
  });
  const otherHandle = other.handle as unknown as (
    c: unknown,
    f: (e: unknown, k: never) => unknown,
  ) => unknown;
  const foreign = otherHandle(Coin, (_e, k) => other.resume(k, true));
  const r = runAny(p, { handlers: [foreign] });
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    (r.error as TypeError).message,
    `resume expects a continuation (the handler's \`k\` argument), got Continuation object ${COPY}`,
  );
  // the same handler of this copy works (the test is about the copy, not the handler)
  assert.equal(run(p, { handlers: [handle(Coin, (_e, k) => resume(k, true))] }).value, true);
});

test("two copies: record(EffectClass) of another copy is taken as a class, as in a list (it said `got null`)", async () => {
  const { record } = await import("../src/testing/index.js");
  class Ping extends (other.Effect as unknown as typeof Effect<number>) {}
  const one = record(Ping);
  const listed = record([Ping]);
  assert.equal(typeof one.handles, "function");
  assert.equal(typeof listed.handles, "function");
  // taken as the class (instanceof), not called as a predicate ("cannot be invoked without 'new'")
  assert.equal(one.handles!(new Ping()), true);
  assert.equal(one.handles!(new (class Pong extends Effect<number> {})()), false);
});

test("two copies: this copy's effect declined by another copy's standard handler names that handler and the copy (it said to add `state`, which was listed)", () => {
  const p = program(function* () {
    return yield* get<number>("n");
  });
  const r = runAny(p, { handlers: [other.state, other.writer], store: { n: 1 } });
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).name, "UnhandledEffectError");
  assert.equal(
    (r.error as Error).message,
    `no handler takes Get; 2 visible handler(s) declined it, among them function writer, function state from another copy of doeff, whose handlers take only its own effects ${COPY.slice("from another copy of doeff ".length)}. Get is answered by the standard handler state: add it to the run's handlers`,
  );
  // one of another copy among this copy's handlers: named alone; this copy's handlers are not
  class Ping extends Effect<number> {
    readonly _tag = "Ping";
  }
  const pinged = program(function* () {
    return yield* new Ping();
  });
  // (a library's own Ping class, of its copy, answered by its copy's answer)
  class OtherPing extends other.Effect<number> {
    readonly _tag = "Ping";
  }
  Object.defineProperty(OtherPing, "name", { value: "Ping" });
  const r2 = runAny(pinged, { handlers: [state, other.answer(OtherPing, () => 1)] });
  assert.equal(
    (r2.error as Error).message,
    `no handler takes Ping; 2 visible handler(s) declined it, among them function answer(Ping) from another copy of doeff, whose handlers take only its own effects ${COPY.slice("from another copy of doeff ".length)}. Install a handler for Ping (e.g. handle(Ping, ...)) around the code that performs it`,
  );
  // one copy only: the message is as before (no copy named)
  const r3 = run(p as never, { handlers: [] as never[] }) as RunResult<unknown>;
  assert.equal(
    (r3.error as Error).message,
    "no handler takes Get; no handlers are installed here. Get is answered by the standard handler state: add it to the run's handlers",
  );
});

test("two copies: a handler of this copy with symbol-keyed properties of its own, or a Proxy whose traps throw, is no other copy's, and the error is still made", () => {
  class Roll extends Effect<number> {
    declare readonly _tag: "Roll";
  }
  const rolled = program(function* () {
    return yield* new Roll();
  });
  const tagged = Object.assign(
    handle(Get, (_e, k) => resume(k, 1)),
    { [Symbol("doeff.kind")]: 1, [Symbol("takes")]: [Roll] },
  );
  let traps = 0;
  const trapped = new Proxy(
    handle(Get, (_e, k) => resume(k, 1)),
    {
      ownKeys() {
        traps++;
        throw new Error("ownKeys trap");
      },
      getOwnPropertyDescriptor() {
        traps++;
        throw new Error("getOwnPropertyDescriptor trap");
      },
    },
  );
  const r = runAny(rolled, { handlers: [tagged, trapped] });
  assert.equal(
    (r.error as Error).message,
    "no handler takes Roll; 2 visible handler(s) declined it. Install a handler for Roll (e.g. handle(Roll, ...)) around the code that performs it",
  );
  assert.ok(traps > 0); // (the error's construction asked, and went on when the trap threw)
});
