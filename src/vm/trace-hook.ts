/** The machine's only tracing surface: one nullable object checked once per step (off = one branch). */
import type { Machine } from "./machine.js";

export interface StepTracer {
  before(m: Machine): void;
}
