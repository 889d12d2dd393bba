/**
 * Structural rules, checked by reading the source:
 *  (1) handler modules use the public protocol only (no VM internals);
 *  (2) the VM names no standard handler or standard effect (no special cases in the machine);
 *  (3) a handler is installed only via withHandler: prompt segments are built only by withHandler
 *      (execute.ts) and by starting an unstarted continuation (finalize.ts), and run() nests its
 *      handler list with withHandler.
 * Every detector is also shown to flag a synthetic bad snippet, so each rule can fail.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

function tsFiles(dir: string): string[] {
  return readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith(".ts"))
    .sort();
}
function read(rel: string): string {
  return readFileSync(join(SRC, rel), "utf8");
}

// ---------------------------------------------------------------------------------------------
// A small scanner: removes comments; separates code from string and template literal text.

interface Scanned {
  /** source without comments, every string literal and template text replaced by "@<index in strings>" */
  code: string;
  /** contents of string literals and template literal text */
  strings: string[];
}

function scan(src: string): Scanned {
  let code = "";
  const strings: string[] = [];
  let i = 0;
  const n = src.length;
  // template nesting: each entry = brace depth at which the template's ${ was opened
  const tmpl: number[] = [];
  let braces = 0;
  const readString = (q: string): void => {
    i++;
    let text = "";
    while (i < n && src[i] !== q) {
      if (src[i] === "\\") {
        text += src[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (src[i] === "\n") break;
      text += src[i];
      i++;
    }
    i++;
    code += `"@${strings.length}"`;
    strings.push(text);
  };
  /** read template text from i (just after ` or }) up to ` (end) or ${ (expression) */
  const readTemplateText = (): void => {
    let text = "";
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        text += src[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        code += `"@${strings.length}"`;
        strings.push(text);
        return;
      }
      if (c === "$" && src[i + 1] === "{") {
        i += 2;
        code += `"@${strings.length}" + (`;
        strings.push(text);
        tmpl.push(braces);
        braces++;
        return;
      }
      text += c;
      i++;
    }
  };
  while (i < n) {
    const c = src[i]!;
    const d = src[i + 1];
    if (c === "/" && d === "/") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      code += " ";
      continue;
    }
    if (c === '"' || c === "'") {
      readString(c);
      continue;
    }
    if (c === "`") {
      i++;
      readTemplateText();
      continue;
    }
    if (c === "{") braces++;
    if (c === "}") {
      braces--;
      if (tmpl.length > 0 && tmpl[tmpl.length - 1] === braces) {
        tmpl.pop();
        code += ")";
        i++;
        readTemplateText();
        continue;
      }
    }
    code += c;
    i++;
  }
  return { code, strings };
}

/** Module specifiers imported or re-exported by a source file (static, side-effect, dynamic, type). */
function importSpecifiers(src: string): string[] {
  const { code, strings } = scan(src);
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*"@(\d+)"/g,
    /\bimport\s*"@(\d+)"/g,
    /\bimport\s*\(\s*"@(\d+)"\s*\)/g,
    /\brequire\s*\(\s*"@(\d+)"\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(strings[Number(m[1])]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rule 1: handlers import only the protocol, the errors, effect modules and sibling handler modules.

const ALLOWED_HANDLER_IMPORT = [
  /^\.\.\/protocol\.js$/,
  /^\.\.\/errors\.js$/,
  /^\.\.\/effects\/[A-Za-z0-9_-]+\.js$/,
  /^\.\/[A-Za-z0-9_-]+\.js$/,
];
function handlerImportViolations(file: string, src: string): string[] {
  return importSpecifiers(src)
    .filter((spec) => !ALLOWED_HANDLER_IMPORT.some((re) => re.test(spec)))
    .map((spec) => `${file}: imports ${JSON.stringify(spec)}`);
}

test("structure (1) src/handlers/ imports only ../protocol.js, ../errors.js, ../effects/*.js, ./*.js", () => {
  const files = tsFiles("handlers");
  assert.ok(files.length > 0);
  const violations = files.flatMap((f) => handlerImportViolations(f, read(join("handlers", f))));
  assert.deepEqual(violations, []);
});

test("structure (1) the detector flags VM internals imported by a handler", () => {
  const bad = [
    `import { Machine } from "../vm/machine.js";`,
    `import type { Segment } from "../vm/segment.js";`,
    `export { dispatch } from "../vm/dispatch.js";`,
    `import "../vm/execute.js";`,
    `type C = import("../run/context.js").RunContext;`,
    `import {\n  run,\n  state as s,\n} from '../run/run.js';`,
    `import { x } from "../protocol.js"; import { y } from "../vm/brand.js";`,
    `import { readFileSync } from "node:fs";`,
  ];
  for (const snippet of bad) assert.ok(handlerImportViolations("bad.ts", snippet).length > 0, snippet);
  const good = [
    `import { transfer, type Handler } from "../protocol.js";`,
    `import { Get } from "../effects/state.js";\nimport { raise } from "./util.js";`,
    `// import { Machine } from "../vm/machine.js";\nimport { MissingStateKeyError } from "../errors.js";`,
    `const msg = 'import { Machine } from "../vm/machine.js"';`,
  ];
  for (const snippet of good) assert.deepEqual(handlerImportViolations("good.ts", snippet), [], snippet);
});

// ---------------------------------------------------------------------------------------------
// Rule 2: the VM names no standard handler or standard effect.

const STD_HANDLERS = ["state", "reader", "writer", "scheduler", "simulatedTime", "realTime", "SCHEDULER"];
const STD_EFFECT_CLASSES = [
  "Get",
  "Put",
  "Modify",
  "Ask",
  "Local",
  "Tell",
  "Listen",
  "Spawn",
  "Wait",
  "Gather",
  "Race",
  "Cancel",
  "IsDone",
  "CreatePromise",
  "CompletePromise",
  "FailPromise",
  "CreateExternalPromise",
  "AwaitPromise",
  "Delay",
  "Now",
  "RegisterIdleSource",
];
const STD_EFFECT_FUNCTIONS = [
  "get",
  "put",
  "modify",
  "ask",
  "local",
  "tell",
  "listen",
  "spawn",
  "wait",
  "gather",
  "race",
  "cancel",
  "isDone",
  "createPromise",
  "completePromise",
  "failPromise",
  "createExternalPromise",
  "awaitPromise",
  "delay",
  "now",
  "registerIdleSource",
];
const STD_MODULE = /(^|\/)(handlers|effects)\/(?!effect\.js$)|scheduler|time/;

function vmViolations(file: string, src: string): string[] {
  const out: string[] = [];
  const { code, strings } = scan(src);
  for (const spec of importSpecifiers(src)) {
    if (STD_MODULE.test(spec)) out.push(`${file}: imports ${JSON.stringify(spec)}`);
  }
  const named = new Set([...STD_HANDLERS, ...STD_EFFECT_CLASSES]);
  const fns = new Set(STD_EFFECT_FUNCTIONS);
  // identifiers not reached through a property access (a.get, a?.state)
  for (const m of code.matchAll(/(?<![\w$.])(?<!\?\.)\s*([A-Za-z_$][\w$]*)/g)) {
    const id = m[1]!;
    const at = m.index! + m[0].length;
    const rest = code.slice(at, at + 80);
    if (named.has(id)) out.push(`${file}: names ${id}`);
    else if (fns.has(id)) {
      // accessor syntax `get name()` is not a reference to the get effect
      if (/^\s+[A-Za-z_$#][\w$]*\s*\(/.test(rest) && (id === "get" || id === "set")) continue;
      if (/^\s*\(/.test(rest)) out.push(`${file}: calls ${id}()`);
      // imported or re-exported under its own name
      if (/^\s*(,|\}|as\b)/.test(rest) && /\b(import|export)\b[^;]*$/.test(code.slice(0, m.index!)))
        out.push(`${file}: imports ${id}`);
    }
  }
  for (const s of strings) if (named.has(s)) out.push(`${file}: string ${JSON.stringify(s)}`);
  return out;
}

test("structure (2) src/vm/ never names a standard handler or standard effect", () => {
  const files = tsFiles("vm");
  assert.ok(files.length > 0);
  const violations = files.flatMap((f) => vmViolations(f, read(join("vm", f))));
  assert.deepEqual(violations, []);
});

test("structure (2) the detector flags a special case in the machine", () => {
  const bad = [
    `import { state } from "../handlers/state.js";`,
    `import { Get } from "../effects/state.js";`,
    `import type { Spawn } from "../effects/scheduler.js";`,
    `if (e instanceof Get) return fastGet(e);`,
    `if (h === state) { m.deliver(ctx.current.state.get(e.key)); }`,
    `const isSched = h[SCHEDULER] === true;`,
    `if (e.constructor.name === "Tell") log.push(e.message);`,
    "switch (name) { case `Delay`: break; }",
    `if (handler === reader || handler === writer) skip();`,
    `const x = yield* get("k");`,
    `const msg = \`\${describe(e)} \${Ask}\`;`,
    `h.handles = (e) => e instanceof Modify;`,
    `import { fn, now } from "../x.js";`,
  ];
  for (const snippet of bad) assert.ok(vmViolations("bad.ts", snippet).length > 0, snippet);
  const good = [
    `const v = map.get(key); ctx.current.state.set(k, v); this.state = 1;`,
    `get started(): boolean { return this.top !== null; }`,
    `// if (e instanceof Get) special-case it\nconst t = Date.now();`,
    `throw new TypeError("yielded a Promise; use yield* awaitPromise(() => p) under the scheduler");`,
    `const s = \`use \${"wait"}(task) to wait\`;`,
    `x?.state; y.Get; z.delay(1);`,
  ];
  for (const snippet of good) assert.deepEqual(vmViolations("good.ts", snippet), [], snippet);
});

// ---------------------------------------------------------------------------------------------
// Rule 3: handlers are installed only via withHandler.

const PROMPT_NEW = /\bnew\s+Segment\s*\(\s*S_PROMPT\b/g;
/** `new Segment(<kind>` whose kind is not a named non-prompt kind (e.g. a literal 2) */
const SEGMENT_NEW = /\bnew\s+Segment\s*\(\s*([^,)\s]+)/g;
const NON_PROMPT_KINDS = new Set(["S_ROOT", "S_BODY", "S_HANDLER", "S_FINALIZER"]);

/** The text of the region where a prompt may be built in `file`, or null if none may be. */
function promptRegion(file: string, code: string): [number, number] | null {
  const region = (startRe: RegExp, endRe: RegExp): [number, number] | null => {
    const s = startRe.exec(code);
    if (s === null) return null;
    const from = s.index + s[0].length;
    endRe.lastIndex = from;
    const e = endRe.exec(code);
    return [s.index, e === null ? code.length : e.index];
  };
  if (file === "vm/execute.ts")
    return region(/\bcase\s+OP_WITH_HANDLER\s*:/, /\bcase\s+OP_\w+\s*:|\bdefault\s*:/g);
  // (startUnstarted builds them through its helper startPrompts, used by nothing else)
  if (file === "vm/finalize.ts")
    return region(/\bfunction\s+startPrompts\s*\(/, /\n(?:export\s+)?(?:async\s+)?function\b/g);
  return null;
}

function promptViolations(file: string, src: string): string[] {
  const { code } = scan(src);
  const out: string[] = [];
  const allowed = promptRegion(file, code);
  let count = 0;
  for (const m of code.matchAll(PROMPT_NEW)) {
    count++;
    const at = m.index!;
    if (allowed === null || at < allowed[0] || at >= allowed[1])
      out.push(`${file}: builds a prompt segment outside withHandler / starting a continuation`);
  }
  if (allowed !== null && count > 1) out.push(`${file}: builds prompt segments in ${count} places`);
  for (const m of code.matchAll(SEGMENT_NEW)) {
    const kind = m[1]!;
    if (kind !== "S_PROMPT" && !NON_PROMPT_KINDS.has(kind)) out.push(`${file}: new Segment(${kind}, ...)`);
  }
  if (!file.startsWith("vm/") && /\bS_PROMPT\b/.test(code)) out.push(`${file}: uses S_PROMPT outside the VM`);
  return out;
}

/** run()/runAsync() must nest the handler list with withHandler, never build prompts themselves. */
function runViolations(file: string, src: string): string[] {
  const { code } = scan(src);
  const out: string[] = [];
  if (/\bS_PROMPT\b|\bnew\s+Segment\b|\bSegment\b/.test(code)) out.push(`${file}: touches segments directly`);
  // (withHandlerUnchecked: withHandler's primitive, its checks made by run's own)
  if (!/\bwithHandler(Unchecked)?\s*\(/.test(code))
    out.push(`${file}: does not install its handlers with withHandler`);
  if (!/\bhandlers\b/.test(code)) out.push(`${file}: does not read the handlers option`);
  return out;
}

function allSrcFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of readdirSync(join(SRC, dir), { withFileTypes: true })) {
      const rel = dir === "" ? ent.name : `${dir}/${ent.name}`;
      if (ent.isDirectory()) walk(rel);
      else if (ent.name.endsWith(".ts")) out.push(rel);
    }
  };
  walk("");
  return out.sort();
}

test("structure (3) prompt segments are built only by withHandler and by starting an unstarted continuation", () => {
  const files = allSrcFiles();
  assert.ok(files.includes("vm/execute.ts") && files.includes("vm/finalize.ts"));
  const violations = files.flatMap((f) => promptViolations(f, read(f)));
  assert.deepEqual(violations, []);
  // both sanctioned places really build one
  for (const f of ["vm/execute.ts", "vm/finalize.ts"]) {
    const code = scan(read(f)).code;
    assert.equal([...code.matchAll(PROMPT_NEW)].length, 1, f);
  }
});

test("structure (3) run() builds its handler list with withHandler", () => {
  assert.deepEqual(runViolations("run/run.ts", read("run/run.ts")), []);
});

test("structure (3) the detectors flag prompts built elsewhere and a run() that bypasses withHandler", () => {
  const badPrompt: Array<[string, string]> = [
    ["vm/dispatch.ts", `const p = new Segment(S_PROMPT, cur, null, h);`],
    ["vm/machine.ts", `this.cur = new Segment(2, null, null, h);`],
    ["run/run.ts", `import { S_PROMPT } from "../vm/segment.js"; const k = S_PROMPT;`],
    [
      "vm/execute.ts",
      `switch (op) {\n  case OP_WITH_HANDLER: { const p = new Segment(S_PROMPT, cur, null, h); return; }\n  case OP_RESUME: { const q = new Segment(S_PROMPT, cur, null, h); return; }\n}`,
    ],
    [
      "vm/finalize.ts",
      `export function startUnstarted(m) { seg = new Segment(S_PROMPT, seg, null, h); }\nexport function other() { x = new Segment(S_PROMPT, a, null, h); }`,
    ],
    ["handlers/fast.ts", `const seg = new Segment(kind, caller, null, h);`],
    [
      "vm/finalize.ts",
      `export function startUnstarted(m) {\n  seg = new Segment(S_PROMPT, seg, null, h);\n}`,
    ],
  ];
  for (const [file, snippet] of badPrompt) assert.ok(promptViolations(file, snippet).length > 0, snippet);
  const goodPrompt: Array<[string, string]> = [
    [
      "vm/execute.ts",
      `switch (op) {\n  case OP_WITH_HANDLER: { new Segment(S_PROMPT, cur, inv, h); return; }\n}`,
    ],
    ["vm/finalize.ts", `function startPrompts(seg, hs) {\n  seg = new Segment(S_PROMPT, seg, null, h);\n}`],
    ["vm/dispatch.ts", `const hs = new Segment(S_HANDLER, outer, inv, null);`],
  ];
  for (const [file, snippet] of goodPrompt) assert.deepEqual(promptViolations(file, snippet), [], snippet);

  const badRun = [
    `function start(p, o) { let seg = root; for (const h of o.handlers) seg = new Segment(S_PROMPT, seg, null, h); }`,
    `function start(p, o) { const m = new Machine(p); for (const h of o.handlers) m.install(h); }`,
  ];
  for (const snippet of badRun) assert.ok(runViolations("run/run.ts", snippet).length > 0, snippet);
  assert.deepEqual(
    runViolations(
      "run/run.ts",
      `for (let i = handlers.length - 1; i >= 0; i--) top = withHandler(handlers[i], top);`,
    ),
    [],
  );
});
