/**
 * Packaging: `npm run build` emits dist/index.js + dist/index.d.ts, and a scratch project that installs
 * the packed tarball can import the public names and run a program (from JS and from TypeScript).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;

test("package: build emits dist with types, and the packed tarball imports and runs", () => {
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "pipe" });
  assert.ok(existsSync(join(root, "dist/index.js")));
  assert.ok(existsSync(join(root, "dist/index.d.ts")));
  const dir = mkdtempSync(join(tmpdir(), "doeff-pack-"));
  try {
    execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], {
      cwd: root,
      stdio: "pipe",
    });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    assert.ok(tgz, "npm pack produced a tarball");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module" }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, tgz)], {
      cwd: dir,
      stdio: "pipe",
    });
    writeFileSync(
      join(dir, "main.mjs"),
      `import { run, program, get, put, state } from "doeff";
const r = run(program(function* () { yield* put("n", 41); return (yield* get("n")) + 1; }), { handlers: [state] });
console.log(JSON.stringify([r.value, r.store]));`,
    );
    const out = execFileSync("node", ["main.mjs"], { cwd: dir, encoding: "utf8" });
    assert.equal(out.trim(), JSON.stringify([42, { n: 41 }]));
    // TypeScript consumers resolve the types through the exports map.
    writeFileSync(
      join(dir, "main.ts"),
      `import { run, program, get, put, state, type RunResult } from "doeff";
const r: RunResult<number> = run(program(function* () { yield* put("n", 1); return (yield* get<number>("n")) + 1; }), { handlers: [state] });
export const n: number = r.value;`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["main.ts"],
      }),
    );
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
      cwd: dir,
      stdio: "pipe",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
