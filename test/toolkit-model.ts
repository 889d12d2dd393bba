/**
 * A reference model of the concurrency toolkit (docs/concurrency.md §5) for the model-based fuzz test
 * (test/toolkit-model.test.ts). A program tree of leaves and combinators is simulated from its delays
 * alone: a discrete-event simulation with an explicit clock and callbacks, no scheduler. It predicts
 * the outcome, the clock at the end, every leaf attempt (start, ok/fail, finally — once, at the right
 * time), the order of the finally blocks that one cancellation runs, the order of sequential runs,
 * and the warnings (a detached task's log, never collected, among them).
 *
 * What the model does *not* decide — the interleaving of unrelated tasks within one instant, which
 * depends on the scheduler's ready queue — it detects and reports as `ambiguous` (the case is then
 * skipped): two timers due at the same instant (except a timeout's deadline and timers inside its
 * program: the deadline is exclusive, documented), more acquires of a semaphore at one instant than
 * it has free permits, or one that queues (which gets a permit first depends on that order), something started (or made ready) and cancelled at the same
 * instant, two detached tasks of one scope spawned at one instant, a leaf started twice at one
 * instant, and the run ending while a made-ready task has not run yet.
 */

export type Node =
  /**
   * delay(ms), then fail the first `failFirst` runs of this leaf (99: always), else return `name#run`;
   * its finally logs, and throws when `finThrows` (replacing its outcome, or while it is cancelled).
   * `ping` 1 / 2: after its delay it performs an effect that a handler inside the scheduler (so
   * around every task, and main) answers without resuming ("aborted-by-handler") / throws at: that
   * ends the leaf's whole task (docs/concurrency.md §2.2), its finally blocks running.
   */
  | { k: "leaf"; id: number; ms: number; failFirst: number; finThrows: boolean; ping: number }
  | { k: "all"; kids: Node[]; conc: number | undefined; forEach: boolean }
  | { k: "race"; kids: Node[] }
  | { k: "timeout"; ms: number; p: Node }
  /** delay: ms between attempts, or `-ms`: a function `(attempt) => ms * attempt`; leafOnly: `while` */
  | { k: "retry"; times: number; delay: number; leafOnly: boolean; p: Node }
  | { k: "safe"; p: Node }
  | { k: "scoped"; p: Node }
  | { k: "permit"; sem: number; p: Node }
  /** spawn(p) and forget it: answers "detached" at once */
  | { k: "detach"; p: Node }
  /** a, then b: [a, b] */
  | { k: "seq"; a: Node; b: Node };

/** Errors and values as plain data, for comparison. */
export type Desc =
  | string
  | Desc[]
  | { leaf: string; run: number }
  | { fin: string; run: number }
  | { timeout: number }
  | { aggregate: Desc[] }
  | { ok: true; value: Desc }
  | { ok: false; error: Desc }
  | { other: string }
  /** the scheduler's warning of logs nothing collected (detached tasks') */
  | { lostLog: number; tasks: number };

/** `tells`: what the node added to its task's log (`tell`), merged logs of the tasks it collected included */
type Out = ({ ok: true; value: Desc } | { ok: false; error: Desc }) & { tells: string[] };

export const leafName = (id: number): string => `L${id}`;

/** One line of the leaves' log: `kind` is start | ok | fail | finally. */
export interface Ev {
  t: number;
  leaf: number;
  run: number;
  kind: string;
  /** inside a detached task (it may outlive what spawned it) */
  det: boolean;
}
export const evKey = (e: { leaf: number; run: number; kind: string }): string =>
  `${leafName(e.leaf)}#${e.run} ${e.kind}`;

/** Every non-detached event of `before` leaves in log[from, mid) precedes those of `after` in log[mid, ∞). */
export interface Order {
  before: ReadonlySet<number>;
  after: ReadonlySet<number>;
  from: number;
  mid: number;
}

export interface Prediction {
  ambiguous: string | null;
  outcome: Out;
  end: number;
  log: Ev[];
  /** index in `log` where main ended (the "root end" marker goes before log[rootEnd]) */
  rootEnd: number;
  /** each: the log indices of the finally blocks one cancellation ran, in order (contiguous in doeff) */
  groups: number[][];
  orders: Order[];
  warnings: Desc[];
}

interface Proc {
  cancel(): void;
}
interface Entry {
  state: "pending" | "run" | "done" | "cancelled";
  proc: Proc | null;
  t: number;
  /** the detached task, once it runs: its log is lost unless a program cancelled it (scoped) */
  task?: Task;
  /** cancelled as main ended (R9): nothing decided its log's fate, so its loss is reported */
  byMain?: boolean;
}
/** A task (a program that a combinator, `spawn` or the run started): where a cancellation stops. */
interface Task {
  /** what was told in it (the logs of the tasks it collected included) */
  log: string[];
  /** a handler ended it (`ping`): its frames are finalized, its outcome the handler's */
  end: (ping: number) => void;
  cancelling: boolean;
  /** the first error a finally block threw while it was cancelled: the run keeps it as a warning */
  first: Desc | undefined;
}
interface Ctx {
  within: readonly number[];
  scope: Entry[];
  det: boolean;
  task: Task;
}
interface Timer {
  due: number;
  seq: number;
  live: boolean;
  within: readonly number[];
  deadline: number | null;
  fire: () => void;
}
interface Sem {
  cap: number;
  held: number;
  queue: { grant: () => void; state: string }[];
  /** the acquires of one instant: whether each had to queue */
  acquiredAt: { t: number; ws: boolean[]; free: number };
}
type Cb = (o: Out) => void;

export function leavesOf(n: Node, into = new Set<number>()): Set<number> {
  if (n.k === "leaf") into.add(n.id);
  else if (n.k === "all" || n.k === "race") for (const c of n.kids) leavesOf(c, into);
  else if (n.k === "seq") {
    leavesOf(n.a, into);
    leavesOf(n.b, into);
  } else leavesOf(n.p, into);
  return into;
}

const ok = (value: Desc, tells: string[] = []): Out => ({ ok: true, value, tells });
const err = (error: Desc, tells: string[] = []): Out => ({ ok: false, error, tells });

export function predict(root: Node, semCaps: readonly number[]): Prediction {
  let t = 0;
  let seq = 0;
  let timeoutIds = 0;
  let timers: Timer[] = [];
  let deferred: (() => void)[] = [];
  const runs = new Map<number, number>();
  const startedAt = new Map<number, number>(); // leaf → instant of its last start
  const log: Ev[] = [];
  const groups: number[][] = [];
  const open: number[][] = [];
  const orders: Order[] = [];
  const warnings: Desc[] = [];
  const detached: Entry[] = [];
  let ambiguous: string | null = null;
  const sems: Sem[] = semCaps.map((cap) => ({
    cap,
    held: 0,
    queue: [],
    acquiredAt: { t: -1, ws: [], free: 0 },
  }));
  const unclear = (why: string) => {
    ambiguous ??= `${why} at ${t} ms`;
  };

  const ev = (leaf: number, run: number, kind: string, det: boolean) => {
    log.push({ t, leaf, run, kind, det });
    if (kind === "finally") for (const g of open) g.push(log.length - 1);
  };
  /** one cancellation: the finally blocks it runs are contiguous, in this order */
  const group = (f: () => void) => {
    const g: number[] = [];
    open.push(g);
    f();
    open.pop();
    if (g.length > 1) groups.push(g);
  };
  const timer = (ms: number, ctx: Ctx, deadline: number | null, fire: () => void): Timer => {
    const tm = { due: t + ms, seq: seq++, live: true, within: ctx.within, deadline, fire };
    timers.push(tm);
    return tm;
  };

  function start(n: Node, ctx: Ctx, cb: Cb): Proc {
    switch (n.k) {
      case "leaf": {
        const run = (runs.get(n.id) ?? 0) + 1;
        runs.set(n.id, run);
        if (startedAt.get(n.id) === t) unclear("a leaf started twice");
        startedAt.set(n.id, t);
        const t0 = t;
        ev(n.id, run, "start", ctx.det);
        ctx.task.log.push(`${leafName(n.id)}#${run}`); // it tells its name when it starts
        let pinging = false;
        const tm = timer(n.ms, ctx, null, () => {
          if (n.ping > 0) {
            ev(n.id, run, "ping", ctx.det);
            pinging = true;
            return ctx.task.end(n.ping);
          }
          const fail = run <= n.failFirst;
          ev(n.id, run, fail ? "fail" : "ok", ctx.det);
          ev(n.id, run, "finally", ctx.det);
          const tells = [`${leafName(n.id)}#${run}`]; // it tells its name when it starts
          if (n.finThrows) cb(err({ fin: leafName(n.id), run }, tells));
          else cb(fail ? err({ leaf: leafName(n.id), run }, tells) : ok(`${leafName(n.id)}#${run}`, tells));
        });
        return {
          cancel() {
            if (!tm.live && !pinging) return;
            tm.live = false;
            pinging = false;
            if (t === t0) unclear("a leaf started and cancelled");
            ev(n.id, run, "finally", ctx.det);
            if (!ctx.task.cancelling)
              throw new Error("the model cancelled a leaf outside a task's cancellation");
            if (n.finThrows) ctx.task.first ??= { fin: leafName(n.id), run };
          },
        };
      }
      case "all": {
        const { kids } = n;
        const limit = n.conc ?? Number.POSITIVE_INFINITY;
        const procs: (Proc | null)[] = [];
        const status: string[] = [];
        const values: Desc[] = [];
        const kidTells: string[][] = [];
        let started = 0;
        let running = 0;
        let succeeded = 0;
        let finished = false;
        let pumping = false;
        const cancelRunning = () =>
          group(() => {
            for (let i = 0; i < started; i++)
              if (status[i] === "run") {
                status[i] = "cancelled";
                procs[i]?.cancel();
              }
          });
        const onDone = (i: number, o: Out) => {
          running--;
          if (!o.ok) {
            status[i] = "fail";
            finished = true;
            cancelRunning();
            ctx.task.log.push(...o.tells);
            cb(o);
            return;
          }
          status[i] = "ok";
          values[i] = o.value;
          kidTells[i] = o.tells;
          if (++succeeded === kids.length) {
            finished = true;
            ctx.task.log.push(...kidTells.flat());
            cb(ok(values, kidTells.flat())); // every task's log, in input order
          } else pump();
        };
        const pump = () => {
          if (pumping) return;
          pumping = true;
          while (!finished && started < kids.length && running < limit) {
            const i = started++;
            running++;
            status[i] = "run";
            procs[i] = spawn(kids[i]!, ctx, (o) => onDone(i, o));
          }
          pumping = false;
        };
        pump();
        return {
          cancel() {
            if (finished) return;
            finished = true;
            cancelRunning();
          },
        };
      }
      case "race": {
        const procs: Proc[] = [];
        const status: string[] = [];
        const errors: Desc[] = [];
        let failed = 0;
        let decided = false;
        const count = n.kids.length;
        const cancelRunning = () =>
          group(() => {
            procs.forEach((p, i) => {
              if (status[i] === "run") {
                status[i] = "cancelled";
                p.cancel();
              }
            });
          });
        // every program is spawned before any runs: completions during the spawning wait for it
        let spawning = true;
        const early: (() => void)[] = [];
        n.kids.forEach((c, i) => {
          status[i] = "run";
          procs[i] = spawn(c, ctx, (o) => {
            if (spawning) return void early.push(() => onDone(i, o));
            onDone(i, o);
          });
        });
        spawning = false;
        for (const f of early) f();
        function onDone(i: number, o: Out) {
          if (decided) return;
          if (o.ok) {
            status[i] = "ok";
            decided = true;
            cancelRunning();
            ctx.task.log.push(...o.tells);
            cb(o);
          } else {
            status[i] = "fail";
            errors[i] = o.error;
            if (++failed === count) {
              decided = true;
              cb(err({ aggregate: errors }));
            }
          }
        }
        return {
          cancel() {
            if (decided) return;
            decided = true;
            cancelRunning();
            for (const e of errors) if (e !== undefined) warnings.push(e); // no program receives them
          },
        };
      }
      case "timeout": {
        const id = timeoutIds++;
        let done = false;
        let p: Proc | null = null;
        const deadline = timer(n.ms, ctx, id, () => {
          done = true;
          group(() => p?.cancel());
          cb(err({ timeout: n.ms }));
        });
        p = spawn(n.p, { ...ctx, within: [...ctx.within, id] }, (o) => {
          if (done) return;
          done = true;
          deadline.live = false;
          ctx.task.log.push(...o.tells);
          cb(o);
        });
        return {
          cancel() {
            if (done) return;
            done = true;
            deadline.live = false;
            group(() => p?.cancel());
          },
        };
      }
      case "retry": {
        let failures = 0;
        let cur: Proc | null = null;
        let backoff: Timer | null = null;
        const tells: string[] = [];
        let from = log.length;
        const leaves = leavesOf(n.p);
        const attempt = () => {
          if (failures > 0) orders.push({ before: leaves, after: leaves, from, mid: log.length });
          from = log.length;
          let over = false;
          const p = start(n.p, ctx, (o) => {
            over = true;
            cur = null;
            tells.push(...o.tells); // every attempt runs in the calling task: its log stays
            const retryIt = !o.ok && failures < n.times && (!n.leafOnly || isLeafError(o.error));
            if (!retryIt) return cb({ ...o, tells });
            failures++;
            const ms = n.delay >= 0 ? n.delay : -n.delay * failures;
            if (ms === 0) attempt();
            else
              backoff = timer(ms, ctx, null, () => {
                backoff = null;
                attempt();
              });
          });
          if (!over) cur = p;
        };
        attempt();
        return {
          cancel() {
            if (backoff) backoff.live = false;
            cur?.cancel();
          },
        };
      }
      case "safe": {
        const p = start(n.p, ctx, (o) =>
          cb(ok(o.ok ? { ok: true, value: o.value } : { ok: false, error: o.error }, o.tells)),
        );
        return { cancel: () => p.cancel() };
      }
      case "scoped": {
        const scope: Entry[] = [];
        let done = false;
        const end = () => {
          for (const e of scope) cancelEntry(e);
        };
        const p = start(n.p, { ...ctx, scope }, (o) => {
          done = true;
          end();
          cb(o);
        });
        return {
          cancel() {
            if (done) return;
            done = true;
            p.cancel();
            end();
          },
        };
      }
      case "permit": {
        const s = sems[n.sem]!;
        let p: Proc | null = null;
        const release = () => {
          const next = s.queue.shift();
          if (next) next.grant();
          else s.held--;
        };
        const run = () => {
          w.state = "run";
          p = start(n.p, ctx, (o) => {
            w.state = "done";
            release();
            cb(o);
          });
        };
        const w = {
          state: "wait",
          grant() {
            w.state = "granted";
            deferred.push(() => {
              if (w.state === "granted") run();
            });
          },
        };
        if (s.acquiredAt.t !== t) s.acquiredAt = { t, ws: [], free: s.cap - s.held };
        const queued = !(s.held < s.cap && s.queue.length === 0);
        s.acquiredAt.ws.push(queued);
        if (s.held < s.cap && s.queue.length === 0) {
          s.held++;
          run();
        } else s.queue.push(w);
        return {
          cancel() {
            if (w.state === "wait") {
              w.state = "cancelled";
              s.queue.splice(s.queue.indexOf(w), 1);
            } else if (w.state === "granted") {
              unclear("a granted waiter cancelled before it ran");
              w.state = "cancelled";
              release();
            } else if (w.state === "run") {
              w.state = "done";
              p?.cancel();
              release();
            }
          },
        };
      }
      case "detach": {
        const e: Entry = { state: "pending", proc: null, t };
        if (ctx.scope.some((x) => x.t === t)) unclear("two tasks detached in one scope");
        ctx.scope.push(e);
        deferred.push(() => {
          if (e.state !== "pending") return;
          e.state = "run";
          const pr = spawn(n.p, { ...ctx, within: [], det: true }, (o) => {
            e.state = "done";
            if (!o.ok) warnings.push(o.error); // "task N failed and nothing waited for it"
          });
          e.proc = pr;
          e.task = pr.task;
          detached.push(e);
        });
        cb(ok("detached"));
        return { cancel() {} };
      }
      case "seq": {
        let cur: Proc | null = null;
        let inA = true;
        let over = false;
        const from = log.length;
        const pa = start(n.a, ctx, (a) => {
          inA = false;
          if (!a.ok) return cb(a);
          orders.push({ before: leavesOf(n.a), after: leavesOf(n.b), from, mid: log.length });
          const pb = start(n.b, ctx, (b) => {
            over = true;
            const tells = [...a.tells, ...b.tells];
            cb(b.ok ? ok([a.value, b.value], tells) : { ...b, tells });
          });
          if (!over) cur = pb;
        });
        if (inA) cur = pa;
        return { cancel: () => cur?.cancel() };
      }
    }
  }

  /** `n` as a task of its own: cancelling it keeps the first error its finally blocks threw */
  function spawn(n: Node, ctx: Ctx, cb: Cb): Proc & { task: Task } {
    let over = false;
    const task: Task = {
      log: [],
      cancelling: false,
      first: undefined,
      end(ping) {
        over = true;
        task.cancelling = true;
        p.cancel();
        task.cancelling = false;
        let o =
          ping === 1 ? ok("aborted-by-handler", task.log) : err({ other: "Error: handler threw" }, task.log);
        // the first error a finally block threw replaces the handler's value; beside its error, it is kept
        if (task.first !== undefined) {
          if (o.ok) o = err(task.first, task.log);
          else warnings.push(task.first);
        }
        task.first = undefined;
        cb(o);
      },
    };
    const p = start(n, { ...ctx, task }, (o) => {
      if (!over) cb(o);
    });
    return {
      task,
      cancel() {
        task.cancelling = true;
        p.cancel();
        task.cancelling = false;
        if (task.first !== undefined) warnings.push(task.first);
        task.first = undefined;
      },
    };
  }

  function cancelEntry(e: Entry, byMain = false): void {
    if (e.state === "pending") unclear("a detached task cancelled before it ran");
    if (e.state === "run") e.byMain = byMain;
    if (e.state === "run") group(() => e.proc?.cancel());
    e.state = e.state === "run" || e.state === "pending" ? "cancelled" : e.state;
  }

  const rootScope: Entry[] = [];
  let outcome: Out | null = null;
  let end = 0;
  let rootEnd = 0;
  const mainTask: Task = { log: [], end() {}, cancelling: false, first: undefined };
  spawn(root, { within: [], scope: rootScope, det: false, task: mainTask }, (o) => {
    outcome = o;
    end = t;
    rootEnd = log.length;
    if (deferred.length > 0) unclear("main ended with a task made ready that had not run");
    for (const e of rootScope) cancelEntry(e, true); // the scheduler, when main ends (ascending id)
  });
  const settleInstant = () => {
    while (outcome === null && deferred.length > 0) deferred.shift()!();
    for (const s of sems)
      if (s.acquiredAt.t === t && s.acquiredAt.ws.length > 1) {
        // which gets a permit first depends on that order (a zero-length hold too: withPermit(s, spawn))
        if (s.acquiredAt.ws.includes(true) || s.acquiredAt.ws.length > s.acquiredAt.free)
          unclear("more acquires of one semaphore at one instant than free permits");
      }
  };
  settleInstant();
  while (outcome === null && ambiguous === null) {
    timers = timers.filter((x) => x.live);
    if (timers.length === 0) throw new Error("the model deadlocked: a generator bug");
    t = Math.min(...timers.map((x) => x.due));
    const due = timers.filter((x) => x.due === t).sort((a, b) => a.seq - b.seq);
    const first = due[0]!;
    if (
      due.length > 1 &&
      !(first.deadline !== null && due.slice(1).every((x) => x.within.includes(first.deadline!)))
    )
      unclear("two timers due");
    for (const x of due)
      if (x.live) {
        x.live = false;
        x.fire();
      }
    settleInstant();
  }
  deferred = [];
  // the logs of detached tasks nothing collected (the model never waits for one): one warning, when
  // the scheduler's world closes, after every other
  let lostTasks = 0;
  let lostEntries = 0;
  for (const e of detached)
    if ((e.state === "done" || e.byMain === true) && e.task!.log.length > 0) {
      lostTasks++;
      lostEntries += e.task!.log.length;
    }
  if (lostTasks > 0) warnings.push({ lostLog: lostEntries, tasks: lostTasks });
  return {
    ambiguous,
    outcome: outcome ?? err({ other: "ambiguous" }),
    end,
    log,
    rootEnd,
    groups,
    orders,
    warnings,
  };
}

function isLeafError(d: Desc): boolean {
  return typeof d === "object" && d !== null && "leaf" in d;
}
