/**
 * Lists the exports of the package's entry points (doeff, doeff/testing, doeff/workers, doeff/queue:
 * the entry points of typedoc.json) that have no doc comment, as `name (file)`. Used by test/api-docs.test.ts; run directly to see the list:
 * `node --import tsx scripts/undocumented.ts`.
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRY_POINTS = [
  "src/index.ts",
  "src/testing/index.ts",
  "src/workers/index.ts",
  "src/queue/index.ts",
  "src/node/index.ts",
];

export interface Undocumented {
  entry: string;
  name: string;
  file: string;
}

function hasDoc(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  if (symbol.getDocumentationComment(checker).some((p) => p.text.trim() !== "")) return true;
  // a declaration whose only doc is tags (e.g. `@example`) still counts as documented
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

export function undocumentedExports(): Undocumented[] {
  const program = ts.createProgram(
    ENTRY_POINTS.map((e) => join(root, e)),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      // doeff/workers and doeff/queue are Node-only (tsconfig.build-scale.json); the core is not
      types: ["node"],
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    },
  );
  const checker = program.getTypeChecker();
  const out: Undocumented[] = [];
  for (const entry of ENTRY_POINTS) {
    const sf = program.getSourceFile(join(root, entry));
    if (sf === undefined) throw new Error(`cannot read ${entry}`);
    const mod = checker.getSymbolAtLocation(sf);
    if (mod === undefined) throw new Error(`${entry} is not a module`);
    for (const exp of checker.getExportsOfModule(mod)) {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (hasDoc(target, checker)) continue;
      const decl = target.declarations?.[0];
      const file = decl === undefined ? "?" : relative(root, decl.getSourceFile().fileName);
      out.push({ entry, name: exp.name, file });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const list = undocumentedExports();
  for (const u of list) console.log(`${u.name} (${u.file})`);
  console.log(`${list.length} undocumented export(s)`);
}
