/** doeff/testing: record, mock, expectEffects, virtualClock; the worked example of docs/testing.md runs. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  Ask,
  ask,
  delay,
  Effect,
  Get,
  get,
  now,
  Put,
  program,
  put,
  reader,
  run,
  safe,
  scheduler,
  simulatedTime,
  timeout,
  spawn,
  state,
  tell,
  wait,
  writer,
} from "../src/index.js";
import { gather } from "../src/index.js";
import {
  EffectExpectationError,
  expectEffects,
  expectEffectsAsync,
  mock,
  record,
  virtualClock,
} from "../src/testing/index.js";

const root = new URL("..", import.meta.url).pathname;

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}

const counter = program(function* counter() {
  const n = yield* get<number>("n");
  yield* put("n", n + 1);
  return n + 1;
});

test("testing: the worked example (examples/testing.ts) passes", () => {
  // a nested test run reports to the parent runner when NODE_TEST_CONTEXT is set: run it standalone
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=tap", "examples/testing.ts"],
    { cwd: root, encoding: "utf8", env },
  );
  assert.match(out, /^# pass 4$/m);
  assert.match(out, /^# fail 0$/m);
});

test("testing: record sees every effect and its answer, and changes nothing", () => {
  const rec = record();
  const r = expectEffects(counter, [new Get("n"), new Put("n", 3)], {
    handlers: [state, rec],
    store: { n: 2 },
  });
  assert.equal(r.value, 3);
  assert.deepEqual(r.store, { n: 3 });
  assert.deepEqual(
    rec.entries.map((e) => [
      (e.effect as object).constructor.name,
      e.status,
      e.status === "answered" ? e.value : null,
    ]),
    [
      ["Get", "answered", 2],
      ["Put", "answered", undefined],
    ],
  );
  rec.clear();
  assert.deepEqual(rec.entries, []);
});

test("testing: record passes errors through unchanged and records them; `only` filters", () => {
  const asks = record(Ask);
  const p = program(function* () {
    yield* put("x", 1);
    return yield* ask<string>("missing");
  });
  const r = expectEffects(p, [Put, Ask], { handlers: [state, reader, asks] });
  assert.equal(r.ok, false);
  assert.equal(r.error?.constructor.name, "MissingEnvKeyError");
  assert.equal(asks.entries.length, 1);
  const e = asks.entries[0]!;
  assert.equal(e.status, "threw");
  assert.equal(e.status === "threw" ? e.error : null, r.error);
  assert.throws(() => record(42 as never), TypeError);
  const odd = record((e) => e instanceof Roll && e.sides % 2 === 1);
  const dice = mock(Roll, (e) => e.sides);
  const r2 = expectEffects(
    program(function* () {
      return (yield* new Roll(3)) + (yield* new Roll(4));
    }),
    [new Roll(3), new Roll(4)],
    { handlers: [dice, odd] },
  );
  assert.equal(r2.value, 7);
  assert.deepEqual(
    odd.effects.map((e) => (e as Roll).sides),
    [3],
  );
  assert.deepEqual(
    dice.calls.map((e) => e.sides),
    [3, 4],
  );
});

test("testing: mock.calls holds every effect the mock took, those its function threw for included (docs/testing.md)", () => {
  const dice = mock(Roll, (e) => {
    if (e.sides === 1) throw new Error("a one-sided die");
    return e.sides;
  });
  const r = run(
    program(function* () {
      const first = yield* safe(new Roll(1));
      return [first.ok, yield* new Roll(6)];
    }),
    { handlers: [dice] },
  );
  assert.deepEqual(r.value, [false, 6]);
  assert.deepEqual(
    dice.calls.map((e) => e.sides),
    [1, 6],
  );
});

test("testing: record passes scheduler effects on, so spawned tasks inherit it and their effects are recorded", () => {
  const rec = record();
  const child = (n: number) =>
    program(function* () {
      yield* delay(n);
      yield* tell(`task ${n}`);
      return n;
    });
  const p = program(function* () {
    yield* put("x", 1);
    const a = yield* spawn(child(20));
    const b = yield* spawn(child(10));
    return [yield* gather(a, b), yield* get<number>("x")];
  });
  const r = run(p, { handlers: [scheduler, simulatedTime(), state, writer, rec] });
  assert.deepEqual(r.value, [[20, 10], 1]);
  assert.deepEqual(r.log, ["task 20", "task 10"]);
  assert.deepEqual(
    rec.entries.map((e) => [
      (e.effect as object).constructor.name,
      e.status,
      e.status === "answered" ? e.value : null,
    ]),
    [
      ["Put", "answered", undefined],
      ["Spawn", "passed", null],
      ["Spawn", "passed", null],
      ["Gather", "passed", null],
      ["Delay", "answered", undefined],
      ["Delay", "answered", undefined],
      ["Tell", "answered", undefined],
      ["Tell", "answered", undefined],
      ["Get", "answered", 1],
    ],
  );
});

test("testing: mock answers with a value or a function; a throw lands at the perform site", () => {
  const boom = new Error("no dice");
  const m = mock(Roll, () => {
    throw boom;
  });
  const p = program(function* () {
    try {
      return yield* new Roll(6);
    } catch (e) {
      return e === boom ? -1 : -2;
    }
  });
  assert.equal(expectEffects(p, [Roll], { handlers: [m] }).value, -1);
  const five = mock(Roll, 5);
  assert.equal(expectEffects(p, [(e: unknown) => e instanceof Roll], { handlers: [five] }).value, 5);
  assert.throws(() => mock("Roll" as never, 1 as never), /mock expects an effect class first/);
  // an async or generator function would answer with a Promise / a generator object
  assert.throws(() => mock(Roll, (async () => 4) as never), {
    name: "TypeError",
    message:
      /^mock\(Roll, f\): the function is an async function, so it would answer with a Promise; it must return the answer itself/,
  });
  assert.throws(
    () => mock(Roll, function* () {} as never),
    /mock\(Roll, f\): the function is a generator function/,
  );
});

test("testing: expectEffects reports a missing, extra or different effect", () => {
  const opts = { handlers: [state], store: { n: 0 } };
  const diff = (expected: unknown[]): string => {
    try {
      expectEffects(counter, expected as never, opts);
    } catch (e) {
      assert.ok(e instanceof EffectExpectationError);
      assert.equal(e.actual.length, 2);
      return e.message.split("\n")[0]!;
    }
    return "matched";
  };
  assert.equal(diff([Get, Put]), "matched");
  assert.equal(diff([Get]), 'effect #2: expected no more effects, got Put("n", 1)');
  assert.equal(diff([Get, Put, Get]), "effect #3: expected any Get, but the program performed only 2");
  assert.equal(diff([new Get("m"), Put]), 'effect #1: expected Get("m"), got Get("n")');
  assert.throws(
    () => expectEffects(counter, "Get" as never, { handlers: [state] }),
    /expects an array of expected effects/,
  );
  assert.throws(() => expectEffects(counter, [1] as never, { handlers: [state] }), /expected\[0\] is 1/);
});

test("testing: expectEffects `only` checks the effects of the classes given (not a timeout's scheduler effects)", () => {
  const roll = program(function* () {
    return yield* timeout(new Roll(6), 100);
  });
  const handlers = [scheduler, simulatedTime(), mock(Roll, 4)];
  assert.throws(() => expectEffects(roll, [Roll], { handlers }), EffectExpectationError); // timeout's own effects too
  assert.equal(expectEffects(roll, [new Roll(6)], { handlers, only: Roll }).value, 4);
  assert.throws(
    () => expectEffects(roll, [], { handlers, only: Roll }),
    /expected no more effects, got Roll\(6\)/,
  );
});

test("testing: expectEffectsAsync runs on the event loop", async () => {
  const r = await expectEffectsAsync(counter, [Get, Put], { handlers: [state], store: { n: 1 } });
  assert.equal(r.value, 2);
  await assert.rejects(
    expectEffectsAsync(counter, [Put], { handlers: [state], store: { n: 1 } }),
    EffectExpectationError,
  );
});

test("testing: virtualClock runs timers instantly and records delays and the end time", () => {
  const clock = virtualClock({ start: 100 });
  const p = program(function* () {
    const t = yield* spawn(
      program(function* () {
        yield* delay(50);
        return yield* now();
      }),
    );
    yield* delay(20);
    return [yield* now(), yield* wait(t)];
  });
  const r = clock.run(p);
  assert.deepEqual(r.value, [120, 150]);
  assert.equal(clock.now, 150);
  assert.deepEqual(
    clock.delays.map((d) => [d.ms, d.from, d.until]),
    [
      [20, 100, 120],
      [50, 100, 150],
    ],
  );
  const again = clock.run(p);
  assert.deepEqual(again.value, [120, 150]);
  assert.equal(clock.delays.length, 2, "run resets the delays");
});

test("testing: the toolkit has zero dependencies and reaches nothing node-specific", () => {
  const dir = join(root, "src", "testing");
  for (const f of readdirSync(dir)) {
    const src = readFileSync(join(dir, f), "utf8");
    for (const m of src.matchAll(/from "([^"]+)"/g)) assert.match(m[1]!, /^\.\.?\//, `${f} imports ${m[1]}`);
  }
});

test("record and expectEffects see the effects performed inside local(...) and listen(...); mocks listed after the recorder answer them", async () => {
  const { local, listen, Local, Listen, Tell } = await import("../src/index.js");
  const body = program(function* () {
    const user = yield* ask("user");
    yield* tell(`hi ${user}`);
    return user;
  });
  const main = program(function* () {
    const inner = yield* local({ user: "ann" }, body);
    const heard = yield* listen(body);
    return [inner, heard.value, heard.log];
  });
  const rec = record();
  const r = run(main, { handlers: [reader, writer, rec], env: { user: "bob" } });
  assert.deepEqual(r.value, ["ann", "bob", ["hi bob"]]);
  assert.deepEqual(
    rec.entries.map((e) => [e.effect?.constructor.name, e.status]),
    [
      ["Local", "passed"],
      ["Ask", "answered"],
      ["Tell", "answered"],
      ["Listen", "passed"],
      ["Ask", "answered"],
      ["Tell", "answered"],
    ],
  );
  assert.deepEqual(
    rec.entries.filter((e) => e.status === "answered").map((e) => (e as { value: unknown }).value),
    ["ann", undefined, "bob", undefined],
  );
  // a mock after the recorder answers Ask inside local: before, the sub-program ran outside the
  // recorder and every handler after it, and Ask was unhandled
  const exp = expectEffects(
    main,
    [
      new Local({ user: "ann" }, body),
      new Ask("user"),
      new Tell("hi mocked"),
      new Listen(body),
      new Ask("user"),
      new Tell("hi mocked"),
    ],
    {
      handlers: [reader, writer, mock(Ask, () => "mocked")],
    },
  );
  assert.deepEqual(exp.value, ["mocked", "mocked", ["hi mocked"]]);
});
