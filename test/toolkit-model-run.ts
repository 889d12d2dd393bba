/**
 * The fuzz side of the toolkit model (test/toolkit-model.ts): a fast-check generator of program trees,
 * a printer, the same tree built with doeff's toolkit and run under `run` + `simulatedTime()`, and the
 * comparison of the run against the model's prediction. Used by test/toolkit-model.test.ts.
 */
import fc from "fast-check";
import {
  all,
  createSemaphore,
  delay,
  Effect,
  Err,
  forEach,
  handle,
  Ok,
  now,
  type Program,
  program,
  raceAll,
  retry,
  run,
  safe,
  scheduler,
  scoped,
  type Semaphore,
  simulatedTime,
  spawn,
  TimeoutError,
  tell,
  timeout,
  withPermit,
  writer,
} from "../src/index.js";
import { type Desc, type Ev, evKey, leafName, type Node, type Prediction, predict } from "./toolkit-model.js";

export interface Case {
  sems: number[];
  root: Node;
}

// ── generator ───────────────────────────────────────────────────────────────────────────────────

type Raw = Node; // leaf ids are 0 until numbered

/**
 * The longest leaf delay (timeouts up to 1.6×, backoffs up to ⅓): `FUZZ_MAX_MS=6` makes the
 * instants crowd (more cases skipped as ambiguous, more of the rest at a timeout's exact deadline).
 */
const MS = Number(process.env.FUZZ_MAX_MS ?? 120);
/** Leaves that ping (a handler ends their task): 2 in PING + 2 (`FUZZ_PING=3`: 2 in 5). */
const PING = Number(process.env.FUZZ_PING ?? 20);

function nodeArb(depth: number, semFloor: number, top = false): fc.Arbitrary<Raw> {
  const leaf: fc.Arbitrary<Raw> = fc.record({
    k: fc.constant("leaf" as const),
    id: fc.constant(0),
    ms: fc.integer({ min: 1, max: MS }),
    failFirst: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 2 }), {
      weight: 2,
      arbitrary: fc.constant(99),
    }),
    finThrows: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true)),
    ping: fc.oneof({ weight: PING, arbitrary: fc.constant(0) }, fc.constant(1), fc.constant(2)),
  });
  if (depth === 0) return leaf;
  const sub = nodeArb(depth - 1, semFloor);
  const kids = fc.array(sub, { minLength: 2, maxLength: 4, size: "max" });
  const options: fc.WeightedArbitrary<Raw>[] = [
    { weight: top ? 0 : 3, arbitrary: leaf },
    {
      weight: 4,
      arbitrary: fc.record({
        k: fc.constant("all" as const),
        kids,
        conc: fc.constantFrom(undefined, 1, 2, Number.POSITIVE_INFINITY),
        forEach: fc.boolean(),
      }),
    },
    { weight: 3, arbitrary: fc.record({ k: fc.constant("race" as const), kids }) },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant("timeout" as const),
        ms: fc.integer({ min: 1, max: Math.ceil(MS * 1.6) }),
        p: sub,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant("retry" as const),
        times: fc.integer({ min: 0, max: 3 }),
        delay: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: Math.ceil(MS / 3) }),
          fc.integer({ min: -Math.ceil(MS / 6), max: -1 }),
        ),
        leafOnly: fc.boolean(),
        p: sub,
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("safe" as const), p: sub }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant("seq" as const), a: sub, b: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("scoped" as const), p: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("detach" as const), p: sub }) },
  ];
  // nested permits take semaphores in ascending order only: no lock-order deadlock
  for (let s = semFloor; s < 2; s++)
    options.push({
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant("permit" as const),
        sem: fc.constant(s),
        p: nodeArb(depth - 1, s + 1),
      }),
    });
  return fc.oneof(...options);
}

/** Leaf ids in depth-first order (L0, L1, …): every leaf is a different one. */
function numbered(n: Node, next = { id: 0 }): Node {
  switch (n.k) {
    case "leaf":
      return { ...n, id: next.id++ };
    case "all":
    case "race":
      return { ...n, kids: n.kids.map((c) => numbered(c, next)) };
    case "seq": {
      const a = numbered(n.a, next);
      return { ...n, a, b: numbered(n.b, next) };
    }
    default:
      return { ...n, p: numbered(n.p, next) };
  }
}

export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    sems: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    root: fc.integer({ min: 2, max: 5 }).chain((d) => nodeArb(d, 0, true)),
  })
  .map(({ sems, root }) => ({ sems, root: numbered(root) }));

// ── printer ─────────────────────────────────────────────────────────────────────────────────────

export function show(n: Node, ind = ""): string {
  const i2 = `${ind}  `;
  const list = (ks: Node[]) => `[\n${ks.map((k) => `${i2}${show(k, i2)},\n`).join("")}${ind}]`;
  switch (n.k) {
    case "leaf": {
      const how = n.failFirst === 0 ? "ok" : n.failFirst === 99 ? "always fails" : `fails ${n.failFirst}×`;
      const ping = n.ping === 0 ? "" : n.ping === 1 ? ", then abortingPing" : ", then throwingPing";
      return `leaf(${leafName(n.id)}, ${n.ms} ms, ${how}${ping}${n.finThrows ? ", finally throws" : ""})`;
    }
    case "all": {
      const o = n.conc === undefined ? "" : `, { concurrency: ${n.conc} }`;
      return `${n.forEach ? "forEach" : "all"}(${list(n.kids)}${o})`;
    }
    case "race":
      return `raceAll(${list(n.kids)})`;
    case "timeout":
      return `timeout(${show(n.p, ind)}, ${n.ms})`;
    case "retry": {
      const d = n.delay >= 0 ? `${n.delay}` : `(a) => ${-n.delay} * a`;
      const w = n.leafOnly ? ", while: isLeafError" : "";
      return `retry(${show(n.p, ind)}, { times: ${n.times}, delay: ${d}${w} })`;
    }
    case "seq":
      return `seq(${show(n.a, ind)},\n${i2}${show(n.b, i2)})`;
    case "permit":
      return `withPermit(sem${n.sem}, ${show(n.p, ind)})`;
    default:
      return `${n.k}(${show(n.p, ind)})`;
  }
}
export const showCase = (c: Case): string => `sems [${c.sems.join(", ")}]\n${show(c.root)}`;

// ── doeff ───────────────────────────────────────────────────────────────────────────────────────

export class LeafError extends Error {
  constructor(
    readonly leaf: string,
    readonly run: number,
  ) {
    super(`${leaf} failed (run ${run})`);
  }
}
const isLeafError = (e: unknown) => e instanceof LeafError;
export class FinallyError extends Error {
  constructor(
    readonly leaf: string,
    readonly run: number,
  ) {
    super(`${leaf}'s finally threw (run ${run})`);
  }
}

/** Effects whose handlers, inside the scheduler (around every task), end the task that performs them. */
class AbortPing extends Effect<number> {
  declare readonly _tag: "AbortPing";
}
class ThrowPing extends Effect<number> {
  declare readonly _tag: "ThrowPing";
}
/** answers for the program without resuming it: the task's value */
const abortingPing = handle(AbortPing, function* () {
  return "aborted-by-handler";
});
/** throws instead of resuming */
const throwingPing = handle(ThrowPing, function* () {
  throw new Error("handler threw");
});

export interface Actual {
  ok: boolean;
  outcome: Desc;
  end: number;
  /** the leaves' events, and "root end" (leaf -1) where main's finally ran */
  log: Ev[];
  warnings: Desc[];
  /** RunResult.log: what the leaves told, as the combinators merged it */
  tells: readonly unknown[];
}

export function runDoeff(c: Case): Actual {
  const log: Ev[] = [];
  const runs = new Map<number, number>();
  let end = -1;
  const build = (n: Node, sems: Semaphore[], det: boolean): Program<unknown, any> => {
    switch (n.k) {
      case "leaf":
        return program(function* leaf() {
          const r = (runs.get(n.id) ?? 0) + 1;
          runs.set(n.id, r);
          const ev = function* (kind: string) {
            log.push({ t: yield* now(), leaf: n.id, run: r, kind, det });
          };
          yield* ev("start");
          yield* tell(`${leafName(n.id)}#${r}`);
          try {
            yield* delay(n.ms);
            if (n.ping > 0) {
              yield* ev("ping");
              yield* n.ping === 1 ? new AbortPing() : new ThrowPing();
            }
            if (r <= n.failFirst) {
              yield* ev("fail");
              throw new LeafError(leafName(n.id), r);
            }
            yield* ev("ok");
            return `${leafName(n.id)}#${r}`;
          } finally {
            yield* ev("finally");
            // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
            if (n.finThrows) throw new FinallyError(leafName(n.id), r);
          }
        });
      case "all": {
        const opts = n.conc === undefined ? undefined : { concurrency: n.conc };
        return n.forEach
          ? forEach(n.kids, (k) => build(k, sems, det), opts)
          : all(
              n.kids.map((k) => build(k, sems, det)),
              opts,
            );
      }
      case "race":
        return raceAll(n.kids.map((k) => build(k, sems, det)));
      case "timeout":
        return timeout(build(n.p, sems, det), n.ms);
      case "retry": {
        const d = n.delay;
        return retry(build(n.p, sems, det), {
          times: n.times,
          delay: d >= 0 ? d : (a: number) => -d * a,
          ...(n.leafOnly ? { while: isLeafError } : {}),
        });
      }
      case "safe":
        return safe(build(n.p, sems, det));
      case "scoped":
        return scoped(build(n.p, sems, det));
      case "permit":
        return withPermit(sems[n.sem]!, build(n.p, sems, det));
      case "detach": {
        const p = build(n.p, sems, true);
        return program(function* detach() {
          yield* spawn(p);
          return "detached";
        });
      }
      case "seq": {
        const a = build(n.a, sems, det);
        const b = build(n.b, sems, det);
        return program(function* seq() {
          const va = yield* a;
          return [va, yield* b];
        });
      }
    }
  };
  const main = program(function* main() {
    const sems: Semaphore[] = [];
    for (const cap of c.sems) sems.push(yield* createSemaphore(cap));
    try {
      return yield* build(c.root, sems, false);
    } finally {
      end = yield* now();
      log.push({ t: end, leaf: -1, run: 0, kind: "root end", det: false });
    }
  });
  const r = run(main, { handlers: [scheduler, simulatedTime(), writer, abortingPing, throwingPing] });
  return {
    ok: r.ok,
    outcome: r.ok ? desc(r.value) : desc(r.error),
    end,
    log,
    warnings: r.warnings.map(desc),
    tells: r.log,
  };
}

function desc(x: unknown): Desc {
  if (typeof x === "string") return x;
  if (Array.isArray(x)) return x.map(desc);
  if (x instanceof LeafError) return { leaf: x.leaf, run: x.run };
  if (x instanceof FinallyError) return { fin: x.leaf, run: x.run };
  if (x instanceof TimeoutError) return { timeout: x.ms };
  if (x instanceof AggregateError) return { aggregate: x.errors.map(desc) };
  if (x instanceof Ok) return { ok: true, value: desc(x.value) };
  if (x instanceof Err) return { ok: false, error: desc(x.error) };
  // the scheduler's warning of logs nothing collected: how many entries, of how many tasks
  const lostLog = /^(\d+) log entr(?:y|ies) that (?:task (\d+)|tasks ([\d, ]+)(?: and (\d+) more)?) wrote/;
  const lost = x instanceof Error ? lostLog.exec(x.message) : null;
  if (lost !== null)
    return {
      lostLog: Number(lost[1]),
      tasks: lost[2] !== undefined ? 1 : lost[3]!.split(", ").length + Number(lost[4] ?? 0),
    };
  return { other: x instanceof Error ? `${x.name}: ${x.message}` : String(x) };
}

// ── comparison ──────────────────────────────────────────────────────────────────────────────────

const fmt = (e: Ev) => (e.leaf < 0 ? `${e.t}: root end` : `${e.t}: ${evKey(e)}`);
const j = (x: unknown) => JSON.stringify(x);

/** The disagreements between the model's prediction and the doeff run (empty: they agree). */
export function compare(p: Prediction, a: Actual): string[] {
  const out: string[] = [];
  if (p.outcome.ok !== a.ok) out.push(`RunResult.ok: expected ${p.outcome.ok}, got ${a.ok}`);
  const want = p.outcome.ok ? p.outcome.value : p.outcome.error;
  if (j(want) !== j(a.outcome)) out.push(`outcome: expected ${j(want)}, got ${j(a.outcome)}`);
  if (j(p.outcome.tells) !== j(a.tells))
    out.push(`RunResult.log: expected ${j(p.outcome.tells)}, got ${j(a.tells)}`);
  if (p.end !== a.end) out.push(`clock at the end: expected ${p.end}, got ${a.end}`);
  const ws = (d: Desc[]) => d.map(j).sort();
  if (j(ws(p.warnings)) !== j(ws(a.warnings)))
    out.push(`warnings: expected ${j(ws(p.warnings))}, got ${j(ws(a.warnings))}`);
  // every leaf: the same runs, started, ended (ok / fail) and finalized once, at the same instants
  const perLeaf = (log: Ev[]) => {
    const m = new Map<number, string[]>();
    for (const e of log) if (e.leaf >= 0) m.set(e.leaf, [...(m.get(e.leaf) ?? []), fmt(e)]);
    return m;
  };
  const pl = perLeaf(p.log);
  const al = perLeaf(a.log);
  for (const id of new Set([...pl.keys(), ...al.keys()])) {
    const x = pl.get(id) ?? [];
    const y = al.get(id) ?? [];
    if (j(x) !== j(y)) out.push(`${leafName(id)}: expected [${x.join(", ")}], got [${y.join(", ")}]`);
  }
  if (out.length > 0) return out;
  // position of each event in doeff's log (each leaf run's start / ok / fail / finally is unique)
  const pos = new Map<string, number>();
  a.log.forEach((e, i) => {
    pos.set(fmt(e), i);
  });
  const at = (e: Ev) => pos.get(fmt(e)) ?? -1;
  // no task leaked past main: every leaf outside a detached task is done before main's finally
  const rootEnd = a.log.findIndex((e) => e.leaf < 0);
  for (const e of p.log) if (!e.det && at(e) > rootEnd) out.push(`${fmt(e)} after main ended (leaked task)`);
  // one cancellation runs its finally blocks one after another, in ascending task order (depth first)
  for (const g of p.groups) {
    const idx = g.map((i) => at(p.log[i]!));
    if (idx.some((x, k) => k > 0 && x !== idx[k - 1]! + 1))
      out.push(
        `one cancellation: expected ${g.map((i) => fmt(p.log[i]!)).join(", ")} in a row; doeff's log: ${a.log.map(fmt).join(" | ")}`,
      );
  }
  // what runs after something (seq's b, retry's next attempt) runs after all of it
  for (const o of p.orders) {
    const before = p.log.slice(o.from, o.mid).filter((e) => !e.det && o.before.has(e.leaf));
    const after = p.log.slice(o.mid).filter((e) => !e.det && o.after.has(e.leaf));
    const last = Math.max(-1, ...before.map(at));
    const first = Math.min(Number.POSITIVE_INFINITY, ...after.map(at));
    if (last > first)
      out.push(
        `order: ${fmt(a.log[last]!)} came after ${fmt(a.log[first]!)}; doeff's log: ${a.log.map(fmt).join(" | ")}`,
      );
  }
  return out;
}

/** Run one case: null when the model and doeff agree or the model cannot decide (`skipped`). */
export function check(c: Case): { skipped: string } | { disagreement: string } | null {
  const p = predict(c.root, c.sems);
  if (p.ambiguous !== null) return { skipped: p.ambiguous };
  const a = runDoeff(c);
  const d = compare(p, a);
  if (d.length === 0) return null;
  return {
    disagreement: `${showCase(c)}\n${d.join("\n")}\nexpected log: ${p.log.map(fmt).join(" | ")}\ndoeff's log:  ${a.log.map(fmt).join(" | ")}`,
  };
}
