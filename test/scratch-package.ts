/**
 * The package as npm would ship it, built and packed in a scratch directory — not in ./dist, which
 * test/package.test.ts rebuilds while other test files run. Shared by the tests that install the
 * tarball into a consumer project (types-matrix, runtimes).
 */
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;

/** Build dist/ into `work`/pkg with the package's own build configs, pack it; the tarball's path. */
export function packScratch(work: string): string {
  const pkg = join(work, "pkg");
  mkdirSync(pkg);
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  for (const build of ["tsconfig.build.json", "tsconfig.build-scale.json"])
    execFileSync(
      process.execPath,
      [tsc, "-p", build, "--outDir", join(pkg, "dist"), "--declarationMap", "false"],
      {
        cwd: root,
        stdio: "pipe",
      },
    );
  execFileSync(process.execPath, [join(root, "scripts/types-too-old.mjs"), join(pkg, "dist")], {
    stdio: "pipe",
  });
  for (const f of ["package.json", "README.md", "CHANGELOG.md", "LICENSE"])
    copyFileSync(join(root, f), join(pkg, f));
  cpSync(join(root, "docs"), join(pkg, "docs"), { recursive: true });
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: pkg, stdio: "pipe" });
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, "npm pack produced a tarball");
  return join(work, tgz);
}
