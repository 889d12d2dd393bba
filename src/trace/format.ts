/**
 * Formatting the failure report (SEMANTICS §8.8): the chain active at the failure, outermost first,
 * each program frame with its yield site when `trace.sites` is on; the failing effect with the
 * handlers it visited and their markers; task separators; the error's class and message last.
 * VM-internal frames never appear (library frames are hidden when the chain is recorded).
 */
import { DoeffError } from "../errors.js";
import { brandOf, className, clip, describe, head } from "../vm/brand.js";
import { grouping } from "./blocked-in.js";
import { type Entry, fold, handlerName } from "./entries.js";
import type { Origin } from "./origin.js";
import { B_EFFECT, B_PRIMITIVE, B_PROGRAM, OP_WITH_HANDLER, P_GEN, P_GEN1 } from "../vm/codes.js";
import { CAPTURE_DEPTH } from "../vm/sites.js";

/**
 * The library's own directory: stack lines inside it are never a user's site. Computed on first use,
 * never at load, and never fatal: in a bundle (`import.meta.url` empty or not a URL, or the library
 * inlined into the user's file) it is `null`, and sites fall back to the known capture depth.
 */
let libDir: string | null | undefined;
function libraryDir(): string | null {
  if (libDir === undefined) {
    libDir = null;
    try {
      const here = import.meta.url;
      // only where this module is its own file (dist/trace/format.js, src/trace/format.ts): bundled,
      // import.meta.url names the bundle, whose directory holds the user's code too
      if (typeof here === "string" && here.startsWith("file:") && /\/trace\/format\.[cm]?[jt]s$/.test(here)) {
        libDir = localPath(new URL("../", here).href);
      }
    } catch {
      libDir = null;
    }
  }
  return libDir;
}

function cwd(): string {
  const p = (globalThis as { process?: { cwd?: () => string } }).process;
  try {
    return typeof p?.cwd === "function" ? localPath(p.cwd()) : "";
  } catch {
    return "";
  }
}

/**
 * A stack frame's file as a path compared with the cwd and the library's directory, and printed: a
 * `file://` URL (Node's and Deno's ES modules) decoded — `My%20Project` is the cwd's `My Project` —
 * and a Windows path (`C:\app\src\main.ts`, `file:///C:/app/…`) with forward slashes, so
 * `/node_modules/` and the cwd match there too. A Windows network (UNC) path keeps its leading two
 * slashes, whichever way it comes: `\\server\share\app\main.ts` (CommonJS, tsx, and the cwd) or
 * `file://server/share/app/main.ts` (an ES module: the server is the URL's host) are both
 * `//server/share/app/main.ts`. Any other URL (a browser's script) is kept as it is.
 */
function localPath(file: string): string {
  if (file.startsWith("file://")) {
    try {
      file = decodeURIComponent(file);
    } catch {
      // a malformed escape: printed as the stack had it
    }
    // (`file:///…` has no host; `file://server/…` names the server of a UNC path: `//server/…`)
    file = file.slice(file[7] === "/" ? 7 : 5).replace(/^\/(?=[A-Za-z]:\/)/, "");
  }
  return /^([A-Za-z]:|\\)\\/.test(file) ? file.replace(/\\/g, "/") : file;
}

/**
 * The positioned frames of a stack, innermost first: `[file, line, column]`. V8 (Node, Chromium)
 * writes the message, then `    at name (file:line:col)` lines; SpiderMonkey (Firefox) and
 * JavaScriptCore (Safari) write frames only, `name@file:line:col` (JSC's anonymous ones bare, a
 * Firefox eval's file `app.js line 9 > eval`). A frame with no position (V8's `<anonymous>`, JSC's
 * `[native code]`) is left out in each, so the capture's library frames count alike everywhere.
 */
export function framesOf(stack: string): string[][] {
  const lines = stack.split("\n");
  const v8 = lines.some((l) => /^\s+at /.test(l));
  const out: string[][] = [];
  for (const l of lines) {
    // (the name ends at the first `@`, as a path may hold one: node_modules/@scope/…; a bare JSC
    // frame has no name, and its URL no `@` before its `://`)
    const a = l.indexOf("@");
    const m = /^(.+):(\d+):(\d+)\s*$/.exec(
      v8 ? v8Location(l) : l.slice(l.slice(0, a).includes("://") ? 0 : a + 1),
    );
    if (m !== null) out.push(m.slice(1));
  }
  return out;
}

/**
 * A V8 frame's `file:line:col` (Node, Deno, Bun, Chromium): `    at name (location)` or, unnamed,
 * `    at location` (`at async location`); "" for any other line. The location is what follows the
 * name's first ` (`, so a path holding spaces or parentheses (`/home/me/My Project (2)/app.ts`, as
 * tsx and Bun write paths) is whole; an eval's (`eval at f (file:1:2), <anonymous>:1:1`) is its last
 * part. (Only indexOf and one anchored match: a stack holds the error's message, and a request's
 * 50 kB body in it, `at ` after a newline, must not take quadratic time — a backtracking search for
 * where the file starts once held a failed run's report for seconds.)
 */
function v8Location(l: string): string {
  let loc = /^\s+at (?:async )?(.*)/.exec(l.trimEnd())?.[1] ?? "";
  if (loc.endsWith(")")) {
    // the name's ` (`, or a `(` right after `at ` (no name)
    const open = loc.startsWith("(") ? 0 : loc.indexOf(" (") + 1;
    loc = loc.slice(loc[open] === "(" ? open + 1 : 0, -1);
  }
  // (only an eval's: a path may hold `), ` too — `/home/me/Copy (2), old/app.ts`)
  return loc.startsWith("eval at ") ? loc.slice(loc.lastIndexOf("), ") + 3) : loc;
}

/**
 * `file:line` of the first stack frame of `site` that is user code, relative to the cwd. With
 * `firstOnly` (where an error was thrown), the very first frame when it is user code; else, with
 * `caller`, for an error a function of doeff, of Node or of a package made when user code called it
 * (`wait(p)` given the wrong value, `readFileSync`), the first user frame with doeff's below it (the
 * VM that ran that code) — never the `run()` call an error reaches the user's stack through, which
 * has nothing of doeff below it.
 */
export function siteOf(site: Error | null | undefined, firstOnly = false, caller = false): string | null {
  let stack = site?.stack;
  if (typeof stack !== "string") return null;
  // V8's stack starts with `Name: message`: a message of several lines (a request's text in it) may
  // hold a line `    at evil (x.ts:1:1)`, which is no frame — the frames are after the message
  const msg: unknown = site!.message;
  if (typeof msg === "string" && msg.includes("\n")) {
    const i = stack.indexOf(msg);
    if (i !== -1) stack = stack.slice(i + msg.length);
  }
  const lib = libraryDir();
  // Without a library directory (bundled), skip the frames the capture itself adds.
  let skip = lib === null && !firstOnly ? (CAPTURE_DEPTH[site!.message] ?? 0) : 0;
  let below = false; // (firstOnly: past the first frame, which was not user code)
  let at = ""; // (then the first user frame)
  for (const [path, line, column] of framesOf(stack) as [string, string, string][]) {
    if (skip > 0) {
      skip--;
      continue;
    }
    let file = localPath(path);
    const inLib = lib !== null && file.startsWith(lib);
    if (inLib || file.startsWith("node:") || file.includes("/node_modules/")) {
      if (at !== "" && inLib) return at;
      if (firstOnly && !caller) return null;
      below = true;
      continue;
    }
    const base = cwd();
    if (base !== "" && file.startsWith(`${base}/`)) file = file.slice(base.length + 1);
    // a script loaded by URL (a browser's bundle) keeps its column: a minified bundle is one line
    const pos = /^[a-z][\w+.-]*:\/\//i.test(file) ? `${line}:${column}` : line;
    if (!firstOnly || !below) return `${file}:${pos}`;
    if (at === "") at = `${file}:${pos}`;
  }
  return null;
}

/**
 * One field of an effect, in one short line: a string cut to `max` characters; an array's or a
 * plain object's first 3 items (`[Task(1), Task(2), … 3 more]`, `{ id: 1, total: 30 }`), one level
 * deep (`deep` > 0: an item's item is described, `object`). A plain object's are read from their
 * property descriptors, so a getter is never called (`SaveOrder(object)` told nothing, and a report
 * must not run user code); a Proxy whose traps throw is described. An effect shows as its line
 * does (showEffect), `Batch(Fetch("/a"))`, where it read `Fetch object`.
 */
export function fieldOf(v: unknown, max: number, deep = 0): string {
  const b = brandOf(v);
  return typeof v === "string"
    ? JSON.stringify(clip(v, max)) // one line, not 100 kB
    : typeof v === "number" || typeof v === "boolean"
      ? JSON.stringify(v)
      : b === B_PROGRAM
        ? fields.program(v)
        : b === B_PRIMITIVE
          ? // a program under handlers (the Spawn `scoped` hands on) as the program inside, as it
            // was written, `Spawn(visit(), "shared")`, not "Primitive object"; another, `resume()`
            (v as { op: number }).op === OP_WITH_HANDLER
            ? fieldOf((v as { b: unknown }).b, max)
            : String(v)
          : b === B_EFFECT
            ? showEffect(v)
            : typeof v === "function"
              ? functionField(v)
              : (!deep && itemsOf(v as any)) || describe(v);
}

/**
 * How a program shows as a field: `name(args)`, `inc(3)`, a program among them (to 8 deep) as a
 * field (argsOf). The toolkit, once loaded, names its tasks' nameless bodies by what they run instead
 * (trace/program-field.ts sets `program`): a bundle without the toolkit, which has no such tasks,
 * carries none of it.
 */
export const fields = {
  program: (p: unknown, depth = 0): string =>
    `${(p as { name?: string }).name || "program"}(${argsOf(p, (x) =>
      brandOf(x) !== B_PROGRAM ? fieldOf(x, 20, 1) : depth > 8 ? "…" : fields.program(x, depth + 1),
    )})`,
};

/**
 * The arguments a program made by `fn` was called with, as a field shows them (`3` of `inc(3)`,
 * where `Listen(inc())` dropped them): its first 3, each by `show`, cut at 60 characters; "" for
 * any other program (`program(…)`'s, a library's hidden one).
 */
export function argsOf(p: unknown, show: (x: unknown) => string): string {
  const { tag, b } = p as { tag: number; b: unknown };
  const args: readonly unknown[] = tag === P_GEN1 ? [b] : tag === P_GEN && Array.isArray(b) ? b : [];
  let s = "";
  // (past the cut no further argument is shown: a nest of programs costs what is printed)
  for (let i = 0; i < args.length && i < 3 && s.length <= 60; i++) s += (i > 0 ? ", " : "") + show(args[i]);
  if (args.length > 3) s += `, … ${args.length - 3} more`;
  return clip(s, 60);
}

function itemsOf(v: any): string | 0 {
  try {
    const a = Array.isArray(v);
    const p = Object.getPrototypeOf(v); // (throws for undefined and null: described)
    if (!a && p && p !== Object.prototype) return 0; // a class's instance: its name
    const k: any[] = a ? v : Object.keys(v);
    let d: PropertyDescriptor;
    const s =
      k
        .slice(0, 3)
        // a key as a string's JSON unquoted (cut, on one line); a getter as itself, `get total`
        .map((x) =>
          a
            ? fieldOf(x, 20, 1)
            : `${fieldOf(x, 20).slice(1, -1)}: ${fieldOf((d = Object.getOwnPropertyDescriptor(v, x)!).get || d.value, 20, 1)}`,
        )
        .join(", ") + (k.length > 3 ? `, … ${k.length - 3} more` : "");
    return a ? `[${s}]` : `{${s && ` ${s} `}}`;
  } catch {
    return 0;
  }
}

/**
 * A function field (awaitPromise's thunk): its name, or an anonymous one's source cut to one short
 * line — `AwaitPromise(() => fetch(url))`, where "function (anonymous)" told nothing.
 */
export function functionField(f: Function): string {
  try {
    if (f.name) return f.name;
    const s = Function.prototype.toString.call(f).replace(/\s+/g, " ");
    return clip(s, 40);
  } catch {
    return describe(f);
  }
}

/** How many effects are being shown, one in another's field (showEffect): 3 deep is cut. */
let nest = 0;

/**
 * Short printable form of an effect: `Ask("db")`, `Put("n", 1)`, `Roll(6)` — its first 3 own
 * enumerable fields, string-keyed then symbol-keyed (a `[kind]: "x"` field showed nothing). One with
 * none, which keeps its data in `#private` fields behind getters (`get url() { return this.#url }`),
 * shows its classes' getters' values instead, as doeff/testing does: `Fetch("/a")`, not `Fetch()`.
 * Those getters are user code run by a report, which a plain object's getter never is (itemsOf);
 * but an effect class's getter is how it shows its data, and skipping them would print `Fetch()`
 * for every such effect. So they are called only for an effect with no fields (one with fields never
 * has a computed getter run), at most 3, and one that throws shows as `url: (its getter threw)`
 * without losing the report. An effect in a field shows its own fields as an item's are
 * (`Batch(Fetch("/a"))`); 3 deep — or a getter that shows its own effect — is cut: `Fetch(…)`.
 */
export function showEffect(effect: unknown): string {
  if (effect === null || typeof effect !== "object") return describe(effect);
  let name: string;
  let keys: (string | symbol)[];
  try {
    name = className((effect as object).constructor) || "Effect";
    if (nest > 2) return `${name}(…)`;
    keys = Reflect.ownKeys(effect).filter((k) => Object.prototype.propertyIsEnumerable.call(effect, k));
    // (the getters of its classes, its own first: each prototype above Effect's, the first branded)
    if (!keys[0])
      for (
        let p = Object.getPrototypeOf(effect);
        p && brandOf(Object.getPrototypeOf(p));
        p = Object.getPrototypeOf(p)
      )
        for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(p)))
          if (d.get && !keys.includes(k)) keys.push(k);
  } catch {
    return "an effect that cannot be inspected";
  }
  const parts: string[] = [];
  nest++;
  try {
    for (const key of keys) {
      // one field that cannot be read (a throwing getter) is shown as such, not the whole report lost
      let shown: string;
      try {
        // an array's or plain object's first items (Gather([Task(1), Task(2)]), a job's arguments)
        shown = fieldOf((effect as Record<string | symbol, unknown>)[key], nest > 1 ? 20 : 60, nest - 1);
      } catch {
        shown = `${String(key)}: (its getter threw)`;
      }
      if (parts.push(shown) === 3) break;
    }
  } finally {
    nest--; // (even past a stack overflow: else every effect shown after it read `Fetch(…)`)
  }
  return `${name}(${parts.join(", ")})`;
}

function entryLine(e: Entry): string {
  switch (e.kind) {
    case "frame": {
      const at = siteOf(e.site);
      return at === null ? `  ${e.name}` : `  ${e.name} at ${at}`;
    }
    case "handler":
      return `  handler ${e.name} for ${showEffect(e.effect)}${e.marker === "" ? "" : ` ${e.marker}`}`;
    case "boundary":
      return `  ── ${e.name} ──`;
    case "gap":
      return `  ${e.name}`;
    case "wait":
      return `  blocked in ${e.name}`;
  }
}

/** The chain's lines, a run of identical program lines (a recursion 100,000 deep) folded. */
const chainLines = (list: Entry[]): string[] =>
  fold(list, (e) => (e?.kind === "frame" ? entryLine(e) : undefined)).map(entryLine);

export function errorLine(error: unknown): string {
  try {
    return printable(
      error instanceof Error
        ? `${errorName(error)}: ${String(error.message)}`
        : `thrown: ${shortJson(error) ?? describe(error)}`,
    );
  } catch {
    // (a message getter or a Proxy trap that throws, a revoked Proxy: the rest of the report stays)
    return "(an error that cannot be printed)";
  }
}

/** The most characters of one error line a report shows (the error itself keeps all of its message). */
export const LINE_MAX = 10_000;

/** `s`, longer than `max`, cut to at most `max` characters (never between a surrogate pair's halves) and how many more there were. */
export function cutLine(s: string, max: number): string {
  const kept = head(s, max);
  return `${kept}… (${s.length - kept.length} more characters)`;
}

/**
 * `s` safe to print to a terminal and bounded: control characters but newline and tab (ANSI escapes,
 * a carriage return that overwrites the line), DEL, C1 controls and Unicode's bidirectional and
 * line-separator controls written as `\u001b`, and cut to `max` characters. A message is often
 * made from a request's data: printed raw it could recolor, hide or rewrite the log lines around it,
 * and a 100 MB one was copied whole into every report and `doeffTrace`.
 */
export function printable(s: string, max = LINE_MAX): string {
  const cut = s.length > max ? cutLine(s, max) : s;
  return cut.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    /[\x00-\x08\v-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The most characters of a thrown plain object's JSON a report shows (a longer one is described). */
const SHORT = 120;

/**
 * A plain object's or array's JSON when short (what a thrown `{ code: 42 }` was), else null. The
 * writing stops once past the limit: the replacer keeps a count of at least how many characters the
 * JSON has so far (a written key's `"key":`, a string's quotes and characters, an array's brackets
 * and commas, one for anything else written) and gives up past 120, so a thrown
 * `{ rows: [a million numbers] }` is no longer written whole (~40 ms) to print `thrown: object`.
 */
export function shortJson(v: unknown): string | null {
  if (v === null || typeof v !== "object") return null;
  try {
    const p = Object.getPrototypeOf(v);
    if (p !== Object.prototype && p !== Array.prototype && p !== null) return null;
    let least = -3; // (the first call is the top value's, under a key "" that is not written)
    const j = JSON.stringify(v, function (this: unknown, key, x: unknown) {
      const t = typeof x;
      // (JSON leaves undefined, a function or a symbol out of an object; `null` in an array is
      // counted as nothing: a lower bound)
      if (t === "undefined" || t === "function" || t === "symbol") return x;
      least +=
        (Array.isArray(this) ? 0 : key.length + 3) +
        (t === "string" ? (x as string).length + 2 : Array.isArray(x) ? x.length + 1 : 1);
      if (least > SHORT) throw 0;
      return x;
    });
    return j !== undefined && j.length <= SHORT ? j : null;
  } catch {
    return null; // too long, a cycle, a bigint, a throwing getter or Proxy trap
  }
}

/**
 * An error's name as a report shows it: its class's own `static displayName` when it has one (the
 * README tells users to give their classes one, so a minified bundle still names them), else, for a
 * class that never named its errors, the class's name, else `name`. An own `name` set on the error
 * object wins over all of them.
 */
export function errorName(error: Error): string {
  try {
    // AbortSignal.timeout's reason is a DOMException named "TimeoutError": not doeff's TimeoutError
    if (typeof DOMException === "function" && error instanceof DOMException)
      return `DOMException ${error.name}`;
    if (!Object.hasOwn(error, "name")) {
      const c: unknown = error.constructor;
      if (typeof c === "function" && Object.hasOwn(c, "displayName")) {
        const shown = (c as { displayName?: unknown }).displayName;
        if (typeof shown === "string") return shown;
      }
      // `class UserNotFound extends Error {}` (the docs' error classes, Effect's TaggedError ported)
      // inherits Error.prototype's "Error": the report read `Error: no user 7`, the class that
      // `recover` and `instanceof` test nowhere in it. A `name` a base class's prototype holds as
      // its class's own (Error.prototype's, TypeError.prototype's) names the base, not this class:
      // the class's name is shown instead, as doeff's own errors are named (Node prints
      // `UserNotFound [Error]`). One set on the class's own prototype stands.
      let p: { name?: unknown; constructor?: { name?: unknown } } | null = Object.getPrototypeOf(error);
      while (p !== null && !Object.hasOwn(p, "name")) p = Object.getPrototypeOf(p);
      if (
        typeof c === "function" &&
        p !== null &&
        p !== c.prototype &&
        p.name === p.constructor?.name &&
        // (a minifier's name for the class, `t` or `Ot`, would read worse than "Error": a bundle
        // that renames classes keeps the base's name unless the class has a displayName)
        c.name.length > 3
      )
        return c.name;
    }
    return String(error.name);
  } catch {
    return "Error";
  }
}

/**
 * The report of a run its signal aborted: where each computation the abort ended was (main's chain
 * first, then each task's, which starts at its `── in task N ──` line) and, last, what it was
 * blocked in (`blocked in wait(task 3)`), then the reason; tasks alike as one entry (abortGroups,
 * abort-groups.ts).
 */
export function formatAborted(chains: Entry[][] | null, reason: unknown): string {
  if (chains === null) return formatFailure(null, reason);
  const out = ["where the run was when its signal aborted it (outermost first):"];
  // (main's chains alone, each a group of its own without a task or blocked-in line, until a task
  // or a wait can be on one: blocked-in.ts grouping)
  if (grouping === null) for (const c of chains) out.push(...chainLines(c));
  else grouping(chains, out, chainLines, entryLine);
  // where the reason was made (the SIGINT listener's `new Error`) on a line of its own: indented as
  // `thrown at`, it read as a place in the last task's chain ("callApi thrown at cli.ts:80")
  const at = madeAt(reason);
  if (at !== null) out.push(`the signal's reason (made at ${at}):`);
  errorLines(reason, out);
  return printable(out.join("\n"), Infinity);
}

/**
 * A run of like visits (a chain of handlers that delegated one effect) reads as its first, a count
 * and its last, as a run of like handler lines does (entries.ts fold).
 */
function foldVisits(visits: string[]): string[] {
  const out: string[] = [];
  for (let i = 0, j = 0; i < visits.length; i = ++j) {
    while (visits[j + 1] === visits[i]) j++;
    out.push(...(j - i > 2 ? [visits[i]!, `… ${j - i - 1} more …`, visits[j]!] : visits.slice(i, j + 1)));
  }
  return out;
}

/**
 * Where user code made `error` (its own stack), when that is user code, or for an error not doeff's
 * own, the user code that called what threw it (a user's handler calling a standard one that throws
 * MissingStateKeyError is not where that happened: as without the wrapper, no line). (Bundled,
 * library lines cannot be told from the user's: the library's own errors get no site.)
 */
export function madeAt(error: unknown): string | null {
  try {
    const own = error instanceof DoeffError;
    return error instanceof Error && !(libraryDir() === null && own) ? siteOf(error, true, !own) : null;
  } catch {
    return null; // (a stack getter that throws, a revoked Proxy: the report without the line)
  }
}

/** The full report for a failed run. */
export function formatFailure(origin: Origin | null, error: unknown): string {
  const lines = ["doeff traceback (outermost first):"];
  if (origin !== null) {
    lines.push(...chainLines(origin.fullChain()));
    if (origin.visits !== null) {
      const visits = foldVisits(origin.visits.map((v) => `${handlerName(v.handler)} ${v.marker}`));
      lines.push(
        `  effect ${showEffect(origin.effect)}: ${
          visits.length > 0
            ? visits.join(", ") + (origin.afterAnswer === null ? "" : ` — ${afterAnswer(origin.afterAnswer)}`)
            : // performed by handler code: the handlers inside it (its own too) are not visible from there
              origin.chain.some((e) => e.kind === "handler")
              ? "no handler outside the handler performing it"
              : "no handlers installed"
        }`,
      );
    }
  }
  const thrownAt = madeAt(error);
  if (thrownAt !== null) lines.push(`  thrown at ${thrownAt}`);
  // the header only over lines: with none (an error in no frame of the user's, where nothing
  // performed an effect: `pure(1).flatMap(() => 5)` at the top), it introduced an empty traceback,
  // which read as lines lost; the error alone says all the run knows
  if (lines.length < 2) lines.pop();
  errorLines(error, lines);
  // (the chain's names and effect fields too: a program named from data, a field's C1 controls)
  return printable(lines.join("\n"), Infinity);
}

/**
 * What the effect line adds when the handler that threw had answered the effect first (Origin's
 * `afterAnswer`): it threw from its own code after its `resume` (or `discontinue`) ended — returned,
 * or threw what the program threw and the handler caught.
 */
export const afterAnswer = (name: string): string =>
  `answered: ${name} resumed the program, which has since ended, then threw`;

/** The error's line, then its causes indented under it. */
function errorLines(error: unknown, lines: string[]): void {
  lines.push(errorLine(error));
  try {
    causes(error, lines);
  } catch {
    // (a hostile error object: what was shown stays)
  }
}

/**
 * What an error carries beside its message, indented under it: its `cause` chain (often the only
 * useful part: `TypeError: fetch failed`, a TaskCancelledError's finally error, a worker's error)
 * and an AggregateError's `errors` (raceAll's). Depth and count are capped. A cycle (an error whose
 * `cause` or `errors`, at any depth, leads back to it) stops at the first repeat: `above` holds the
 * errors on the way to this one (its length is the depth).
 */
function causes(error: unknown, lines: string[], above: unknown[] = []): void {
  if (!(error instanceof Error) || above.length > 3) return;
  const path = [...above, error];
  const pad = "  ".repeat(path.length);
  const show = (head: string, e: unknown) => {
    const cycle = path.includes(e);
    lines.push(`${pad}${head}${errorLine(e)}${cycle ? " (cycle: the same error as above)" : ""}`);
    if (!cycle) causes(e, lines, path);
  };
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    const es = error.errors;
    for (let i = 0; i < es.length && i < 10; i++) show(`[${i}] `, es[i]);
    if (es.length > 10) lines.push(`${pad}… ${es.length - 10} more in .errors`);
  }
  if (Object.hasOwn(error, "cause")) show("caused by ", error.cause);
}
