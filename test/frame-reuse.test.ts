/**
 * Machine.spare (vm/machine.ts): a frame that ended, not closing, in an untraced run with no error
 * origin yet, is kept and reused by the next program call (one Frame less per task in spawn +
 * gather). Adversarial runs for a stale field carried into the next use: a named frame reused for a
 * hidden one and back (name, program, boundary label), frames closed by unwinding (closing) whose
 * finally blocks yield, throw or return, generator return() paths, and runs made inside a handler
 * while the outer run's frame waits. Each is compared with the same run traced (trace sites on:
 * no frame is kept) and checked against exact values and event order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  cede,
  Effect,
  fn,
  gather,
  get,
  getCallStack,
  handle,
  program,
  resume,
  run,
  type RunResult,
  scheduler,
  spawn,
  put,
  state,
  wait,
  transferWith,
  writer,
} from "../src/index.js";

const H = [scheduler, state, writer];

/** The run's outcome, log and warnings as plain data. */
function outcome(r: RunResult<unknown>) {
  return {
    ok: r.ok,
    value: r.ok ? r.value : String((r.error as Error).message),
    log: r.log,
    warnings: r.warnings.map((w) => String((w as Error).message)),
  };
}

test("a named frame reused by the next task: its own name and program, never the last one's", () => {
  const first = fn(function* first() {
    return "first";
  });
  const helper = fn(function* helper() {
    return (yield* getCallStack()).map((f) => f.name);
  });
  const second = fn(function* second(x: number) {
    // a call made from the reused frame: it gets a frame of its own
    const below = yield* helper();
    return [x, below, (yield* getCallStack()).map((f) => f.name)];
  });
  const b2 = second(7);
  const main = program(function* main() {
    const a = yield* spawn(first());
    yield* wait(a); // a's frame is kept, the next call takes it
    const b = yield* spawn(b2);
    const c = yield* spawn(getCallStack()); // no frame of its own
    return [yield* wait(b), yield* wait(c)];
  });
  const r = run(main, { handlers: H });
  assert.deepEqual(outcome(r), outcome(run(main, { handlers: H, trace: { sites: true } })));
  const [b, c] = r.value as [unknown, unknown[]];
  assert.deepEqual([b, c], [[7, ["helper", "second"], ["second"]], []]);
  // the program a reused frame names is its own (getCallStack's `program`)
  const stack = run(
    program(function* () {
      yield* wait(yield* spawn(first()));
      return yield* wait(
        yield* spawn(
          program(function* named() {
            return yield* getCallStack();
          }),
        ),
      );
    }),
    { handlers: H },
  );
  const [entry] = stack.value as { name: string; program: { name: string } }[];
  assert.equal(entry!.name, "named");
  assert.equal(entry!.program.name, "named");
});

class Ping extends Effect<number> {
  declare readonly _tag: "Ping";
}

test("finally blocks during unwinding that yield, throw and return: exact order, then reused frames run clean", () => {
  const events: string[] = [];
  const yieldsInFinally = fn(function* yieldsInFinally() {
    try {
      yield* cede();
      yield* cede();
    } finally {
      events.push("y: finally 1");
      yield* cede(); // (an effect in a finally being closed: not blocking, answered at once)
      events.push(`y: finally 2 ${yield* get("n")}`);
    }
  });
  const throwsInFinally = fn(function* throwsInFinally() {
    try {
      yield* cede();
      yield* cede();
    } finally {
      events.push(`t: finally ${yield* get("n")}`);
      // biome-ignore lint/correctness/noUnsafeFinally: the case tested
      throw new Error("finally threw");
    }
  });
  const returnsInFinally = fn(function* returnsInFinally() {
    try {
      yield* cede();
      return "body";
    } finally {
      events.push(`r: finally ${yield* get("n")}`);
    }
  });
  const after = fn(function* after(i: number) {
    events.push(`after ${i} ${yield* get("n")}`);
    return i * 10;
  });
  const main = program(function* main() {
    yield* put("n", 1);
    const y = yield* spawn(yieldsInFinally());
    const t = yield* spawn(throwsInFinally());
    yield* cede();
    yield* cancel(y);
    yield* cancel(t);
    const r = yield* wait(yield* spawn(returnsInFinally()));
    const ts = [];
    for (let i = 1; i <= 3; i++) ts.push(yield* spawn(after(i)));
    return [r, yield* gather(...ts)];
  });
  const plain = run(main, { handlers: H });
  const ev1 = events.splice(0);
  const sited = run(main, { handlers: H, trace: { sites: true } });
  assert.deepEqual(outcome(plain), outcome(sited));
  assert.deepEqual(ev1, events);
  assert.deepEqual(outcome(plain), {
    ok: true,
    value: ["body", [10, 20, 30]],
    log: [],
    warnings: ["finally threw"],
  });
  assert.deepEqual(ev1, [
    "y: finally 1",
    "y: finally 2 1",
    "t: finally 1",
    "r: finally 1",
    "after 1 1",
    "after 2 1",
    "after 3 1",
  ]);
});

test("a generator closed by return() mid-yield, then the next frames: values and order exact", () => {
  const events: string[] = [];
  const pinged = handle(Ping, function* (_e, k) {
    events.push("ping");
    return yield* resume(k, events.length);
  });
  const inner = fn(function* inner(i: number) {
    try {
      const n = yield* new Ping();
      events.push(`inner ${i} got ${n}`);
      yield* cede();
      return n;
    } finally {
      events.push(`inner ${i} finally`);
    }
  });
  const main = program(function* main() {
    const a = yield* spawn(inner(1));
    const b = yield* spawn(inner(2));
    yield* cede();
    yield* cancel(a); // a is closed by return() while suspended in its cede
    const vb = yield* wait(b);
    const c = yield* spawn(inner(3));
    return [vb, yield* wait(c)];
  });
  const r = run(main, { handlers: [scheduler, pinged] });
  const ev1 = events.splice(0);
  const sited = run(main, { handlers: [scheduler, pinged], trace: { sites: true } });
  assert.deepEqual(events, ev1);
  assert.equal(r.ok && sited.ok, true);
  assert.deepEqual(
    [r.value, sited.value],
    [
      [3, 7],
      [3, 7],
    ],
  );
  assert.deepEqual(ev1, [
    "ping",
    "inner 1 got 1",
    "ping",
    "inner 2 got 3",
    "inner 1 finally",
    "inner 2 finally",
    "ping",
    "inner 3 got 7",
    "inner 3 finally",
  ]);
});

test("runs made inside a handler while the outer run's frames wait: each its own frames", () => {
  const leaf = fn(function* leaf(i: number) {
    return [i, (yield* getCallStack()).map((f) => f.name)];
  });
  const nested = handle(Ping, function* (_e, k) {
    // a whole run inside this handler, spawning and ending tasks, while the outer task waits
    const r = run(
      program(function* innerMain() {
        const ts = [];
        for (let i = 0; i < 3; i++) ts.push(yield* spawn(leaf(i)));
        return yield* gather(...ts);
      }),
      { handlers: [scheduler] },
    );
    return yield* resume(k, r.ok ? (r.value as never) : -1);
  });
  const outerTask = fn(function* outerTask(i: number) {
    const got = yield* new Ping();
    return [i, got, (yield* getCallStack()).map((f) => f.name)];
  });
  const r = run(
    program(function* outerMain() {
      const ts = [];
      for (let i = 0; i < 2; i++) ts.push(yield* spawn(outerTask(i)));
      return yield* gather(...ts);
    }),
    { handlers: [scheduler, nested] },
  );
  assert.equal(r.ok, true);
  const inner = [
    [0, ["leaf"]],
    [1, ["leaf"]],
    [2, ["leaf"]],
  ];
  assert.deepEqual(r.value, [
    [0, inner, ["outerTask"]],
    [1, inner, ["outerTask"]],
  ]);
});

test("a task's error after frames were reused: the traceback names the frames that ran", () => {
  const ok = fn(function* okTask() {
    return 1;
  });
  const failing = fn(function* failing() {
    yield* cede();
    throw new Error("boom");
  });
  const main = program(function* main() {
    for (let i = 0; i < 3; i++) yield* wait(yield* spawn(ok()));
    return yield* wait(yield* spawn(failing()));
  });
  const r = run(main, { handlers: H });
  assert.equal(r.ok, false);
  const lines = r.format().split("\n");
  assert.deepEqual(lines, [
    "doeff traceback (outermost first):",
    "  main",
    "  ── in task 4 ──",
    "  failing",
    lines[4]!,
    "Error: boom",
  ]);
  assert.match(lines[4]!, /^ {2}thrown at test\/frame-reuse\.test\.ts:\d+$/);
});

class Load extends Effect<string> {
  declare readonly _tag: "Load";
}

test("a frame a handler started with transferWith, then reused: the next program's traceback has no `⇢` line of it", () => {
  // transferWith's program frame gets the `handler loader for Load ⇢` line (trace/frame-lines.ts,
  // keyed by frame): a frame reused after it would carry that line into an unrelated program
  const fromCache = fn(function* fromCache() {
    return "cached";
  });
  const loader = handle(Load, (_e, k) => transferWith(k, fromCache()));
  const failing = fn(function* failing() {
    yield* cede();
    throw new Error("boom");
  });
  const main = program(function* main() {
    const v = yield* new Load(); // fromCache's frame ends: kept
    return [v, yield* wait(yield* spawn(failing()))]; // the task's body frame
  });
  const r = run(main, { handlers: [scheduler, loader] });
  assert.equal(r.ok, false);
  const lines = r.format().split("\n");
  assert.deepEqual(lines, [
    "doeff traceback (outermost first):",
    "  main",
    "  ── in task 1 ──",
    "  failing",
    lines[4]!,
    "Error: boom",
  ]);
  assert.match(lines[4]!, /^ {2}thrown at test\/frame-reuse\.test\.ts:\d+$/);
});
