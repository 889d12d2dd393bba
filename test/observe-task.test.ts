/**
 * observe's third argument, the performing task, given to every callback (docs/observability.md):
 * found at the perform site for a fixed cost — no step of the run and no read of the other per-run
 * data per observed effect — where it was looked up only for a callback that declared a third
 * parameter, as read from the callback's source, a reading that missed some.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  Effect,
  getRunContext,
  getTaskInfo,
  handle,
  type Handler,
  observe,
  program,
  run,
  scheduler,
  simulatedTime,
  spawn,
  type TaskInfo,
  wait,
} from "../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}
const answered = answer(Query, (q) => q.sql);
const shown = (t: unknown) =>
  t === null ? "null" : typeof t === "object" ? `${(t as TaskInfo).id}/${(t as TaskInfo).parent}` : String(t);

test("observe's task: a callback whose source observe misread, or whose third argument is not a declared parameter, gets it (an HTML-like comment, a redefined `length`, a wrapper passing its `arguments` on)", () => {
  const seen: string[] = [];
  const note = (task: unknown) => {
    seen.push(shown(task));
  };
  const from = (src: string) => new Function("note", `return ${src}`)(note) as Function;
  const inner = (_e: unknown, _c: unknown, task: unknown) => note(task);
  const callbacks: [string, Function][] = [
    // (JavaScript's scripts take `<!--` and a line's leading `-->` as line comments: the `(b)` in them
    // was read as the whole parameter list, and a third declared past `length` got null)
    ["<!-- comment", from('(e, <!-- a (b)\n ctx, task = "default") => note(task)')],
    ["--> comment", from('(e,\n--> a (b)\n ctx, task = "default") => note(task)')],
    // (a plain list of three, its `length` set to 2 by a wrapping library: `length` was believed)
    [
      "a redefined length",
      Object.defineProperty((_e: unknown, _c: unknown, task: unknown) => note(task), "length", { value: 2 }),
    ],
    [
      "a wrapper passing arguments on",
      function (this: unknown, _e: unknown, _c: unknown) {
        // biome-ignore lint/complexity/noArguments: a wrapper of unknown arity, as instrumentation writes them
        return inner.apply(this, arguments as unknown as [unknown, unknown, unknown]);
      },
    ],
  ];
  const main = program(function* main() {
    yield* new Query("main");
    yield* wait(yield* spawn(new Query("task")));
  });
  for (const [name, cb] of callbacks) {
    seen.length = 0;
    const r = run(main, { handlers: [scheduler, answered, observe([Query], cb as never)] });
    assert.equal(r.ok, true, `${name}: ${String(r.error)}`);
    assert.deepEqual(r.warnings, [], name);
    assert.deepEqual(seen, ["0/null", "1/0"], name);
  }
});

test("observe's task costs no step of the run and reads no other per-run data: an observed effect takes 6 steps more than an unobserved one, with a callback of two parameters or three, with a scheduler (before and after its world is made) or without", () => {
  // a per-run value that counts how often it is examined (`instanceof` asks its prototype): the
  // task's lookup walked all the per-run data for each observed effect
  let examined = 0;
  const counted = new Proxy(
    {},
    {
      getPrototypeOf() {
        examined++;
        return Object.prototype;
      },
    },
  );
  const tasks: string[] = [];
  const two = (_q: Query, _c: unknown) => {};
  const three = (q: Query, _c: unknown, t: TaskInfo | null) => {
    tasks.push(`${q.sql}:${shown(t)}`);
  };
  const queries = (n: number, world: boolean) =>
    program(function* () {
      (yield* getRunContext()).user.set("counted", counted);
      if (world) yield* getTaskInfo(); // the scheduler's first effect: its world is made
      for (let i = 0; i < n; i++) yield* new Query(`q${i}`);
    });
  const steps = (handlers: readonly Handler[], n: number, world: boolean) => {
    // (`answered` outside the observer, as `[scheduler, clock, answerers…, observer]` installs them)
    let count = 0;
    const r = run(queries(n, world), {
      handlers: handlers as never,
      trace: {
        steps: () => {
          count++;
        },
      },
    });
    assert.equal(r.ok, true, String(r.error));
    return count;
  };
  for (const [name, outer, world] of [
    ["no scheduler", [], false],
    ["a scheduler, its world not made", [scheduler, simulatedTime()], false],
    ["a scheduler and its world", [scheduler, simulatedTime()], true],
  ] as const) {
    const per = (observer: Handler | null) => {
      const hs = observer === null ? [...outer, answered] : [...outer, answered, observer];
      return (steps(hs as Handler[], 20, world) - steps(hs as Handler[], 10, world)) / 10;
    };
    const unobserved = per(null);
    examined = 0;
    tasks.length = 0;
    assert.deepEqual(
      [per(observe([Query], two)) - unobserved, per(observe([Query], three)) - unobserved],
      [6, 6],
      name,
    );
    assert.equal(examined, 0, name);
    assert.equal(tasks.at(-1), `q9:${name === "no scheduler" ? "null" : "0/null"}`, name);
  }
});

test("observe's task in an invocation its hook did not precede (its handler called by another handler's code): the same task, looked up there", () => {
  const seen: string[] = [];
  const watch = observe([Query], (q, _ctx, task) => {
    seen.push(`${q.sql}:${shown(task)}`);
  });
  // a handler that hands each Query to the observer's function itself
  const wrapper = handle(Query, function* (e, k) {
    return yield* (watch as Handler)(e, k) as Generator<unknown, never, unknown>;
  }) as Handler<Query>; // (its own effects are the observer's: none)
  const main = program(function* main() {
    yield* new Query("before the world");
    yield* wait(yield* spawn(new Query("task")));
    yield* new Query("main");
  });
  const r = run(main, { handlers: [scheduler, answered, wrapper] });
  assert.equal(r.ok, true, String(r.error));
  assert.deepEqual(seen, ["before the world:0/null", "task:1/0", "main:0/null"]);
  seen.length = 0;
  assert.equal(run(new Query("alone"), { handlers: [answered, wrapper] }).value, "alone");
  assert.deepEqual(seen, ["alone:null"]);
});
