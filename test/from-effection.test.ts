/**
 * What an effection 4 user porting to doeff runs into, each run side by side: the effection program
 * as they write it (real timers, a few ms apart) and its doeff port (virtual time unless it needs
 * the event loop), with the exact order of events in each. Where they differ, the doeff idiom that
 * gives effection's behaviour is run too. docs/coming-from-effection.md says each of these in words.
 * This file: tasks and scopes, a failing child, cleanup during a halt and an abort, resources;
 * test/from-effection-api.test.ts: race and all, promises and signals, channels, context, suspend,
 * and the page's port.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import * as E from "effection";
import {
  cancel,
  delay,
  fn,
  type Program,
  program,
  race,
  run,
  scheduler,
  scoped,
  simulatedTime,
  spawn,
  TaskCancelledError,
  wait,
} from "../src/index.js";

const ev: string[] = [];
beforeEach(() => {
  ev.length = 0;
});
const S = () => ({ handlers: [scheduler, simulatedTime()] as const });

// effection: a task that records its end; doeff: the same, as an fn
function* childE(name: string, ms = 100): E.Operation<void> {
  try {
    ev.push(`${name} start`);
    yield* E.sleep(ms);
    ev.push(`${name} done`);
  } finally {
    ev.push(`${name} finally`);
  }
}
const childD = fn(function* child(name: string, ms: number = 100) {
  try {
    ev.push(`${name} start`);
    yield* delay(ms);
    ev.push(`${name} done`);
  } finally {
    ev.push(`${name} finally`);
  }
});

function* parentE(): E.Operation<string> {
  yield* E.spawn(() => childE("a"));
  yield* E.spawn(() => childE("b"));
  yield* E.sleep(10);
  ev.push("parent returns");
  return "p";
}
const parentD = fn(function* parent() {
  yield* spawn(childD("a"));
  yield* spawn(childD("b"));
  yield* delay(10);
  ev.push("parent returns");
  return "p";
});

test("a helper called with yield* has no scope of its own in either library: its children outlive it", async () => {
  await E.run(function* () {
    ev.push(`main got ${yield* parentE()}`);
    yield* E.sleep(200);
  });
  const effection = [...ev];
  ev.length = 0;
  run(
    program(function* () {
      ev.push(`main got ${yield* parentD()}`);
      yield* delay(200);
    }),
    S(),
  );
  const expected = [
    "a start",
    "b start",
    "parent returns",
    "main got p",
    "a done",
    "a finally",
    "b done",
    "b finally",
  ];
  assert.deepEqual(effection, expected);
  assert.deepEqual(ev, expected);
});

test("scoped() halts the children at its end in both; effection halts the last spawned first, doeff the first", async () => {
  await E.run(function* () {
    ev.push(`main got ${yield* E.scoped(parentE)}`);
  });
  assert.deepEqual(ev, ["a start", "b start", "parent returns", "b finally", "a finally", "main got p"]);
  ev.length = 0;
  run(
    program(function* () {
      ev.push(`main got ${yield* scoped(parentD())}`);
    }),
    S(),
  );
  assert.deepEqual(ev, ["a start", "b start", "parent returns", "a finally", "b finally", "main got p"]);
});

test("nested scoped gives effection's last-in-first-out teardown (b uses what a opened)", () => {
  const withA = fn(function* withA<T>(body: Program<T, any>) {
    yield* spawn(childD("a"));
    return yield* scoped(body);
  });
  run(
    scoped(
      withA(
        program(function* () {
          yield* spawn(childD("b"));
          yield* delay(10);
          ev.push("body returns");
        }),
      ),
    ),
    S(),
  );
  assert.deepEqual(ev, ["a start", "b start", "body returns", "b finally", "a finally"]);
});

test("a spawned task that returns: effection halts its children, doeff's run on; spawn(scoped(p)) halts them", async () => {
  await E.run(function* () {
    const t = yield* E.spawn(parentE);
    ev.push(`main got ${yield* t}`);
    yield* E.sleep(200);
  });
  assert.deepEqual(ev, ["a start", "b start", "parent returns", "b finally", "a finally", "main got p"]);
  ev.length = 0;
  run(
    program(function* () {
      const t = yield* spawn(parentD());
      ev.push(`main got ${yield* wait(t)}`);
      yield* delay(200);
    }),
    S(),
  );
  assert.deepEqual(ev, [
    "a start",
    "b start",
    "parent returns",
    "main got p",
    "a done",
    "a finally",
    "b done",
    "b finally",
  ]);
  ev.length = 0;
  run(
    program(function* () {
      const t = yield* spawn(scoped(parentD()));
      ev.push(`main got ${yield* wait(t)}`);
      yield* delay(200);
    }),
    S(),
  );
  assert.deepEqual(ev, ["a start", "b start", "parent returns", "a finally", "b finally", "main got p"]);
});

test("main returning halts the tasks still running in both (effection last spawned first, doeff first spawned first)", async () => {
  await E.run(function* () {
    yield* E.spawn(() => childE("a"));
    yield* E.spawn(() => childE("b"));
    yield* E.sleep(1);
    ev.push("main returns");
  });
  assert.deepEqual(ev, ["a start", "b start", "main returns", "b finally", "a finally"]);
  ev.length = 0;
  const r = run(
    program(function* () {
      yield* spawn(childD("a"));
      yield* spawn(childD("b"));
      yield* delay(1);
      ev.push("main returns");
    }),
    S(),
  );
  assert.equal(r.ok, true);
  assert.deepEqual(ev, ["a start", "b start", "main returns", "a finally", "b finally"]);
});

const boom = new Error("lost connection");
function* heartbeatE(): E.Operation<void> {
  try {
    yield* E.sleep(5);
    ev.push("heartbeat fails");
    throw boom;
  } finally {
    ev.push("heartbeat finally");
  }
}
const heartbeatD = fn(function* heartbeat() {
  try {
    yield* delay(5);
    ev.push("heartbeat fails");
    throw boom;
  } finally {
    ev.push("heartbeat finally");
  }
});
function* workE(): E.Operation<string> {
  try {
    yield* E.sleep(100);
    ev.push("work done");
    return "result";
  } finally {
    ev.push("work finally");
  }
}
const workD = fn(function* work() {
  try {
    yield* delay(100);
    ev.push("work done");
    return "result";
  } finally {
    ev.push("work finally");
  }
});

test("a child that fails: effection tears down its parent and the run rejects; doeff's parent goes on and the error is a warning", async () => {
  await assert.rejects(
    E.run(function* () {
      yield* E.spawn(heartbeatE);
      return yield* workE();
    }),
    (e) => e === boom,
  );
  assert.deepEqual(ev, ["heartbeat fails", "heartbeat finally", "work finally"]);
  ev.length = 0;
  const r = run(
    program(function* () {
      yield* spawn(heartbeatD());
      return yield* workD();
    }),
    S(),
  );
  assert.deepEqual(ev, ["heartbeat fails", "heartbeat finally", "work done", "work finally"]);
  assert.equal(r.value, "result");
  assert.deepEqual(r.warnings, [boom]);
  assert.match(r.format(), /task 1 failed and nothing waited for it/);
});

test("a child that fails inside scoped: effection's scoped throws its error, doeff's scoped ends the child's siblings but does not wait on it", async () => {
  await assert.rejects(
    E.run(() =>
      E.scoped(function* () {
        yield* E.spawn(heartbeatE);
        return yield* workE();
      }),
    ),
    (e) => e === boom,
  );
  assert.deepEqual(ev, ["heartbeat fails", "heartbeat finally", "work finally"]);
  ev.length = 0;
  const r = run(
    scoped(
      program(function* () {
        yield* spawn(heartbeatD());
        return yield* workD();
      }),
    ),
    S(),
  );
  assert.equal(r.value, "result");
  assert.deepEqual(r.warnings, [boom]);
  assert.deepEqual(ev, ["heartbeat fails", "heartbeat finally", "work done", "work finally"]);
});

test("effection's failing child in doeff: race the work against the child's task inside scoped", async () => {
  const r = run(
    scoped(
      program(function* () {
        const hb = yield* spawn(heartbeatD());
        const w = yield* spawn(workD());
        return (yield* race(w, hb)).value; // decided by the first to end: the child's failure, or the work's value
      }),
    ),
    S(),
  );
  assert.equal(r.error, boom);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(ev, ["heartbeat fails", "heartbeat finally", "work finally"]);
});

test("cleanup that waits during a halt: effection waits for it, doeff throws TaskCancelledError at the wait", async () => {
  function* slowCloseE(): E.Operation<void> {
    try {
      yield* E.sleep(100);
    } finally {
      ev.push("closing");
      yield* E.sleep(5);
      ev.push("closed");
    }
  }
  await E.run(function* () {
    const t = yield* E.spawn(slowCloseE);
    yield* E.sleep(1);
    yield* t.halt();
    ev.push("halted");
  });
  assert.deepEqual(ev, ["closing", "closed", "halted"]);
  ev.length = 0;
  const slowCloseD = fn(function* slowClose() {
    try {
      yield* delay(100);
    } finally {
      ev.push("closing");
      yield* delay(5);
      ev.push("closed");
    }
  });
  const r = run(
    program(function* () {
      const t = yield* spawn(slowCloseD());
      yield* delay(1);
      yield* cancel(t);
      ev.push("halted");
    }),
    S(),
  );
  assert.deepEqual(ev, ["closing", "halted"]);
  assert.equal(r.ok, true);
  assert.equal(r.warnings.length, 1);
  assert.ok(r.warnings[0] instanceof TaskCancelledError);
});

test("an aborted run (Ctrl-C) closes main's finally blocks before the tasks; scoped inside the resource stops its users first", () => {
  const withConnection = fn(function* withConnection<T, Eff>(body: Program<T, Eff>) {
    try {
      return yield* body;
    } finally {
      ev.push("disconnected");
    }
  });
  const heartbeat = fn(function* heartbeat() {
    try {
      for (;;) yield* delay(1000);
    } finally {
      ev.push("heartbeat stopped");
    }
  });
  const body = (controller: AbortController) =>
    program(function* () {
      yield* spawn(heartbeat());
      yield* delay(10);
      controller.abort(new Error("SIGINT")); // what the SIGINT listener does
      yield* delay(10);
    });
  for (const wrap of [(p: Program<void, any>) => p, (p: Program<void, any>) => scoped(p)]) {
    const controller = new AbortController();
    const r = run(withConnection(wrap(body(controller))), { ...S(), signal: controller.signal });
    assert.equal((r.error as Error).message, "SIGINT");
  }
  assert.deepEqual(ev, ["disconnected", "heartbeat stopped", "heartbeat stopped", "disconnected"]);
});

test("a cleanup already waiting when the halt comes is cut at its wait in both libraries", async () => {
  await E.run(function* () {
    const t = yield* E.spawn(function* () {
      try {
        yield* E.sleep(1);
      } finally {
        ev.push("cleanup waits");
        yield* E.sleep(2000); // (the halt at 10 ms cuts it: a long wait keeps a loaded machine's late timers from finishing it first)
        ev.push("cleanup done");
      }
    });
    yield* E.sleep(10);
    yield* t.halt();
    ev.push("halted");
  });
  const effection = [...ev];
  ev.length = 0;
  const task = fn(function* task() {
    try {
      yield* delay(1);
    } finally {
      ev.push("cleanup waits");
      yield* delay(2000);
      ev.push("cleanup done");
    }
  });
  const r = run(
    program(function* () {
      const t = yield* spawn(task());
      yield* delay(10);
      yield* cancel(t);
      ev.push("halted");
    }),
    S(),
  );
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(effection, ["cleanup waits", "halted"]);
  assert.deepEqual(ev, effection);
});

test("resource + ensure and a bracket fn: both close last-opened first, after the body's own finally in effection", async () => {
  function useConn(name: string): E.Operation<string> {
    return E.resource(function* (provide) {
      ev.push(`open ${name}`);
      try {
        yield* provide(name);
      } finally {
        ev.push(`close ${name}`);
      }
    });
  }
  await E.run(function* () {
    try {
      const a = yield* useConn("a");
      const b = yield* useConn("b");
      yield* E.ensure(() => {
        ev.push("ensure");
      });
      ev.push(`use ${a} ${b}`);
    } finally {
      ev.push("body finally");
    }
  });
  assert.deepEqual(ev, ["open a", "open b", "use a b", "body finally", "ensure", "close b", "close a"]);
  ev.length = 0;
  const withConn = fn(function* withConn<T, Eff>(name: string, body: (conn: string) => Program<T, Eff>) {
    ev.push(`open ${name}`);
    try {
      return yield* body(name);
    } finally {
      ev.push(`close ${name}`);
    }
  });
  const use = (a: string, b: string) =>
    program(function* () {
      try {
        ev.push(`use ${a} ${b}`);
        yield* delay(1);
        return 1;
      } finally {
        ev.push("body finally");
      }
    });
  const r = run(
    withConn("a", (a) => withConn("b", (b) => use(a, b))),
    S(),
  );
  assert.equal(r.value, 1);
  assert.deepEqual(ev, ["open a", "open b", "use a b", "body finally", "close b", "close a"]);
});
