/**
 * doeff/workers, doeff/queue and doeff/node are subpath entries: the core entry never reaches them (nor
 * piscina, bullmq or any node: module), package.json exports them with piscina/bullmq as optional peers, and
 * the compiled worker-thread entry works from built JavaScript under plain node (no tsx).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { packed } from "./scratch-package.js";

const root = new URL("..", import.meta.url).pathname;

function importsOf(file: string): string[] {
  const src = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
  return [...src.matchAll(/\b(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
}

test("subpaths: the core entry reaches no workers/queue/node module, no piscina/bullmq, no node: module", () => {
  const seen = new Set<string>();
  const bare: string[] = [];
  const todo = [join(root, "src/index.ts")];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of importsOf(f)) {
      if (spec.startsWith(".")) todo.push(resolve(dirname(f), spec.replace(/\.js$/, ".ts")));
      else bare.push(`${f}: ${spec}`);
    }
  }
  assert.ok(seen.size > 20);
  assert.deepEqual(
    [...seen].filter((f) => /\/src\/(workers|queue|node)\//.test(f)),
    [],
  );
  assert.deepEqual(bare, []);
});

test("subpaths: package.json exports ./workers, ./queue and ./node; piscina and bullmq are optional peers", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const sub of ["workers", "queue", "node"]) {
    assert.deepEqual(pkg.exports[`./${sub}`], {
      types: `./dist/${sub}/index.d.ts`,
      import: `./dist/${sub}/index.js`,
      default: `./dist/${sub}/index.js`,
    });
  }
  // typescript: the minimum supported compiler for the types (optional too)
  // the majors tested: BullMQ 5 and 6 (queue-bullmq-versions.test.ts), piscina 5
  assert.deepEqual(pkg.peerDependencies, {
    bullmq: "^5.0.0 || ^6.0.0",
    piscina: "^5.0.0",
    typescript: ">=5.4",
  });
  assert.deepEqual(pkg.peerDependenciesMeta, {
    bullmq: { optional: true },
    piscina: { optional: true },
    typescript: { optional: true },
  });
  assert.equal(pkg.dependencies, undefined);
});

test("subpaths: the built worker entry runs jobs under plain node (JavaScript modules, no tsx)", () => {
  // the dist/ of `npm run build` (test/scratch-package.ts), copied to a scratch folder inside the
  // repo (so node_modules resolves), never into dist/
  const out = mkdtempSync(join(root, ".subpaths-"));
  try {
    cpSync(join(packed().pkg, "dist"), out, { recursive: true });
    assert.ok(existsSync(join(out, "workers/worker-entry.js")));
    writeFileSync(
      join(out, "jobs.mjs"),
      `import { fn, tell, Tell } from "./index.js";
export const forward = [Tell];
export const twice = fn(function* twice(n) { yield* tell("twice " + n); return n * 2; });`,
    );
    writeFileSync(
      join(out, "main.mjs"),
      `import { runAsync, scheduler, realTime, writer } from "./index.js";
import { runInWorker, workers } from "./workers/index.js";
const pool = workers({ size: 1 });
const r = await runAsync(runInWorker(new URL("./jobs.mjs", import.meta.url), "twice", 21), { handlers: [scheduler, realTime, writer, pool] });
console.log(JSON.stringify([r.value, r.log]));
await pool.close();`,
    );
    const stdout = execFileSync(process.execPath, [join(out, "main.mjs")], { cwd: root, encoding: "utf8" });
    assert.equal(stdout.trim(), JSON.stringify([42, ["twice 21"]]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
