/** Short module labels for messages and tracebacks. */
/** `file:///cwd/a/b.ts` → `a/b.ts` (shorter labels in tracebacks); other URLs unchanged. */
export function shortUrl(url: string): string {
  const p = (globalThis as { process?: { cwd?: () => string } }).process;
  const base = typeof p?.cwd === "function" ? `file://${p.cwd()}/` : null;
  return base !== null && url.startsWith(base) ? url.slice(base.length) : url;
}

/**
 * Why `s`, given as a module, is not an absolute URL, with the fix, or null when it is one. A file
 * path (`/srv/app/jobs.js`, `C:\app\jobs.js`, whose drive letter reads as a URL scheme) is not a URL:
 * `pathToFileURL` makes one of it.
 */
export function notAbsoluteUrl(s: string): string | null {
  const json = JSON.stringify(s);
  if (s.startsWith("/") || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith("\\\\"))
    return `got the file path ${json}; write pathToFileURL(${json}) (from node:url), or new URL("./file.js", import.meta.url) for a module beside this one`;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s)) return `got ${json}; write new URL(${json}, import.meta.url)`;
  return null;
}
