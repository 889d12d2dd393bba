/**
 * The workloads. Each names what one op is; every implementation runs the same number of ops unless
 * it declares a `scale` (only effection does: its per-op cost is ~10–80 µs and flat in n — checked at
 * 1k/10k/50k ops — so it runs a fraction of the ops to keep a full run in minutes).
 */
import { Context, Effect as Fx, Ref } from "effect";
import { Context as Context3, Effect as Fx3, Ref as Ref3 } from "effect3";
import * as effection from "effection";
import { runSaga } from "redux-saga";
import { call, getContext, select } from "redux-saga/effects";
import {
  answer,
  ask,
  Effect,
  fn,
  get,
  type Handler,
  handle,
  type Program,
  pure,
  put,
  reader,
  resume,
  run,
  safe,
  state,
  type TraceOptions,
  transfer,
  withHandler,
} from "../../src/index.js";
import {
  drive,
  FTick,
  floorNest,
  floorReaderLoop,
  floorStateLoop,
  floorStateLoopYieldStar,
  floorTicks,
  floorTicksYieldStar,
  driveGenHandler,
  floorTrivial,
} from "./floor.js";
import type { ImplDef, Workload } from "./harness.js";
import { ehbWorkloads } from "./ehb-workloads.js";
import { schedulerWorkloads } from "./scheduler-workloads.js";
import { toolkitWorkloads } from "./toolkit-workloads.js";
import { requestWorkloads } from "./request-workloads.js";

// ---------------------------------------------------------------------------------------------
// helpers

const EFFECTION_SCALE = 1 / 50;
const effectionNote = `runs ${EFFECTION_SCALE * 100}% of the ops (per-op cost flat in n)`;

function ok<T>(r: { ok: boolean; error: unknown; value: T }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

const eq = (expected: (n: number) => unknown) => (r: unknown, n: number) => r === expected(n);

/** redux-saga store stub: getState only; dispatch unused. */
function saga(
  gen: (...args: any[]) => Generator<any, unknown, any>,
  st: object,
  context?: object,
): Promise<unknown> {
  return runSaga(
    { getState: () => st, dispatch: () => {}, ...(context ? { context } : {}) },
    gen,
  ).toPromise();
}

// ---------------------------------------------------------------------------------------------
// state_loop: n iterations of get + put

export const doeffStateLoop = fn(function* stateLoop(n: number) {
  for (let i = 0; i < n; i++) {
    const c = yield* get<number>("c");
    yield* put("c", c + 1);
  }
  return yield* get<number>("c");
});

const stateLoopImpls = (traceOff: boolean): Record<string, ImplDef> => {
  const trace: TraceOptions = { steps: undefined, sites: false } as unknown as TraceOptions;
  return {
    doeff: {
      prepare: (n) => {
        const p = doeffStateLoop(n);
        return traceOff
          ? () => ok(run(p, { handlers: [state], store: { c: 0 }, trace }))
          : () => ok(run(p, { handlers: [state], store: { c: 0 } }));
      },
      check: eq((n) => n),
      ...(traceOff ? { note: "trace: { steps: undefined, sites: false }" } : {}),
    },
  };
};

const EffCtx = effection.createContext<number>("bench.c", 0);

const stateLoop: Workload = {
  name: "state_loop",
  op: "1 iteration (get + put = 2 effects)",
  ops: { full: 1_000_000, quick: 100_000 },
  impls: {
    ...stateLoopImpls(false),
    floor: {
      prepare: (n) => () => drive(floorStateLoop(n), new Map([["c", 0]])),
      check: eq((n) => n),
    },
    "floor-yield*": {
      note: "diagnostic: the floor with doeff's `yield*`-over-a-one-shot-iterator program style",
      prepare: (n) => () => drive(floorStateLoopYieldStar(n), new Map([["c", 0]])),
      check: eq((n) => n),
    },
    effect: {
      note: "Ref.get + Ref.set in Effect.gen, runSync",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          const ref = yield* Ref.make(0);
          for (let i = 0; i < n; i++) {
            const c = yield* Ref.get(ref);
            yield* Ref.set(ref, c + 1);
          }
          return yield* Ref.get(ref);
        });
        return () => Fx.runSync(prog);
      },
      check: eq((n) => n),
    },
    effect3: {
      note: "effect 3.x (previous major), same program",
      prepare: (n) => {
        const prog = Fx3.gen(function* () {
          const ref = yield* Ref3.make(0);
          for (let i = 0; i < n; i++) {
            const c = yield* Ref3.get(ref);
            yield* Ref3.set(ref, c + 1);
          }
          return yield* Ref3.get(ref);
        });
        return () => Fx3.runSync(prog);
      },
      check: eq((n) => n),
    },
    effection: {
      scale: EFFECTION_SCALE,
      note: `context.get + context.set; ${effectionNote}`,
      prepare: (n) => () =>
        effection.run(function* () {
          yield* EffCtx.set(0);
          for (let i = 0; i < n; i++) {
            const c = (yield* EffCtx.get())!;
            yield* EffCtx.set(c + 1);
          }
          return yield* EffCtx.get();
        }),
      check: eq((n) => n),
    },
    "redux-saga": {
      note: "select + call(setter) via runSaga with a store stub",
      prepare: (n) => () => {
        const st = { c: 0 };
        const setC = (v: number) => {
          st.c = v;
        };
        const getC = (s: { c: number }) => s.c;
        return saga(function* () {
          for (let i = 0; i < n; i++) {
            const c: number = yield select(getC);
            yield call(setC, c + 1);
          }
          return st.c;
        }, st);
      },
      check: eq((n) => n),
    },
  },
};

const stateLoopTraceOff: Workload = {
  name: "state_loop_trace_off",
  op: "1 iteration (get + put)",
  ops: stateLoop.ops,
  note:
    "doeff with trace explicitly off vs the trace option unset, interleaved, plus an A/A copy of " +
    "the unset run that measures the noise floor; off must be equal to unset within that noise",
  impls: {
    ...stateLoopImpls(true),
    "doeff-trace-unset": stateLoopImpls(false).doeff!,
    // A/A control: the same code as doeff-trace-unset, so its difference from it is the noise floor
    "doeff-trace-unset-aa": {
      ...stateLoopImpls(false).doeff!,
      note: "A/A control: identical to doeff-trace-unset",
    },
  },
};

// ---------------------------------------------------------------------------------------------
// reader_loop: n asks

const doeffReaderLoop = fn(function* readerLoop(n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* ask<number>("k");
  return s;
});

class KTag extends Context.Service<KTag, number>()("bench/K") {}
class KTag3 extends Context3.Tag("bench/K")<KTag3, number>() {}
const EffK = effection.createContext<number>("bench.k");

const readerLoop: Workload = {
  name: "reader_loop",
  op: "1 ask",
  ops: { full: 1_000_000, quick: 100_000 },
  impls: {
    doeff: {
      prepare: (n) => {
        const p = doeffReaderLoop(n);
        return () => ok(run(p, { handlers: [reader], env: { k: 1 } }));
      },
      check: eq((n) => n),
    },
    floor: {
      prepare: (n) => () => drive(floorReaderLoop(n), new Map(), new Map([["k", 1]])),
      check: eq((n) => n),
    },
    effect: {
      note: "yield* a Context.Service key, provideService",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* KTag;
          return s;
        }).pipe(Fx.provideService(KTag, 1));
        return () => Fx.runSync(prog);
      },
      check: eq((n) => n),
    },
    effect3: {
      note: "effect 3.x: yield* a Context.Tag service, provideService",
      prepare: (n) => {
        const prog = Fx3.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* KTag3;
          return s;
        }).pipe(Fx3.provideService(KTag3, 1));
        return () => Fx3.runSync(prog);
      },
      check: eq((n) => n),
    },
    effection: {
      scale: EFFECTION_SCALE,
      note: `context.expect(); ${effectionNote}`,
      prepare: (n) => () =>
        effection.run(function* () {
          yield* EffK.set(1);
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* EffK.expect();
          return s;
        }),
      check: eq((n) => n),
    },
    "redux-saga": {
      note: "getContext via runSaga({ context })",
      prepare: (n) => () =>
        saga(
          function* () {
            let s = 0;
            for (let i = 0; i < n; i++) s += (yield getContext("k")) as number;
            return s;
          },
          {},
          { k: 1 },
        ),
      check: eq((n) => n),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// user handlers: n Tick effects answered by a user generator handler (resume / transfer)

export class Tick extends Effect<number> {
  declare readonly _tag: "Tick";
}
class Other extends Effect<number> {
  declare readonly _tag: "Other";
}

const resumeHandler: Handler = handle(Tick, function* tickResume(_e, k) {
  return yield* resume(k, 1);
});
const transferHandler: Handler = handle(Tick, function* tickTransfer(_e, k) {
  return yield* transfer(k, 1);
});

// the generic handle + transfer form without a generator (a handler may return a ProgramLike)
const transferFnHandler: Handler = handle(Tick, (_e, k) => transfer(k, 1));

const answerHandler: Handler = answer(Tick, () => 1);

export const doeffTicks = fn(function* ticks(n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* new Tick();
  return s;
});

// Peers: the fairest equivalent of "a user handler, installed in dynamic scope, answers the effect"
// in libraries without effect handlers: a handler looked up from the dynamic scope (effection
// context / Effect service / redux-saga context) per effect and called as a sub-operation. It does
// not capture a continuation, so it is cheaper than what doeff does — the conservative choice.
type EffTickHandler = (e: FTick) => effection.Operation<number>;
const EffHandler = effection.createContext<EffTickHandler>("bench.tickHandler");
class TickService extends Context.Service<
  TickService,
  { readonly handle: (e: FTick) => Fx.Effect<number> }
>()("bench/TickService") {}
class TickService3 extends Context3.Tag("bench/TickService")<
  TickService3,
  { readonly handle: (e: FTick) => Fx3.Effect<number> }
>() {}

function userHandlerPeers(): Record<string, ImplDef> {
  return {
    floor: {
      note: "a plain function answers each Tick",
      prepare: (n) => () => drive(floorTicks(n), new Map(), undefined, () => 1),
      check: eq((n) => n),
    },
    effect: {
      note: "service from a Context.Service key, handle(e) returns Effect.succeed(1)",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) {
            const h = yield* TickService;
            s += yield* h.handle(new FTick());
          }
          return s;
        }).pipe(Fx.provideService(TickService, { handle: () => Fx.succeed(1) }));
        return () => Fx.runSync(prog);
      },
      check: eq((n) => n),
    },
    effect3: {
      note: "effect 3.x: service from a Context.Tag, handle(e) returns Effect.succeed(1)",
      prepare: (n) => {
        const prog = Fx3.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) {
            const h = yield* TickService3;
            s += yield* h.handle(new FTick());
          }
          return s;
        }).pipe(Fx3.provideService(TickService3, { handle: () => Fx3.succeed(1) }));
        return () => Fx3.runSync(prog);
      },
      check: eq((n) => n),
    },
    effection: {
      scale: EFFECTION_SCALE,
      note: `handler generator from a context: yield* (yield* ctx.expect())(e); ${effectionNote}`,
      prepare: (n) => () =>
        effection.run(function* () {
          yield* EffHandler.set(function* () {
            return 1;
          });
          let s = 0;
          for (let i = 0; i < n; i++) {
            const h = yield* EffHandler.expect();
            s += yield* h(new FTick());
          }
          return s;
        }),
      check: eq((n) => n),
    },
    "effection-action": {
      scale: EFFECTION_SCALE / 10,
      note: "action((resolve) => { resolve(1); ... }): the continuation handed to user code (info only)",
      prepare: (n) => () =>
        effection.run(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) {
            s += yield* effection.action<number>((resolve) => {
              resolve(1);
              return () => {};
            });
          }
          return s;
        }),
      check: eq((n) => n),
    },
    "redux-saga": {
      scale: 1 / 5,
      note: "handler generator from getContext, run with call(h, e); runs 20% of the ops (CPU per op flat in n)",
      prepare: (n) => () =>
        saga(
          function* () {
            let s = 0;
            for (let i = 0; i < n; i++) {
              const h = (yield getContext("tick")) as (e: FTick) => Generator<unknown, number>;
              s += (yield call(h, new FTick())) as number;
            }
            return s;
          },
          {},
          {
            *tick() {
              return 1;
            },
          },
        ),
      check: eq((n) => n),
    },
  };
}

const userHandlerResume: Workload = {
  name: "user_handler_resume",
  op: "1 effect",
  ops: { full: 1_000_000, quick: 100_000 },
  note:
    "handle(Tick, function* (e, k) { return yield* resume(k, 1) }) around a loop of n Ticks; " +
    "each resume is non-tail, so all n handler invocations stay suspended until the loop ends",
  impls: {
    doeff: {
      prepare: (n) => {
        const p = withHandler(resumeHandler, doeffTicks(n));
        return () => ok(run(p));
      },
      check: eq((n) => n),
    },
    ...userHandlerPeers(),
  },
};

/** Diagnostic: the same handler, but a fresh withHandler every 1,000 effects, so at most 1,000
 * invocations are suspended at a time: separates the per-effect cost of resume from the GC cost of
 * retaining a million suspended invocations. */
const RESUME_BATCH = 1000;
const resumeBatches = fn(function* resumeBatches(batches: number) {
  let s = 0;
  for (let b = 0; b < batches; b++) s += yield* withHandler(resumeHandler, doeffTicks(RESUME_BATCH));
  return s;
});
const userHandlerResumeBatched: Workload = {
  name: "user_handler_resume_1k",
  op: "1 effect",
  ops: { full: 1_000_000, quick: 100_000 },
  note: `diagnostic: as user_handler_resume, with a fresh withHandler every ${RESUME_BATCH} effects (bounded retention)`,
  impls: {
    doeff: {
      prepare: (n) => {
        const p = resumeBatches(Math.max(1, Math.round(n / RESUME_BATCH)));
        return () => ok(run(p));
      },
      check: (r, n) => r === Math.max(1, Math.round(n / RESUME_BATCH)) * RESUME_BATCH,
    },
    floor: userHandlerPeers().floor!,
  },
};

const userHandlerTransfer: Workload = {
  name: "user_handler_transfer",
  op: "1 effect",
  ops: { full: 1_000_000, quick: 100_000 },
  note: "handle(Tick, function* (e, k) { return yield* transfer(k, 1) }) (tail resume)",
  impls: {
    doeff: {
      prepare: (n) => {
        const p = withHandler(transferHandler, doeffTicks(n));
        return () => ok(run(p));
      },
      check: eq((n) => n),
    },
    "doeff-fn": {
      note: "the same handler as a plain function: handle(Tick, (e, k) => transfer(k, 1))",
      prepare: (n) => {
        const p = withHandler(transferFnHandler, doeffTicks(n));
        return () => ok(run(p));
      },
      check: eq((n) => n),
    },
    "floor-gen-handler": {
      note: "diagnostic: the generator-handler protocol alone (k, handler generator, first step, return()), no VM",
      prepare: (n) => () => driveGenHandler(floorTicksYieldStar(n)),
      check: eq((n) => n),
    },
    ...userHandlerPeers(),
  },
};

const userHandlerAnswer: Workload = {
  name: "user_handler_answer",
  op: "1 effect",
  ops: { full: 1_000_000, quick: 100_000 },
  note: "answer(Tick, () => 1): the tail-resumptive form (no continuation captured)",
  impls: {
    doeff: {
      prepare: (n) => {
        const p = withHandler(answerHandler, doeffTicks(n));
        return () => ok(run(p));
      },
      check: eq((n) => n),
    },
    "floor-yield*": {
      note: "diagnostic: the floor with doeff's `yield*`-over-a-one-shot-iterator program style",
      prepare: (n) => () => drive(floorTicksYieldStar(n), new Map(), undefined, () => 1),
      check: eq((n) => n),
    },
    ...userHandlerPeers(),
  },
};

// ---------------------------------------------------------------------------------------------
// call_depth_D: n gets performed D program calls deep (depth 1 = the top program performs them)

const leaf = fn(function* leaf(n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* get<number>("c");
  return s;
});
// calls go through the fn-wrapped `nest` (the inner generator has another name on purpose)
export const nest: (depth: number, n: number) => Program<number> = fn(function* nestGen(
  depth: number,
  n: number,
): Generator<unknown, number, any> {
  if (depth <= 1) return yield* leaf(n);
  return yield* nest(depth - 1, n);
});

function* effLeaf(n: number): effection.Operation<number> {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* EffK.expect();
  return s;
}
function* effNest(depth: number, n: number): effection.Operation<number> {
  if (depth <= 1) return yield* effLeaf(n);
  return yield* effNest(depth - 1, n);
}

/** The call_depth_D doeff run: n gets performed D program calls deep. */
function callDepthRun(depth: number, n: number): () => unknown {
  // depth 1: the top program (leaf) performs the effects
  const p = depth === 1 ? leaf(n) : nest(depth, n);
  return () => ok(run(p, { handlers: [state], store: { c: 1 } }));
}

/**
 * A workload whose implementations are doeff runs of one program at two or more settings, so that
 * they share processes and are interleaved round by round (see callDepthPaired).
 */
function pairedWorkload(
  name: string,
  op: string,
  note: string,
  impls: Record<string, (n: number) => () => unknown>,
): Workload {
  const defs: Record<string, ImplDef> = {};
  for (const [k, prepare] of Object.entries(impls)) defs[k] = { prepare, check: eq((n) => n) };
  return { name, op, ops: { full: 300_000, quick: 30_000 }, note, impls: defs };
}

function callDepth(depth: number): Workload {
  return {
    name: `call_depth_${depth}`,
    op: "1 effect (get) at the given call depth",
    ops: { full: 300_000, quick: 30_000 },
    note: "doeff: fn-program calls (VM frames); floor/effection: a native yield* chain of that depth",
    impls: {
      doeff: { prepare: (n) => callDepthRun(depth, n), check: eq((n) => n) },
      floor: {
        note: "native yield* chain of that depth, driven by the floor loop",
        prepare: (n) => () => drive(floorNest(depth, n), new Map([["c", 1]])),
        check: eq((n) => n),
      },
      effection: {
        scale: EFFECTION_SCALE,
        note: `context.expect() at the bottom of a native yield* chain; ${effectionNote}`,
        prepare: (n) => () =>
          effection.run(function* () {
            yield* EffK.set(1);
            return yield* effNest(depth, n);
          }),
        check: eq((n) => n),
      },
    },
  };
}

/**
 * call_depth_paired: depth 1 and depth 1000 as two implementations of one workload, so that they run
 * in the same processes, interleaved round by round. The separate call_depth_D workloads each run in
 * processes of their own, and a process draws one of two JIT modes for the step loop (bench/README.md,
 * "call_depth_1000"), so their ratio compares two draws; here both depths run on the same compiled
 * code, and the ratio is what depth itself costs. The call_depth target is judged on this pair.
 */
const callDepthPaired: Workload = pairedWorkload(
  "call_depth_paired",
  "1 effect (get) at call depth 1 and 1000, interleaved in one process",
  "the call_depth_1 and call_depth_1000 doeff programs as two implementations of one workload",
  {
    "doeff-depth-1": (n) => callDepthRun(1, n),
    "doeff-depth-1000": (n) => callDepthRun(1000, n),
  },
);

// ---------------------------------------------------------------------------------------------
// handler_depth_N: get handled by the outermost (state) of N handlers; N-1 inner handle(Other, …)

const otherHandler: Handler = handle(Other, function* other(_e, k) {
  return yield* transfer(k, 0);
});

/** The handler_depth_N doeff run: get answered by state, the outermost of N handlers. */
function handlerDepthRun(count: number, n: number): () => unknown {
  const handlers: Handler[] = [state];
  for (let i = 1; i < count; i++) handlers.push(otherHandler);
  const p = leaf(n);
  return () => ok(run(p, { handlers, store: { c: 1 } }));
}

function handlerDepth(count: number): Workload {
  return {
    name: `handler_depth_${count}`,
    op: "1 effect (get)",
    ops: { full: 300_000, quick: 30_000 },
    note: `handlers: [state, ${count - 1} × handle(Other, …)]; state (outermost) answers`,
    impls: {
      doeff: { prepare: (n) => handlerDepthRun(count, n), check: eq((n) => n) },
      floor: {
        note: "depth-independent reference",
        prepare: (n) => () => drive(floorNest(1, n), new Map([["c", 1]])),
        check: eq((n) => n),
      },
    },
  };
}

/**
 * handler_depth_paired: 1 and 100 handlers as two implementations of one workload, interleaved in
 * the same processes (see callDepthPaired: in one full run the depth-independent floor itself read
 * 22.8 ns in handler_depth_1's process and 36.3 ns in handler_depth_100's). The handler-depth target
 * is judged on this pair.
 */
const handlerDepthPaired: Workload = pairedWorkload(
  "handler_depth_paired",
  "1 effect (get) under 1 and 100 handlers, interleaved in one process",
  "the handler_depth_1 and handler_depth_100 doeff programs as two implementations of one workload",
  {
    "doeff-handlers-1": (n) => handlerDepthRun(1, n),
    "doeff-handlers-100": (n) => handlerDepthRun(100, n),
  },
);

// ---------------------------------------------------------------------------------------------
// run_trivial

const pure1 = pure(1);
const fxOne = Fx.succeed(1);
const fx3One = Fx3.succeed(1);

const runTrivial: Workload = {
  name: "run_trivial",
  op: "1 run",
  ops: { full: 200_000, quick: 20_000 },
  impls: {
    doeff: {
      note: "run(pure(1))",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += ok(run(pure1));
        return s;
      },
      check: eq((n) => n),
    },
    floor: {
      note: "drive a generator that returns 1",
      prepare: (n) => () => {
        let s = 0;
        const m = new Map<string, unknown>();
        for (let i = 0; i < n; i++) s += drive(floorTrivial(), m);
        return s;
      },
      check: eq((n) => n),
    },
    effect: {
      note: "Effect.runSync(Effect.succeed(1))",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Fx.runSync(fxOne);
        return s;
      },
      check: eq((n) => n),
    },
    effect3: {
      note: "effect 3.x: Effect.runSync(Effect.succeed(1))",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Fx3.runSync(fx3One);
        return s;
      },
      check: eq((n) => n),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// run_10_effects: one run of a program performing 10 state effects (5 × get + put), fresh state

const tenEffects = fn(function* tenEffects() {
  for (let i = 0; i < 5; i++) {
    const c = yield* get<number>("c");
    yield* put("c", c + 1);
  }
  return yield* get<number>("c");
});
const tenProg = tenEffects();
const fxTen = Fx.gen(function* () {
  const ref = yield* Ref.make(0);
  for (let i = 0; i < 5; i++) {
    const c = yield* Ref.get(ref);
    yield* Ref.set(ref, c + 1);
  }
  return yield* Ref.get(ref);
});
const fx3Ten = Fx3.gen(function* () {
  const ref = yield* Ref3.make(0);
  for (let i = 0; i < 5; i++) {
    const c = yield* Ref3.get(ref);
    yield* Ref3.set(ref, c + 1);
  }
  return yield* Ref3.get(ref);
});

const runTen: Workload = {
  name: "run_10_effects",
  op: "1 run of a program of 11 state effects (5 × get + put, then get)",
  ops: { full: 100_000, quick: 10_000 },
  impls: {
    doeff: {
      note: "run(p, { handlers: [state], store: { c: 0 } })",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += ok(run(tenProg, { handlers: [state], store: { c: 0 } }));
        return s;
      },
      check: eq((n) => 5 * n),
    },
    floor: {
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += drive(floorStateLoop(5), new Map([["c", 0]]));
        return s;
      },
      check: eq((n) => 5 * n),
    },
    effect: {
      note: "Ref.make + 5 × (Ref.get + Ref.set) + Ref.get in Effect.gen, runSync",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Fx.runSync(fxTen);
        return s;
      },
      check: eq((n) => 5 * n),
    },
    effect3: {
      note: "effect 3.x, same program",
      prepare: (n) => () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Fx3.runSync(fx3Ten);
        return s;
      },
      check: eq((n) => 5 * n),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// handler_per_level: a recursion that installs a handler at every level and performs an effect the
// outermost handler answers, past every level's handler — each search starts at a new prompt, so
// only a prompt further out that already knows the answer keeps it from walking them all (O(n²)
// before: 16,000 levels took 4.8 s)

const levelHandler: Handler = handle(Other, function* level(_e, k) {
  return yield* transfer(k, 0);
});
const levels: (n: number) => Program<number> = fn(function* levelsGen(
  n: number,
): Generator<unknown, number, any> {
  if (n === 0) return 0;
  const c = yield* get<number>("c");
  return c + (yield* withHandler(levelHandler, levels(n - 1)));
});

const handlerPerLevel: Workload = {
  name: "handler_per_level",
  op: "1 level (a handler installed, 1 effect past every handler below it)",
  ops: { full: 4_000, quick: 1_000 },
  note: "recursion n levels deep; each level installs handle(Other, …) and performs get, answered by state outside them all",
  impls: {
    doeff: {
      prepare: (n) => {
        const p = levels(n);
        return () => ok(run(p, { handlers: [state], store: { c: 1 } }));
      },
      check: eq((n) => n),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// caught_failure: a sub-program that fails with a new Error, caught as a value, n times in one run

const doeffFails = fn(function* fails(i: number): Generator<never, number, unknown> {
  throw new Error(`no ${i}`);
});
const doeffCaughtLoop = fn(function* caughtLoop(n: number) {
  let caught = 0;
  for (let i = 0; i < n; i++) if (!(yield* safe(doeffFails(i))).ok) caught++;
  return caught;
});
function* floorFails(i: number): Generator<never, number, unknown> {
  throw new Error(`no ${i}`);
}

const caughtFailure: Workload = {
  name: "caught_failure",
  op: "1 failure caught as a value",
  ops: { full: 200_000, quick: 20_000 },
  impls: {
    doeff: {
      note: "`safe(fails(i))`, `fails` an `fn` that throws a new Error (its origin recorded for the traceback)",
      prepare: (n) => {
        const p = doeffCaughtLoop(n);
        return () => ok(run(p, { handlers: [] }));
      },
      check: eq((n) => n),
    },
    floor: {
      note: "a generator that throws a new Error, caught by try/catch",
      prepare: (n) => () => {
        let caught = 0;
        for (let i = 0; i < n; i++) {
          try {
            floorFails(i).next();
          } catch {
            caught++;
          }
        }
        return caught;
      },
      check: eq((n) => n),
    },
    effect: {
      note: "`Effect.result` of an `Effect.gen` that yields `Effect.fail(new Error)`, runSync",
      prepare: (n) => {
        const fails = (i: number) =>
          Fx.gen(function* () {
            return yield* Fx.fail(new Error(`no ${i}`));
          });
        const prog = Fx.gen(function* () {
          let caught = 0;
          for (let i = 0; i < n; i++) if ((yield* Fx.result(fails(i)))._tag === "Failure") caught++;
          return caught;
        });
        return () => Fx.runSync(prog);
      },
      check: eq((n) => n),
    },
  },
};

// ---------------------------------------------------------------------------------------------

export function workloads(): Workload[] {
  return [
    stateLoop,
    stateLoopTraceOff,
    readerLoop,
    userHandlerResume,
    userHandlerResumeBatched,
    userHandlerTransfer,
    userHandlerAnswer,
    ...[1, 10, 100, 1000].map(callDepth),
    callDepthPaired,
    ...[1, 10, 100].map(handlerDepth),
    handlerDepthPaired,
    handlerPerLevel,
    ...schedulerWorkloads(),
    ...toolkitWorkloads(),
    ...requestWorkloads(),
    runTrivial,
    runTen,
    caughtFailure,
    ...ehbWorkloads(),
  ];
}
