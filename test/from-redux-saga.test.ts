/**
 * docs/coming-from-redux-saga.md runs: its ts blocks, with their preludes, make one module (as
 * test/docs-blocks.test.ts compiles them), whose `test(…)` calls — the page's tests of the ported
 * sagas, redux-saga-test-plan style — register here and run against the source. The page's code had
 * only been compiled: its `race` port (raceAll) dropped a failed fetch and waited for a cancel action,
 * and its takeLeading opened the row of every program that used it, and no test saw either.
 *
 * The orders the tests assert are redux-saga 1.x's, as a scratch project running the same sagas on
 * redux-saga and on doeff side by side showed (takeLatest, retry, debounce, throttle, takeLeading,
 * an optimistic like, race against a cancel action, fork/join/cancel, an event channel, an action
 * channel): what the page's recipes give.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const md = readFileSync(join(root, "docs", "coming-from-redux-saga.md"), "utf8");

/** Each ```ts block with the preludes of the HTML comments right before it, in page order. */
const code: string[] = [];
const block = /((?:<!--[\s\S]*?-->\s*)*)```ts\n([\s\S]*?)```/g;
for (const m of md.matchAll(block)) {
  for (const c of m[1]!.matchAll(/<!--\s*prelude:([\s\S]*?)-->/g)) code.push(c[1]!.trim());
  code.push(m[2]!);
}
const source = code
  .join("\n")
  .replace(/from "doeff(\/\w+)?"/g, (_, sub: string | undefined) =>
    JSON.stringify(pathToFileURL(join(root, "src", sub ?? "", "index.ts")).href).replace(/^/, "from "),
  );
// (test/.readme-* is git-ignored, should a run die before it is removed)
const dir = mkdtempSync(join(root, "test", ".readme-from-redux-saga-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "coming-from-redux-saga.ts");
writeFileSync(file, source);
// its test(…) calls register as this file's tests
await import(pathToFileURL(file).href);
