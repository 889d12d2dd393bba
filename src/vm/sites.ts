/**
 * Yield sites for tracebacks (`trace: { sites: true }`, SEMANTICS §8.7). The iterators of Effect,
 * Program and Primitive run *inside* the user's generator when it does `yield* x`, so an Error made
 * there has the user's `file:line` on its stack. It is only parsed if the run fails. Off (the
 * default), each iterator pays one integer test.
 */
export const siteState: { on: number; last: Error | null } = { on: 0, last: null };

export function captureSite(): void {
  siteState.last = new Error("doeff yield site");
}
