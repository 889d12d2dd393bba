/**
 * A `handle` handler that throws after its `resume` ended: the effect was answered and the program
 * it resumed has ended, yet the report read `handler h for Q(3) ✗` / `effect Q(3): h ✗`, as if the
 * effect had never been answered. Now the effect line marks the handler ✓ and says what happened;
 * the handler's own line keeps its ✗ (it threw), and tracebackOf's data says the same.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  discontinue,
  Effect,
  fn,
  handle,
  type Program,
  program,
  resume,
  run,
  tracebackOf,
  withHandler,
} from "../src/index.js";
import type { AnyProgramLike } from "../src/vm/types.js";
import { bothWays } from "./traceback-render.js";

class Q extends Effect<number> {
  declare readonly _tag: "Q";
  constructor(readonly n: number) {
    super();
  }
}

const inner = fn(function* inner(n: number) {
  return (yield* new Q(n)) + 1;
});

/** The report's lines but `thrown at` (a file's line number). */
const lines = (p: AnyProgramLike) =>
  run(p as Program<unknown>)
    .format()
    .split("\n")
    .filter((l) => !l.startsWith("  thrown at "));

test("a handler that throws after its resume returned: the effect was answered, the handler threw", () => {
  const seen: number[] = [];
  const h = handle(Q, function* h(e, k) {
    seen.push((yield* resume(k, e.n * 2)) as number);
    throw new Error("audit failed");
  });
  const outer = program(function* outer() {
    return yield* withHandler(h, inner(3));
  });
  assert.deepEqual(lines(outer), [
    "doeff traceback (outermost first):",
    "  outer",
    "  handler h for Q(3) ✗",
    "  effect Q(3): h ✓ — answered: h resumed the program, which has since ended, then threw",
    "Error: audit failed",
  ]);
  assert.deepEqual(seen, [7]); // (the program returned 3 * 2 + 1 to the handler's resume)
  const t = tracebackOf(run(outer));
  assert.ok(t.outcome === "failed");
  assert.deepEqual(t.chain, [
    { kind: "program", name: "outer" },
    { kind: "handler", name: "h", effect: "Q(3)", marker: "✗", outcome: "threw" },
  ]);
  assert.deepEqual(t.effect, {
    text: "Q(3)",
    class: "Q",
    handlers: [{ kind: "handler", name: "h", marker: "✓", outcome: "resumed" }],
    note: "answered: h resumed the program, which has since ended, then threw",
  });
  const [text, data] = bothWays(run(outer));
  assert.equal(data, text);
});

test("the same when the program threw into the handler's resume and the handler threw another error", () => {
  const h = handle(Q, function* h(_e, k) {
    try {
      yield* discontinue(k, new RangeError("no"));
    } catch {
      throw new TypeError("handler's own");
    }
  });
  assert.deepEqual(lines(withHandler(h, inner(4))), [
    "doeff traceback (outermost first):",
    "  handler h for Q(4) ✗",
    "  effect Q(4): h ✓ — answered: h resumed the program, which has since ended, then threw",
    "TypeError: handler's own",
  ]);
});

test("a handler that throws before answering keeps its ✗ and no note", () => {
  const h = handle(Q, function* h(_e, _k) {
    yield* [];
    throw new Error("refused");
  });
  assert.deepEqual(lines(withHandler(h, inner(3))), [
    "doeff traceback (outermost first):",
    "  inner",
    "  handler h for Q(3) ✗",
    "  effect Q(3): h ✗",
    "Error: refused",
  ]);
});
