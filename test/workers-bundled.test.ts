/**
 * doeff/workers bundled into an application (esbuild, platform node, piscina left external): its
 * threads load doeff/workers' entry module by a URL beside its own code, which the bundle does not
 * hold. Every job then failed with Node's ERR_MODULE_NOT_FOUND naming a path beside the bundle and
 * piscina's worker.js; the error now says that doeff/workers was bundled and what to do.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
// inside the checkout (ignored: tmp-*), so that the bundle finds piscina in its node_modules
const work = mkdtempSync(join(root, "tmp-workers-bundled-"));
after(() => rmSync(work, { recursive: true, force: true }));

const MAIN = `
import { program, realTime, runAsync, scheduler } from ${JSON.stringify(join(root, "src/index.ts"))};
import { runInWorker, workers } from ${JSON.stringify(join(root, "src/workers/index.ts"))};
const pool = workers({ size: 1 });
const r = await runAsync(runInWorker(new URL("./jobs.js", import.meta.url), "one"), { handlers: [scheduler, realTime, pool] });
await pool.close();
const e = r.error;
console.log(JSON.stringify({ ok: r.ok, name: e?.constructor?.name, message: e?.message, cause: e?.cause?.code }));
`;

test("workers: a bundle holding doeff/workers fails its jobs with an Error that says it was bundled and how to build instead", async () => {
  writeFileSync(join(work, "main.mjs"), MAIN);
  writeFileSync(join(work, "package.json"), '{ "type": "module" }');
  await esbuild.build({
    entryPoints: [join(work, "main.mjs")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "es2022",
    external: ["piscina"],
    outfile: join(work, "out", "main.js"),
    logLevel: "silent",
  });
  writeFileSync(join(work, "out", "package.json"), '{ "type": "module" }');
  const { stdout } = await promisify(execFile)(process.execPath, [join(work, "out", "main.js")], {
    cwd: work,
    timeout: 30_000,
  });
  const entry = join(work, "out", "worker-entry.js");
  assert.deepEqual(JSON.parse(stdout), {
    ok: false,
    name: "Error",
    message: `doeff/workers cannot start its worker threads: they load its entry module from ${entry}, which does not exist — doeff/workers was bundled into your build, which holds no such file. Leave doeff out of the bundle so that it loads from node_modules (esbuild: --external:doeff or --packages=external; webpack: externals; Rollup and Vite: external), and build each job module as an entry point of its own with doeff external too (docs/workers.md, "Bundling")`,
    cause: "ERR_MODULE_NOT_FOUND",
  });
});
