/**
 * Every ```ts block of docs/*.md type-checks against the package's source as a user's file importing
 * "doeff" would, under a consumer's plain `strict` tsconfig (as test/readme.test.ts does for the
 * README), and the blocks marked to run do run and give the value their last comment shows. Nothing
 * compiled most of them before, and some had gone wrong unseen: a `yield*` at the top level of a
 * block, a name no block defined, a compile error quoted with other punctuation than tsc's.
 *
 * What a block needs beyond its own text is said in the markdown, in HTML comments just before it
 * (hidden where the docs are rendered, visible to whoever edits them):
 * - `<!-- prelude: CODE -->`: CODE (imports, the effect classes and programs the block uses) comes
 *   before the block;
 * - `<!-- continues the block above -->`: the block is compiled after the one above, in one file
 *   (a worked example told in several blocks);
 * - `<!-- in a program -->`: the block is the body of a generator (it `yield*`s at its top level);
 * - `<!-- runs -->`: the block (with what it continues) also runs; its last line is `expr; // value`
 *   (or `expr;` then `// value`), and `expr` must deep-equal `value`;
 * - `<!-- tsc prints this for: CODE -->` before a plain ``` block: compiling CODE gives exactly one
 *   error, whose text is the block's (`...` in the block stands for any text).
 * A line with a `// compile error` comment must fail to compile, with the error class the comment
 * names (`MissingHandlerError<Roll>`) or the text it quotes in backticks; every other line must
 * compile. A trailing comment that is a type (`// Program<number, Roll>`, `// string`,
 * `// typed { id: number }`, on a line of a declaration or an expression statement) claims the type
 * of the innermost one, exactly (the names it uses must be in scope: import them in the prelude).
 * A block whose first line names a file (`// programs.ts`) is that file, beside the other blocks of
 * its page, so they can import one another. A block that augments "doeff" (`declare module "doeff"`)
 * is compiled as a program of its own: the augmentation would change the types of every other
 * block. Everything else is one program.
 *
 * Run elsewhere, so only compiled here: docs/cookbook.md (its blocks are the files
 * of examples/cookbook/, test/cookbook.test.ts and test/cookbook-cli.test.ts), docs/workers.md's files (test/workers-docs.test.ts),
 * docs/testing.md's worked example (examples/testing.ts, test/docs.test.ts), docs/coming-from-effect.md's
 * port (examples/from-effect/, test/from-effect.test.ts), docs/coming-from-effection.md's port
 * (examples/from-effection/, test/from-effection-api.test.ts), docs/coming-from-redux-saga.md's sagas
 * and their tests (test/from-redux-saga.test.ts). Not run: blocks that
 * need the network (docs/concurrency.md's first) or Redis (docs/queue.md; test/examples-scale.test.ts
 * runs examples/queue/main.ts).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const DOCS = join(root, "docs");

interface Block {
  readonly doc: string;
  /** the line of the markdown where the block's code starts (1-based) */
  readonly mdLine: number;
  readonly lang: string;
  readonly code: string;
  /** the HTML comments right before the block, in order */
  readonly comments: readonly string[];
}

/** The fenced blocks of a page (indented ones, in a list item, dedented). */
function blocksOf(doc: string): Block[] {
  const md = readFileSync(join(DOCS, doc), "utf8");
  const lastComment = /<!--((?:(?!<!--)[\s\S])*)-->$/;
  return [...md.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map((m) => {
    const indent = m[1]!.length;
    const code = m[3]!
      .split("\n")
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join("\n")
      .replace(/\n$/, "");
    const comments: string[] = [];
    let before = md.slice(0, m.index).trimEnd();
    for (let c = lastComment.exec(before); c; c = lastComment.exec(before)) {
      comments.unshift(c[1]!.trim());
      before = before.slice(0, c.index).trimEnd();
    }
    const mdLine = md.slice(0, m.index).split("\n").length + 1;
    return { doc, mdLine, lang: m[2]!, code, comments };
  });
}

/** The text of the block's `<!-- name: text -->` (or "" for `<!-- name -->`), if it has one. */
const directive = (b: Block, name: string): string | undefined => {
  const c = b.comments.find((c) => c === name || c.startsWith(`${name}:`));
  return c === undefined ? undefined : c.slice(name.length + 1).trim();
};

const where = (b: Block, line = 0): string => `docs/${b.doc}:${b.mdLine + line}`;

interface Origin {
  readonly block: Block;
  readonly line: number | undefined;
  /** the type a comment of the block's line claims, checked on this line (added after it) */
  readonly claim?: string;
}

/** A file given to the compiler: blocks, with their preludes, in the order of the page. */
interface Unit {
  readonly path: string;
  lines: string[];
  /** per line of the file: its block, and its line in the block (undefined for a prelude) */
  origin: Origin[];
  /** the blocks of the file that run */
  readonly runs: Block[];
  /** compiled as a program of its own: it augments "doeff", which would change every other block */
  isolated: boolean;
  /** the plain block showing what compiling this file prints */
  readonly shows: Block | undefined;
}

function append(unit: Unit, block: Block, text: string, fromBlock: boolean): void {
  text.split("\n").forEach((l, i) => {
    unit.lines.push(l);
    unit.origin.push({ block, line: fromBlock ? i : undefined });
  });
}

/** The files for every block of docs/*.md, in dir (one directory per page). */
function units(dir: string): Unit[] {
  const all: Unit[] = [];
  for (const doc of readdirSync(DOCS).filter((f) => f.endsWith(".md"))) {
    const page = join(dir, basename(doc, ".md"));
    mkdirSync(page);
    let last: Unit | undefined;
    for (const [i, b] of blocksOf(doc).entries()) {
      const unit = (name: string, shows?: Block): Unit => {
        const u: Unit = { path: join(page, name), lines: [], origin: [], runs: [], isolated: false, shows };
        all.push(u);
        return u;
      };
      const shown = directive(b, "tsc prints this for");
      if (shown !== undefined) append(unit(`shown-${i}.ts`, b), b, shown, false);
      if (b.lang !== "ts") continue;
      let u: Unit;
      if (directive(b, "continues the block above") !== undefined) {
        assert.ok(last, `${where(b)}: continues no block`);
        u = last;
      } else u = unit(/^\/\/ ([\w-]+\.ts)\b/.exec(b.code)?.[1] ?? `block-${i}.ts`);
      const prelude = directive(b, "prelude");
      if (prelude) append(u, b, prelude, false);
      const inProgram = directive(b, "in a program") !== undefined;
      if (inProgram) append(u, b, "export function* inAProgram() {", false);
      append(u, b, b.code, true);
      if (inProgram) append(u, b, "}", false);
      if (b.code.includes('declare module "doeff"')) u.isolated = true;
      if (directive(b, "runs") !== undefined) u.runs.push(b);
      last = u;
    }
  }
  return all;
}

const printer = ts.createPrinter({ removeComments: true });

/**
 * The types the blocks' comments claim, checked: a trailing comment that is a type (`// string`,
 * `// Program<number, Roll>`, `// typed { id: number }`) on a line of a declaration or an expression
 * statement claims that the innermost one's type is exactly that. A line is added after that
 * statement, in its scope, that fails to compile otherwise and names the type it found.
 */
function addClaims(u: Unit): void {
  const sf = ts.createSourceFile(u.path, u.lines.join("\n"), ts.ScriptTarget.ES2022, true);
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
  const after = new Map<number, { text: string; origin: Origin }[]>();
  u.lines.forEach((text, i) => {
    const { block, line } = u.origin[i]!;
    const claim = /\/\/ (?:typed )?(.+)$/.exec(text)?.[1]?.trim();
    if (line === undefined || !claim || /\/\/ compile error/.test(text) || !isType(claim)) return;
    // the value the last line of a block that runs shows is not a type
    if (u.runs.includes(block) && line === block.code.trimEnd().split("\n").length - 1) return;
    let found: ts.VariableDeclaration | ts.ExpressionStatement | undefined;
    const visit = (n: ts.Node): void => {
      if (lineOf(n.getStart(sf)) > i || lineOf(n.getEnd()) < i) return;
      if ((ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) || ts.isExpressionStatement(n)) found = n;
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (!found) return;
    const statement = ts.isVariableDeclaration(found) ? found.parent.parent : found;
    const value = ts.isVariableDeclaration(found)
      ? found.name.getText(sf)
      : printer.printNode(ts.EmitHint.Expression, found.expression, sf).replace(/\s*\n\s*/g, " ");
    const id = `claim${i}`;
    const end = lineOf(statement.getEnd());
    after.set(end, [
      ...(after.get(end) ?? []),
      {
        text: `const ${id} = ${value}; type ${id} = Expect<Claim<typeof ${id}, ${claim}>>;`,
        origin: { block, line, claim },
      },
    ]);
  });
  if (after.size === 0) return;
  const lines: string[] = [
    "type Claim<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : { actual: A };",
    "type Expect<T extends true> = T;",
  ];
  const origin: Origin[] = lines.map(() => ({ block: u.origin[0]!.block, line: undefined }));
  u.lines.forEach((text, i) => {
    lines.push(text);
    origin.push(u.origin[i]!);
    for (const c of after.get(i) ?? []) {
      lines.push(c.text);
      origin.push(c.origin);
    }
  });
  u.lines = lines;
  u.origin = origin;
}

/** Whether a comment is a type: it parses as one, and names no lowercase type (`// ok` is prose). */
function isType(text: string): boolean {
  const sf = ts.createSourceFile("claim.ts", `type T = ${text};`, ts.ScriptTarget.ES2022, true);
  const [statement] = sf.statements;
  if (
    // (parse errors are not public API, but have been on every SourceFile for years)
    (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0 ||
    sf.statements.length !== 1 ||
    !statement ||
    !ts.isTypeAliasDeclaration(statement)
  )
    return false;
  let prose = false;
  const visit = (n: ts.Node): void => {
    if (ts.isTypeReferenceNode(n) && /^[a-z]/.test(n.typeName.getText(sf))) prose = true;
    ts.forEachChild(n, visit);
  };
  visit(statement.type);
  return !prose;
}

const src = (f: string): string[] => [join(root, "src", f)];
/** A consumer's plain `strict` tsconfig, with "doeff" and its subpaths mapped to the source. */
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
  paths: {
    doeff: src("index.ts"),
    "doeff/testing": src("testing/index.ts"),
    "doeff/queue": src("queue/index.ts"),
    "doeff/workers": src("workers/index.ts"),
    "doeff/node": src("node/index.ts"),
  },
};

/** The compile errors of each file, by line; what is wrong elsewhere goes to `problems`. */
function compile(all: Unit[], problems: string[]): Map<Unit, Map<number, string[]>> {
  const host = ts.createCompilerHost(OPTIONS);
  const diagnostics: ts.Diagnostic[] = [];
  let previous: ts.Program | undefined; // reused: the source is parsed once
  const check = (files: Unit[]): void => {
    previous = ts.createProgram(
      files.map((u) => u.path),
      OPTIONS,
      host,
      previous,
    );
    diagnostics.push(...ts.getPreEmitDiagnostics(previous));
  };
  check(all.filter((u) => !u.isolated));
  for (const u of all.filter((u) => u.isolated)) check([u]);
  const errors = new Map<Unit, Map<number, string[]>>();
  for (const d of diagnostics) {
    const u = all.find((u) => u.path === d.file?.fileName);
    if (!u || d.start === undefined) {
      problems.push(ts.formatDiagnostic(d, host).trim());
      continue;
    }
    const line = d.file!.getLineAndCharacterOfPosition(d.start).line;
    const byLine = errors.get(u) ?? new Map<number, string[]>();
    errors.set(u, byLine);
    byLine.set(line, [...(byLine.get(line) ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")]);
  }
  return errors;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What is wrong with a file's errors: unexpected ones, and `// compile error` lines that compile. */
function judge(u: Unit, errors: Map<number, string[]>, problems: string[]): void {
  if (u.shows) {
    const got = [...errors.values()].flat();
    const shown = new RegExp(`^${u.shows.code.split("...").map(escapeRegExp).join("[\\s\\S]*?")}$`);
    if (got.length !== 1) problems.push(`${where(u.shows)}: ${got.length} errors, not 1:\n${got.join("\n")}`);
    else if (!shown.test(got[0]!)) problems.push(`${where(u.shows)}: tsc prints\n${got[0]}`);
    return;
  }
  u.lines.forEach((text, i) => {
    const { block, line, claim } = u.origin[i]!;
    const got = errors.get(i) ?? [];
    if (claim !== undefined) {
      for (const e of got) problems.push(`${where(block, line)}: the type is not ${claim}: ${e}`);
      return;
    }
    const expected = line === undefined ? null : /\/\/ compile error\b(.*)$/.exec(text);
    if (!expected) {
      for (const e of got)
        problems.push(
          line === undefined ? `the prelude of ${where(block)}: ${e}` : `${where(block, line)}: ${e}`,
        );
      return;
    }
    if (got.length === 0)
      problems.push(`${where(block, line)}: compiles, but the docs say it is a compile error`);
    // the error the comment names (`MissingHandlerError<Roll>`), or the text it quotes in backticks
    const named = /`([^`]+)`/.exec(expected[1]!)?.[1] ?? /\b[A-Z]\w*Error(?:<\S*>)?/.exec(expected[1]!)?.[0];
    if (named && got.length > 0 && !got.some((e) => e.includes(named)))
      problems.push(`${where(block, line)}: the error is not ${named}: ${got.join(" / ")}`);
  });
}

/** Runs the file up to the block's last statement, `expr; // value`: expr must deep-equal value. */
async function runs(u: Unit, b: Block): Promise<void> {
  const lines = b.code.trimEnd().split("\n");
  const tail = /^(.*);\s*\/\/ (.*)$/.exec(lines.at(-1)!);
  if (!tail) assert.match(lines.at(-1)!, /^\/\/ /, `${where(b)}: its last line is \`expr; // value\``);
  const [expr, value] = tail
    ? [tail[1]!, tail[2]!]
    : [lines.at(-2)!.replace(/;$/, ""), lines.at(-1)!.slice(3)];
  const kept = u.lines.filter((_, i) => u.origin[i]!.claim === undefined);
  const origins = u.origin.filter((o) => o.claim === undefined);
  const first = origins.findIndex((o) => o.block === b && o.line === 0);
  const code = kept
    .slice(0, first + lines.length - (tail ? 1 : 2))
    .concat(`export const value = ${expr};`, `export const expected = ${value};`)
    .join("\n")
    .replace(/from "doeff(\/\w+)?"/g, (_, sub: string | undefined) => {
      const to = pathToFileURL(join(root, "src", sub ?? "", "index.ts")).href;
      return `from ${JSON.stringify(to)}`;
    });
  const file = join(dirname(u.path), `run-${b.mdLine}-${basename(u.path)}`);
  writeFileSync(file, code);
  const ran = (await import(pathToFileURL(file).href)) as { value: unknown; expected: unknown };
  assert.deepEqual(ran.value, ran.expected, `${where(b)}: ${expr}`);
}

test("every ts block of docs/*.md compiles (strict, against the source); the marked ones fail as they say, and run", async () => {
  // (inside the repository, so that node_modules — @types/node, bullmq, piscina — resolves)
  const dir = mkdtempSync(join(root, "test", ".readme-docs-"));
  try {
    const all = units(dir);
    const blocks = new Set(all.flatMap((u) => u.origin.map((o) => o.block)));
    assert.ok(blocks.size >= 40, `docs/*.md has its ~40 ts blocks (${blocks.size})`);
    for (const u of all) if (!u.shows) addClaims(u);
    const claims = all.flatMap((u) => u.origin.filter((o) => o.claim !== undefined));
    assert.ok(claims.length >= 8, `the types the comments claim (${claims.length})`);
    for (const u of all) writeFileSync(u.path, `${u.lines.join("\n")}\nexport {};\n`);
    const problems: string[] = [];
    const errors = compile(all, problems);
    for (const u of all) judge(u, errors.get(u) ?? new Map(), problems);
    assert.ok(problems.length === 0, problems.join("\n"));
    for (const u of all) for (const b of u.runs) await runs(u, b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
