/**
 * The handler search's one-hop answers (src/vm/segment.ts hopAdd, dispatch.ts search): a prompt
 * whose class-based handler declines an effect that the class-based handler of the next prompt out
 * takes. Remembered per pair of TAKES declarations, for every pair of prompts so declared: the
 * answers must stay those of the handlers actually there, whatever pair was remembered last.
 */
import assert from "node:assert/strict";
import test from "node:test";
import {
  createPromise,
  Effect,
  fn,
  type Handler,
  handle,
  run,
  scheduler,
  spawn,
  transfer,
  wait,
  withHandler,
} from "../src/index.js";
import { searchStats } from "../src/vm/dispatch.js";

class X extends Effect<string> {
  declare readonly _tag: "X";
}
class SubX extends X {
  declare readonly _tag: "X";
}
class Y extends Effect<string> {
  declare readonly _tag: "Y";
}
class Z extends Effect<string> {
  declare readonly _tag: "Z";
}
const answer = (c: typeof X | typeof Y | typeof Z, v: string): Handler =>
  handle(c, (_e, k) => transfer(k, v));
/** `handles` instead of TAKES: the search asks it */
function byPredicate(v: string, asked: string[]): Handler {
  const h = ((_e: unknown, k: never) => transfer(k, v)) as unknown as Handler;
  h.handles = (e) => {
    asked.push((e as object).constructor.name);
    return e instanceof X;
  };
  return h;
}
const performs = fn(function* performs(...es: Effect<string>[]) {
  let s = "";
  for (const e of es) s += yield* e;
  return s;
});

test("tasks started inside a class-based handler under the scheduler walk no prompts for their scheduler effects", () => {
  // Each task gets a prompt of that handler of its own (its spawn's handlers), inside its scheduler
  // prompt; its first scheduler effect walked past it to make a search cache (2 prompts a task),
  // and main's first one after every wait did too.
  const child = fn(function* child(i: number) {
    yield* createPromise<number>();
    return i;
  });
  const main = fn(function* main(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* wait(yield* spawn(child(i)));
    return s;
  });
  const walked = [50, 100].map((n) => {
    const before = searchStats.walked;
    const r = run(main(n), { handlers: [scheduler, answer(Z, "z")] });
    assert.equal(r.value, (n * (n - 1)) / 2, String(r.error));
    return searchStats.walked - before;
  });
  assert.deepEqual(walked, [0, 0]);
});

test("a one-hop answer is the handler the next prompt out has now, for every pair of declarations", () => {
  const asked: string[] = [];
  const cases: [string, () => unknown, string][] = [
    // Y declines X, the X handler next out takes it: remembered for (Y, X)
    [
      "(Y, X)",
      () => withHandler(answer(X, "a"), withHandler(answer(Y, "y"), performs(new X(), new Y()))),
      "ay",
    ],
    // the same declarations, another X handler: its answer
    ["(Y, X) again", () => withHandler(answer(X, "b"), withHandler(answer(Y, "y"), performs(new X()))), "b"],
    // the same inner declaration, a Z handler next out: it declines X, the X handler beyond takes it
    [
      "(Y, Z)",
      () =>
        withHandler(
          answer(X, "c"),
          withHandler(answer(Z, "z"), withHandler(answer(Y, "y"), performs(new X()))),
        ),
      "c",
    ],
    // a predicate handler next out: asked, and its answer
    [
      "(Y, handles)",
      () => withHandler(byPredicate("d", asked), withHandler(answer(Y, "y"), performs(new X()))),
      "d",
    ],
    // remembered (Y, X) again; a subclass of X: the X handler's, then Y itself for Y
    [
      "(Y, X) sub",
      () => withHandler(answer(X, "e"), withHandler(answer(Y, "y"), performs(new X(), new SubX(), new Y()))),
      "eey",
    ],
    // X declared inside (it takes X and SubX itself), Y next out
    [
      "(X, Y)",
      () => withHandler(answer(Y, "f"), withHandler(answer(X, "g"), performs(new SubX(), new Y(), new X()))),
      "gfg",
    ],
  ];
  for (const [name, make, expected] of cases) {
    const r = run(make() as never);
    assert.equal(r.value, expected, `${name}: ${String(r.error)}`);
  }
  assert.deepEqual(asked, ["X"]);
});

test("more effect classes through one pair than it remembers are all answered by their handler", () => {
  // eight prototypes round robin: ten classes, each answered by its own handler outside one that
  // declines them all, three times over
  const classes = Array.from({ length: 10 }, (_, i) => {
    const C = class extends Effect<string> {
      declare readonly _tag: "C";
    };
    Object.defineProperty(C, "name", { value: `C${i}` });
    return C;
  });
  const outer = handle(classes as never, (e: object, k) => transfer(k as never, e.constructor.name));
  const es = [0, 1, 2].flatMap(() => classes.map((C) => new C()));
  const r = run(withHandler(outer, withHandler(answer(Y, "y"), performs(...es, new Y()))));
  assert.equal(
    r.value,
    `${[0, 1, 2].map(() => classes.map((C) => C.name).join("")).join("")}y`,
    String(r.error),
  );
});
