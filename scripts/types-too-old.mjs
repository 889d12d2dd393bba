/**
 * Writes `dist/too-old.d.ts`: the types a TypeScript older than 5.4 gets (package.json maps it there
 * with a `types@<5.4` export condition and `typesVersions`). doeff's real types use `NoInfer` (5.4),
 * so an older compiler must fail loudly instead of silently losing the handler coverage check: every
 * export keeps its name but has a type whose name and message say to upgrade, and the file itself
 * fails to check (seen when `skipLibCheck` is off). Run by `npm run build`; usage:
 * `node scripts/types-too-old.mjs [distDir]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dist = process.argv[2] ?? "dist";
const index = readFileSync(join(dist, "index.d.ts"), "utf8");
const names = new Set();
for (const m of index.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from/g)) {
  for (const raw of m[2].split(",")) {
    const name = raw
      .trim()
      .replace(/^type\s+/, "")
      .split(/\s+as\s+/)
      .pop();
    if (name) names.add(name);
  }
}
if (names.size === 0) throw new Error(`no exports found in ${join(dist, "index.d.ts")}`);

const lines = [
  "/**",
  " * doeff's types need TypeScript 5.4 or newer (they use NoInfer); this compiler is older. Every",
  " * export below has a type that says so. Upgrade: npm install --save-dev typescript@latest",
  " */",
  "export interface DoeffRequiresTypeScript5_4OrNewer {",
  '  readonly "doeff: upgrade TypeScript to 5.4 or newer (npm install --save-dev typescript@latest)": never;',
  "}",
  'type RequiredTypeScript<V extends "TypeScript 5.4 or newer"> = V;',
  "/** Fails to check on purpose (with skipLibCheck off): the message names the version needed. */",
  'export type VersionCheck = RequiredTypeScript<"doeff requires TypeScript 5.4 or newer; this compiler is older">;',
];
for (const name of [...names].sort()) {
  lines.push(`export declare const ${name}: DoeffRequiresTypeScript5_4OrNewer;`);
  lines.push(
    `export type ${name}<_A = any, _B = any, _C = any, _D = any> = DoeffRequiresTypeScript5_4OrNewer;`,
  );
}
writeFileSync(join(dist, "too-old.d.ts"), `${lines.join("\n")}\n`);
