/**
 * A helper that runs any program with the application's handlers (docs/types.md, "Escape hatches"):
 * the check goes on the helper's parameter, where the program's type is known, and the call inside
 * is told the program is covered. Never executed.
 */
import {
  type Covered,
  Effect,
  get,
  type Program,
  program,
  type RunResult,
  type RunValue,
  type Runnable,
  realTime,
  runAsync,
  scheduler,
  state,
} from "../../src/index.js";

const appHandlers = [scheduler, realTime, state] as const;

export function runApp<P extends Runnable>(
  p: P & Covered<P, typeof appHandlers>,
): Promise<RunResult<RunValue<P>>> {
  return runAsync(p as unknown as Program<RunValue<P>, never>, { handlers: [...appHandlers] });
}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
export const ok: Promise<RunResult<number>> = runApp(
  program(function* () {
    return yield* get<number>("n");
  }),
);
export const missing = runApp(
  // @ts-expect-error -- Roll: no handler among the application's
  program(function* () {
    return yield* new Roll();
  }),
);
