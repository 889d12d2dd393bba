/**
 * Which run is stepping now: run.ts sets it around each slice of steps (a run started inside another
 * run's step restores the outer one when its slice ends). A program cannot otherwise tell which run
 * executes it without performing an effect; concurrencyLimiter's fast path takes a slot without one
 * and still needs to know whose the slot is (a run whose every task waits for slots held only by its
 * own tasks is deadlocked, not waiting for another run).
 */
export const running: { run: object | null } = { run: null };
