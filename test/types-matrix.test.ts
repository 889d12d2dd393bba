/**
 * The type tests (test/types/) under the CONSUMER's tsconfig, not this repository's: the package is
 * packed, installed into a scratch project, and every file of test/types/ (imports rewritten to
 * "doeff") is type-checked with `skipLibCheck: false` under a matrix of configurations — plain
 * `strict` with NodeNext and with Bundler resolution, `exactOptionalPropertyTypes`, and the oldest
 * supported (5.4) and newest (7.x, the native port) TypeScript, installed as aliased devDependencies
 * so no network is needed. Each `@ts-expect-error` must fail, so a clean `tsc` run checks them all.
 * The text of the key compile errors is checked too, and TypeScript 5.3 must fail loudly.
 *
 * Files in test/types/isolated/ (module augmentation, global to a compilation) are each checked as a
 * program of their own. Configurations run two at a time (the machine is shared).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Worker } from "node:worker_threads";
import { APP_RUN_OUTPUT, bundleCopy, writeLibraryProject } from "./library-project.js";
import { packed } from "./scratch-package.js";
import { ENV_ERROR_CASES, ENV_ERROR_SOURCE } from "./types-env-errors.js";
import { LOG_ERROR_CASES, LOG_ERROR_SOURCE } from "./types-log-errors.js";
import { STATE_ERROR_CASES, STATE_ERROR_SOURCE } from "./types-state-errors.js";

const root = new URL("..", import.meta.url).pathname;
const TYPES = join(root, "test/types");
const ISOLATED = join(TYPES, "isolated");
/** doeff/workers and doeff/queue: Node's subpaths, checked with @types/node, bullmq and piscina present */
const NODE = join(TYPES, "node");

/** The compilers: each an npm alias in devDependencies (see package.json). */
const TSC = {
  "5.3": join(root, "node_modules/typescript-5.3/bin/tsc"),
  "5.4": join(root, "node_modules/typescript-5.4/bin/tsc"),
  "5.9": join(root, "node_modules/typescript/bin/tsc"),
  "7": join(root, "node_modules/typescript-7/bin/tsc"),
} as const;
type Version = keyof typeof TSC;

const BASE = {
  strict: true,
  target: "ES2022",
  lib: ["ES2022"],
  noEmit: true,
  skipLibCheck: false,
  types: [] as string[],
};
const NODENEXT = { module: "NodeNext", moduleResolution: "NodeNext" };
const BUNDLER = { module: "ESNext", moduleResolution: "Bundler" };
const EXACT = { exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true };

interface Config {
  readonly name: string;
  readonly tsc: Version;
  readonly options: Record<string, unknown>;
}
const CONFIGS: readonly Config[] = [
  { name: "TS 5.9, strict, NodeNext", tsc: "5.9", options: NODENEXT },
  { name: "TS 5.9, strict, Bundler", tsc: "5.9", options: BUNDLER },
  {
    name: "TS 5.9, strict + exactOptionalPropertyTypes, NodeNext",
    tsc: "5.9",
    options: { ...NODENEXT, ...EXACT },
  },
  { name: "TS 5.4 (oldest supported), strict, NodeNext", tsc: "5.4", options: NODENEXT },
  { name: "TS 7 (newest), strict, NodeNext", tsc: "7", options: NODENEXT },
  {
    name: "TS 7 (newest), strict + exactOptionalPropertyTypes, Bundler",
    tsc: "7",
    options: { ...BUNDLER, ...EXACT },
  },
];

/** The library's builds and the configurations of its application (startLibrary, below). */
const LIBRARY_BUILDS = ["published", "isolated", "bundler-isolated", "5.4", "7", "7-isolated"] as const;
const APP_CONFIGS: readonly Config[] = [
  ...CONFIGS,
  { name: "TS 5.9, strict: false, NodeNext", tsc: "5.9", options: { ...NODENEXT, strict: false } },
  { name: "TS 5.4, strict: false, NodeNext", tsc: "5.4", options: { ...NODENEXT, strict: false } },
];

/**
 * Compile errors whose TEXT users see: each case is one statement after a `// case: id` line and must
 * give exactly one error there, matching every pattern (on every TypeScript version of the matrix).
 */
const FIX = "add a handler for each of these effects to `handlers`";
const GENERATOR_FIX =
  "a generator function is not a program: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})";
// (a function that returns a Program: what fn makes, in the words of the run-time error for one
// passed uncalled, "made by fn but not called: pass the program it makes, job(…)")
const JOB_FIX =
  "a function is not a program, e.g. one made by fn but not called: pass the program it makes, job(…), not job or () => job(…)";
const GENERIC_FIX =
  "doeff: a function where a program goes (a type parameter that may be one): pass the program itself, job(…), not job or () => job(…); a generic helper's program parameter: P extends AnyProgramLike";
const ERROR_CASES: Record<string, readonly RegExp[]> = {
  "missing-one": [/MissingHandlerError<Log>/, new RegExp(escapeRegExp(FIX))],
  "missing-one-async": [/MissingHandlerError<Log>/, new RegExp(escapeRegExp(FIX))],
  "missing-all-no-options": [
    /MissingHandlerError<(Log \| Get<number>|Get<number> \| Log)>/,
    new RegExp(escapeRegExp(FIX)),
  ],
  "missing-effect-no-options": [/MissingHandlerError<Log>/, new RegExp(escapeRegExp(FIX))],
  // only the scheduler's effects missing (a handler that waits, a saga's take): the error names it
  "missing-scheduler": [
    /MissingSchedulerError<[^']*CreatePromise<number>/,
    /MissingSchedulerError<[^']*Wait<number>/,
    /these are the scheduler's effects .*: add `scheduler` to `handlers`/,
  ],
  // the scheduler's and a clock's (timeout, retry with a delay): it read MissingHandlerError<TimedRow | Spawn<…>>
  "missing-scheduler-and-clock": [
    /MissingSchedulerAndClockError<[^']*TimedRow/,
    /add `scheduler` and then a clock to `handlers`/,
  ],
  "missing-scheduler-and-clock-expect": [/MissingSchedulerAndClockError<[^']*TimedRow/],
  // a lone clock effect (retry with a delay runs in the calling task) stays MissingHandlerError<Delay>
  "missing-clock-only": [/MissingHandlerError<Delay>/],
  // review-q: only one of the two missing is named as that one (never "the scheduler's and a clock's")
  "review-q-clock-missing-scheduler-listed": [/MissingHandlerError<Delay>/],
  "review-q-scheduler-missing-clock-listed": [/MissingSchedulerError<SchedulerEffect<any> \| Spawn</],
  "review-q-scheduler-missing-simulated-listed": [/MissingSchedulerError<SchedulerEffect<any> \| Spawn</],
  "review-q-waits-clock-listed": [/MissingSchedulerError<[^']*Wait<number>/],
  "review-q-now-alone": [/MissingHandlerError<Now>/],
  "review-q-now-and-spawn": [/MissingSchedulerAndClockError<[^']*(Now \| Spawn|Spawn<number, never> \| Now)/],
  "review-q-clock-scheduler-and-more": [/MissingHandlerError<[^']*Log/],
  "missing-scheduler-and-more": [
    /MissingHandlerError<(Log \| Spawn<number, never>|Spawn<number, never> \| Log)>/,
  ],
  // an inline handle(C, callback) is inferred (TypeScript's second pass) and checked
  "inline-handler": [/MissingHandlerError<Get<number>>/, new RegExp(escapeRegExp(FIX))],
  // a misspelled option (the excess-property check is off while the options' keys are inferred)
  "unknown-option": [
    /'stor' is not a run option; the options are handlers, env, store, trace, signal, onWarning and settle/,
  ],
  // settle set in run's options (a TypeError at run time: run cannot wait)
  "run-settle": [
    /'number' is not assignable to type '"doeff: the run option settle is for runAsync only \(run cannot wait\): use runAsync or remove it"'/,
  ],
  // ... and in the sync test helpers', in their words (a TypeError at run time too; it compiled)
  "expect-effects-settle": [
    /'number' is not assignable to type '"doeff: the expectEffects option settle is for expectEffectsAsync only \(expectEffects cannot wait\): use expectEffectsAsync or remove it"'/,
  ],
  "clock-run-settle": [
    /'number' is not assignable to type '"doeff: the clock.run option settle is for clock.runAsync only \(clock.run cannot wait\): use clock.runAsync or remove it"'/,
  ],
  "fieldless-run": [/UntaggedEffectError<Name>/, /add `declare readonly _tag: "Name"`/],
  "fieldless-handle": [/UntaggedEffectError<Name>/, /add `declare readonly _tag: "Name"`/],
  "wrong-answer": [/TS2345/, /'string'.*'User'/],
  "not-an-effect": [/NotAnEffectError<Promise<number>>/, /yield\* awaitPromise/],
  // a raw generator object yielded bare: named, not taken for an open-row program (which would
  // also hide the missing FetchUser handler)
  "yielded-generator": [/NotAnEffectError<Generator<never, number/, /write yield\*, not yield/],
  "handler-order": [
    /HandlerOrderError<Get<number>>/,
    /a handler's own effects go only to the handlers listed BEFORE it/,
  ],
  // one program where a combinator takes an array: the last overload's message says what to write
  "all-one-program": [
    /all takes an array of programs, e\.g\. all\(\[a, b\]\), or an object of them, all\(\{ a, b \}\); to run one program, yield\* it/,
  ],
  "race-all-one-program": [/raceAll takes an array of programs/],
  "race-first-one-program": [/raceFirst takes an array of programs, e\.g\. raceFirst\(\[a, b\]\)/],
  // a race of nothing (a TypeError at the call): the same words at compile time (the alias's
  // argument: TypeScript 5.4 prints the missing property's line only the first time, and
  // test/types/concurrency.ts has the same calls)
  ...Object.fromEntries(
    (["raceAll", "raceFirst"] as const).flatMap((call) => [
      [
        `${call === "raceAll" ? "race-all" : "race-first"}-empty`,
        [
          new RegExp(
            escapeRegExp(
              `ArrayExpectedError<"${call} needs at least one program (a race of nothing never ends)">`,
            ),
          ),
        ],
      ],
      [
        `${call === "raceAll" ? "race-all" : "race-first"}-empty-object`,
        [
          new RegExp(
            escapeRegExp(
              `ArrayExpectedError<"${call} needs at least one program (a race of nothing never ends), got an object with no keys">`,
            ),
          ),
        ],
      ],
    ]),
  ),
  // options that may lack their list: checked without it too
  "conditional-list": [
    /MissingHandlerError<(Log \| Get<number>|Get<number> \| Log)>/,
    new RegExp(escapeRegExp(FIX)),
  ],
  // a handler inside the scheduler that may end a task with a value its type lacks
  "task-result": [
    /TaskResultError<Handler<Log, never, null>>/,
    /list it before the scheduler, or put it around the task's own program/,
  ],
  "for-each-program": [
    /forEach takes the items first \(an array\), not a program: yield\* the program to get its list/,
  ],
  // forEachLatest(eventChannel(subscribe), f), the yield* forgotten: the fix in each overload's
  // message, not Channel's internals, and f still typed by the channel's values (no second error;
  // a channel of numbers: test/types/channels.ts fails the same relation for strings, and TS 5.4
  // prints a failed relation's text only the first time)
  "for-each-latest-program": [
    /forEachLatest takes a Channel, not the program that makes one: yield\* it first, e\.g\. forEachLatest\(yield\* eventChannel\(subscribe\), f\)/,
    /^(?![\s\S]*missing the following properties)/,
  ],
  // receive / send / close given the program that makes a channel: the same one error, in each
  // function's words (each target its own type, so each relation is reported with its text)
  "receive-program": [
    /receive takes a Channel, not the program that makes one: yield\* it first, e\.g\. const ch = yield\* eventChannel\(subscribe\); yield\* receive\(ch\)/,
    /^(?![\s\S]*missing the following properties)/,
  ],
  "send-program": [
    /send takes a Channel, not the program that makes one: yield\* it first, e\.g\. const ch = yield\* createChannel\(\); yield\* send\(ch, value\)/,
    /^(?![\s\S]*missing the following properties)/,
  ],
  "close-program": [
    /close takes a Channel, not the program that makes one: yield\* it first, e\.g\. const ch = yield\* createChannel\(\); yield\* close\(ch\)/,
    /^(?![\s\S]*missing the following properties)/,
  ],
  // a ChannelStream's pump likewise (it said Program lacked Channel's members)
  "pump-program": [
    /stream\.pump takes a Channel, not the program that makes one: yield\* it first, e\.g\. const ch = yield\* createChannel\(\); yield\* spawn\(stream\.pump\(ch\)\)/,
    /^(?![\s\S]*missing the following properties)/,
  ],
  // a duration string for retry's delay (Effect's "100 millis"): the union's text says what to write
  "retry-delay-string": [
    new RegExp(
      escapeRegExp(
        `retry's delay is a number of milliseconds (100, not \\"100 millis\\") or a function (attempt, error) => ms, e.g. exponential backoff (attempt) => 100 * 2 ** (attempt - 1)`,
      ),
    ),
  ],
  // a handler typed as taking every effect (a pass-through typed by hand): refused, not a silent pass
  "every-effect-handler": [
    /EveryEffectHandlerError<Handler<Effect<unknown>, never, never>>/,
    /this handler is typed as taking every effect/,
    new RegExp(escapeRegExp("type a handler that passes effects on as Handler<undefined> (as observe does)")),
  ],
  // the same given to withHandler (it removed every effect from the program's row); a handler type
  // test/types/pass-through.ts does not give withHandler (TypeScript 5.4 prints the text of a failed
  // relation only the first time it reports it in a program)
  "every-effect-with-handler": [
    /EveryEffectHandlerError<Handler<Effect<unknown>, Log, never>>/,
    /this handler is typed as taking every effect/,
  ],
  // a handler taking nothing covers nothing (it once left the list uninferred: unchecked)
  "never-handler": [/MissingHandlerError<Log>/, new RegExp(escapeRegExp(FIX))],
  // a program of another copy of doeff (a library's own: its Program is another class to the
  // checker), named with the fix rather than taken for an open row, which checked nothing
  "another-copy": [
    /AnotherCopyError<OtherProgram<string, Ping>>/,
    /the program yields a Program or Effect of another copy of doeff/,
    new RegExp(escapeRegExp("`npm ls doeff` shows them")),
  ],
  // a handler of another copy (a library's layer with its copy's `state`): it takes only its own
  // copy's effects, which the error says rather than MissingHandlerError<Get<number>>
  "another-copy-handler": [
    /AnotherCopyHandlerError<TheirGet>/,
    /a handler of the list is another copy of doeff's, and takes only that copy's effects/,
  ],
  // handle(Effect, f): what to write instead, not "add a _tag"
  "handle-base-class": [
    /BaseEffectClassError<Effect<unknown>>/,
    /the base class Effect stands for every effect/,
    /use observe\(onEffect\)/,
    new RegExp(
      escapeRegExp("type a handler function Handler<undefined> and end it with pass() or delegate()"),
    ),
  ],
  // a function where a program goes (ProgramArg): the fix, in the run-time error's words
  ...Object.fromEntries(
    [
      "run-generator-function",
      "run-async-generator-function",
      "run-options-generator-function",
      "spawn-generator-function",
      "with-handler-generator-function",
      "timeout-generator-function",
      "retry-generator-function",
      "scoped-generator-function",
      "abortable-generator-function",
      "concurrency-limited-generator-function",
      "rate-limited-generator-function",
      "with-permit-generator-function",
      "recover-generator-function",
      "expect-effects-generator-function",
      "clock-run-generator-function",
      "local-generator-function",
      "listen-generator-function",
      "safe-generator-function",
      "intercept-generator-function",
      "create-continuation-generator-function",
    ].map((id) => [id, [new RegExp(escapeRegExp(GENERATOR_FIX))]]),
  ),
  // an effect class given without `new`: named by its `_tag` (the run-time error names the class)
  "spawn-effect-class": [/an effect class is not an effect: pass new FetchUser\(…\)/],
  "run-effect-class": [/an effect class is not an effect: pass new Coin\(…\)/],
  "run-options-effect-class": [/an effect class is not an effect: pass new Log\(…\)/],
  "timeout-effect-class": [/an effect class is not an effect: pass new FetchUser\(…\)/],
  "local-effect-class": [/an effect class is not an effect: pass new FetchUser\(…\)/],
  "spawn-untagged-effect-class": [/an effect class is not an effect: pass an instance of it, new C\(…\)/],
  "spawn-class": [
    /a class is not a program: pass a program, or an effect, new C\(…\) of class C extends Effect<A>/,
  ],
  "run-job-function": [new RegExp(escapeRegExp(JOB_FIX))],
  "spawn-job-function": [new RegExp(escapeRegExp(JOB_FIX))],
  "spawn-async-function": [
    /write fn\(function\* job\(…\) \{…\}\), pass job\(…\), and await promises in it with awaitPromise/,
  ],
  // a type parameter that may be a function (a generic helper's `Q | R`, R a function type): the
  // check stays unresolved and TypeScript prints no branch of it, so the fix is the alias's argument
  "spawn-generic-function-union": [new RegExp(escapeRegExp(GENERIC_FIX))],
  "spawn-generic-function": [new RegExp(escapeRegExp(GENERIC_FIX))],
  "timeout-generic-function-union": [new RegExp(escapeRegExp(GENERIC_FIX))],
  // an async function* as forEach's (forEachAsync's, forEachLatest's) function: the fix, as for a
  // function*, not "'AsyncGenerator<…>' is not assignable to type 'AnyProgramLike'" (its P took none)
  ...Object.fromEntries(
    (
      [
        ["for-each-async-generator", "forEach", "forEach(files, fn(function* one(file) { ... }))"],
        [
          "for-each-async-async-generator",
          "forEachAsync",
          "forEachAsync(lines, fn(function* one(line) { ... }))",
        ],
        [
          "for-each-latest-async-generator",
          "forEachLatest",
          "forEachLatest(queries, fn(function* search(query) { ... }))",
        ],
      ] as const
    ).map(([id, where, example]) => [
      id,
      [
        new RegExp(
          escapeRegExp(
            `doeff: ${where}'s function is an async generator function: a program cannot await; write ${example} and bring a promise in with yield* awaitPromise(() => promise)`,
          ),
        ),
        /^(?![\s\S]*AnyProgramLike)/,
      ],
    ]),
  ),
};
const ERROR_SOURCE = `import { all, channelStream, close, completePromise, createPromise, delay, Effect, eventChannel, forEach, forEachAsync, forEachLatest, get, handle, now, pass, program, pure, raceAll, raceFirst, realTime, receive, resume, run, runAsync, scheduler, send, simulatedTime, spawn, state, wait, withHandler } from "doeff";
import { abortable, concurrencyLimited, concurrencyLimiter, fn, rateLimited, rateLimiter, recover, retry, scoped, timeout, withPermit } from "doeff";
import type { Handler, Program, Semaphore } from "doeff";
import { createContinuation, intercept, listen, local, safe } from "doeff";
import { expectEffects, virtualClock } from "doeff/testing";
interface User { readonly name: string }
class FetchUser extends Effect<User> { declare readonly _tag: "FetchUser"; }
class Coin extends Effect<boolean> { declare readonly _tag: "Coin"; }
class Log extends Effect<void> { declare readonly _tag: "Log"; }
class Name extends Effect<string> {}
const logs = program(function* () { yield* new Log(); return yield* get<number>("n"); });
const flips = program(function* () { const c = yield* new Coin(); return c ? yield* get<number>("n") : 0; });
const named = program(function* () { return yield* new Name(); });
const counted = handle(Log, function* (_e, k) { yield* get<number>("n"); return yield* resume(k, undefined); });
// case: missing-one
run(logs, { handlers: [state] });
// case: missing-one-async
void runAsync(logs, { handlers: [state] });
// case: missing-all-no-options
run(logs);
// case: missing-effect-no-options
run(new Log());
// case: missing-scheduler
run(flips, { handlers: [state, handle(Coin, function* (_e, k) { const p = yield* createPromise<number>(); yield* completePromise(p, 1); return yield* resume(k, (yield* wait(p.future)) === 1); })] });
// case: missing-scheduler-and-clock
run(timeout(flips, 10), { handlers: [state, handle(Coin, (_e, k) => resume(k, true))] });
// case: missing-scheduler-and-clock-expect
expectEffects(timeout(flips, 10), [Coin], { handlers: [state, handle(Coin, (_e, k) => resume(k, true))] });
// case: missing-clock-only
run(retry(program(function* () { yield* delay(5); }), { times: 1, delay: 5 }));
// case: review-q-clock-missing-scheduler-listed
void runAsync(timeout(flips, 10), { handlers: [scheduler, state, handle(Coin, (_e, k) => resume(k, true))] });
// case: review-q-scheduler-missing-clock-listed
void runAsync(timeout(flips, 10), { handlers: [realTime, state, handle(Coin, (_e, k) => resume(k, true))] });
// case: review-q-scheduler-missing-simulated-listed
run(timeout(flips, 10), { handlers: [simulatedTime(), state, handle(Coin, (_e, k) => resume(k, true))] });
// case: review-q-waits-clock-listed
run(flips, { handlers: [simulatedTime(), state, handle(Coin, function* (_e, k) { const p = yield* createPromise<number>(); yield* completePromise(p, 1); return yield* resume(k, (yield* wait(p.future)) === 1); })] });
// case: review-q-now-alone
run(program(function* () { return yield* now(); }));
// case: review-q-now-and-spawn
run(program(function* () { yield* now(); return yield* spawn(pure(1)); }));
// case: review-q-clock-scheduler-and-more
run(timeout(logs, 10), { handlers: [state] });
// case: missing-scheduler-and-more
run(program(function* () { yield* new Log(); return yield* spawn(pure(1)); }));
// case: inline-handler
run(flips, { handlers: [handle(Coin, function* (_e, k) { return yield* resume(k, true); })] });
// case: unknown-option
run(flips, { handlers: [state], stor: { n: 1 } });
// case: run-settle
run(pure(1), { handlers: [state], settle: 10 });
// case: expect-effects-settle
expectEffects(pure(1), [], { handlers: [state], settle: 10 });
// case: clock-run-settle
virtualClock().run(pure(1), { handlers: [state], settle: 10 });
// case: fieldless-run
run(named, { handlers: [state] });
// case: not-an-effect
run(program(function* () { return yield Promise.resolve(1); }));
function* helper() { return 1; }
// case: yielded-generator
run(program(function* () { const u = yield* new FetchUser(); yield helper(); return u; }));
// case: handler-order
run(logs, { handlers: [counted, state] });
// case: fieldless-handle
handle(Name, (_e, k) => resume(k, "x"));
handle(FetchUser, function* (_e, k) {
  // case: wrong-answer
  return yield* resume(k, "not a user");
});
// case: all-one-program
all(logs);
// case: race-all-one-program
raceAll(logs);
// case: race-first-one-program
raceFirst(logs);
// case: race-all-empty
raceAll([]);
// case: race-all-empty-object
raceAll({});
// case: race-first-empty
raceFirst([]);
// case: race-first-empty-object
raceFirst({});
// case: for-each-program
forEach(logs, (n) => pure(n));
// case: for-each-latest-program
forEachLatest(eventChannel<number>(() => () => {}), (n) => pure(n + 1));
// case: receive-program
receive(eventChannel<number>(() => () => {}));
// case: send-program
send(eventChannel<number>(() => () => {}), 1);
// case: close-program
close(eventChannel<number>(() => () => {}));
// case: pump-program
channelStream<number>().pump(eventChannel<number>(() => () => {}));
// case: retry-delay-string
retry(pure(1), { times: 3, delay: "100 millis" });
declare const verbose: boolean;
// case: conditional-list
run(logs, { ...(verbose ? { handlers: [state, counted] } : { store: {} }) });
const quiet = handle(Log, function* () { return null; });
const spawns = program(function* () { return yield* wait(yield* spawn(logs)); });
// case: task-result
run(spawns, { handlers: [scheduler, state, quiet] });
declare const everyEffect: Handler<Effect<unknown>>;
declare const takesNothing: Handler<never>;
// case: every-effect-handler
run(logs, { handlers: [state, everyEffect] });
declare const logsEvery: Handler<Effect<unknown>, Log>;
// case: every-effect-with-handler
withHandler(logsEvery, logs);
// case: never-handler
run(logs, { handlers: [state, takesNothing] });
// case: handle-base-class
handle(Effect, () => pass());
declare abstract class OtherEffect<A> { readonly __answer: A; protected readonly __effect: true; [Symbol.iterator](): Iterator<this, A, unknown>; }
declare class OtherProgram<A, E> { readonly __result: A; readonly __effects: E; protected readonly __program: true; [Symbol.iterator](): Iterator<OtherProgram<A, E>, A, unknown>; }
declare class Ping extends OtherEffect<number> { readonly _tag: "Ping"; }
declare const theirs: OtherProgram<string, Ping>;
const callsTheirs = program(function* () { return (yield* theirs) + (yield* get<number>("n")); });
// case: another-copy
run(callsTheirs, { handlers: [state] });
declare class TheirGet extends OtherEffect<unknown> { readonly key: string; }
declare const theirState: Handler<TheirGet>;
// case: another-copy-handler
run(logs, { handlers: [theirState] });
const job = fn(function* job(n: number) { return n + (yield* get<number>("n")); });
declare const signal: AbortSignal;
declare const semaphore: Semaphore;
// case: run-generator-function
run(function* () { return 1; });
// case: run-async-generator-function
void runAsync(function* () { return yield* get<number>("n"); });
// case: run-options-generator-function
run(function* () { return yield* get<number>("n"); }, { handlers: [state] });
// case: spawn-generator-function
spawn(function* () { return 1; });
// case: with-handler-generator-function
withHandler(counted, function* () { yield* new Log(); return 1; });
// case: timeout-generator-function
timeout(function* () { return 1; }, 10);
// case: retry-generator-function
retry(function* () { return 1; }, { times: 2 });
// case: scoped-generator-function
scoped(function* () { return 1; });
// case: abortable-generator-function
abortable(function* () { return 1; }, signal);
// case: concurrency-limited-generator-function
concurrencyLimited(concurrencyLimiter({ limit: 2 }), function* () { return 1; });
// case: rate-limited-generator-function
rateLimited(rateLimiter({ limit: 2, interval: 10 }), function* () { return 1; });
// case: with-permit-generator-function
withPermit(semaphore, function* () { return 1; });
// case: recover-generator-function
recover(function* () { return 1; }, TypeError, () => 0);
// case: expect-effects-generator-function
expectEffects(function* () { yield* new Log(); }, [Log], { handlers: [counted, state] });
// case: clock-run-generator-function
virtualClock().run(function* () { return 1; });
// case: local-generator-function
local({ n: 1 }, function* () { return 1; });
// case: listen-generator-function
listen(function* () { return 1; });
// case: safe-generator-function
safe(function* () { return 1; });
// case: intercept-generator-function
intercept(function* () { return 1; }, () => undefined);
// case: create-continuation-generator-function
createContinuation(function* () { return 1; });
// case: spawn-effect-class
spawn(FetchUser);
// case: run-effect-class
run(Coin);
// case: run-options-effect-class
run(Log, { handlers: [counted] });
// case: timeout-effect-class
timeout(FetchUser, 10);
// case: local-effect-class
local({ n: 1 }, FetchUser);
// case: spawn-untagged-effect-class
spawn(Name);
// case: spawn-class
spawn(Map);
// case: run-job-function
run(job, { handlers: [state] });
// case: spawn-job-function
spawn(() => job(1));
// case: spawn-async-function
spawn(async () => 1);
export function spawnEither<Q extends Program<number, never>, R extends () => Program<number, never>>(x: Q | R) {
  // case: spawn-generic-function-union
  spawn(x);
}
export function spawnThunk<R extends () => Program<number, never>>(x: R) {
  // case: spawn-generic-function
  spawn(x);
}
export function timeoutEither<Q extends Program<number, never>, R extends () => Program<number, never>>(x: Q | R) {
  // case: timeout-generic-function-union
  timeout(x, 10);
}
declare const lines: AsyncIterable<string>;
declare const queries: import("doeff").Channel<string>;
// case: for-each-async-generator
forEach(["a"], async function* (s: string) { yield s; });
// case: for-each-async-async-generator
forEachAsync(lines, async function* (s: string) { yield s; });
// case: for-each-latest-async-generator
forEachLatest(queries, async function* (s: string) { yield s; });
`;

/**
 * The same for doeff/queue's checks (compiled in the Node project): a worker whose handlers leave an
 * effect of its programs unhandled, also with an inline `handle` call in the list (it was once
 * "not assignable to type 'undefined'", then an uninferred list), and a misspelled program name.
 */
const QUEUE_ERROR_CASES: Record<string, readonly RegExp[]> = {
  "worker-missing": [/MissingHandlerError<Roll>/, new RegExp(escapeRegExp(FIX))],
  "worker-missing-empty": [/MissingHandlerError<Roll>/, new RegExp(escapeRegExp(FIX))],
  "worker-inline-handler": [/MissingHandlerError<Roll>/, new RegExp(escapeRegExp(FIX))],
  "worker-unknown-option": [
    /'concurency' is not a startWorker option; the options are connection, name, programs/,
  ],
  "worker-lazy-env": [/MissingHandlerError<Roll>/, new RegExp(escapeRegExp(FIX))],
  "enqueue-typo": [/TS2345/, /"countPrimez"/, /"countPrimes"/],
  "worker-export-typo": [/TS2345/, /"countPrimez"/, /JobExportsOf</],
};
const QUEUE_ERROR_SOURCE = `import { Effect, fn, handle, reader, resume } from "doeff";
import { enqueueFor, startWorker } from "doeff/queue";
import { runInWorkerFor } from "doeff/workers";
class Roll extends Effect<number> { declare readonly _tag: "Roll"; }
class Coin extends Effect<boolean> { declare readonly _tag: "Coin"; }
const programs = {
  countPrimes: fn(function* countPrimes(from: number, to: number) { return to - from; }),
  roll: fn(function* roll() { return yield* new Roll(); }),
};
const connection = { host: "127.0.0.1", port: 6379 };
// case: worker-missing
void startWorker({ connection, name: "q", programs });
// case: worker-missing-empty
void startWorker({ connection, name: "q", programs, handlers: [] });
// case: worker-inline-handler
void startWorker({ connection, name: "q", programs, handlers: [handle(Coin, function* (_e, k) { return yield* resume(k, true); })] });
// case: worker-unknown-option
void startWorker({ connection, name: "q", programs, handlers: [], concurency: 2 });
// case: worker-lazy-env
void startWorker({ connection, name: "q", programs: { countPrimes: programs.countPrimes }, handlers: [reader], env: { sides: programs.roll() } });
const enqueue = enqueueFor<typeof programs>();
// case: enqueue-typo
enqueue("countPrimez", [1, 2]);
const inJobs = runInWorkerFor<typeof programs>(new URL("file:///jobs.js"));
// case: worker-export-typo
inJobs("countPrimez", 1, 2);
`;

/** Each `// case: id` of `source` gives exactly one error, on the statement after it, matching its patterns. */
const OVERLOADED = new Set([
  "all-one-program",
  "race-all-one-program",
  "race-first-one-program",
  "race-all-empty",
  "race-all-empty-object",
  "race-first-empty",
  "race-first-empty-object",
  "for-each-program",
  "for-each-latest-program",
  "retry-generator-function",
  "retry-delay-string",
  "for-each-async-generator",
  "for-each-async-async-generator",
  "for-each-latest-async-generator",
]);

function checkCases(
  diags: readonly Diagnostic[],
  source: string,
  cases: Record<string, readonly RegExp[]>,
): void {
  const lines = source.split("\n");
  const seen: string[] = [];
  for (const [id, patterns] of Object.entries(cases)) {
    const line = lines.indexOf(lines.find((l) => l.trim() === `// case: ${id}`)!) + 2; // 1-based, next line
    const here = diags.filter((d) => d.line === line);
    assert.equal(
      here.length,
      1,
      `case ${id}: exactly one error on line ${line}, got ${JSON.stringify(here)}`,
    );
    const text = here[0]!.text;
    for (const p of patterns) assert.match(text, p, `case ${id}`);
    // (a combinator's message is its last overload's: TypeScript lists the overloads before it)
    if (!OVERLOADED.has(id)) assert.doesNotMatch(text, /overload/i, `case ${id}: no overload list`);
    // TS2379's "Consider adding 'undefined' to the types of the target's properties" (optional
    // phantom properties under exactOptionalPropertyTypes, `tsc --init`'s default) misled: no
    // `undefined` fixes a missing handler
    assert.doesNotMatch(
      text,
      /Consider adding 'undefined'/,
      `case ${id}: no exactOptionalPropertyTypes advice`,
    );
    seen.push(id);
  }
  assert.equal(diags.length, seen.length, `no other errors: ${JSON.stringify(diags)}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}
/** `file(line,col): error TSxxxx: message` plus its indented continuation lines (--pretty false). */
function parseDiagnostics(out: string): Diagnostic[] {
  const diags: { file: string; line: number; text: string }[] = [];
  for (const l of out.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): (error TS\d+: .*)$/.exec(l);
    if (m) diags.push({ file: m[1]!.replace(/\\/g, "/"), line: Number(m[2]), text: m[3]! });
    else if (diags.length > 0 && l.startsWith(" ")) diags[diags.length - 1]!.text += `\n${l}`;
    else if (l.trim() !== "") diags.push({ file: "?", line: 0, text: l });
  }
  return diags;
}

/**
 * Two compilations at a time (the machine is shared), each in one of two lines that run theirs one
 * after another: TypeScript 5.9's (about half of the work) in a worker thread that stays, the other
 * compilers' as processes. The worker runs 5.9's own command line (`executeCommandLine`, what
 * bin/tsc runs) with the same arguments and folder, so its output and exit code are a `tsc`
 * process's (the two were compared on every project here); only the compiler stays loaded, and
 * warmed up by V8, between runs: a small project then takes ~0.4 s instead of ~1.6 s of CPU.
 */
function oneAtATime(): <T>(f: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (f) => {
    const next = last.then(f);
    last = next.catch(() => {});
    return next;
  };
}
const inWorker = oneAtATime();
const inProcess = oneAtATime();

interface Outcome {
  readonly code: number;
  readonly out: string;
}
const WORKER = `
const { parentPort } = require("node:worker_threads");
const ts = require(${JSON.stringify(join(root, "node_modules/typescript"))});
parentPort.on("message", ({ project, cwd }) => {
  let out = "";
  let code = 0;
  const sys = { ...ts.sys, write: (s) => { out += s; }, exit: (c) => { code = c ?? 0; }, getCurrentDirectory: () => cwd };
  try {
    ts.executeCommandLine(sys, () => {}, ["-p", project, "--pretty", "false"]);
  } catch (e) {
    code = 1;
    out += String(e && e.stack || e);
  }
  parentPort.postMessage({ code, out });
});
`;
let worker: Worker | undefined;
after(() => worker?.terminate());

function tsc(version: Version, project: string, cwd: string): Promise<Outcome> {
  if (version === "5.9")
    return inWorker(
      () =>
        new Promise((resolve, reject) => {
          worker ??= new Worker(WORKER, { eval: true, execArgv: [] });
          const w = worker;
          const settle = (): void => {
            w.off("message", done).off("error", failed).off("exit", failed);
          };
          const done = (o: Outcome): void => {
            settle();
            resolve(o);
          };
          const failed = (e: unknown): void => {
            settle();
            if (worker === w) worker = undefined; // (a new one for the next run)
            reject(new Error(`TypeScript 5.9's worker failed on ${project}: ${String(e)}`));
          };
          w.on("message", done).on("error", failed).on("exit", failed);
          w.postMessage({ project, cwd });
        }),
    );
  return inProcess(
    () =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [TSC[version], "-p", project, "--pretty", "false"],
          { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
            resolve({ code, out: `${stdout}${stderr}` });
          },
        );
      }),
  );
}

const work = mkdtempSync(join(tmpdir(), "doeff-types-"));
const consumer = join(work, "consumer");
const mainFiles = readdirSync(TYPES).filter((f) => f.endsWith(".ts"));
const isolatedFiles = readdirSync(ISOLATED).filter((f) => f.endsWith(".ts"));
const nodeFiles = readdirSync(NODE).filter((f) => f.endsWith(".ts"));
const results = new Map<string, Promise<Outcome>>();

/** Test sources import "../../src/index.js" (or a subpath's index); a consumer imports "doeff". */
function asConsumer(source: string): string {
  return source
    .replace(/(["'])(\.\.\/)+src\/index\.js\1/g, '"doeff"')
    .replace(/(["'])(\.\.\/)+src\/(workers|queue|testing|node)\/index\.js\1/g, '"doeff/$3"');
}

function writeProject(name: string, files: readonly string[], options: Record<string, unknown>): string {
  const file = join(consumer, `tsconfig.${name}.json`);
  writeFileSync(file, JSON.stringify({ compilerOptions: { ...BASE, ...options }, files }, null, 2));
  return file;
}

before(() => {
  const { tgz } = packed();
  mkdirSync(join(consumer, "types/isolated"), { recursive: true });
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tgz], {
    cwd: consumer,
    stdio: "pipe",
  });
  for (const f of mainFiles) {
    writeFileSync(join(consumer, "types", f), asConsumer(readFileSync(join(TYPES, f), "utf8")));
  }
  for (const f of isolatedFiles) {
    writeFileSync(join(consumer, "types/isolated", f), asConsumer(readFileSync(join(ISOLATED, f), "utf8")));
  }
  // what a user of the Node subpaths has installed beside doeff (npm install pruned anything earlier)
  mkdirSync(join(consumer, "types/node"));
  mkdirSync(join(consumer, "node_modules/@types"), { recursive: true });
  for (const dep of ["@types/node", "bullmq", "piscina"])
    symlinkSync(join(root, "node_modules", dep), join(consumer, "node_modules", dep));
  for (const f of nodeFiles) {
    writeFileSync(join(consumer, "types/node", f), asConsumer(readFileSync(join(NODE, f), "utf8")));
  }
  writeFileSync(join(consumer, "error-text.ts"), ERROR_SOURCE);
  writeFileSync(join(consumer, "queue-error-text.ts"), QUEUE_ERROR_SOURCE);
  writeFileSync(join(consumer, "state-error-text.ts"), STATE_ERROR_SOURCE);
  writeFileSync(join(consumer, "env-error-text.ts"), ENV_ERROR_SOURCE);
  writeFileSync(join(consumer, "log-error-text.ts"), LOG_ERROR_SOURCE);
  // Start every compilation now (two at a time); each test awaits its own.
  CONFIGS.forEach((c, i) => {
    const main = writeProject(
      `main${i}`,
      [...mainFiles.map((f) => `types/${f}`), "error-text.ts"],
      c.options,
    );
    results.set(`${c.name}|main`, tsc(c.tsc, main, consumer));
    isolatedFiles.forEach((f, j) => {
      const p = writeProject(`iso${i}-${j}`, [`types/isolated/${f}`], c.options);
      results.set(`${c.name}|${f}`, tsc(c.tsc, p, consumer));
    });
    // StateTypes, EnvTypes and LogTypes declared: a program of its own, as the isolated files are
    const state = writeProject(
      `state${i}`,
      ["state-error-text.ts", "env-error-text.ts", "log-error-text.ts"],
      c.options,
    );
    results.set(`${c.name}|state`, tsc(c.tsc, state, consumer));
    // no `types` entry (BASE's []: TypeScript 6+'s default): the subpaths' declarations load Node's
    const p = writeProject(
      `node${i}`,
      [...nodeFiles.map((f) => `types/node/${f}`), "queue-error-text.ts"],
      c.options,
    );
    results.set(`${c.name}|node`, tsc(c.tsc, p, consumer));
  });
  startLibrary();
  writeFileSync(
    join(consumer, "old.ts"),
    'import { program, run } from "doeff";\nrun(program(function* () { return 1; }));\n',
  );
  const old = [
    ["NodeNext (exports types@<5.4)", NODENEXT, false],
    ["NodeNext, skipLibCheck", NODENEXT, true],
    ["node10 resolution (typesVersions)", { module: "ESNext", moduleResolution: "node" }, false],
  ] as const;
  old.forEach(([label, options, skipLibCheck], i) => {
    const p = writeProject(`old${i}`, ["old.ts"], { ...options, skipLibCheck });
    results.set(`5.3|${label}`, tsc("5.3", p, consumer));
  });
});

/**
 * A library on doeff (test/library-project.ts): built with `tsc --declaration` under TypeScript 5.4,
 * 5.9 and 7, with and without isolatedDeclarations (NodeNext; Bundler too), then an application checked against its
 * declarations under each configuration of the matrix and `strict: false`, and run.
 */
function startLibrary(): void {
  writeLibraryProject(consumer, BASE);
  const lib = join(consumer, "lib");
  for (const b of LIBRARY_BUILDS) {
    const version: Version = b === "5.4" ? "5.4" : b.startsWith("7") ? "7" : "5.9";
    results.set(`lib|${b}`, tsc(version, join(lib, `tsconfig.${b}.json`), lib));
  }
  // the app reads lib/dist, written by the "published" build
  const built = results.get("lib|published")!;
  APP_CONFIGS.forEach((c, i) => {
    const app = join(consumer, "app");
    const project = join(app, `tsconfig.${i}.json`);
    writeFileSync(project, JSON.stringify({ compilerOptions: { ...BASE, ...c.options }, files: ["app.ts"] }));
    results.set(
      `app|${c.name}`,
      built.then(() => tsc(c.tsc, project, app)),
    );
  });
}

/** `node file` in the app's folder: its stdout, or the error's text. */
function nodeRun(file: string): Promise<string> {
  return new Promise((resolve) =>
    execFile(process.execPath, [file], { cwd: join(consumer, "app"), encoding: "utf8" }, (e, out, err) =>
      resolve(e === null ? out.trim() : `${e.message}\n${err}`),
    ),
  );
}

for (const b of LIBRARY_BUILDS) {
  test(`library on doeff: tsc --declaration (${b}) builds it, and its declarations name doeff's types by the package's name`, async () => {
    const { code, out } = await results.get(`lib|${b}`)!;
    assert.deepEqual(parseDiagnostics(out), []);
    assert.equal(code, 0);
    const dir = join(consumer, "lib", b === "published" ? "dist" : `out-${b}`);
    // (the isolatedDeclarations builds take the annotated file only)
    for (const f of b.includes("isolated") ? ["index.d.ts"] : ["index.d.ts", "inferred.d.ts"]) {
      const dts = readFileSync(join(dir, f), "utf8");
      const specifiers = [...dts.matchAll(/(?:from |import\()"([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(specifiers.includes("doeff"), `${f} names doeff's types`);
      assert.deepEqual(
        specifiers.filter((s) => !["doeff", "doeff/testing", "./index.js"].includes(s)),
        [],
        `${f}: no path into doeff's dist/ or node_modules`,
      );
    }
    if (!b.includes("isolated")) {
      // a generic helper over the toolkit, left to inference, names the caller's row as it is
      const inferred = readFileSync(join(dir, "inferred.d.ts"), "utf8");
      assert.doesNotMatch(inferred, /Exclude</);
      const row =
        /export declare const loadBounded: <T, E>\(load: doeff\.Program<T, E>\) => doeff\.Program<T, (.*)>;/.exec(
          inferred,
        );
      assert.ok(row, inferred);
      assert.deepEqual(row[1]!.split(" | ").sort(), ["E", "doeff.Spawn<T, E>", "doeff.TimedRow"]);
    }
    // the annotated file's declarations are what its annotations say (readable: no inferred rows)
    assert.match(
      readFileSync(join(dir, "index.d.ts"), "utf8"),
      /export declare const fetchJson: <T>\(url: string\) => Program<T, HttpGet<T>>;/,
    );
  });
}
for (const c of APP_CONFIGS) {
  test(`library on doeff: an application checks against its declarations (${c.name})`, async () => {
    const { code, out } = await results.get(`app|${c.name}`)!;
    assert.deepEqual(parseDiagnostics(out), []);
    assert.equal(code, 0);
  });
}
test("library on doeff: the application runs with one copy; with a library bringing its own copy, the errors name the two copies", async () => {
  await results.get("lib|published");
  assert.equal(await nodeRun("run.mjs"), APP_RUN_OUTPUT);
  bundleCopy(consumer);
  const copies =
    "(two copies are loaded: `npm ls doeff` shows them; `npm dedupe`, or doeff as a peer dependency of the library that brings its own, makes them one)";
  assert.deepEqual(JSON.parse(await nodeRun("two-copies.mjs")), [
    `TypeError: run expects a Program (fn/program/pure), an Effect, or a generator object, got Program object from another copy of doeff ${copies}`,
    `UnhandledEffectError: no handler takes Get; 3 visible handler(s) declined it, among them function answer(HttpGet), function writer, function state from another copy of doeff, whose handlers take only its own effects ${copies}. Get is answered by the standard handler state: add it to the run's handlers`,
    "1",
  ]);
});

after(() =>
  process.env.DOEFF_KEEP_TYPES_MATRIX
    ? console.log(`kept ${work}`)
    : rmSync(work, { recursive: true, force: true }),
);

test("the repository's own tsc is TypeScript 5.9 (aliased compilers must not take over node_modules/.bin/tsc)", () => {
  const bin = realpathSync(join(root, "node_modules/.bin/tsc"));
  assert.equal(bin, realpathSync(TSC["5.9"]), "run `npm ci` (npm install of an alias may relink .bin/tsc)");
});

for (const c of CONFIGS) {
  test(`types matrix: ${c.name}: test/types/*.ts check, and the error texts name the effects and the fix`, async () => {
    const { out } = await results.get(`${c.name}|main`)!;
    const diags = parseDiagnostics(out);
    const elsewhere = diags.filter((d) => !d.file.endsWith("error-text.ts"));
    assert.deepEqual(elsewhere, [], `unexpected compile errors under ${c.name}`);
    checkCases(diags, ERROR_SOURCE, ERROR_CASES);
  });
  test(`types matrix: ${c.name}: doeff/workers and doeff/queue (test/types/node/) check, and the queue's error texts`, async () => {
    const { out } = await results.get(`${c.name}|node`)!;
    const diags = parseDiagnostics(out);
    const elsewhere = diags.filter((d) => !d.file.endsWith("queue-error-text.ts"));
    assert.deepEqual(elsewhere, [], `unexpected compile errors under ${c.name}`);
    checkCases(diags, QUEUE_ERROR_SOURCE, QUEUE_ERROR_CASES);
  });
  test(`types matrix: ${c.name}: with StateTypes, EnvTypes and LogTypes declared, the error texts name the fix`, async () => {
    const diags = parseDiagnostics((await results.get(`${c.name}|state`)!).out);
    const of = (file: string) => diags.filter((d) => d.file.endsWith(file));
    const sources = ["state-error-text.ts", "env-error-text.ts", "log-error-text.ts"];
    assert.deepEqual(
      diags.filter((d) => !sources.some((f) => d.file.endsWith(f))),
      [],
    );
    checkCases(of("state-error-text.ts"), STATE_ERROR_SOURCE, STATE_ERROR_CASES);
    checkCases(of("env-error-text.ts"), ENV_ERROR_SOURCE, ENV_ERROR_CASES);
    checkCases(of("log-error-text.ts"), LOG_ERROR_SOURCE, LOG_ERROR_CASES);
  });
  for (const f of isolatedFiles) {
    test(`types matrix: ${c.name}: isolated/${f} checks on its own`, async () => {
      const { code, out } = await results.get(`${c.name}|${f}`)!;
      assert.deepEqual(parseDiagnostics(out), []);
      assert.equal(code, 0);
    });
  }
}

test("TypeScript 5.3 fails loudly: every resolution mode reports that doeff needs TypeScript 5.4", async () => {
  for (const label of ["NodeNext (exports types@<5.4)", "node10 resolution (typesVersions)"]) {
    const { code, out } = await results.get(`5.3|${label}`)!;
    assert.notEqual(code, 0, label);
    assert.match(out, /doeff requires TypeScript 5\.4 or newer/, label);
  }
  // with skipLibCheck the declaration file is not checked, but every use names the upgrade
  const { code, out } = await results.get("5.3|NodeNext, skipLibCheck")!;
  assert.notEqual(code, 0);
  assert.match(out, /DoeffRequiresTypeScript5_4OrNewer/);
  assert.doesNotMatch(out, /NoInfer/, "no confusing error from inside doeff's real types");
});
