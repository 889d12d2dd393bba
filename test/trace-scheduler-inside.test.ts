/**
 * §8.8 × §9: the scheduler installed with `withHandler` inside main reports what it reports from the
 * run's `handlers` — an aborted run's chains and a task's error traceback — but for the handler lines
 * that really differ. Past a task's line, its chain went on into the frames the scheduler is
 * installed under (a running task's prompt is linked where the scheduler's invocation would run): an
 * aborted run printed main's own chain under the last task's line, and a task's error printed
 * `main` once above `outer` and again above `── in task 1 ──`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  awaitPromise,
  delay,
  Effect,
  fn,
  handle,
  realTime,
  runAsync,
  scheduler,
  spawn,
  tracebackOf,
  wait,
  withHandler,
  type AnyProgramLike,
  type Program,
} from "../src/index.js";

const ticker = fn(function* ticker() {
  while (true) yield* delay(1000);
});
const worker = fn(function* worker() {
  return yield* awaitPromise(() => new Promise<number>(() => {}));
});
const spawner = fn(function* spawner(abort: () => void) {
  const t = yield* spawn(ticker());
  const ws = [];
  for (let i = 0; i < 2; i++) ws.push(yield* spawn(worker()));
  setTimeout(abort, 30);
  for (const w of ws) yield* wait(w);
  return yield* wait(t);
});

/** main running `body`, the scheduler and realTime installed inside it or given as the run's handlers */
async function runBoth(body: (abort: () => void) => Program<unknown>, signal: boolean) {
  const out = [];
  for (const inside of [true, false]) {
    const ac = new AbortController();
    const abort = (): void => ac.abort();
    const main = fn(function* main() {
      return yield* inside ? withHandler(realTime, withHandler(scheduler, body(abort))) : body(abort);
    });
    const r = await runAsync(main(), {
      ...(inside ? {} : { handlers: [scheduler, realTime] }),
      ...(signal ? { signal: ac.signal } : {}),
    });
    out.push(r);
  }
  return out;
}

test("an aborted run's report with the scheduler installed inside main is the one with it in the run's handlers: main's chain under main, not under the last task's line", async () => {
  const [inside, given] = await runBoth((abort) => spawner(abort), true);
  const expected = [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  main",
    "  spawner",
    "  blocked in wait(task 2)",
    "  ── in task 1 ──",
    "  ticker",
    "  blocked in delay(1000)",
    "  ── in tasks 2, 3 ──",
    "  worker",
    "  blocked in awaitPromise(…)",
    "DOMException AbortError: This operation was aborted",
  ].join("\n");
  assert.equal(given!.format(), expected);
  assert.equal(inside!.format(), expected);
  // the same as data
  const data = [inside!, given!].map((r) => {
    const t = tracebackOf(r);
    assert.equal(t.outcome, "aborted");
    return "chain" in t ? t.chain : [];
  });
  assert.deepEqual(data[0], data[1]);
  assert.deepEqual(
    data[0]!.map((e) => `${e.kind} ${e.name}`),
    [
      "program main",
      "program spawner",
      "wait wait(task 2)",
      "task in task 1",
      "program ticker",
      "wait delay(1000)",
      "task in tasks 2, 3",
      "program worker",
      "wait awaitPromise(…)",
    ],
  );
});

const taskError = fn(function* taskError() {
  yield* delay(1);
  throw new Error("boom");
});
const LINE =
  readFileSync(new URL(import.meta.url), "utf8")
    .split("\n")
    .indexOf('  throw new Error("boom");') + 1;
const outer = fn(function* outer() {
  const t = yield* spawn(taskError());
  return yield* wait(t);
});

test("a task's error traceback with the scheduler installed inside main shows main's frames once, above the task's line, as with it in the run's handlers", async () => {
  const [inside, given] = await runBoth(() => outer(), false);
  const here = (s: string): string => s.replace(/\S*test\/trace-scheduler-inside\.test\.ts/g, "HERE");
  const lines = (between: string[]): string =>
    [
      "doeff traceback (outermost first):",
      ...between,
      "  ── in task 1 ──",
      "  taskError",
      `  thrown at HERE:${LINE}`,
      "Error: boom",
    ].join("\n");
  assert.equal(here(given!.format()), lines(["  main", "  outer"]));
  // (`main` is outside the scheduler: it shows where `outer` received the task's error, only there)
  assert.equal(here(inside!.format()), lines(["  main", "  outer"]));
});

test("a failed task nothing waits for, with the scheduler installed inside main: its warning's traceback starts at its line, as with it in the run's handlers", async () => {
  const body = fn(function* body() {
    yield* spawn(taskError());
    yield* delay(20);
    return 1;
  });
  const [inside, given] = await runBoth(() => body(), false);
  for (const r of [inside!, given!]) {
    assert.equal(r.value, 1);
    assert.equal(r.warnings.length, 1);
    assert.deepEqual(
      tracebackOf(r).warnings[0]!.chain.map((e) => `${e.kind} ${e.name}`),
      ["task in task 1", "program taskError"],
    );
  }
});

test("a handler outside the scheduler failing inside a task: `main` above the task's line only where main installed that handler, which is where its error goes", async () => {
  // Decided, not changed: a handler that throws ends its own withHandler, so its error leaves at the
  // prompt of that handler. Installed inside main, that is in main — which can catch it, and whose
  // line the traceback therefore shows above the task's. Given in the run's handlers, it leaves the
  // run, past every frame: no program line above the task's. Making the two read the same would
  // hide the frame that receives the error.
  class Boom extends Effect<number> {
    declare readonly _tag: "Boom";
  }
  const failing = handle(Boom, function* failing() {
    throw new Error("bad");
  });
  const work = fn(function* work() {
    return yield* new Boom();
  });
  const body = fn(function* body() {
    const t = yield* spawn(work());
    try {
      return yield* wait(t);
    } catch {
      return "body caught"; // (never: the handler's error does not go through the task)
    }
  });
  const tail = [
    "  ── in task 1 ──",
    "  work",
    "  handler failing for Boom() ✗",
    "  effect Boom(): scheduler ↗, failing ✗",
  ];
  const chain = (r: { format(): string }) =>
    r
      .format()
      .split("\n")
      .filter((l) => !l.startsWith("  thrown at "))
      .slice(1, -1);
  const inside = await runAsync(
    fn(function* main() {
      return yield* withHandler(failing, withHandler(scheduler, body()));
    })(),
  );
  assert.deepEqual(chain(inside), ["  main", ...tail]);
  const given = await runAsync(
    fn(function* main() {
      return yield* body();
    })(),
    { handlers: [failing, scheduler] },
  );
  assert.deepEqual(chain(given), tail);
  // where the error goes: main, when main installed the handler; out of the run, when the run did
  const catching = (inner: AnyProgramLike) =>
    fn(function* main() {
      try {
        return yield* inner;
      } catch {
        return "main caught";
      }
    })();
  assert.equal(
    (await runAsync(catching(withHandler(failing, withHandler(scheduler, body()))))).value,
    "main caught",
  );
  const out = await runAsync(catching(body()), { handlers: [failing, scheduler] });
  assert.equal((out.error as Error).message, "bad");
});
