/**
 * Every relative link in README.md, CONTRIBUTING.md and docs/*.md resolves: to a file in the
 * repository, and its `#anchor` (or a bare `#anchor` to the same page) to a heading of the target
 * page, with the id GitHub gives that heading. test/api-docs.test.ts checks the files only; anchors
 * went stale unseen when a heading was renamed.
 *
 * GitHub's ids (github-slugger): the heading's text as rendered (no `code` backticks, a link's text
 * without its target, no emphasis markers, no HTML tags), lower-cased, every character that is not
 * a letter, a digit, `_`, `-` or a space dropped, each space made `-`; a repeated id gets `-1`, `-2`…
 * An `<a id="…">` / `<a name="…">` in the page is an anchor too.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;

/** The markdown without fenced blocks (their `#` lines are comments, not headings). */
const withoutFences = (md: string): string => md.replace(/^( *)(```|~~~)[\s\S]*?^\1\2 *$/gm, "");

/** A heading's text as GitHub renders it, then github-slugger's slug of it. */
export function slug(heading: string): string {
  const text = heading
    .replace(/<[^>]+>/g, "")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/(\*\*|__|\*|(?<!\w)_(?!\w))/g, "")
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a page defines: its headings' ids (with GitHub's `-1` suffixes) and `<a id>`s. */
export function anchorsOf(md: string): Set<string> {
  const text = withoutFences(md);
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base);
    ids.add(n === undefined ? base : `${base}-${n}`);
    seen.set(base, (n ?? 0) + 1);
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(m[1]!);
  return ids;
}

const pages = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

test("github slugs: code, punctuation, links, repeats", () => {
  assert.equal(slug("`retry(p, { times, delay })`: retries"), "retryp--times-delay--retries");
  assert.equal(slug("Coming from Effect or effection"), "coming-from-effect-or-effection");
  assert.equal(slug("6. [The cookbook](x.md) — an LLM agent"), "6-the-cookbook--an-llm-agent");
  assert.deepEqual([...anchorsOf("# A\n```\n# not\n```\n## A\n")], ["a", "a-1"]);
});

test("every relative link and #anchor in README.md, CONTRIBUTING.md and docs/*.md resolves", () => {
  const broken: string[] = [];
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (page: string): Set<string> => {
    let a = anchors.get(page);
    if (!a) anchors.set(page, (a = anchorsOf(readFileSync(join(root, page), "utf8"))));
    return a;
  };
  for (const page of pages) {
    // code blocks and inline code spans are not links (`programs[p](...args)`)
    const text = withoutFences(readFileSync(join(root, page), "utf8")).replace(/`[^`\n]*`/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|^\[[^\]]+\]:\s*(\S+)/gm)) {
      const target = (m[1] ?? m[2])!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [file, anchor] = target.split("#") as [string, string | undefined];
      const path = file === "" ? page : normalize(join(dirname(page), decodeURIComponent(file)));
      if (path.startsWith("..") || !existsSync(join(root, path))) {
        broken.push(`${page}: ${target} (no file ${path})`);
        continue;
      }
      if (anchor === undefined || !path.endsWith(".md")) continue;
      if (!anchorsIn(path).has(decodeURIComponent(anchor)))
        broken.push(`${page}: ${target} (no heading in ${path} has the id #${anchor})`);
    }
  }
  assert.deepEqual(broken, []);
});
