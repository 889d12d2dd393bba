/**
 * What a user sees of doeff's types: a compile error's first line, a hover.
 *
 * The first line of a coverage error, which editors show in a hover and `tsc` in its summary: it
 * names the missing effects. It printed run's options parameter member by member (`Omit<RunOptions,
 * …> & { handlers?: …; env?: … } & { …; } & NoInfer<{ …; }> & NoInfer<MissingHandlerError<...>>`,
 * ~390 characters here) with the check last, cut to `MissingHandlerError<...>`; the effects were
 * named only on the second line; doeff/testing's expectEffects and clock.run (and their async twins)
 * printed theirs the same way (~360–415 characters). Compiled with the compiler API against the source, as a consumer's
 * plain `strict` file importing "doeff" (test/docs-blocks.test.ts does the same for the docs).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type * as TS from "typescript";

const root = new URL("..", import.meta.url).pathname;
const ts = createRequire(import.meta.url)("typescript") as typeof TS;

const OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  paths: {
    doeff: [join(root, "src/index.ts")],
    "doeff/testing": [join(root, "src/testing/index.ts")],
    "doeff/queue": [join(root, "src/queue/index.ts")],
  },
};

const SOURCE = `import { Effect, get, program, run, runAsync, state } from "doeff";
class Log extends Effect<void> { declare readonly _tag: "Log"; }
class Roll extends Effect<number> { declare readonly _tag: "Roll"; }
const main = program(function* () { yield* new Log(); return yield* get<number>("n"); });
const both = program(function* () { yield* new Log(); yield* new Roll(); return yield* get<number>("n"); });
run(main, { handlers: [state] });
void runAsync(main, { handlers: [state] });
run(both, { handlers: [state], store: { n: 1 } });
`;

// expectEffects and clock.run (doeff/testing) type their options as run does, each by its own alias
const TESTING = `import { Effect, get, program, state } from "doeff";
import { expectEffects, expectEffectsAsync, virtualClock } from "doeff/testing";
class Log extends Effect<void> { declare readonly _tag: "Log"; }
class Roll extends Effect<number> { declare readonly _tag: "Roll"; }
const main = program(function* () { yield* new Log(); return yield* get<number>("n"); });
const both = program(function* () { yield* new Log(); yield* new Roll(); return yield* get<number>("n"); });
const clock = virtualClock();
expectEffects(main, [], { handlers: [state] });
void expectEffectsAsync(main, [], { handlers: [state] });
clock.run(main, { handlers: [state] });
void clock.runAsync(main, { handlers: [state] });
expectEffects(both, [Log], { handlers: [state], store: { n: 1 }, only: [Log] });
clock.run(both, { handlers: [state], store: { n: 1 } });
expectEffects(main, [], { handlers: [state], settle: 5 });
clock.run(main, { handlers: [state], stor: 5 });
`;

// startWorker (doeff/queue) types its options as run does, by its own alias
const QUEUE = `import { Effect, fn, state } from "doeff";
import { startWorker } from "doeff/queue";
class Log extends Effect<void> { declare readonly _tag: "Log"; }
const job = fn(function* job(n: number) { yield* new Log(); return n; });
void startWorker({ name: "q", connection: { host: "127.0.0.1" }, programs: { job }, handlers: [state] });
`;

const HOVERS = `import { Effect, program, raceAll, raceFirst } from "doeff";
class Roll extends Effect<number> { declare readonly _tag: "Roll"; }
const roll = program(function* () { return yield* new Roll(); });
const name = program(function* () { return "x"; });
export const winner = raceAll({ a: roll, b: name });
export const first = raceFirst({ a: roll, b: name });
`;

/** The program of one file of source `text`, given to `use`. */
function compiled<T>(text: string, use: (program: TS.Program, file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "doeff-shown-"));
  try {
    const file = join(dir, "main.ts");
    writeFileSync(file, text);
    return use(ts.createProgram([file], OPTIONS), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each error's lines, in the order of the file `text`. */
function errors(text = SOURCE): string[][] {
  return compiled(text, (program, file) =>
    ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")),
  );
}

test("a coverage error's first line names the missing effects, first in the parameter's type", () => {
  const got = errors();
  assert.equal(got.length, 3, got.map((e) => e.join("\n")).join("\n\n"));
  const FIX = "add a handler for each of these effects to `handlers` (or wrap the program in withHandler)";
  const expected: [string, string][] = [
    ["CheckedRunOptions", "MissingHandlerError<Log>"],
    ["CheckedRunAsyncOptions", "MissingHandlerError<Log>"],
    ["CheckedRunOptions", "MissingHandlerError<Log | Roll>"],
  ];
  got.forEach(([first, second], i) => {
    const [alias, error] = expected[i]!;
    assert.match(
      first!,
      /^Argument of type '\{ handlers: \[Handler<.*\]; .*\}' is not assignable to parameter of type '/,
    );
    // the parameter's type begins with the error naming the effects
    assert.ok(
      first!.includes(`is not assignable to parameter of type '${alias}<${error}, `),
      `first line: ${first}`,
    );
    assert.ok(first!.length <= 340, `first line of ${first!.length} characters: ${first}`);
    assert.ok(second!.includes(FIX) && second!.endsWith(`'${error}'.`), `second line: ${second}`);
  });
});

test("expectEffects' and clock.run's coverage error's first line names the missing effects, as run's", () => {
  const got = errors(TESTING);
  const FIX = "add a handler for each of these effects to `handlers` (or wrap the program in withHandler)";
  const STATE = "Handler<Get<any> | Put | Modify<any>, never, never>";
  const ENV = "Record<string, unknown> | ReadonlyMap<...>";
  const arg = (rest: string) => `Argument of type '{ handlers: [${STATE}];${rest} }' is not assignable`;
  const missing = (alias: string, effects: string, keys: string, env = ENV, rest = "") => [
    `${arg(rest)} to parameter of type '${alias}<MissingHandlerError<${effects}>, readonly [${STATE}], ${keys}, ${env}, { ...; }>'.`,
    `  Property '"doeff: ${FIX}"' is missing in type '{ handlers: [${STATE}];${rest} }' but required in type 'MissingHandlerError<${effects}>'.`,
  ];
  assert.deepEqual(
    got.map((lines) => lines.slice(0, 2)),
    [
      missing("CheckedExpectOptions", "Log", '"handlers"'),
      missing("CheckedExpectAsyncOptions", "Log", '"handlers"'),
      missing("CheckedClockRunOptions", "Log", '"handlers"'),
      missing("CheckedClockRunAsyncOptions", "Log", '"handlers"'),
      missing(
        "CheckedExpectOptions",
        "Log | Roll",
        '"handlers" | "store" | "only"',
        "Record<...> | ReadonlyMap<...>",
        " store: { n: number; }; only: (typeof Log)[];",
      ),
      missing(
        "CheckedClockRunOptions",
        "Log | Roll",
        '"handlers" | "store"',
        "Record<...> | ReadonlyMap<...>",
        " store: { n: number; };",
      ),
      // a property written wrong is still reported on that property, as before
      [
        "Type 'number' is not assignable to type '\"doeff: the expectEffects option settle is for expectEffectsAsync only (expectEffects cannot wait): use expectEffectsAsync or remove it\"'.",
      ],
      [
        "Type 'number' is not assignable to type '\"doeff: 'stor' is not an option of this helper; its options are handlers, env, store, trace, signal, onWarning, settle (and only, for expectEffects)\"'.",
      ],
    ],
  );
});

test("startWorker's coverage error's first line names the missing effects, as run's", () => {
  const got = errors(QUEUE);
  assert.equal(got.length, 1, got.map((e) => e.join("\n")).join("\n\n"));
  const [first, second] = got[0]!;
  // (the argument itself prints long — the programs table — but the effects come right after the alias)
  assert.ok(
    first!.includes(
      "is not assignable to parameter of type 'CheckedWorkerOptions<MissingHandlerError<Log>, ",
    ),
    `first line: ${first}`,
  );
  assert.ok(second!.endsWith("'MissingHandlerError<Log>'."), `second line: ${second}`);
});

test("raceAll's and raceFirst's result over an object shows the winners, not RaceWinner<…>", () => {
  const shown = compiled(HOVERS, (program, file) => {
    const checker = program.getTypeChecker();
    const out: Record<string, string> = {};
    const sf = program.getSourceFile(file)!;
    assert.deepEqual(
      ts.getPreEmitDiagnostics(program, sf).map((d) => d.messageText),
      [],
    );
    for (const s of sf.statements)
      if (ts.isVariableStatement(s))
        for (const d of s.declarationList.declarations)
          out[d.name.getText(sf)] = checker.typeToString(
            checker.getTypeAtLocation(d.name),
            undefined,
            ts.TypeFormatFlags.NoTruncation,
          );
    return out;
  });
  // (a union in TypeScript's order, that of the types' creation: the same for this file every time)
  const ROW = "Roll | SchedulerRow | Spawn<number, Roll> | Spawn<string, never>";
  const WINNERS = '{ key: "a"; value: number; } | { key: "b"; value: string; }';
  assert.deepEqual(shown, {
    roll: "Program<number, Roll>",
    name: "Program<string, never>",
    winner: `Program<${WINNERS}, ${ROW}>`,
    first: `Program<${WINNERS}, ${ROW}>`,
  });
});
