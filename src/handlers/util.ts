/** Small helpers shared by the standard handlers (public protocol only). */
import { hidden, type Program } from "../protocol.js";

function* raiseGen(error: unknown): Generator<never, never, unknown> {
  throw error;
}

/** A program that throws `error` (for `transferWith(k, raise(e))`: throw at the perform site). */
export function raise(error: unknown): Program<never> {
  return hidden(raiseGen, error);
}
