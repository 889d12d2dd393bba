/**
 * An effect's own properties, exactly and in order: what `record`, `expectEffects`, `console.log`
 * and a traceback's `Spawn(…)` line show of it. The effect classes declare their fields and set
 * them in the constructor (a constructor parameter property made esbuild emit a field definition
 * and then the assignment: size-trim4), so this pins that the objects stay as they were.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ask,
  awaitPromise,
  Cancel,
  CompletePromise,
  createPromise,
  delay,
  Effect,
  FailPromise,
  gather,
  get,
  IsDone,
  listen,
  local,
  modify,
  program,
  put,
  Race,
  registerIdleSource,
  run,
  scheduler,
  spawn,
  tell,
  Wait,
} from "../src/index.js";

const own = (o: object): string => Object.getOwnPropertyNames(o).join(",");
const keys = (o: object): string => Object.keys(o).join(",");
const p = program(function* () {
  return 1;
});

test("effect fields: each effect's own properties are its fields, enumerable, in constructor order", () => {
  const f = (x: unknown) => x;
  const cases: [object, string][] = [
    [get("a"), "key"],
    [put("a", 1), "key,value"],
    [modify("a", f), "key,f"],
    [ask("a"), "key"],
    [local({ a: 1 }, p), "patch,program"],
    [tell(1), "message"],
    [listen(p), "program"],
    [delay(5), "ms"],
    [spawn(p), "program,store"],
    [awaitPromise(() => 1), "thunk"],
    [new Race([]), "waitables"],
    [gather([]), "waitables"],
    [registerIdleSource({ progress: () => false }), "source"],
  ];
  for (const [e, fields] of cases) {
    assert.equal(own(e), fields, e.constructor.name);
    assert.equal(keys(e), fields, e.constructor.name);
  }
  assert.deepEqual({ ...put("a", 1) }, { key: "a", value: 1 });
});

test("effect fields: the effects about a task or promise, made in a run", () => {
  const seen: string[] = [];
  const r = run(
    program(function* () {
      const t = yield* spawn(p);
      const promise = yield* createPromise<number>();
      seen.push(keys(new Cancel(t)), keys(new Wait(t)), keys(new IsDone(t)));
      seen.push(own(new CompletePromise(promise, 1)), own(new FailPromise(promise, 2)));
      return (yield* new Wait(t)) as number;
    }),
    { handlers: [scheduler] },
  );
  assert.equal(r.value, 1);
  assert.deepEqual(seen, ["task,owned", "waitable", "waitable", "promise,value", "promise,error"]);
});

test("String(effect) and `${effect}` give the short form a traceback shows, not [object Object]", () => {
  class Roll extends Effect<number> {
    readonly sides: number;
    constructor(sides: number) {
      super();
      this.sides = sides;
    }
  }
  class Wide extends Effect<void> {
    readonly a = 1;
    readonly b = "two";
    readonly c = [3];
    readonly d = 4;
  }
  class Custom extends Effect<void> {
    declare readonly _tag: "Custom";
    override toString(): string {
      return "mine";
    }
  }
  assert.deepEqual(
    [
      `${new Roll(6)}`,
      String(put("n", 1)),
      `${ask("db")}`,
      String(get("k")),
      `${new Wide()}`,
      `${new Custom()}`,
    ],
    ["Roll(6)", 'Put("n", 1)', 'Ask("db")', 'Get("k")', 'Wide(1, "two", [3])', "mine"],
  );
  // not an own property: record/expectEffects/console.log see the same fields as before
  assert.deepEqual(Object.keys(new Roll(6)), ["sides"]);
});
