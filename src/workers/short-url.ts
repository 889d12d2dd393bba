/** Short module labels for messages and tracebacks. */
/** `file:///cwd/a/b.ts` → `a/b.ts` (shorter labels in tracebacks); other URLs unchanged. */
export function shortUrl(url: string): string {
  const p = (globalThis as { process?: { cwd?: () => string } }).process;
  const base = typeof p?.cwd === "function" ? `file://${p.cwd()}/` : null;
  return base !== null && url.startsWith(base) ? url.slice(base.length) : url;
}
