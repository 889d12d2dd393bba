/**
 * Step tracing (SEMANTICS §8.7): the exact lines of a small program, and `frames=` / `segs=`
 * counted up to a cap on deep chains (a line a step: counting a whole 8,000-deep chain each step made
 * tracing quadratic).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Effect,
  fn,
  get,
  handle,
  intercept,
  type Program,
  program,
  put,
  resume,
  run,
  state,
  withHandler,
} from "../src/index.js";
import { CAP, StepLineTracer } from "../src/trace/steps.js";
import { M_DELIVER } from "../src/vm/modes.js";

class Ping extends Effect<number> {
  declare readonly _tag: "Ping";
}
const nested = fn(function* nested(n: number): Generator<unknown, number, any> {
  if (n === 0) return yield* new Ping();
  return 1 + (yield* nested(n - 1));
});

test("§8.7 step lines of a small program, exact: frames and segs counted in full below the cap", () => {
  const main = program(function* main() {
    yield* put("x", 1);
    const pinged = handle(Ping, function* (_e, k) {
      return yield* resume(k, 5);
    });
    return (yield* get<number>("x")) + (yield* withHandler(pinged, nested(2)));
  });
  const lines: string[] = [];
  const r = run(main, { handlers: [state], trace: { steps: (l) => lines.push(l) } });
  assert.equal(r.value, 8);
  assert.deepEqual(lines, [
    "1 HandleYield prim:withHandler frames=0 segs=1 depth=0",
    "2 Deliver value:undefined frames=1 segs=3 depth=0",
    "3 HandleYield effect:Put frames=1 segs=3 depth=0",
    "4 Deliver value:undefined frames=1 segs=3 depth=0",
    "5 HandleYield effect:Get frames=1 segs=3 depth=0",
    "6 Deliver value:1 frames=1 segs=3 depth=0",
    "7 HandleYield prim:withHandler frames=1 segs=3 depth=0",
    "8 Deliver value:undefined frames=1 segs=5 depth=0",
    "9 HandleYield prim:call frames=1 segs=5 depth=0",
    "10 Deliver value:undefined frames=2 segs=5 depth=0",
    "11 HandleYield prim:call frames=2 segs=5 depth=0",
    "12 Deliver value:undefined frames=3 segs=5 depth=0",
    "13 HandleYield effect:Ping frames=3 segs=5 depth=0",
    "14 Deliver value:undefined frames=1 segs=4 depth=1",
    "15 HandleYield prim:resume frames=1 segs=4 depth=1",
    "16 Deliver value:5 frames=3 segs=6 depth=1",
    "17 Deliver value:5 frames=2 segs=6 depth=1",
    "18 Deliver value:6 frames=1 segs=6 depth=1",
    "19 Deliver body frames=0 segs=6 depth=1",
    "20 Return body frames=0 segs=6 depth=1",
    "21 Deliver prompt frames=0 segs=5 depth=1",
    "22 Return prompt frames=0 segs=5 depth=1",
    "23 Deliver value:7 frames=1 segs=4 depth=1",
    "24 Deliver handler frames=0 segs=4 depth=1",
    "25 Return handler frames=0 segs=4 depth=1",
    "26 Deliver value:7 frames=1 segs=3 depth=0",
    "27 Deliver body frames=0 segs=3 depth=0",
    "28 Return body frames=0 segs=3 depth=0",
    "29 Deliver prompt frames=0 segs=2 depth=0",
    "30 Return prompt frames=0 segs=2 depth=0",
    "31 Deliver root frames=0 segs=1 depth=0",
    "32 Return root frames=0 segs=1 depth=0",
  ]);
});

/** A chain of `n` segments, each with `n` frames on the first, whose `caller` and `prev` reads are counted. */
function countedChain(n: number, reads: { caller: number; prev: number }) {
  let frame: object | null = null;
  for (let i = 0; i < n; i++) {
    const below = frame;
    frame = {
      name: null,
      get prev() {
        reads.prev++;
        return below;
      },
    };
  }
  let seg: object | null = null;
  for (let i = 0; i < n; i++) {
    const below = seg;
    seg = {
      kind: 1,
      top: i === n - 1 ? frame : null,
      get caller() {
        reads.caller++;
        return below;
      },
    };
  }
  return seg;
}

test("§8.7 a step line counts frames and segs up to 100 and says 100+ past it: at depth 8,000, 100 reads of each chain per step, not 8,000", () => {
  assert.equal(CAP, 100);
  const line = (n: number) => {
    const reads = { caller: 0, prev: 0 };
    const lines: string[] = [];
    const m = { cur: countedChain(n, reads), mode: M_DELIVER, value: 1, depth: 0 };
    new StepLineTracer((l) => lines.push(l)).before(m as never);
    return [lines[0], reads.caller, reads.prev];
  };
  assert.deepEqual(line(8000), ["1 Deliver value:1 frames=100+ segs=100+ depth=0", 100, 100]);
  assert.deepEqual(line(101), ["1 Deliver value:1 frames=100+ segs=100+ depth=0", 100, 100]);
  assert.deepEqual(line(100), ["1 Deliver value:1 frames=100 segs=100 depth=0", 100, 100]);
  assert.deepEqual(line(99), ["1 Deliver value:1 frames=99 segs=99 depth=0", 99, 99]);
  assert.deepEqual(line(1), ["1 Deliver value:1 frames=1 segs=1 depth=0", 1, 1]);
});

test("§8.7 8,000 nested intercepts traced: the same result, one line per step, segs counted to 100 then 100+", () => {
  let p: Program<number> = program(function* () {
    yield* put("x", 1);
    return yield* get<number>("x");
  });
  for (let i = 0; i < 8000; i++) p = intercept(p, () => undefined) as never;
  const segs = new Map<string, number>();
  let n = 0;
  const r = run(p, {
    handlers: [state],
    trace: {
      steps: (l) => {
        n++;
        const s = /^\d+ \w+ \S+ frames=(?:\d+|100\+) segs=(\d+|100\+) depth=\d+$/.exec(l)![1]!;
        segs.set(s, (segs.get(s) ?? 0) + 1);
      },
    },
  });
  assert.equal(r.value, 1);
  assert.equal(n, 104_012);
  // the 8,000 prompts are reached on the way in (segs 1, 3, …, 99 — three steps each) and out
  assert.deepEqual(
    [...segs.keys()].sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.length - b.length),
    [...Array.from({ length: 100 }, (_, i) => String(i + 1)), "100+"],
  );
  assert.ok(segs.get("100+")! > 100_000, String(segs.get("100+")));
});
