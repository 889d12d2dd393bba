/**
 * effection 4 and doeff side by side (see test/from-effection.test.ts): race and all, call and abort
 * signals, channels and signals, context, suspend, withResolvers, spawn given a function; and
 * docs/coming-from-effection.md's port, examples/from-effection/, run with a SIGINT.
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
  TimeoutError,
  timeout,
  wait,
} from "../src/index.js";

const ev: string[] = [];
beforeEach(() => {
  ev.length = 0;
});
const S = () => ({ handlers: [scheduler, simulatedTime()] as const });

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
  // an fn wrapper passed uncalled is told to be called (the arrow's advice, "not () => job(…)",
  // named an arrow that was not written)
  assert.throws(() => loose(spawn)(job), {
    name: "TypeError",
    message:
      "spawn expects a Program, Effect or primitive, got function job, made by fn but not called: pass the program it makes, job(…)",
  });
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
