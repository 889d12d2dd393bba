/**
 * Yield sites for tracebacks (`trace: { sites: true }`, SEMANTICS §8.7). The iterators of Effect,
 * Program and Primitive run *inside* the user's generator when it does `yield* x`, so an Error made
 * there has the user's `file:line` on its stack. It is only parsed if the run fails. Off (the
 * default), each iterator pays one integer test.
 */
export const siteState: { on: number; last: Error | null } = { on: 0, last: null };

/** The message of the site a toolkit combinator captures where it is called (concurrency/site.ts). */
export const CALL_SITE = "doeff call site";

/**
 * Only the frames a site is read from are captured: this function's, the iterator's that called it
 * (and the engine's `next` of program.ts's callTrap, a generator) and the generator's that did
 * `yield*` (format.ts siteOf, CAPTURE_DEPTH). Below them are the VM's own: with the engine's 10,
 * the capture was most of a `yield*`'s cost with sites on (twice what 4 cost).
 */
const SITE_FRAMES = 4;

export function captureSite(): void {
  const limit = Error.stackTraceLimit;
  if (!(limit > SITE_FRAMES)) {
    siteState.last = new Error("doeff yield site");
    return;
  }
  Error.stackTraceLimit = SITE_FRAMES;
  siteState.last = new Error("doeff yield site");
  Error.stackTraceLimit = limit;
}

/**
 * Where a frame was when its own code threw a new error (`trace.sites`): its site is the last
 * `yield*` it made, a line it had left since — a row parsed after its lookup threw, and the report
 * named the lookup's line. The error's stack has the frame's line: the first line naming the
 * frame's generator function (V8's `at name (…)`, also `at Object.name (…)`; SpiderMonkey's and
 * JavaScriptCore's `name@…`). Read lazily, as a yield site is (only a report reads `stack`); when no
 * line names it — an error made elsewhere and thrown here, an anonymous generator, a bundle that
 * renamed the function — the yield site, as before.
 */
export function throwSite(error: unknown, name: string | null, last: Error | null): Error | null {
  // (a toolkit combinator's frame shows where it was called, whatever it does: concurrency/site.ts)
  if (!name || typeof error !== "object" || error === null || last?.message === CALL_SITE) return last;
  let stack: string | undefined | null = null;
  return {
    message: "doeff throw site",
    get stack() {
      if (stack === null) {
        stack = last?.stack;
        try {
          const s = String((error as Error).stack);
          const m = String((error as Error).message);
          // the frames are after the message (one of several lines may hold `    at name (…)`)
          const i = m.includes("\n") ? s.indexOf(m) : -1;
          for (const l of s.slice(i < 0 ? 0 : i + m.length).split("\n")) {
            const t = l.trim();
            const at = t.startsWith("at ") ? t.indexOf(`${name} (`) : -1;
            if ((at > 2 && (at === 3 || t[at - 1] === ".")) || t.startsWith(`${name}@`)) {
              stack = `Error: doeff throw site\n${l}`;
              break;
            }
          }
        } catch {}
      }
      return stack;
    },
  } as Error;
}
