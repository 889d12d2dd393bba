/** H. Reader, local, lazy env (SEMANTICS §7.4). H10 needs the scheduler and is tested elsewhere. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  CircularAskError,
  delay,
  get,
  local,
  MissingEnvKeyError,
  put,
  type RunResult,
  reader,
  run,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  state,
  tell,
  wait,
  writer,
} from "../src/index.js";
import { P } from "./helpers.js";

function assertErr(r: RunResult<unknown>, cls: abstract new (...a: any[]) => unknown): void {
  assert.equal(r.ok, false, `expected Err(${cls.name}), got Ok(${String(r.ok ? r.value : "")})`);
  assert.ok(r.error instanceof cls, `expected ${cls.name}, got ${String(r.error)}`);
  assert.equal((r.error as object).constructor, cls);
}

test("H1 ask reads the env option", () => {
  const r = run(ask("name"), { handlers: [reader], env: { name: "doeff" } });
  assert.equal(r.value, "doeff");
});

test("H2 ask of a missing key → MissingEnvKeyError {key} at the site", () => {
  const r = run(
    P(function* () {
      try {
        yield* ask("k");
        return "unreached";
      } catch (e) {
        return [e instanceof MissingEnvKeyError, (e as MissingEnvKeyError).key];
      }
    }),
    { handlers: [reader] },
  );
  assert.deepEqual(r.value, [true, "k"]);
  const r2 = run(ask("k"), { handlers: [reader] });
  assertErr(r2, MissingEnvKeyError);
});

test("H3 local overlays the env for its program only", () => {
  const r = run(
    P(function* () {
      return [yield* local({ a: 2 }, ask("a")), yield* ask("a")];
    }),
    { handlers: [reader], env: { a: 1 } },
  );
  assert.deepEqual(r.value, [2, 1]);
});

test("H4 local restores the env when its program throws", () => {
  const r = run(
    P(function* () {
      const x = yield* safe(
        local(
          { a: 2 },
          P(function* () {
            throw new Error("x");
          }),
        ),
      );
      return [x.isErr(), yield* ask("a")];
    }),
    { handlers: [reader], env: { a: 1 } },
  );
  assert.deepEqual(r.value, [true, 1]);
});

test("H5 nested locals keep outer keys not overridden", () => {
  const r = run(
    local(
      { a: 2 },
      local(
        { b: 3 },
        P(function* () {
          return [yield* ask("a"), yield* ask("b")];
        }),
      ),
    ),
    { handlers: [reader], env: { a: 1, b: 1 } },
  );
  assert.deepEqual(r.value, [2, 3]);
});

test("H6 local does not scope state", () => {
  const r = run(
    P(function* () {
      yield* put("s", 1);
      yield* local({ a: 2 }, put("s", 2));
      return yield* get("s");
    }),
    { handlers: [state, reader] },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(r.store, { s: 2 });
});

test("H7 a lazy env value is evaluated once per run", () => {
  let count = 0;
  const cfg = P(function* () {
    count++;
    return 5;
  });
  const p = P(function* () {
    return [yield* ask("cfg"), yield* ask("cfg")];
  });
  const r = run(p, { handlers: [reader], env: { cfg } });
  assert.deepEqual(r.value, [5, 5]);
  assert.equal(count, 1);
  const r2 = run(p, { handlers: [reader], env: { cfg } });
  assert.deepEqual(r2.value, [5, 5]);
  assert.equal(count, 2);
});

test("H8 a lazy value's effects are handled at the ask site; evaluated once", () => {
  const r = run(
    P(function* () {
      return [yield* ask("cfg"), yield* ask("cfg")];
    }),
    {
      handlers: [reader, writer],
      env: {
        base: 10,
        cfg: P(function* () {
          const b = yield* ask<number>("base");
          yield* tell("computing");
          return b * 2;
        }),
      },
    },
  );
  assert.deepEqual(r.value, [20, 20]);
  assert.deepEqual(r.log, ["computing"]);
});

test("H9 a failed lazy evaluation is not cached; a later ask retries", () => {
  let attempts = 0;
  const cfg = P(function* () {
    attempts++;
    if (attempts === 1) throw new Error("first");
    return "ok";
  });
  const r = run(
    P(function* () {
      const r1 = yield* safe(ask("cfg"));
      const r2 = yield* ask("cfg");
      return [r1.isErr(), (r1.error as Error).message, r2, attempts];
    }),
    { handlers: [reader], env: { cfg } },
  );
  assert.deepEqual(r.value, [true, "first", "ok", 2]);
});

test("H11 a lazy value asking for itself → CircularAskError", () => {
  const r = run(ask("a"), {
    handlers: [reader],
    env: {
      a: P(function* () {
        return yield* ask("a");
      }),
    },
  });
  assertErr(r, CircularAskError);
  assert.equal((r.error as CircularAskError).key, "a");
});

test("H12 a lazy value given by local is evaluated at its ask", () => {
  const r = run(
    local(
      {
        x: P(function* () {
          return 9;
        }),
      },
      ask("x"),
    ),
    { handlers: [reader] },
  );
  assert.equal(r.value, 9);
});

// (review of the cache as a WeakMap keyed by the Program: the same keying as the Map it was)
test("H7 one lazy Program given by two local overlays, under two keys and in two tasks at once, is evaluated once per run", () => {
  let count = 0;
  const conn = P(function* () {
    count++;
    yield* delay(5); // (in flight while the other task asks)
    return `conn ${count}`;
  });
  const main = P(function* () {
    const a = yield* spawn(local({ db: conn }, ask<string>("db")));
    const b = yield* spawn(local({ other: conn }, local({ db: 1 }, ask<string>("other"))));
    const c = yield* local({ db: conn }, ask<string>("db"));
    return [yield* wait(a), yield* wait(b), c];
  });
  const handlers = [scheduler, simulatedTime(), reader];
  assert.deepEqual(run(main, { handlers }).value, ["conn 1", "conn 1", "conn 1"]);
  assert.equal(count, 1);
  assert.deepEqual(run(main, { handlers: [scheduler, simulatedTime(), reader] }).value, [
    "conn 2",
    "conn 2",
    "conn 2",
  ]);
  assert.equal(count, 2);
});

test("H13 the env option object is never mutated", () => {
  const env = { a: 1 };
  const r = run(local({ a: 2 }, ask("a")), { handlers: [reader], env });
  assert.equal(r.value, 2);
  assert.deepEqual(env, { a: 1 });
});

test("local accepts a Map patch (string keys), as the env option does; other keys are a TypeError", () => {
  const p = local(new Map([["user", "root"]]), ask<string>("user"));
  const r = run(p, { handlers: [reader], env: { user: "guest" } });
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, "root");
  assert.throws(() => local(new Map([[1, "x"]]) as never, ask<string>("user")), {
    name: "TypeError",
    message: "local: a Map patch needs string keys, got 1",
  });
});
