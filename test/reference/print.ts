/**
 * Prints a program (ast.ts) as doeff source. The VM side of the differential test evaluates exactly
 * this text (compile.ts, with `ts: false`), so a printed failing case is the program that failed.
 * With `ts: true` it is a self-contained TypeScript snippet (type annotations, lint suppressions).
 */
import {
  type Call,
  EFF_CLASSES,
  type HandlerUnit,
  type HRef,
  isStd,
  type Program,
  type Stmt,
  TERMINAL,
  TRANSFORMS,
} from "./ast.js";

export interface PrintOptions {
  readonly ts: boolean;
  /** inside a finally block (TS output marks control flow there for biome's noUnsafeFinally) */
  readonly inFinally?: boolean;
}

/** Names the printed code uses, in import order. */
export const API_NAMES = [
  "Effect",
  "fn",
  "program",
  "withHandler",
  "resume",
  "transfer",
  "transferWith",
  "discontinue",
  "pass",
  "delegate",
  "detach",
  "finalize",
  "get",
  "put",
  "modify",
  "ask",
  "local",
  "tell",
  "listen",
  "safe",
  "state",
  "reader",
  "writer",
  "pure",
  "intercept",
  "createContinuation",
  "resumeContinuation",
  "getHandlers",
  "getContinuation",
  "Get",
  "Put",
  "Modify",
  "Ask",
  "Local",
  "Tell",
  "Listen",
  "TAKES",
] as const;

function href(h: HRef): string {
  return isStd(h) ? h.std : `u${h.unit}`;
}

function call(c: Call): string {
  let s = `u${c.fn}(acc)`;
  for (let i = c.wrap.length - 1; i >= 0; i--) s = `withHandler(${href(c.wrap[i]!)}, ${s})`;
  return s;
}

function stmts(body: readonly Stmt[], ind: string, o: PrintOptions): string[] {
  return body.flatMap((s) => stmt(s, ind, o));
}

function block(body: readonly Stmt[], ind: string, o: PrintOptions): string {
  const inner = stmts(body, `${ind}  `, o);
  return inner.length === 0 ? "{}" : `{\n${inner.join("\n")}\n${ind}}`;
}

function stmt(s: Stmt, ind: string, o: PrintOptions): string[] {
  const unsafe = o.ts && o.inFinally === true && TERMINAL.has(s.t);
  const line = (x: string) =>
    unsafe
      ? [
          `${ind}// biome-ignore lint/correctness/noUnsafeFinally: control flow in finally is under test`,
          `${ind}${x}`,
        ]
      : [`${ind}${x}`];
  const num = o.ts ? "<number>" : "";
  switch (s.t) {
    case "perform":
      return line(`acc += yield* new ${s.cls}(${s.n});`);
    case "tell":
      return line(`yield* tell("${s.tag}:" + acc);`);
    case "get":
      return line(`acc += yield* get${num}("${s.key}");`);
    case "put":
      return line(`yield* put("${s.key}", acc);`);
    case "modify":
      return s.throws === null
        ? line(`acc += yield* modify${num}("${s.key}", (v) => (v ?? 0) + ${s.n});`)
        : line(
            `acc += yield* modify${num}("${s.key}", () => {\n${ind}  throw new Error("${s.throws}");\n${ind}});`,
          );
    case "ask":
      return line(`acc += yield* ask${num}("${s.key}");`);
    case "local":
      return line(`acc += yield* local({ ${s.key}: ${s.n} }, ${call(s.call)});`);
    case "listen":
      return [
        `${ind}{`,
        `${ind}  const r = yield* listen(${call(s.call)});`,
        `${ind}  acc += r.value + r.log.length;`,
        `${ind}}`,
      ];
    case "safe":
      return [
        `${ind}{`,
        `${ind}  const r = yield* safe(${call(s.call)});`,
        `${ind}  if (r.ok) acc += r.value;`,
        `${ind}  else yield* tell("safe:" + msg(r.error));`,
        `${ind}}`,
      ];
    case "call":
      return line(`acc += yield* ${call(s.call)};`);
    case "try": {
      let out = `${ind}try ${block(s.body, ind, o)}`;
      if (s.catch !== null) {
        const body = [`${ind}  yield* tell("caught:" + msg(err));`, ...stmts(s.catch, `${ind}  `, o)];
        out += ` catch (err) {\n${body.join("\n")}\n${ind}}`;
      }
      if (s.finally !== null || s.catch === null) {
        out += ` finally ${block(s.finally ?? [], ind, { ...o, inFinally: true })}`;
      }
      return [out];
    }
    case "if":
      return [`${ind}if (acc % 2 === 0) ${block(s.yes, ind, o)} else ${block(s.no, ind, o)}`];
    case "throw":
      return line(`throw new Error("${s.msg}");`);
    case "return":
      return line("return acc;");
    case "resume":
      return line(`acc += yield* resume(k, acc + ${s.n});`);
    case "transfer":
      return line(`return yield* transfer(k, acc + ${s.n});`);
    case "transferWith":
      return line(`return yield* transferWith(k, ${call(s.call)});`);
    case "discontinue":
      return line(`acc += yield* discontinue(k, new Error("${s.msg}"));`);
    case "pass":
      return line(`return yield* pass(${s.sub === null ? "" : `new ${s.sub.cls}(${s.sub.n})`});`);
    case "delegate":
      return line(`acc += yield* delegate(${s.sub === null ? "" : `new ${s.sub.cls}(${s.sub.n})`});`);
    case "detach":
      return line("yield* detach(k);");
    case "finalize":
      return line("yield* finalize(k);");
    case "unstarted":
      return line(
        `acc += yield* resumeContinuation(yield* createContinuation(${call(s.call)}, [${s.hs.map(href).join(", ")}]), acc);`,
      );
    case "resumeSaved":
      return line(`if (saved !== null) acc += yield* resume(saved, acc + ${s.n});`);
    case "intercept": {
      let t = TRANSFORMS[s.transform]!.replace(/\n/g, `\n${ind}`);
      if (o.ts) t = t.replace(/^\(e\)/, "(e: any): any");
      return line(`acc += yield* intercept(${call(s.call)}, ${t});`);
    }
    case "stash":
      return line("saved = k;");
    case "transferNew":
      return line(
        `return yield* transfer(yield* createContinuation(${call(s.call)}, [${s.hs.map(href).join(", ")}]), acc);`,
      );
    case "handlers":
      return line(
        `yield* tell("hs:" + (yield* getHandlers()).map((h${o.ts ? ": any" : ""}) => h.name).join(","));`,
      );
  }
}

function handlerUnit(u: HandlerUnit, i: number, o: PrintOptions): string {
  const test = u.classes.map((c) => `e instanceof ${c}`).join(" || ") || "false";
  const sig = o.ts ? "(e: any, k: any)" : "(e, k)";
  let f: string;
  if (u.style === "gen") {
    const lines: string[] = [];
    if (u.filter === "guard") lines.push(`  if (!(${test})) return yield* pass();`);
    lines.push("  let acc = e.v;", ...stmts(u.body, "  ", o), "  return acc;");
    f = `function* u${i}${sig} {\n${lines.join("\n")}\n}`;
  } else {
    const n = u.style.n;
    const op = {
      resume: `resume(k, e.v + ${n})`,
      transfer: `transfer(k, e.v + ${n})`,
      pure: `pure(e.v + ${n})`,
      pass: "pass()",
      delegate: "delegate()",
    }[u.style.plain];
    f = `function u${i}${sig} {\n  return ${u.filter === "guard" ? `${test} ? ${op} : pass()` : op};\n}`;
  }
  const e = o.ts ? "(e: any)" : "(e)";
  const decl = `const u${i}${o.ts ? ": Handler" : ""}`;
  switch (u.filter) {
    case "guard":
      return `${decl} = ${f};`;
    case "handles":
      return `${decl} = Object.assign(${f}, { handles: ${e} => ${test} });`;
    case "takes":
      return `${decl} = Object.assign(${f}, { [TAKES]: [${u.classes.join(", ")}] });`;
    case "throws":
      return `${decl} = Object.assign(${f}, {\n  handles: ${e} => {\n    if (e instanceof C && e.v > 6) throw new Error("p");\n    return ${test};\n  },\n});`;
  }
}

/**
 * The program's declarations: effect classes, `msg`, the units and `main`. Evaluated as JS (ts:
 * false) it expects the API names in scope and defines `main` and `handlers`.
 */
export function printDeclarations(p: Program, o: PrintOptions): string {
  const code = printCode(p, o);
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
  const out: string[] = [];
  for (const c of EFF_CLASSES.filter(uses)) {
    out.push(
      o.ts
        ? `class ${c} extends Effect<number> {\n  constructor(readonly v: number) {\n    super();\n  }\n}`
        : `class ${c} extends Effect {\n  constructor(v) {\n    super();\n    this.v = v;\n  }\n}`,
    );
  }
  if (uses("msg")) {
    out.push(
      o.ts
        ? `const msg = (e: any): string => (e?.name === "Error" ? e.message : String(e?.name));`
        : `const msg = (e) => (e?.name === "Error" ? e.message : String(e?.name));`,
    );
  }
  if (uses("saved")) out.push(o.ts ? "let saved: any = null;" : "let saved = null;");
  out.push(code);
  return out.join("\n");
}

/** The units (declared last-to-first, so every unit's references are declared before it) and main. */
function printCode(p: Program, o: PrintOptions): string {
  const out: string[] = [];
  for (let i = p.units.length - 1; i >= 0; i--) {
    const u = p.units[i]!;
    if (u.kind === "fn") {
      const body = stmts(u.body, "  ", o);
      out.push(
        `const u${i} = fn(function* u${i}(x${o.ts ? ": number" : ""}) {\n  let acc = x;\n${body.join("\n")}${body.length ? "\n" : ""}  return acc;\n});`,
      );
    } else out.push(handlerUnit(u, i, o));
  }
  const main = stmts(p.main, "  ", o);
  out.push(
    `const main = program(function* main() {\n  let acc = 0;\n${main.join("\n")}${main.length ? "\n" : ""}  return acc;\n});`,
  );
  return out.join("\n");
}

export function printOptions(p: Program): string {
  const parts: string[] = [];
  parts.push(`handlers: [${p.runHandlers.map(href).join(", ")}]`);
  const store = Object.entries(p.store).map(([k, v]) => `${k}: ${v}`);
  parts.push(`store: {${store.length ? ` ${store.join(", ")} ` : ""}}`);
  const env = Object.entries(p.env).map(([k, v]) => `${k}: ${typeof v === "number" ? v : `u${v.lazy}(1)`}`);
  parts.push(`env: {${env.length ? ` ${env.join(", ")} ` : ""}}`);
  return `{ ${parts.join(", ")} }`;
}

/** The JS body both sides evaluate: declarations, then `return { main, handlers, store, env }`. */
export function printForEval(p: Program): string {
  return `${printDeclarations(p, { ts: false })}\nreturn { main, ${printOptions(p).slice(2, -2)} };`;
}

/** A self-contained TypeScript program (imports relative to the repository's test/ directory). */
export function printProgram(p: Program, importFrom = "../src/index.js"): string {
  const decls = printDeclarations(p, { ts: true });
  const opts = printOptions(p);
  const used = API_NAMES.filter((n) => new RegExp(`\\b${n}\\b`).test(`${decls}\n${opts}`));
  return [
    `import { ${[...used, "type Handler", "run"].join(", ")} } from "${importFrom}";`,
    "",
    decls,
    "",
    `const result = run(main, ${opts});`,
  ].join("\n");
}
