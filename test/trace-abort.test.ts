/**
 * §9.8 × §8.8: the report of a run its signal aborted says where the run was — main's chain and each
 * task's — since the usual reason to abort (a watchdog, Ctrl-C) is a run that hangs somewhere.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  awaitPromise,
  createPromise,
  Delay,
  delay,
  delegate,
  Effect,
  fn,
  modify,
  program,
  handle,
  put,
  realTime,
  resume,
  transfer,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  state,
  wait,
  all,
  timeout,
  gather,
  createChannel,
  createSemaphore,
  receive,
  acquire,
  race,
  channelStream,
} from "../src/index.js";

const waitForReply = fn(function* waitForReply() {
  return yield* awaitPromise(() => new Promise<number>(() => {}));
});
const ticker = fn(function* ticker() {
  while (true) yield* delay(1000);
});
const main = fn(function* main() {
  const t = yield* spawn(ticker());
  const v = yield* waitForReply();
  yield* wait(t);
  return v;
});

test("an aborted runAsync reports where main and each task were when the signal aborted them", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.error, ac.signal.reason);
  assert.equal(
    r.format(),
    [
      "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
      "where the run was when its signal aborted it (outermost first):",
      "  main",
      "  waitForReply",
      "  blocked in awaitPromise(…)",
      "  ── in task 1 ──",
      "  ticker",
      "  blocked in delay(1000)",
      "DOMException AbortError: This operation was aborted",
    ].join("\n"),
  );
});

class Ping extends Effect<number> {
  declare readonly _tag: "Ping";
}

test("an aborted run reports the chain it was in, handler invocations included; a run aborted before it started has none", () => {
  const ac = new AbortController();
  const stop = new Error("stop");
  const inner = fn(function* inner() {
    try {
      for (let i = 0; ; i++) {
        yield* new Ping();
        if (i === 1) ac.abort(stop);
      }
    } finally {
      yield* put("cleaned", true);
    }
  });
  const outer = fn(function* outer() {
    return yield* inner();
  });
  const pinger = handle(Ping, function* pinger(_e, k) {
    return yield* resume(k, 1);
  });
  const r = run(outer(), { handlers: [state, pinger], signal: ac.signal });
  assert.equal(r.error, stop);
  assert.equal(r.store.cleaned, true);
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(0, 6), [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  handler pinger for Ping() ✓",
    "  handler pinger for Ping() ✓",
    "  outer",
    "  inner",
  ]);
  assert.equal(lines.at(-1), "Error: stop");

  const before = run(outer(), { handlers: [state, pinger], signal: AbortSignal.abort(stop) });
  assert.ok(
    before
      .format()
      .startsWith(
        "doeff: the run was aborted by its signal (run option `signal`) before it started\ndoeff traceback (outermost first):\n",
      ),
  );
  assert.doesNotMatch(before.format(), /where the run was/);
});

test("INV-4: the fast lane does not deliver an answer whose code aborted the run (traced and untraced alike)", () => {
  for (const traced of [false, true]) {
    const ac = new AbortController();
    const stop = new Error("stop");
    const events: string[] = [];
    const p = program(function* () {
      try {
        yield* modify("x", () => {
          ac.abort(stop);
          return 1;
        });
        events.push("after the aborting effect");
        return "done";
      } finally {
        events.push("finally");
      }
    });
    const r = run(p, {
      handlers: [state],
      signal: ac.signal,
      ...(traced ? { trace: { steps: () => {} } } : {}),
    });
    assert.equal(r.error, stop, `traced=${traced}`);
    assert.deepEqual(r.store, { x: 1 });
    assert.deepEqual(events, ["finally"], `traced=${traced}`);
  }
});

test("the abort report lists tasks in the order they were spawned, each with what it was blocked in (timeout's timer: its delay)", async () => {
  const sleeper = fn(function* sleeper() {
    yield* delay(10_000);
  });
  const both = fn(function* both() {
    return yield* all([timeout(sleeper(), 5000), timeout(sleeper(), 5000)]);
  });
  const ac = new AbortController();
  const stop = new Error("stop");
  setTimeout(() => ac.abort(stop), 20);
  const r = await runAsync(both(), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.equal(r.error, stop);
  // (it read: both, all, task 6, task 1, task 3 empty, task 4, task 2, task 5 empty — the order the
  // abort finalized them, so task 6 seemed to be main's and the timers printed as empty sections)
  const lines = r.format().split("\n");
  // where the reason was made, on a line of its own: it was `  thrown at …` under the last chain,
  // which read as where that task threw ("sleeper thrown at" the line of the test's abort)
  assert.match(lines[13]!, /^the signal's reason \(made at test\/trace-abort\.test\.ts:\d+\):$/);
  assert.deepEqual(lines, [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  both",
    "  all",
    "  blocked in wait(a promise)",
    "  ── in tasks 1, 2 ──",
    "  timeout",
    "  blocked in wait(a promise)",
    // (timeout's timers: a chain of nothing but their boundary lines, they were left out, and what
    // the run waited on went unsaid)
    "  ── in tasks 3, 5 (spawned by tasks 1, 2) ──",
    "  blocked in delay(5000)",
    "  ── in tasks 4, 6 (spawned by tasks 1, 2) ──",
    "  sleeper",
    "  blocked in delay(10000)",
    lines[13],
    "Error: stop",
  ]);
});

test("the abort report folds tasks whose chains print alike into one entry: a few ids, then the count", async () => {
  // (a server aborted with 70 requests in flight printed 760 lines, one chain per request)
  const stuck = fn(function* stuck() {
    return yield* awaitPromise(() => new Promise<number>(() => {}));
  });
  const request = fn(function* request(i: number) {
    if (i === 3) yield* spawn(stuck());
    return yield* stuck();
  });
  const server = fn(function* server() {
    const tasks = [];
    for (let i = 0; i < 7; i++) tasks.push(yield* spawn(request(i))); // tasks 1-7
    tasks.push(yield* spawn(stuck())); // task 8 (task 4 spawns task 10)
    yield* spawn(ticker()); // task 9
    return yield* gather(...tasks);
  });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("stop")), 20);
  const r = await runAsync(server(), { handlers: [scheduler, realTime], signal: ac.signal });
  const lines = r.format().split("\n");
  assert.match(lines[17]!, /^the signal's reason \(made at test\/trace-abort\.test\.ts:\d+\):$/);
  assert.deepEqual(lines, [
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    "where the run was when its signal aborted it (outermost first):",
    "  server",
    "  blocked in gather(tasks 1, 2, 3, …)",
    "  ── in tasks 1, 2, 3, … (7 tasks) ──",
    "  request",
    "  stuck",
    "  blocked in awaitPromise(…)",
    "  ── in task 8 ──",
    "  stuck",
    "  blocked in awaitPromise(…)",
    "  ── in task 9 ──",
    "  ticker",
    "  blocked in delay(1000)",
    // the same code spawned by main and by a task: not one entry, which would read as either
    "  ── in task 10 (spawned by task 4) ──",
    "  stuck",
    "  blocked in awaitPromise(…)",
    lines[17],
    "Error: stop",
  ]);
});

test("the abort report folds only tasks spawned at the same site whose frames are at the same sites (trace.sites)", async () => {
  const stuck = fn(function* stuck() {
    return yield* awaitPromise(() => new Promise<number>(() => {}));
  });
  const server = fn(function* server() {
    const tasks = [];
    for (let i = 0; i < 5; i++) tasks.push(yield* spawn(stuck()));
    tasks.push(yield* spawn(stuck()));
    return yield* gather(...tasks);
  });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("stop")), 20);
  const r = await runAsync(server(), {
    handlers: [scheduler, realTime],
    signal: ac.signal,
    trace: { sites: true },
  });
  const at = (s: string) => s.replace(/test\/trace-abort\.test\.ts:\d+/g, "HERE");
  assert.deepEqual(r.format().split("\n").slice(1, 10).map(at), [
    "where the run was when its signal aborted it (outermost first):",
    "  server at HERE",
    "  blocked in gather(tasks 1, 2, 3, …)",
    "  ── in tasks 1, 2, 3, … (5 tasks, spawned at HERE) ──",
    "  stuck at HERE",
    "  blocked in awaitPromise(…)",
    "  ── in task 6 (spawned at HERE) ──",
    "  stuck at HERE",
    "  blocked in awaitPromise(…)",
  ]);
});

test("the abort report shows main once when a handler inside the clock was delegating its delay (virtualClock's probe, record)", () => {
  const ac = new AbortController();
  const probe = handle(Delay, function* probe(_e, k) {
    return yield* transfer(k, (yield* delegate()) as undefined);
  });
  const inner = fn(function* inner() {
    yield* delay(100);
  });
  const r = run(
    program(function* main() {
      yield* spawn(
        program(function* sigint() {
          yield* delay(15);
          ac.abort(new Error("stop"));
        }),
      );
      yield* inner();
    }),
    { handlers: [scheduler, simulatedTime(), probe], signal: ac.signal },
  );
  // it printed main and inner twice: once for the probe's delegation, once for its continuation
  const lines = r.format().split("\n");
  assert.match(lines.at(-2)!, /^the signal's reason \(made at test\/trace-abort\.test\.ts:\d+\):$/); // the abort's line
  assert.deepEqual(lines.slice(1, -2).concat(lines.at(-1)!), [
    "where the run was when its signal aborted it (outermost first):",
    "  main",
    "  inner",
    "  handler probe for Delay(100)",
    "  blocked in delay(100)",
    "Error: stop",
  ]);
});

class Take extends Effect<number> {
  declare readonly _tag: "Take";
}

test("the abort report keeps each task's frames in its own section when main and the tasks wait inside one handler (a saga's take)", async () => {
  // a handler that blocks in the scheduler before it answers, as an action bus's take does
  const bus = handle(Take, function* bus(_e, k) {
    const never = yield* createPromise<number>();
    return yield* transfer(k, yield* wait(never.future));
  });
  const watcher = fn(function* watcher() {
    return yield* new Take();
  });
  const root = fn(function* root() {
    yield* spawn(watcher());
    yield* spawn(watcher());
    yield* spawn(delay(10_000)); // something pending, so the run waits instead of deadlocking
    return yield* new Take();
  });
  const ac = new AbortController();
  const stop = new Error("stop");
  setTimeout(() => ac.abort(stop), 20);
  const r = await runAsync(root(), { handlers: [scheduler, realTime, bus], signal: ac.signal });
  assert.equal(r.error, stop);
  // it read "root, handler bus, watcher, watcher" for main: each task's handler invocation had its
  // k's chain (watcher) kept apart, with no task line, so it printed as more of main's chain
  const lines = r.format().split("\n");
  assert.match(lines.at(-2)!, /^the signal's reason \(made at test\/trace-abort\.test\.ts:\d+\):$/); // the abort's line
  assert.deepEqual(lines.slice(1, -2).concat(lines.at(-1)!), [
    "where the run was when its signal aborted it (outermost first):",
    "  root",
    "  handler bus for Take()",
    "  blocked in wait(a promise)",
    "  ── in tasks 1, 2 ──", // (two tasks waiting alike: folded)
    "  watcher",
    "  handler bus for Take()",
    "  blocked in wait(a promise)",
    "  ── in task 3 ──", // (a task of nothing but a delay: shown with what it waits on)
    "  blocked in delay(10000)",
    "Error: stop",
  ]);
});

test("the abort report ends each chain with what it was blocked in, tasks folded alike with the tasks they wait on merged (a task of nothing but an awaitPromise included)", async () => {
  const call = (i: number) =>
    timeout(
      awaitPromise(() => new Promise((r) => setTimeout(r, 1000, i))),
      5000,
    );
  const ch = createChannel<number>();
  const sem = createSemaphore(1);
  const child = fn(function* child() {
    return yield* awaitPromise(() => new Promise<number>(() => {}));
  });
  const parent = fn(function* parent() {
    return yield* wait(yield* spawn(child()));
  });
  const main = fn(function* main() {
    const [c, s] = [yield* ch, yield* sem];
    yield* acquire(s);
    const a = yield* spawn(
      fn(function* recv() {
        return yield* receive(c);
      })(),
    );
    const b = yield* spawn(
      fn(function* take() {
        return yield* acquire(s);
      })(),
    );
    yield* spawn(
      fn(function* racer() {
        return yield* race(a, b);
      })(),
    );
    yield* spawn(parent());
    yield* spawn(parent());
    const p = yield* createPromise<number>();
    yield* spawn(wait(p.future));
    return yield* all([call(1), call(2)]);
  });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("stop")), 30);
  const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: ac.signal });
  assert.deepEqual(r.format().split("\n").slice(1, -2), [
    "where the run was when its signal aborted it (outermost first):",
    "  main",
    "  all",
    "  blocked in wait(a promise)",
    "  ── in task 1 ──",
    "  recv",
    "  blocked in receive(a channel of capacity 0)",
    "  ── in task 2 ──",
    "  take",
    "  blocked in acquire(a semaphore of 1 permit)",
    "  ── in task 3 ──",
    "  racer",
    "  blocked in race(tasks 1, 2)",
    "  ── in tasks 4, 5 ──",
    "  parent",
    "  blocked in wait(tasks 9, 10)", // (task 4 waits on task 9, task 5 on task 10)
    "  ── in task 6 ──",
    "  blocked in wait(a promise)",
    "  ── in tasks 7, 8 ──",
    "  timeout",
    "  blocked in wait(a promise)",
    "  ── in tasks 9, 10 (spawned by tasks 4, 5) ──",
    "  child",
    "  blocked in awaitPromise(…)",
    "  ── in tasks 11, 13 (spawned by tasks 7, 8) ──",
    "  blocked in delay(5000)",
    "  ── in tasks 12, 14 (spawned by tasks 7, 8) ──",
    "  blocked in awaitPromise(…)",
  ]);
});

test("the abort report names a channelStream's pump task, and where it was spawned: waiting for a pull, and receiving for one", async () => {
  // (its task showed nothing but `blocked in race(task 3, a promise)`, its receive task spawned
  // "at" the line of the run)
  const here = new URL(import.meta.url).pathname;
  const pumpLine =
    readFileSync(here, "utf8")
      .split("\n")
      .findIndex((l) => l.endsWith("(stream.pump(ch)); // the pump")) + 1;
  const report = async (pull: boolean) => {
    const stream = channelStream<number>();
    const feed = fn(function* feed() {
      const ch = yield* createChannel<number>();
      yield* spawn(stream.pump(ch)); // the pump
      return yield* awaitPromise(() => new Promise<number>(() => {}));
    });
    const pending = pull ? stream[Symbol.asyncIterator]().next() : null;
    pending?.catch(() => {}); // (rejected when the pump is cut short: it says so to the consumer)
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop")), 20);
    const r = await runAsync(feed(), {
      handlers: [scheduler, realTime],
      signal: ac.signal,
      trace: { sites: true },
    });
    assert.equal((r.error as Error).message, "stop");
    if (pending !== null)
      await assert.rejects(pending, {
        message:
          "the channel stream's pump stopped before the channel was closed (its task was cancelled or the run ended); keep the run going until close(ch)",
      });
    return r
      .format()
      .split("\n")
      .slice(1, -2)
      .map((s) =>
        s
          .replace(`test/trace-abort.test.ts:${pumpLine}`, "PUMP")
          .replace(/test\/trace-abort\.test\.ts:\d+/g, "HERE"),
      );
  };
  assert.deepEqual(await report(false), [
    "where the run was when its signal aborted it (outermost first):",
    "  feed at HERE",
    "  blocked in awaitPromise(…)",
    "  ── in task 1 (spawned at PUMP) ──",
    "  channelStream.pump at PUMP",
    "  blocked in awaitPromise(…)", // (waiting for the consumer's next pull)
  ]);
  assert.deepEqual(await report(true), [
    "where the run was when its signal aborted it (outermost first):",
    "  feed at HERE",
    "  blocked in awaitPromise(…)",
    "  ── in task 1 (spawned at PUMP) ──",
    "  channelStream.pump at PUMP",
    "  blocked in race(task 2, a promise)", // (the receive, or the consumer's return())
    "  ── in task 2 (spawned by task 1 at PUMP) ──",
    "  blocked in receive(a channel of capacity 0)",
  ]);
});
