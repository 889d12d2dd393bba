/**
 * No `any` in a public signature where a precise type exists: the exported declarations of the built
 * `index.d.ts` that contain the `any` keyword (as `Name` or `Name.member`) must be exactly the
 * allow-list below, each with the reason `any` is the right type there. A new `any` fails this test;
 * so does a stale entry (remove it when the `any` goes).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { packed } from "./scratch-package.js";

const CONCURRENCY =
  "concurrency API typing (Waitable<any> accepts a waitable of any value type); owned by the concurrency work (issue 11 item 8)";
/** Type-level helpers exported for the API reference (their `any` was in public signatures already, unnamed). */
const PATTERN =
  "type-level helper: `any` in a conditional type's pattern or a constraint (`Generator<any, infer A, any>`, `Handler<infer X, any>`) matches every instantiation while inferring the part it reads; what it produces has no `any`";
const CONTRAVARIANT =
  "constraint on functions/constructors of any signature: parameters are contravariant, so `unknown` would reject every typed handler or effect class";
const ALLOWED: Record<string, string> = {
  AnyEffect:
    "the open effect `Effect<any>`: a row containing it is open, the documented escape hatch (`IsOpen` recognises it by its `any` answer)",
  AnyProgramLike: PATTERN,
  AnyHandlerFn: CONTRAVARIANT,
  EffectClass: CONTRAVARIANT,
  ErrorClass: CONTRAVARIANT,
  InterceptedEffects: PATTERN,
  KnownEffectsOf: PATTERN,
  PerformedBy: PATTERN,
  TakenBy: PATTERN,
  ResultOf: PATTERN,
  Recovered: `${PATTERN}; and \`any\` for a recovery function answering \`any\` (its value passes through as it is)`,
  RecoveredRow: PATTERN,
  RowOf: PATTERN,
  RunValue: PATTERN,
  SyncAnswer: PATTERN,
  Runnable: "what run accepts: a ProgramLike or a raw generator object of any yield, return and next type",
  SchedulerRow:
    "the row of the toolkit's own effects: exactly what `scheduler` takes (`SchedulerEffect<any>`), so listing `scheduler` covers it",
  TimedRow: "SchedulerRow plus `Delay` (see SchedulerRow)",
  FastPath:
    "the hook slot of every handler: hooks for different effect types are assigned to it, which a function type with an `unknown` parameter would reject",
  Handler:
    "`Handler` (no parameters) is the documented open handler, taking any effect; a hand-written handler's `k` answers whatever its effects answer, unknown to the type",
  createContinuation: "accepts any list of handlers (`Handler<any, any>[]`), whatever they take and perform",
  "GetConstructor.prototype":
    "as the standard library's constructors declare theirs (`ArrayConstructor.prototype: any[]`): with a `prototype` that is not `any`, `instanceof Get` would narrow to it and not to what the construct signature gives",
  "ModifyConstructor.prototype": "as GetConstructor.prototype",
  "RunOptions.handlers":
    "a RunOptions value is a dynamic handler list (not checked): any handler, whatever it takes and performs (`run`'s own check sees the list it is given)",
  withHandler:
    "the default of the handler's effect type `H`: a handler written inline with untyped parameters takes any effect (unchecked, as in `run`'s list), and TypeScript's first pass, which skips an inline handler, must not refuse the call (typed handlers infer `H`)",
  state:
    "takes Get<T> and Modify<T> for every T; Modify is invariant in T, so no single T (not even unknown) covers them",
  IdleSource: CONCURRENCY,
  failPromise: CONCURRENCY,
  gather: CONCURRENCY,
  race: CONCURRENCY,
  scheduler: CONCURRENCY,
};

/** `Name` or `Name.member` for every exported declaration containing the `any` keyword. */
function exportedAny(indexDts: string): string[] {
  const program = ts.createProgram([indexDts], { noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexDts);
  assert.ok(source, indexDts);
  const mod = checker.getSymbolAtLocation(source);
  assert.ok(mod, "index.d.ts is a module");
  const found = new Set<string>();
  for (const exp of checker.getExportsOfModule(mod)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    for (const decl of sym.declarations ?? []) {
      const visit = (n: ts.Node, member: string | null): void => {
        if (n.kind === ts.SyntaxKind.AnyKeyword)
          found.add(member === null ? exp.name : `${exp.name}.${member}`);
        let m = member;
        if (member === null && n !== decl && (ts.isClassElement(n) || ts.isTypeElement(n)) && n.name) {
          const mods = ts.canHaveModifiers(n) ? (ts.getModifiers(n) ?? []) : [];
          if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword)) return;
          m = n.name.getText();
        }
        ts.forEachChild(n, (c) => visit(c, m));
      };
      visit(decl, null);
    }
  }
  return [...found].sort();
}

test("public declarations containing `any` are exactly the allow-list (each with a reason)", () => {
  // the declarations `npm run build` writes (its `tsc -p tsconfig.build.json`, which must compile),
  // from the package as test/scratch-package.ts packs it: built once per content of the sources for
  // every test file that needs it (package, types-matrix, runtimes), not compiled again here
  const { pkg } = packed();
  // a member of an allowed export is covered by the export's entry
  const found = exportedAny(join(pkg, "dist/index.d.ts")).map((n) =>
    n.split(".")[0]! in ALLOWED ? n.split(".")[0]! : n,
  );
  assert.deepEqual([...new Set(found)].sort(), Object.keys(ALLOWED).sort());
  for (const [name, reason] of Object.entries(ALLOWED)) assert.ok(reason.length > 20, `${name} has a reason`);
});
