/** Small helpers shared by the testing toolkit. */
import { hidden, type Program } from "../vm/program.js";

function* throwing(error: unknown): Generator<never, never, unknown> {
  throw error;
}

/** A program that throws `error` where it runs (for `transferWith(k, fail(e))`: a throw at the perform site). */
export function fail(error: unknown): Program<never> {
  return hidden(throwing, error);
}
