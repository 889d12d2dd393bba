/**
 * What an effection 4 user porting to doeff runs into, each run side by side: the effection program
 * as they write it (real timers, a few ms apart) and its doeff port (virtual time unless it needs
 * the event loop), with the exact order of events in each. Where they differ, the doeff idiom that
 * gives effection's behaviour is run too. docs/coming-from-effection.md says each of these in words.
 */
import assert from "node:assert/strict";
import { spawn as spawnProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as E from "effection";
import {
  all,
  ask,
  awaitPromise,
  cancel,
  createChannel,
  createExternalPromise,
  createPromise,
  DeadlockError,
  getAbortSignal,
  delay,
  eventChannel,
  fn,
  local,
  MissingEnvKeyError,
  type Program,
  program,
  race,
  raceAll,
  reader,
  realTime,
  receive,
  run,
  runAsync,
  scheduler,
  scoped,
  send,
  simulatedTime,
  spawn,
  TaskCancelledError,
  TimeoutError,
  timeout,
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

function* jobE(name: string, ms: number, fails = false): E.Operation<string> {
  try {
    yield* E.sleep(ms);
    if (fails) {
      ev.push(`${name} fails`);
      throw new Error(name);
    }
    ev.push(`${name} done`);
    return name;
  } finally {
    ev.push(`${name} finally`);
  }
}
const jobD = fn(function* job(name: string, ms: number, fails = false) {
  try {
    yield* delay(ms);
    if (fails) {
      ev.push(`${name} fails`);
      throw new Error(name);
    }
    ev.push(`${name} done`);
    return name;
  } finally {
    ev.push(`${name} finally`);
  }
});

test("race: effection's is won by the first to end, a failure too; doeff's raceAll by the first to succeed, race over tasks as effection's", async () => {
  await assert.rejects(
    E.run(() => E.race([jobE("a", 5, true), jobE("b", 10)])),
    { message: "a" },
  );
  assert.deepEqual(ev, ["a fails", "a finally", "b finally"]);
  ev.length = 0;
  assert.equal(run(raceAll([jobD("a", 5, true), jobD("b", 10)]), S()).value, "b");
  assert.deepEqual(ev, ["a fails", "a finally", "b done", "b finally"]);
  ev.length = 0;
  const r = run(
    scoped(
      program(function* () {
        const a = yield* spawn(jobD("a", 5, true));
        const b = yield* spawn(jobD("b", 10));
        return (yield* race(a, b)).value;
      }),
    ),
    S(),
  );
  assert.equal((r.error as Error).message, "a");
  assert.deepEqual(ev, ["a fails", "a finally", "b finally"]);
});

test("race and all halt the others in the same order in both libraries", async () => {
  assert.equal(await E.run(() => E.race([jobE("a", 20), jobE("b", 10), jobE("c", 30)])), "b");
  const effectionRace = [...ev];
  ev.length = 0;
  assert.equal(run(raceAll([jobD("a", 20), jobD("b", 10), jobD("c", 30)]), S()).value, "b");
  assert.deepEqual(effectionRace, ["b done", "b finally", "a finally", "c finally"]);
  assert.deepEqual(ev, effectionRace);
  ev.length = 0;
  await assert.rejects(
    E.run(() => E.all([jobE("a", 20), jobE("b", 10, true), jobE("c", 30)])),
    { message: "b" },
  );
  const effectionAll = [...ev];
  ev.length = 0;
  assert.equal(
    (run(all([jobD("a", 20), jobD("b", 10, true), jobD("c", 30)]), S()).error as Error).message,
    "b",
  );
  assert.deepEqual(effectionAll, ["b fails", "b finally", "a finally", "c finally"]);
  assert.deepEqual(ev, effectionAll);
});

test("call + useAbortSignal and awaitPromise((signal) => …): a deadline aborts the request in both", async () => {
  const request = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => resolve("data"), 500);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        ev.push("request aborted");
        reject(signal.reason);
      });
    });
  function* fetchE(): E.Operation<string> {
    const signal = yield* E.useAbortSignal();
    return yield* E.call(() => request(signal));
  }
  function* deadlineE(ms: number): E.Operation<never> {
    yield* E.sleep(ms);
    ev.push("deadline");
    throw new Error(`timed out after ${ms} ms`);
  }
  await assert.rejects(
    E.run(() => E.race([E.call(fetchE), deadlineE(20)])),
    { message: "timed out after 20 ms" },
  );
  assert.deepEqual(ev, ["deadline", "request aborted"]);
  ev.length = 0;
  const r = await runAsync(timeout(awaitPromise(request), 20), { handlers: [scheduler, realTime] });
  assert.ok(r.error instanceof TimeoutError);
  assert.deepEqual(ev, ["request aborted"]);
});

test("channels: effection's broadcasts each message to every subscriber, doeff's hands it to one receiver", async () => {
  await E.run(function* () {
    const ch = E.createChannel<string, void>();
    for (const n of ["x", "y"])
      yield* E.spawn(function* () {
        const sub = yield* ch;
        ev.push(`${n} got ${(yield* sub.next()).value}`);
      });
    yield* E.sleep(0);
    yield* ch.send("hello");
    yield* E.sleep(0);
  });
  assert.deepEqual(ev, ["x got hello", "y got hello"]);
  ev.length = 0;
  const rx = fn(function* rx(name: string, ch: Parameters<typeof receive>[0]) {
    const m = yield* receive(ch);
    ev.push(`${name} got ${m.done ? "done" : m.value}`);
  });
  run(
    program(function* () {
      const ch = yield* createChannel<string>();
      for (const n of ["x", "y"]) yield* spawn(rx(n, ch));
      yield* delay(0);
      yield* send(ch, "hello");
      yield* delay(0);
    }),
    S(),
  );
  assert.deepEqual(ev, ["x got hello"]);
});

test("createSignal + each and eventChannel + receive: an outside source into a loop, both end at close", async () => {
  await E.run(function* () {
    const sig = E.createSignal<number, void>();
    setTimeout(() => {
      sig.send(1);
      sig.send(2);
      sig.close();
    }, 5);
    for (const v of yield* E.each(sig)) {
      ev.push(`got ${v}`);
      yield* E.each.next();
    }
    ev.push("loop ended");
  });
  const effection = [...ev];
  ev.length = 0;
  const r = await runAsync(
    program(function* () {
      const ch = yield* eventChannel<number>((emit, close) => {
        const t = setTimeout(() => {
          emit(1);
          emit(2);
          close();
        }, 5);
        return () => clearTimeout(t);
      });
      for (let m = yield* receive(ch); !m.done; m = yield* receive(ch)) ev.push(`got ${m.value}`);
      ev.push("loop ended");
    }),
    { handlers: [scheduler, realTime] },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(effection, ["got 1", "got 2", "loop ended"]);
  assert.deepEqual(ev, effection);
});

test("createContext and ask/local: with ≈ local; a missing value is an error in both; a child sees a later set in effection, doeff's env is a snapshot at spawn", async () => {
  const User = E.createContext<string>("user", "anon");
  await E.run(function* () {
    yield* E.spawn(function* () {
      yield* E.sleep(5);
      ev.push(`child sees ${yield* User.expect()}`);
    });
    yield* User.set("ada");
    ev.push(`with: ${yield* User.with("bob", () => User.expect())}`);
    yield* E.sleep(10);
  });
  assert.deepEqual(ev, ["with: bob", "child sees ada"]);
  ev.length = 0;
  const child = fn(function* child() {
    yield* delay(5);
    ev.push(`child sees ${yield* ask<string>("user")}`);
  });
  run(
    program(function* () {
      yield* spawn(child());
      yield* local({ user: "ada" }, spawn(child()));
      ev.push(`local: ${yield* local({ user: "bob" }, ask<string>("user"))}`);
      yield* delay(10);
    }),
    { handlers: [scheduler, simulatedTime(), reader], env: { user: "anon" } },
  );
  assert.deepEqual(ev, ["local: bob", "child sees anon", "child sees ada"]);
  const Missing = E.createContext<string>("tenant");
  await assert.rejects(
    E.run(() => Missing.expect()),
    (e: Error) => e.name === "MissingContextError",
  );
  assert.ok(run(ask("tenant"), { handlers: [reader] }).error instanceof MissingEnvKeyError);
});

test("suspend: halted with its scope in both; in doeff, main waiting on nothing at all is a DeadlockError", async () => {
  await E.run(function* () {
    yield* E.spawn(function* () {
      try {
        yield* E.suspend();
      } finally {
        ev.push("suspended task halted");
      }
    });
    yield* E.sleep(1);
  });
  assert.deepEqual(ev, ["suspended task halted"]);
  ev.length = 0;
  const suspend = fn(function* suspend() {
    return yield* wait((yield* createPromise<never>()).future);
  });
  const forever = fn(function* forever() {
    try {
      yield* suspend();
    } finally {
      ev.push("suspended task halted");
    }
  });
  run(
    program(function* () {
      yield* spawn(forever());
      yield* delay(1);
    }),
    S(),
  );
  assert.deepEqual(ev, ["suspended task halted"]);
  assert.ok(run(suspend(), S()).error instanceof DeadlockError);
});

test("withResolvers and createExternalPromise: resolved from a callback outside", async () => {
  const e = await E.run(function* () {
    const { operation, resolve } = E.withResolvers<number>();
    setTimeout(() => resolve(42), 5);
    return yield* operation;
  });
  const d = await runAsync(
    program(function* () {
      const ext = yield* createExternalPromise<number>();
      setTimeout(() => ext.complete(42), 5);
      return yield* wait(ext.future);
    }),
    { handlers: [scheduler] },
  );
  assert.deepEqual([e, d.value], [42, 42]);
});

test("spawn(() => op) and spawn(function* () {…}), as effection writes them: the error says to pass the program itself", () => {
  const loose = (f: unknown) => f as (...args: unknown[]) => unknown;
  const job = fn(function* job() {
    yield* delay(1);
    return 1;
  });
  const arrow = () => job();
  const typed = spawn(job()); // (the type of what spawn answers)
  const generator = function* work() {
    yield* delay(1);
  };
  const arrowMessage = (where: string) =>
    `${where} expects a Program, Effect or primitive, got function arrow: pass the program itself, job(…), not () => job(…) (effection's spawn takes a function, doeff's the program)`;
  const generatorMessage = (where: string) =>
    `${where} expects a Program, Effect or primitive, got the generator function work: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})`;
  const r = run(
    program(function* () {
      return yield* wait(yield* loose(spawn)(arrow) as typeof typed);
    }),
    S(),
  );
  assert.ok(r.error instanceof TypeError);
  assert.equal(r.error.message, arrowMessage("spawn"));
  assert.throws(() => loose(spawn)(generator), { name: "TypeError", message: generatorMessage("spawn") });
  assert.throws(() => loose(all)([job(), arrow]), {
    name: "TypeError",
    message: arrowMessage("all (item 1)"),
  });
  assert.throws(() => loose(raceAll)({ a: generator }), {
    name: "TypeError",
    message: generatorMessage('raceAll (key "a")'),
  });
  assert.throws(() => loose(scoped)(generator), { name: "TypeError", message: generatorMessage("scoped") });
  assert.throws(() => loose(timeout)(arrow, 5), { name: "TypeError", message: arrowMessage("timeout") });
  // an fn wrapper passed uncalled is "a function that returns the program" too
  assert.throws(() => loose(spawn)(job), {
    name: "TypeError",
    message: arrowMessage("spawn").replace("function arrow", "function job"),
  });
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

test("useAbortSignal aborts when the task's scope ends, even on success; doeff's getAbortSignal only when the task is cancelled", async () => {
  let signal: AbortSignal | undefined;
  await E.run(function* () {
    const t = yield* E.spawn(function* () {
      signal = yield* E.useAbortSignal();
      signal.addEventListener("abort", () => ev.push("aborted"));
      ev.push("task returns");
    });
    yield* t;
    ev.push(`after: aborted=${signal?.aborted}`);
  });
  assert.deepEqual(ev, ["task returns", "aborted", "after: aborted=true"]);
  ev.length = 0;
  const task = fn(function* task() {
    signal = yield* getAbortSignal();
    signal.addEventListener("abort", () => ev.push("aborted"));
    ev.push("task returns");
  });
  run(
    program(function* () {
      yield* wait(yield* spawn(task()));
      ev.push(`after: aborted=${signal?.aborted}`);
    }),
    S(),
  );
  assert.deepEqual(ev, ["task returns", "after: aborted=false"]);
});

// docs/coming-from-effection.md's port: examples/from-effection/, each file shown exactly on the page,
// and both programs run to "ready", take a SIGINT and print the same lines
const root = fileURLToPath(new URL("..", import.meta.url));
const page = readFileSync(`${root}docs/coming-from-effection.md`, "utf8");

for (const file of ["effection.ts", "doeff.ts"]) {
  test(`docs/coming-from-effection.md shows examples/from-effection/${file} exactly`, () => {
    const src = readFileSync(`${root}examples/from-effection/${file}`, "utf8").replaceAll(
      '"../../src/index.js"',
      '"doeff"',
    );
    assert.ok(page.includes(`\`\`\`ts\n${src}\`\`\`\n`), `the page has a block that is ${file}, as it is`);
  });
}

/** Runs the file until it prints "ready", sends it SIGINT, and answers its output and exit code. */
function runUntilReady(file: string): Promise<{ lines: string[]; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnProcess(process.execPath, ["--import", "tsx", `examples/from-effection/${file}`], {
      cwd: root,
    });
    let out = "";
    let err = "";
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} did not get ready in 30 s: ${out}${err}`));
    }, 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (!before.includes("ready;") && out.includes("ready;")) child.kill("SIGINT");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("close", (code) => {
      clearTimeout(guard);
      if (err !== "") reject(new Error(`${file} wrote to stderr: ${err}`));
      else resolve({ lines: out.trimEnd().split("\n"), code });
    });
  });
}

test("examples/from-effection: effection's main and the doeff port print the same lines and exit 130 on Ctrl-C", async () => {
  const lines = [
    "connected to feed.example",
    "seen 101, 102, 99 via feed.example; listeners left: 0",
    "ready; Ctrl-C to stop",
    "heartbeat stopped",
    "disconnected",
  ];
  const [effection, doeff] = await Promise.all([runUntilReady("effection.ts"), runUntilReady("doeff.ts")]);
  assert.deepEqual(effection, { lines, code: 130 });
  assert.deepEqual(doeff, { lines, code: 130 });
  assert.ok(page.includes(`\n\`\`\`\n${lines.join("\n")}\n\`\`\`\n`), "the page shows the output");
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
        yield* E.sleep(50);
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
      yield* delay(50);
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
