/**
 * doeff quickstart: custom effects, a handler that resumes, state/reader/writer, and a handled failure.
 * Run with: npm start
 */
import {
  ask,
  Effect,
  fn,
  get,
  handle,
  MissingStateKeyError,
  modify,
  program,
  put,
  reader,
  resume,
  run,
  safe,
  state,
  tell,
  withHandler,
  writer,
} from "../src/index.js";

// 1. A custom effect is plain data; its type parameter is the answer type.
class Roll extends Effect<number> {
  constructor(readonly sides: number) {
    super();
  }
}

// 2. A handler gives it meaning. This one answers every roll with the next value of a fixed
//    sequence, and resumes the program (the code after `resume` runs after the program finishes).
const loadedDice = (rolls: number[]) =>
  handle(Roll, function* loadedDice(effect, k) {
    const value = rolls.shift() ?? effect.sides;
    yield* tell(`rolled a d${effect.sides}: ${value}`);
    return yield* resume(k, value);
  });

// 3. Programs are generator functions; `yield*` performs an effect or calls a sub-program.
const turn = fn(function* turn(player: string) {
  const a = yield* new Roll(6);
  const b = yield* new Roll(6);
  const score = yield* modify<number>(player, (old) => (old ?? 0) + a + b);
  yield* tell(`${player} now has ${score}`);
  return score;
});

const game = program(function* game() {
  const players = yield* ask<string[]>("players");
  for (const p of players) yield* turn(p);
  // A failure handled inside the program: `safe` turns an error into a value.
  const missing = yield* safe(get("nobody"));
  if (missing.isErr() && missing.error instanceof MissingStateKeyError) {
    yield* tell(`no score for ${JSON.stringify(missing.error.key)} (handled)`);
  }
  yield* put("rounds", 1);
  return { ada: yield* get<number>("ada"), alan: yield* get<number>("alan") };
});

const result = run(withHandler(loadedDice([6, 5, 3, 4]), game), {
  handlers: [state, reader, writer],
  env: { players: ["ada", "alan"] },
});

console.log("== doeff quickstart ==");
console.log("log:");
for (const line of result.log) console.log(`  ${String(line)}`);
console.log("store:", result.store);
console.log(result.format());

// 4. An unhandled failure does not throw out of run(): it becomes an Err result with a readable report.
const broken = run(get("missing"), { handlers: [state] });
console.log("\na failing run:");
console.log(broken.format());
