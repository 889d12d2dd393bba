/**
 * recover(program, ErrorClass | [ErrorClasses], f): catch by class, the rest rethrown unchanged
 * (INV-11) with its traceback as if recover were not there; cancellation never reaches f.
 * Under run + simulatedTime(): exact values, events stamped with virtual time, order of finally blocks.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  all,
  answer,
  cancel,
  delay,
  Effect,
  fn,
  get,
  program,
  put,
  raceAll,
  recover,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  state,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  wait,
  writer,
} from "../src/index.js";
import { events, failing, job, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

class NotFound extends Error {
  readonly _tag = "NotFound";
  constructor(readonly id: number) {
    super(`no user ${id}`);
  }
}
class Gone extends NotFound {
  readonly gone = true;
}
class Unavailable extends Error {
  readonly _tag = "Unavailable";
}

/** Throws `error` after its finally block is recorded. */
const throwing = fn(function* throwing(error: unknown) {
  try {
    yield* mark("throwing");
    throw error;
  } finally {
    yield* mark("throwing finally");
  }
});

test("no error: the program's value; f is not called", () => {
  let called = 0;
  const r = run(
    recover(job("a", 10, 7), NotFound, () => {
      called++;
      return -1;
    }),
    { handlers: TK() },
  );
  assert.equal(r.value, 7);
  assert.equal(called, 0);
  assert.deepEqual(events, ["0: a start", "10: a done", "10: a finally"]);
});

test("a matching error: f gets the very object, after the program's finally blocks ran; its value is recover's", () => {
  const e = new NotFound(7);
  let seen: unknown;
  const main = program(function* () {
    const v = yield* recover(throwing(e), NotFound, (error) => {
      seen = error;
      events.push(`f ${error.id}`);
      return `fallback ${error.id}`;
    });
    yield* mark("after");
    return v;
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.value, "fallback 7");
  assert.equal(seen, e);
  assert.deepEqual(events, ["0: throwing", "0: throwing finally", "f 7", "0: after"]);
});

test("an error of another class is rethrown: the very object, f not called, the program's finally ran", () => {
  const e = new Unavailable("503");
  let called = 0;
  const r = run(
    recover(throwing(e), NotFound, () => {
      called++;
    }),
    { handlers: TK() },
  );
  assert.equal(r.ok, false);
  assert.equal(r.error, e);
  assert.equal(called, 0);
  assert.deepEqual(events, ["0: throwing", "0: throwing finally"]);
});

test("matching is instanceof: a subclass matches, Error matches every Error, a list matches any of its classes; a thrown non-Error only by its own class", () => {
  const outcome = (error: unknown, classes: Parameters<typeof recover>[1]) => {
    const r = run(
      recover(throwing(error), classes as never, (x: unknown) => ["caught", x]),
      {
        handlers: TK(),
      },
    );
    return r.ok ? r.value : ["rethrown", r.error];
  };
  const gone = new Gone(1);
  const nf = new NotFound(2);
  const un = new Unavailable("u");
  assert.deepEqual(outcome(gone, NotFound), ["caught", gone]);
  assert.deepEqual(outcome(nf, Gone), ["rethrown", nf]); // a parent is not an instance of its subclass
  assert.deepEqual(outcome(un, Error), ["caught", un]);
  assert.deepEqual(outcome(new TypeError("t"), Error)[0], "caught");
  assert.deepEqual(outcome(un, [NotFound, Unavailable]), ["caught", un]);
  assert.deepEqual(outcome(un, [NotFound, Gone]), ["rethrown", un]);
  assert.deepEqual(outcome("boom", Error), ["rethrown", "boom"]);
  assert.deepEqual(outcome(undefined, Error), ["rethrown", undefined]);
  class Code {
    constructor(readonly code: number) {}
  }
  const c = new Code(404);
  assert.deepEqual(outcome(c, Code), ["caught", c]); // any class, not only Error's
  assert.deepEqual(outcome(c, Error), ["rethrown", c]);
});

class Audit extends Effect<string> {
  declare readonly _tag: "Audit";
  constructor(readonly what: string) {
    super();
  }
}

test("f returns a program: performed in the same task under the same handlers, its effects in order, its value recover's", () => {
  const onNotFound = fn(function* onNotFound(error: NotFound) {
    const n = yield* get<number>("misses");
    yield* put("misses", n + 1);
    yield* tell(`miss ${error.id}`);
    return yield* new Audit(`user ${error.id}`);
  });
  const main = program(function* () {
    yield* tell("before");
    const v = yield* recover(throwing(new NotFound(3)), NotFound, onNotFound);
    yield* tell("after");
    return v;
  });
  const r = run(main, {
    handlers: [...TK(), answer(Audit, (a) => `audited ${a.what}`)],
    store: { misses: 4 },
  });
  assert.equal(r.value, "audited user 3");
  assert.deepEqual(r.store, { misses: 5 });
  assert.deepEqual(r.log, ["before", "miss 3", "after"]);
  // an effect itself, returned by f, is performed too
  const eff = run(
    recover(throwing(new NotFound(1)), NotFound, () => get<number>("misses")),
    {
      handlers: TK(),
      store: { misses: 9 },
    },
  );
  assert.equal(eff.value, 9);
  // fn(function* (e) {…}): a generator function wrapped to perform effects
  const wrapped = run(
    recover(
      throwing(new NotFound(2)),
      NotFound,
      fn(function* (e) {
        yield* delay(5);
        return e.id * 10;
      }),
    ),
    { handlers: TK() },
  );
  assert.equal(wrapped.value, 20);
});

test("f throws: that error leaves recover (after the program's finally); f's program failing fails recover with its error", () => {
  const oops = new Error("oops");
  const r = run(
    recover(throwing(new NotFound(1)), NotFound, () => {
      events.push("f");
      throw oops;
    }),
    { handlers: TK() },
  );
  assert.equal(r.error, oops);
  assert.deepEqual(events, ["0: throwing", "0: throwing finally", "f"]);
  const later = new Unavailable("later");
  const r2 = run(
    recover(throwing(new NotFound(1)), NotFound, () => failing("fallback", 5, later)),
    {
      handlers: TK(),
    },
  );
  assert.equal(r2.error, later);
  // f rethrowing the error it was given: the very object
  const e = new NotFound(4);
  const r3 = run(
    recover(throwing(e), NotFound, (x) => {
      throw x;
    }),
    { handlers: TK() },
  );
  assert.equal(r3.error, e);
});

test("nested recovers: the inner one that matches answers; one that does not passes the very error to the outer; the outer catches what the inner f throws", () => {
  const outerF: string[] = [];
  const nested = (error: unknown, innerF: (e: NotFound) => unknown) =>
    run(
      recover(recover(throwing(error), NotFound, innerF), [Unavailable, NotFound], (e) => {
        outerF.push(e.message);
        return `outer ${e.message}`;
      }),
      { handlers: TK() },
    ).value;
  assert.equal(
    nested(new Gone(1), (e) => `inner ${e.id}`),
    "inner 1",
  );
  assert.deepEqual(outerF, []);
  assert.equal(
    nested(new Unavailable("u"), () => "inner"),
    "outer u",
  );
  assert.equal(
    nested(new NotFound(2), () => {
      throw new Unavailable("from inner f");
    }),
    "outer from inner f",
  );
  assert.deepEqual(outerF, ["u", "from inner f"]);
});

test("around timeout: TimeoutError is caught after the program was cancelled (its finally ran first); the program's own error of another class goes through", () => {
  const main = program(function* () {
    const v = yield* recover(timeout(job("slow", 100, "late"), 30), TimeoutError, (e) => {
      events.push(`f ${e.ms}`);
      return "timed out";
    });
    yield* mark("after");
    return v;
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.value, "timed out");
  assert.deepEqual(events, ["0: slow start", "30: slow finally", "f 30", "30: after"]);
  const un = new Unavailable("u");
  const r2 = run(
    recover(timeout(failing("f", 10, un), 30), TimeoutError, () => "no"),
    { handlers: TK() },
  );
  assert.equal(r2.error, un);
});

test("timeout(recover(job, …)) names the job, as if recover were not there", () => {
  const r = run(
    timeout(
      recover(job("slow", 100, 1), NotFound, () => 0),
      30,
    ),
    { handlers: TK() },
  );
  assert.ok(r.error instanceof TimeoutError);
  assert.match(r.error.message, /^job timed out after 30 ms/);
});

test("around all: the first failure is caught once the other tasks were cancelled (their finally blocks first); around raceAll: its AggregateError", () => {
  const main = program(function* () {
    return yield* recover(
      all([job("a", 50, 1), failing("b", 20, new NotFound(9)), job("c", 60, 3)]),
      NotFound,
      (e) => {
        events.push(`f ${e.id}`);
        return [] as number[];
      },
    );
  });
  const r = run(main, { handlers: TK() });
  assert.deepEqual(r.value, []);
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "0: c start",
    "20: b fails",
    "20: a finally",
    "20: c finally",
    "f 9",
  ]);
  const r2 = run(
    recover(
      raceAll([failing("x", 5, new NotFound(1)), failing("y", 10, new Unavailable("u"))]),
      AggregateError,
      (e) => e.errors.map((x: Error) => x.message),
    ),
    { handlers: TK() },
  );
  assert.deepEqual(r2.value, ["no user 1", "u"]);
});

test("inside a spawned task: its waiter gets f's value; a rethrown error is the task's error, the very object", () => {
  const un = new Unavailable("u");
  const main = program(function* () {
    const t1 = yield* spawn(recover(failing("t1", 10, new NotFound(5)), NotFound, (e) => e.id));
    const t2 = yield* spawn(recover(failing("t2", 20, un), NotFound, () => 0));
    const v = yield* wait(t1);
    const r = yield* safe(wait(t2));
    return [v, r.error];
  });
  const r = run(main, { handlers: TK() });
  assert.deepEqual(r.value, [5, un]);
  assert.equal((r.value as unknown[])[1], un);
});

test("cancellation never reaches f: a task cancelled inside recover(p, Error, f) runs p's finally, not f; its waiter gets TaskCancelledError", () => {
  let called = 0;
  const main = program(function* () {
    const t = yield* spawn(
      recover(job("p", 100, 1), Error, () => {
        called++;
        return "recovered";
      }),
    );
    yield* delay(10);
    yield* cancel(t);
    const r = yield* safe(wait(t));
    return r.error;
  });
  const r = run(main, { handlers: TK() });
  assert.ok(r.value instanceof TaskCancelledError);
  assert.equal(called, 0);
  assert.deepEqual(events, ["0: p start", "10: p finally"]);
});

test("cancellation never reaches f: timeout around recover(p, Error, f) times out; main ending cancels a task inside recover", () => {
  let called = 0;
  const f = () => {
    called++;
    return "recovered";
  };
  const r = run(timeout(recover(job("p", 100, 1), Error, f), 30), { handlers: TK() });
  assert.ok(r.error instanceof TimeoutError);
  const r2 = run(
    program(function* () {
      yield* spawn(recover(job("q", 100, 1), Error, f));
      yield* delay(10);
      return "main done";
    }),
    { handlers: TK() },
  );
  assert.equal(r2.value, "main done");
  assert.equal(called, 0);
  assert.deepEqual(events, ["0: p start", "30: p finally", "0: q start", "10: q finally"]);
});

test("cancellation never reaches f: an aborted run (its signal) closes the frames inside recover", async () => {
  let called = 0;
  const ac = new AbortController();
  const main = program(function* () {
    ac.abort(new Error("stop"));
    yield* delay(10);
    return "never";
  });
  const r = await runAsync(
    recover(main, Error, () => {
      called++;
      return "recovered";
    }),
    { handlers: TK(), signal: ac.signal },
  );
  assert.equal((r.error as Error).message, "stop");
  assert.equal(called, 0);
});

test("TaskCancelledError reaches f only when that class is listed: waiting for a cancelled task, or blocking in a finally while being cancelled", () => {
  const waitCancelled = (classes: Parameters<typeof recover>[1]) =>
    run(
      program(function* () {
        const t = yield* spawn(delay(100));
        yield* cancel(t);
        return yield* recover(wait(t), classes as never, (e: unknown) => ["caught", (e as Error).name]);
      }),
      { handlers: TK() },
    );
  assert.ok(waitCancelled(Error).error instanceof TaskCancelledError);
  assert.ok(waitCancelled([NotFound, Error]).error instanceof TaskCancelledError);
  assert.deepEqual(waitCancelled(TaskCancelledError).value, ["caught", "TaskCancelledError"]);
  assert.deepEqual(waitCancelled([Error, TaskCancelledError]).value, ["caught", "TaskCancelledError"]);
  // a finally block that blocks while its task is cancelled: recover(…, Error, f) does not swallow
  // the TaskCancelledError that says so (the run keeps it as a warning, as without recover)
  let called = 0;
  const cleanup = fn(function* cleanup() {
    try {
      yield* delay(100);
    } finally {
      yield* recover(delay(5), Error, () => {
        called++;
      });
      events.push("after the blocking cleanup");
    }
  });
  const r = run(
    program(function* () {
      const t = yield* spawn(cleanup());
      yield* delay(10);
      yield* cancel(t);
      return "done";
    }),
    { handlers: TK() },
  );
  assert.equal(r.value, "done");
  assert.equal(called, 0);
  assert.deepEqual(events, []);
  assert.equal(r.warnings.length, 1);
  assert.ok(r.warnings[0] instanceof TaskCancelledError);
});

const Fail = fn(function* lookUp(id: number) {
  yield* get("x");
  throw new NotFound(id);
});
const inner = fn(function* inner(id: number) {
  return yield* Fail(id);
});
const main = fn(function* main(p: ReturnType<typeof inner> | ReturnType<typeof recover>) {
  return yield* p;
});

test("traceback: a rethrown error's report is the same with an enclosing recover that does not match (safe().format(), RunResult.format(), with sites too)", () => {
  for (const trace of [undefined, { sites: true }]) {
    const opts = { handlers: TK(), store: { x: 1 }, ...(trace ? { trace } : {}) };
    const plain = run(main(inner(1)), opts);
    const recovered = run(
      main(
        recover(
          recover(inner(1), Unavailable, () => 0),
          [TimeoutError, Unavailable],
          () => 0,
        ),
      ),
      opts,
    );
    assert.ok(plain.error instanceof NotFound);
    assert.ok(recovered.error instanceof NotFound);
    assert.equal(
      plain.format().replace(/:\d+\n/g, ":N\n"),
      [
        "doeff traceback (outermost first):",
        `  main${trace ? " at test/toolkit-recover.test.ts:N" : ""}`,
        ...(trace
          ? ["  inner at test/toolkit-recover.test.ts:N", "  lookUp at test/toolkit-recover.test.ts:N"]
          : ["  inner", "  lookUp"]),
        "  thrown at test/toolkit-recover.test.ts:N",
        "NotFound: no user 1",
      ].join("\n"),
    );
    assert.equal(recovered.format(), plain.format());
    const viaSafe = (p: ReturnType<typeof inner> | ReturnType<typeof recover>) => {
      const r = run(
        fn(function* main() {
          const x = yield* safe(p);
          return x.ok ? "ok" : x.format();
        })(),
        opts,
      );
      return r.value;
    };
    assert.equal(viaSafe(recover(inner(1), Unavailable, () => 0)), viaSafe(inner(1)));
  }
});

test("traceback: the error's origin is not re-recorded where recover rethrows it, through a task and all; f rethrowing it keeps it too", () => {
  const inTask = (p: ReturnType<typeof inner> | ReturnType<typeof recover>) =>
    run(main(all([job("a", 5, 0), p])), { handlers: TK(), store: { x: 1 } }).format();
  const plain = inTask(inner(2));
  assert.equal(
    plain.replace(/:\d+\n/g, ":N\n"),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  all",
      "  ── in task 2 ──",
      "  inner",
      "  lookUp",
      "  thrown at test/toolkit-recover.test.ts:N",
      "NotFound: no user 2",
    ].join("\n"),
  );
  assert.equal(inTask(recover(inner(2), Unavailable, () => 0)), plain);
  assert.equal(
    inTask(
      recover(inner(2), NotFound, (e) => {
        throw e;
      }),
    ),
    plain,
  );
  // around the all: rethrown by all at main's wait, then by recover
  const around = run(main(recover(all([job("a", 5, 0), inner(2)]), Unavailable, () => [])), {
    handlers: TK(),
    store: { x: 1 },
  }).format();
  assert.equal(
    around,
    run(main(all([job("a", 5, 0), inner(2)])), { handlers: TK(), store: { x: 1 } }).format(),
  );
});

test("f returning a Promise or a generator object: a TypeError at recover whose cause is the error it recovered from", () => {
  const e = new NotFound(1);
  const r = run(recover(throwing(e), NotFound, (() => Promise.resolve(1)) as unknown as () => number), {
    handlers: TK(),
  });
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "recover's function returned a Promise for NotFound object; return a plain value or a program: (e) => awaitPromise(() => …) for async work, fn(function* (e) { … }) to perform effects (the cause: that error)",
  );
  assert.equal(r.error.cause, e);
  const gen = function* () {
    return 1;
  };
  const r2 = run(recover(throwing(e), NotFound, (() => gen()) as unknown as () => number), {
    handlers: TK(),
  });
  assert.ok(r2.error instanceof TypeError);
  assert.match(r2.error.message, /^recover's function returned a generator object for NotFound object; /);
});

test("a recover program is lazy and re-runnable; the list of classes is copied at the call", () => {
  const classes: (typeof NotFound | typeof Unavailable)[] = [NotFound];
  let n = 0;
  const p = recover(throwing(new Unavailable("u")), classes, () => ++n);
  classes.push(Unavailable);
  assert.ok(run(p, { handlers: TK() }).error instanceof Unavailable);
  const q = recover(throwing(new NotFound(1)), NotFound, () => ++n);
  assert.equal(run(q, { handlers: TK() }).value, 1);
  assert.equal(run(q, { handlers: TK() }).value, 2);
});

test("bad input: a TypeError at the call that names what is wrong and what to write", () => {
  const p = job("a", 1, 1);
  const msg = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof TypeError, String(e));
      return e.message;
    }
    assert.fail("no TypeError");
  };
  const head =
    "recover expects an error class (class NotFound extends Error {}) or a non-empty list of them second, got ";
  const notAClass =
    ", which is not a class (matched with instanceof; to test errors otherwise, catch and rethrow the rest)";
  const r = recover as (...args: unknown[]) => unknown;
  assert.equal(
    msg(() => r(42, NotFound, () => 0)),
    "recover expects a Program, Effect or primitive, got 42",
  );
  assert.equal(
    msg(() =>
      r(
        p,
        (e: unknown) => e instanceof NotFound,
        () => 0,
      ),
    ),
    `${head}function (anonymous)${notAClass}`,
  );
  assert.equal(
    msg(() =>
      r(
        p,
        function isNotFound(e: unknown) {
          return e instanceof NotFound;
        },
        () => 0,
      ),
    ),
    `${head}function isNotFound${notAClass}`,
  );
  assert.equal(
    msg(() => r(p, "NotFound", () => 0)),
    `${head}"NotFound"`,
  );
  assert.equal(
    msg(() => r(p, new NotFound(1), () => 0)),
    `${head}NotFound object, an instance: give its class, NotFound`,
  );
  assert.equal(
    msg(() => r(p, [], () => 0)),
    `${head}an empty list`,
  );
  assert.equal(
    msg(() => r(p, [NotFound, "x"], () => 0)),
    `${head}"x" (item 1)`,
  );
  assert.equal(
    msg(() => r(p, undefined, () => 0)),
    `${head}undefined`,
  );
  assert.equal(
    msg(() => r(p, NotFound, 0)),
    "recover expects a function (error) => value third, e.g. recover(p, NotFound, () => undefined), got 0",
  );
  assert.equal(
    msg(() => r(p, NotFound, async () => 0)),
    "recover's function is an async function; return a plain value or a program: (e) => awaitPromise(() => …) for async work, fn(function* (e) { … }) to perform effects",
  );
  assert.equal(
    msg(() =>
      r(p, NotFound, function* () {
        return 0;
      }),
    ),
    "recover's function is a generator function; return a plain value or a program: (e) => awaitPromise(() => …) for async work, fn(function* (e) { … }) to perform effects",
  );
  // classes of every kind are taken: native ones, a class with no body, an ES5 constructor with methods
  function Legacy(this: { code: number }) {
    this.code = 1;
  }
  Legacy.prototype.describe = () => "legacy";
  for (const C of [Error, TypeError, AggregateError, class {}, Legacy, TimeoutError])
    assert.doesNotThrow(() => r(p, C, () => 0));
  assert.ok(run(p, { handlers: [scheduler, simulatedTime(), state, writer] }).ok);
});
