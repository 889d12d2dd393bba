/** J. safe (SEMANTICS §7.6). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  discontinue,
  Effect,
  Err,
  fn,
  get,
  handle,
  pure,
  put,
  resume,
  run,
  safe,
  scheduler,
  spawn,
  state,
  tell,
  UnhandledEffectError,
  wait,
  writer,
} from "../src/index.js";
import { body, P } from "./helpers.js";

test("J1 safe(pure(1)) → Ok(r), r.isOk(), r.value 1", () => {
  const r = run(safe(pure(1)));
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.ok, true);
  assert.equal(res.isOk(), true);
  assert.equal(res.isErr(), false);
  assert.equal(res.isOk() ? res.value : undefined, 1);
  assert.equal(res.error, undefined);
});

test("J2 safe of a failure → Err holding the very error object", () => {
  const e = new Error("x");
  const r = run(
    safe(
      P(function* () {
        throw e;
      }),
    ),
  );
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.ok, false);
  assert.equal(res.isErr(), true);
  assert.equal(res.isOk(), false);
  assert.equal(res.error, e);
});

test("J3 state and log are not rolled back by safe", () => {
  const r = run(
    P(function* () {
      yield* safe(
        P(function* () {
          yield* put("x", 2);
          yield* tell("t");
          throw new Error();
        }),
      );
      return yield* get("x");
    }),
    { handlers: [state, writer] },
  );
  assert.equal(r.value, 2);
  assert.deepEqual(r.store, { x: 2 });
  assert.deepEqual(r.log, ["t"]);
});

test("J4 nested safe: the inner catches, the outer is Ok", () => {
  const r = run(
    safe(
      safe(
        P(function* () {
          throw new Error("i");
        }),
      ),
    ),
  );
  const outer = r.value;
  assert.equal(outer.isOk(), true);
  assert.ok(outer.isOk());
  const inner = outer.value;
  assert.equal(inner.isErr(), true);
  assert.equal((inner.error as Error).message, "i");
});

test("J5 safe catches UnhandledEffectError", () => {
  const r = run(safe(body(1)));
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.isErr(), true);
  assert.ok(res.error instanceof UnhandledEffectError);
});

class Fetch extends Effect<string> {
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
  }
}
const fetches = handle(Fetch, function* (e, k) {
  if (e.url === "bad") return yield* discontinue(k, new Error(`404 for ${e.url}`));
  return yield* resume(k, "body");
});
const load = fn(function* load(url: string) {
  const b = yield* new Fetch(url);
  return b.length + (yield* get<number>("missing"));
});

test("Err.format(): an error caught inside a run has the traceback a failed run would print", () => {
  // a long-lived run (a server) catches each request's error: its report is the run's report of
  // the same error (main's chain, the task line, the failing effect and the handlers it visited)
  const serve = fn(function* serve(url: string) {
    const r = yield* safe(load(url));
    return r.ok ? "200" : r.format();
  });
  const r = run(
    P(function* main() {
      const t = yield* spawn(serve("bad"));
      const good = yield* serve("good");
      return [good, yield* wait(t)];
    }),
    { handlers: [state, scheduler, fetches] },
  );
  assert.equal(r.ok, true);
  const [good = "", bad = ""] = r.value;
  assert.equal(
    good,
    [
      "doeff traceback (outermost first):",
      '  handler handle(Fetch) for Fetch("good") ✓',
      "  main",
      "  serve",
      "  load",
      '  effect Get("missing"): handle(Fetch) ↗, scheduler ↗, state ✗',
      'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    ].join("\n"),
  );
  // (the site of the handler's discontinue: this file's line)
  assert.match(bad, /\n {2}thrown at test\/safe\.test\.ts:\d+\n/);
  assert.equal(
    bad.replace(/ {2}thrown at .*\n/, ""),
    [
      "doeff traceback (outermost first):",
      "  ── in task 1 ──",
      "  serve",
      "  load",
      '  handler handle(Fetch) for Fetch("bad") ✗',
      '  effect Fetch("bad"): handle(Fetch) ✗, scheduler ·, state ·',
      "Error: 404 for bad",
    ].join("\n"),
  );
  // the same as the run's own report when nothing catches it
  const failed = run(
    P(function* main() {
      return yield* fn(function* serve(url: string) {
        return yield* load(url);
      })("good");
    }),
    { handlers: [state, scheduler, fetches] },
  );
  assert.equal(failed.format(), good);
});

test("Err: format() is not a property (an Err prints and compares as { ok, error }); new Err(e) has no chain", () => {
  const e = new TypeError("x");
  const r = run(
    safe(
      P(function* inner() {
        throw e;
      }),
    ),
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, new Err(e));
  assert.deepEqual(Object.keys(r.value).sort(), ["error", "ok"]);
  assert.equal(Object.isFrozen(r.value), true);
  assert.match(
    r.value.format(),
    /^doeff traceback \(outermost first\):\n {2}inner\n(?: {2}thrown at .*\n)?TypeError: x$/,
  );
  assert.match(
    new Err(e).format(),
    /^doeff traceback \(outermost first\):\n(?: {2}thrown at .*\n)?TypeError: x$/,
  );
  const hostile = new Err(
    new Proxy(
      {},
      {
        get() {
          throw new Error("no");
        },
        getPrototypeOf() {
          throw new Error("no");
        },
      },
    ),
  );
  // (the report keeps what it can: the error's line says it cannot be printed; no chain, so no
  // traceback header over it)
  assert.equal(hostile.format(), "(an error that cannot be printed)");
});

test("Err.format(): a primitive thrown again at another place after safe caught it has that place's traceback, not the first one's", () => {
  // (a primitive has no identity: once safe has made it a value, a later throw of the same string is a
  // new one — it printed the first place's chain, placeA, under placeB's Err)
  const placeA = fn(function* placeA() {
    throw "busy";
  });
  const placeB = fn(function* placeB() {
    yield* tell("b");
    throw "busy";
  });
  const r = run(
    P(function* main() {
      const a = yield* safe(placeA());
      const b = yield* safe(placeB());
      const c = yield* safe(placeB());
      return [a, b, c].map((x) => (x.ok ? "ok" : x.format()));
    }),
    { handlers: [writer] },
  );
  assert.equal(r.ok, true);
  const at = (place: string) => `doeff traceback (outermost first):\n  main\n  ${place}\nthrown: "busy"`;
  assert.deepEqual(r.value, [at("placeA"), at("placeB"), at("placeB")]);
});

test("Err.format(): an error object thrown again at another place has that place's traceback; re-thrown by a frame it passed through, its first place's", () => {
  // a module-level sentinel (`const NotFound = new Error(…)`) thrown by one request and then by
  // another: the second's Err printed the first one's place
  const NotFound = new Error("not found");
  const findUser = fn(function* findUser(id: string) {
    yield* tell(id);
    throw NotFound;
  });
  const findOrder = fn(function* findOrder(id: string) {
    yield* tell(id);
    throw NotFound;
  });
  const request = fn(function* request(kind: string) {
    return kind === "user" ? yield* findUser("u1") : yield* findOrder("o1");
  });
  // re-thrown where it was caught (a frame it propagated through): still where it was thrown
  const relay = fn(function* relay() {
    try {
      return yield* findUser("u2");
    } catch (e) {
      yield* tell("logged");
      throw e;
    }
  });
  const unwrap = fn(function* unwrap() {
    const r = yield* safe(findOrder("o2"));
    if (!r.ok) throw r.error;
    return "found";
  });
  // a handler failing two effects with it
  const lookups = handle(Fetch, function* lookup(e, k) {
    yield* tell(`lookup ${e.url}`);
    return yield* discontinue(k, NotFound);
  });
  const byFetch = fn(function* byFetch(url: string) {
    return yield* new Fetch(url);
  });
  const r = run(
    P(function* main() {
      const results = [
        yield* safe(request("user")),
        yield* safe(request("order")),
        yield* safe(relay()),
        yield* safe(unwrap()),
        yield* safe(request("user")),
        yield* safe(byFetch("a")),
        yield* safe(
          fn(function* other() {
            return yield* byFetch("b");
          })(),
        ),
      ];
      return results.map((x) => (x.ok ? "ok" : x.format()));
    }),
    { handlers: [writer, lookups] },
  );
  assert.equal(r.ok, true, String(r.error));
  // (each ends with the line that made the sentinel, from its stack: the same for all)
  const made = /\n {2}thrown at test\/safe\.test\.ts:\d+\n/;
  const at = (...frames: string[]) =>
    ["doeff traceback (outermost first):", ...frames.map((f) => `  ${f}`), "Error: not found"].join("\n");
  const unmade = (s: string) => {
    assert.match(s, made);
    return s.replace(made, "\n");
  };
  const fetchAt = (url: string, ...frames: string[]) =>
    at(...frames, `handler lookup for Fetch("${url}") ✗`, `effect Fetch("${url}"): lookup ✗, writer ·`);
  assert.deepEqual(r.value.map(unmade), [
    at("main", "request", "findUser"),
    at("main", "request", "findOrder"),
    at("main", "relay", "findUser"),
    at("main", "unwrap", "findOrder"),
    at("main", "request", "findUser"),
    fetchAt("a", "main", "byFetch"),
    // (the first lookup is live: `yield* discontinue(k, …)` waits for k, which runs on to the second)
    fetchAt("b", 'handler lookup for Fetch("a") ✓', "main", "other", "byFetch"),
  ]);
  // a run that fails with it after catching it elsewhere reports where it failed
  const failed = run(
    P(function* main() {
      yield* safe(findUser("u3"));
      return yield* request("order");
    }),
    { handlers: [writer] },
  );
  assert.equal(unmade(failed.format()), at("main", "request", "findOrder"));
});
