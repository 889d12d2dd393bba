/**
 * A run's fixed cost (run/run.ts start and made, run/context.ts): what a run makes only when
 * something uses it. `RunContext.user` is made when first read; the state map of a run given no
 * `store` when first read (a state effect, `getRunContext().current.state`); the log when first
 * written. Counted with a Map that counts its constructions (the library's `new Map()` reads the
 * global), and checked against what each run reports: values, stores, logs and sharing exactly as
 * before.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  Effect,
  fn,
  gather,
  get,
  getRunContext,
  put,
  pure,
  type RunContext,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  tell,
  writer,
} from "../src/index.js";
import type { TaskCtx } from "../src/run/context.js";

class Tick extends Effect<number> {
  declare readonly _tag: "Tick";
}
const tick = answer(Tick, () => 1);

const noEffects = fn(function* noEffects() {
  return 1;
});
const ticks = fn(function* ticks() {
  return (yield* new Tick()) + (yield* new Tick());
});

/** The Maps constructed (anywhere) while `f` runs. */
function mapsMade<T>(f: () => T): { value: T; maps: number } {
  const Real = globalThis.Map;
  let maps = 0;
  globalThis.Map = class CountedMap<K, V> extends Real<K, V> {
    constructor(entries?: Iterable<readonly [K, V]> | null) {
      super(entries);
      maps++;
    }
  } as MapConstructor;
  try {
    return { value: f(), maps };
  } finally {
    globalThis.Map = Real;
  }
}

test("fixed cost: a run that reads neither RunContext.user nor a state map makes no Map", () => {
  // (once first: a module's own first-use caches are not the run's)
  run(ticks(), { handlers: [tick] });
  const bare = mapsMade(() => run(noEffects()));
  assert.equal(bare.value.value, 1);
  assert.deepEqual(bare.value.store, {});
  assert.equal(bare.maps, 0);
  const handled = mapsMade(() => run(ticks(), { handlers: [tick] }));
  assert.equal(handled.value.value, 2);
  assert.equal(handled.maps, 0);
  // a store given: its copy, and nothing else
  const stored = mapsMade(() => run(get<number>("c"), { handlers: [state], store: { c: 5 } }));
  assert.equal(stored.value.value, 5);
  assert.deepEqual(stored.value.store, { c: 5 });
  assert.equal(stored.maps, 1);
});

test("fixed cost: the state map of a run given no store is made by its first use, and is the run's", () => {
  const p = fn(function* usesState() {
    const before = (yield* getRunContext()).current.state;
    yield* put("n", 1);
    const after = (yield* getRunContext()).current.state;
    return [before === after, before.size, yield* get<number>("n")];
  });
  const counted = mapsMade(() => run(p(), { handlers: [state] }));
  assert.deepEqual(counted.value.value, [true, 1, 1]);
  assert.deepEqual(counted.value.store, { n: 1 });
  assert.ok(Object.isFrozen(counted.value.store));
  assert.equal(counted.maps, 1);
  // a missing key is still the handler's error, not a map made somewhere else
  const missing = run(get("nope"), { handlers: [state] });
  assert.equal(missing.ok, false);
  assert.equal((missing.error as Error).name, "MissingStateKeyError");
  assert.deepEqual(missing.store, {});
});

test("fixed cost: tasks spawned in a run given no store share its state map (made by the first put)", async () => {
  const child = fn(function* child(i: number) {
    const n = yield* get<number>("n");
    yield* put("n", n + i);
    return n;
  });
  const main = fn(function* main() {
    yield* put("n", 10);
    const t1 = yield* spawn(child(1));
    const t2 = yield* spawn(child(2));
    const seen = yield* gather(t1, t2);
    return [...seen, yield* get<number>("n")];
  });
  for (const r of [
    run(main(), { handlers: [scheduler, state] }),
    await runAsync(main(), { handlers: [scheduler, state] }),
  ]) {
    assert.deepEqual(r.value, [10, 11, 13]);
    assert.deepEqual(r.store, { n: 13 });
  }
});

test("fixed cost: RunContext.user is one Map per run, made when first read", () => {
  const key = {};
  const p = fn(function* usesUser() {
    const a = (yield* getRunContext()).user;
    a.set(key, (a.get(key) as number | undefined) ?? 0);
    const b = (yield* getRunContext()).user;
    b.set(key, (b.get(key) as number) + 1);
    return [a === b, b.get(key), a instanceof Map];
  });
  const first = mapsMade(() => run(p()));
  assert.deepEqual(first.value.value, [true, 1, true]);
  assert.equal(first.maps, 1);
  // another run: another Map (nothing carried over)
  assert.deepEqual(run(p()).value, [true, 1, true]);
});

test("fixed cost: a run that logs nothing makes no log; one that logs keeps it", () => {
  let ctx: RunContext | null = null;
  const quiet = fn(function* quiet() {
    ctx = yield* getRunContext();
    return 1;
  });
  const r = run(quiet(), { handlers: [writer] });
  assert.equal(r.value, 1);
  assert.deepEqual(r.log, []);
  assert.ok(Object.isFrozen(r.log));
  // the run's result was made without making the main context's log (TaskCtx.entries)
  assert.equal((ctx!.current as TaskCtx).entries, null);
  const loud = fn(function* loud() {
    yield* tell("a");
    yield* tell("b");
    return 2;
  });
  const l = run(loud(), { handlers: [writer] });
  assert.deepEqual(l.log, ["a", "b"]);
  // equal to the shortcut's result when there is nothing to hold (RunResult's deep equality)
  assert.deepEqual(run(noEffects()), run(pure(1)));
  assert.notDeepEqual(l, run(pure(2)));
});
