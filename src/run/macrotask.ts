/**
 * One turn of the host's event loop: a macrotask, so every microtask queued before it (the
 * callbacks of promises that have already settled, however deep their chains) runs first. runAsync
 * yields with it; the scheduler's idle processing uses it so that an awaited promise that has
 * already settled is applied before a simulated clock moves (scheduler-idle.ts, pickNext).
 */
// The core names nothing Node-specific (it also runs in browsers, Deno and Bun): look the timers up.
const timers = globalThis as unknown as {
  setImmediate?: (f: () => void) => unknown;
  setTimeout: (f: () => void, ms: number) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: (() => void) | null; close(): void };
    port2: { postMessage(m: null): void };
  };
};
/**
 * Without setImmediate (browsers), a message to a MessageChannel of its own: a macrotask that lets
 * timers, input and rendering in, like setTimeout(0), but without the 4 ms that browsers add to a
 * setTimeout(0) nested five deep — each yield of a long run paid it, and a CPU-bound runAsync took
 * ~3× as long as run (test/browser.test.ts). The port is closed once it fired, so it never keeps a
 * Node or Deno process alive.
 */
function postMacrotask(r: () => void): void {
  const c = new timers.MessageChannel!();
  c.port1.onmessage = () => {
    c.port1.close();
    r();
  };
  c.port2.postMessage(null);
}
export const macrotask: () => Promise<void> =
  typeof timers.setImmediate === "function"
    ? () => new Promise((r) => timers.setImmediate!(r))
    : typeof timers.MessageChannel === "function"
      ? () => new Promise((r) => postMacrotask(r))
      : () => new Promise((r) => timers.setTimeout(r, 0));
