/**
 * API documentation gate: the API reference covers every entry point of package.json's exports
 * (doeff, doeff/testing, doeff/workers, doeff/queue, doeff/node), each a module named after its subpath; every
 * export of the entry points has a doc comment (a new undocumented export fails here, with its name
 * and file); `npm run docs` (typedoc) finishes with zero warnings;
 * every relative link in README.md, CHANGELOG.md, CONTRIBUTING.md and docs/*.md resolves to a file in the repository.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";
import { ENTRY_POINTS, undocumentedExports } from "../scripts/undocumented.js";

const root = new URL("..", import.meta.url).pathname;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

test("the API reference's entry points are package.json's exports, each a module named after its subpath", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, unknown>;
  };
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  assert.deepEqual(subpaths, [".", "./testing", "./workers", "./queue", "./node"]);
  const entries = subpaths.map((k) => (k === "." ? "src/index.ts" : `src/${k.slice(2)}/index.ts`));
  const typedoc = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as { entryPoints: string[] };
  assert.deepEqual(typedoc.entryPoints, entries);
  assert.deepEqual(ENTRY_POINTS, entries);
  // typedoc names a module by its `@module` tag (else by its file: "index", "workers", …)
  const names = entries.map((e) => /^ \* @module (\S+)$/m.exec(readFileSync(join(root, e), "utf8"))?.[1]);
  assert.deepEqual(names, ["doeff", "doeff/testing", "doeff/workers", "doeff/queue", "doeff/node"]);
});

test("every export of doeff, doeff/testing, doeff/workers, doeff/queue and doeff/node has a doc comment", () => {
  const missing = undocumentedExports().map((u) => `${u.name} (${u.file})`);
  assert.deepEqual(missing, [], `undocumented exports:\n  ${missing.join("\n  ")}`);
});

test("every type a public signature names is exported: typedoc.json excuses none from its notExported check", () => {
  // typedoc's validation.notExported warns (an error here: treatWarningsAsErrors, test below) for a
  // type that an exported declaration names but no entry point exports — one a user hovering a
  // signature, or writing a wrapper, could not import. Its `intentionallyNotExported` list silenced
  // it for Defined, InnerRow, HasNoFields and IsAny (EffectsOf, FieldlessEffects): it stays empty.
  const typedoc = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as {
    intentionallyNotExported?: string[];
    validation?: { notExported?: boolean };
  };
  assert.equal(typedoc.validation?.notExported, true);
  assert.deepEqual(typedoc.intentionallyNotExported ?? [], []);
});

test("npm run docs: typedoc builds the API reference with zero warnings", () => {
  // typedoc.json sets treatWarningsAsErrors, yet a link to a missing #anchor of a project document
  // is found only as the pages are rendered (--emit none never saw one), and is printed as a
  // warning after "html generated" with exit code 0: so render into a scratch folder (not docs/api/)
  // and read what it printed, whatever its exit code
  const out = mkdtempSync(join(tmpdir(), "doeff-api-docs-"));
  const r = (() => {
    try {
      return execFileSync(join(root, "node_modules", ".bin", "typedoc"), ["--out", out], {
        cwd: root,
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return `${err.stdout ?? ""}${err.stderr ?? ""}`;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  })().replace(ANSI, "");
  const problems = r.split("\n").filter((line) => !/^\[info\]/.test(line) && line.trim() !== "");
  assert.deepEqual(problems, [], r);
});

test("every relative link in README.md, CHANGELOG.md, CONTRIBUTING.md and docs/*.md resolves to a file", () => {
  const files = [
    "README.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const broken: string[] = [];
  for (const f of files) {
    // inline code spans and fenced blocks are not links (`programs[p](...args)`)
    const text = readFileSync(join(root, f), "utf8")
      .replace(/```[\s\S]*?```/g, "")
      .replace(/`[^`\n]*`/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      const path = normalize(join(dirname(f), target.split("#")[0]!));
      if (path.startsWith("..") || !existsSync(join(root, path))) broken.push(`${f}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
