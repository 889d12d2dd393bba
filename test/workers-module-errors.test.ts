/**
 * doeff/workers: a job module with a syntax error. Node (20–22) gives import() a bare SyntaxError
 * that says neither the file nor the line, and the WorkerModuleError told the reader to check the URL,
 * which was right. It now says what failed (a syntax error, in the module or one it imports) and how
 * to find the line. A SyntaxError thrown while the module runs (JSON.parse at its top level) is not a
 * syntax error of the module, and keeps the message it had. The modules are written to a fresh
 * temporary folder (a fixture that does not parse would fail the type check and the lint).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { realTime, runAsync, scheduler } from "../src/index.js";
import { runInWorker, WorkerModuleError, workers } from "../src/workers/index.js";

const dir = mkdtempSync(join(tmpdir(), "doeff-module-errors-"));
const write = (file: string, text: string) => {
  writeFileSync(join(dir, file), text);
  return pathToFileURL(join(dir, file));
};
const broken = write("broken.mjs", "export const job = ;\n");
const importsBroken = write("imports-broken.mjs", 'export { job } from "./broken.mjs";\n');
const badJson = write("bad-json.mjs", 'export const config = JSON.parse("{oops");\n');

const pool = workers({ size: 1 });
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const failure = async (url: URL) => {
  const r = await runAsync(runInWorker(url, "job"), { handlers: [scheduler, realTime, pool] });
  assert.ok(r.error instanceof WorkerModuleError, r.format());
  return r.error;
};

test("workers: a job module with a syntax error says so, and how to find the line, not to check the URL", async () => {
  const e = await failure(broken);
  assert.equal(
    e.message,
    `the worker cannot import ${broken.href}: SyntaxError: Unexpected token ';', in it or in a module it imports (Node does not say where for a module loaded with import()): \`node --check ${join(dir, "broken.mjs")}\` shows the line (for a TypeScript module, \`tsc --noEmit\`)`,
  );
  assert.ok(e.cause instanceof SyntaxError, String(e.cause));
  // the same for a module that imports it (node --check on the job module itself then passes: the
  // message says it may be a module it imports)
  const viaImport = await failure(importsBroken);
  assert.match(
    viaImport.message,
    /^the worker cannot import \S*imports-broken\.mjs: SyntaxError: Unexpected token ';', in it or in a module it imports \(Node does not say where/,
  );
});

test("workers: a SyntaxError thrown while the module runs keeps the message it had (its stack says where)", async () => {
  const e = await failure(badJson);
  assert.match(
    e.message,
    /^the worker cannot import \S*bad-json\.mjs: .*JSON.*\. Check the URL \(build it with new URL\("\.\/file\.js", import\.meta\.url\)\) and that the module loads on its own$/,
  );
  assert.match((e.cause as Error).stack ?? "", /bad-json\.mjs:1/);
});
