import {
  answer,
  type Channel,
  cancel,
  createChannel,
  delay,
  Effect,
  fn,
  handle,
  now,
  program,
  receive,
  run,
  safe,
  scheduler,
  send,
  simulatedTime,
  spawn,
  type Task,
  TimeoutError,
  timeout,
  transfer,
  transferWith,
} from "../../src/index.js";
import { seededRandom } from "../../src/testing/index.js";

// ── The system under test: leader election after Raft, written against three effects ──────────
type Msg = { type: "vote?" | "vote" | "beat"; term: number; from: number; granted?: boolean };
class Send extends Effect<void> {
  declare readonly _tag: "Send";
  constructor(
    readonly to: number,
    readonly msg: Msg,
  ) {
    super();
  }
}
// answered by Math.random in production, by a seeded generator in the simulation
class Random extends Effect<number> {
  declare readonly _tag: "Random";
}
class Note extends Effect<void> {
  declare readonly _tag: "Note";
  constructor(
    readonly node: number,
    readonly what: string,
    readonly term: number,
  ) {
    super();
  }
}

const N = 5;
/** What a node keeps across a crash. */
interface Disk {
  term: number;
  votedFor: number | null;
}
let votesTwice = false; // the bug the simulation must find

const electionTimeout = fn(function* electionTimeout() {
  return (yield* now()) + 150 + Math.floor((yield* new Random()) * 150);
});

const node = fn(function* node(id: number, inbox: Channel<Msg>, disk: Disk) {
  let role = "follower";
  let votes = 0;
  let deadline = yield* electionTimeout();
  for (;;) {
    const r = yield* safe(timeout(receive(inbox), Math.max(0, deadline - (yield* now()))));
    if (!r.ok) {
      if (!(r.error instanceof TimeoutError)) throw r.error;
      if (role !== "leader") {
        [disk.term, disk.votedFor, role, votes] = [disk.term + 1, id, "candidate", 1];
        yield* new Note(id, "runs", disk.term);
      }
      for (let p = 0; p < N; p++)
        if (p !== id)
          yield* new Send(p, { type: role === "leader" ? "beat" : "vote?", term: disk.term, from: id });
      deadline = role === "leader" ? (yield* now()) + 50 : yield* electionTimeout();
      continue;
    }
    if (r.value.done) return;
    const m = r.value.value;
    if (m.term > disk.term) {
      if (role === "leader") deadline = yield* electionTimeout(); // (not its next heartbeat)
      [disk.term, disk.votedFor, role] = [m.term, null, "follower"];
    }
    if (m.type === "beat" && m.term === disk.term) {
      role = "follower";
      deadline = yield* electionTimeout();
    } else if (m.type === "vote?") {
      const granted = m.term === disk.term && (votesTwice || (disk.votedFor ?? m.from) === m.from);
      if (granted) disk.votedFor = m.from;
      yield* new Send(m.from, { type: "vote", term: disk.term, from: id, granted });
    } else if (m.type === "vote" && m.granted && role === "candidate" && m.term === disk.term) {
      if (++votes * 2 > N) {
        role = "leader";
        yield* new Note(id, "leads", disk.term);
        deadline = yield* now(); // heartbeats at once
      }
    }
  }
});

// ── The simulator: a network that drops, delays and reorders, crashes and restarts, checks ─────
function simulate(seed: number) {
  const rng = seededRandom(seed);
  const events: string[] = [];
  const inboxes: (Channel<Msg> | null)[] = []; // null: the node is down
  const leaders = new Map<number, number>(); // term → the node that led it

  const deliver = fn(function* deliver(to: number, msg: Msg, ms: number) {
    yield* delay(ms);
    const inbox = inboxes[to];
    if (inbox) yield* send(inbox, msg); // (capacity Infinity: never blocks)
  });
  const network = handle(Send, function* (e, k) {
    if (rng.chance(0.1)) return yield* transfer(k, undefined); // lost
    const ms = 1 + rng.int(30); // a delay each: messages overtake one another
    return yield* transferWith(
      k,
      program(function* () {
        yield* spawn(deliver(e.to, e.msg, ms));
      }),
    );
  });
  const log = (ms: number, line: string) => events.push(`${String(ms).padStart(5)} ms  ${line}`);
  const notes = handle(Note, function* (e, k) {
    log(yield* now(), `n${e.node} ${e.what} (term ${e.term})`);
    const other = leaders.get(e.term); // the invariant: one leader per term
    if (e.what === "leads" && other !== undefined)
      throw new Error(`election safety: n${other} and n${e.node} both lead term ${e.term}`);
    if (e.what === "leads") leaders.set(e.term, e.node);
    return yield* transfer(k, undefined);
  });

  const cluster = program(function* cluster() {
    const disks: Disk[] = [];
    const tasks: Task<void>[] = [];
    const start = fn(function* start(id: number) {
      const inbox = yield* createChannel<Msg>({ capacity: Infinity });
      inboxes[id] = inbox;
      tasks[id] = yield* spawn(node(id, inbox, (disks[id] ??= { term: 0, votedFor: null })));
    });
    for (let id = 0; id < N; id++) yield* start(id);
    yield* spawn(
      program(function* nemesis() {
        for (;;) {
          yield* delay(200 + rng.int(800));
          const victim = rng.int(N);
          yield* cancel(tasks[victim]!); // crashed: its finally blocks run, its inbox is lost
          inboxes[victim] = null;
          log(yield* now(), `n${victim} crashes`);
          yield* delay(50 + rng.int(300));
          yield* start(victim);
        }
      }),
    );
    yield* delay(1500); // then main returns, and every task is cancelled
  });
  const handlers = [scheduler, simulatedTime(), notes, network, answer(Random, () => rng.next())] as const;
  return { result: run(cluster, { handlers }), events };
}

console.log(simulate(1).events.slice(0, 6).join("\n"));
for (let seed = 1; seed <= 100; seed++) {
  const { result, events } = simulate(seed);
  if (!result.ok || result.warnings.length > 0) throw new Error(`seed ${seed}:\n${result.format()}`);
  if (simulate(seed).events.join("\n") !== events.join("\n")) throw new Error(`seed ${seed} did not replay`);
}
console.log("100 seeds: one leader per term in each, and each replays event for event");

votesTwice = true;
for (let seed = 1; ; seed++) {
  const { result } = simulate(seed);
  if (result.warnings.length === 0) continue;
  console.log(`a node that votes twice in a term: seed ${seed} fails\n${result.format()}`);
  break;
}
