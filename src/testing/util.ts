/** Small helpers shared by the testing toolkit. */
import { OPTIONS } from "../run/read-options.js";
import { hidden, type Program } from "../vm/program.js";

function* throwing(error: unknown): Generator<never, never, unknown> {
  throw error;
}

/** A program that throws `error` where it runs (for `transferWith(k, fail(e))`: a throw at the perform site). */
export function fail(error: unknown): Program<never> {
  return hidden(throwing, error);
}

/**
 * A TypeError for the first own key of `opts` that is not among `known`, naming `name`, the function
 * the test called: run's own check would name run, and list `settle` where it is refused (clock.run,
 * expectEffects) or leave out `only` where it is taken (expectEffects). Options whose keys cannot be
 * read are left to run, which says so.
 */
export function unknownOption(opts: object, name: string, known: readonly string[]): void {
  let keys: string[];
  try {
    keys = Object.keys(opts);
  } catch {
    return;
  }
  for (const key of keys)
    if (!known.includes(key))
      throw new TypeError(
        `unknown ${name} option ${JSON.stringify(key)}; the options are ${known.slice(0, -1).join(", ")} and ${known.at(-1)}`,
      );
}

/**
 * run's option names without `settle` (read-options.ts OPTIONS, the one list): what `clock.run` and
 * `expectEffects` take besides their own; their async forms add `settle`.
 */
export const SYNC_RUN_OPTIONS: readonly string[] = /* @__PURE__ */ OPTIONS.filter((k) => k !== "settle");
