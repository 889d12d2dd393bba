/** handle(EffectClass, fn): a handler offered only effects of that class (others pass without running it). */
import { describe, type Handler, type HandlerResult } from "../protocol.js";
import type { Continuation } from "../protocol.js";

export function handle<E extends object>(
  effectClass: abstract new (...args: any[]) => E,
  f: (effect: E, k: Continuation) => HandlerResult,
): Handler<E> {
  if (typeof effectClass !== "function") {
    throw new TypeError(`handle expects an effect class first, got ${describe(effectClass)}`);
  }
  if (typeof f !== "function")
    throw new TypeError(`handle expects a handler function second, got ${describe(f)}`);
  const h = ((effect: E, k: Continuation) => f(effect, k)) as Handler<E>;
  Object.defineProperty(h, "name", { value: f.name || `handle(${effectClass.name})` });
  h.handles = (e) => e instanceof effectClass;
  return h;
}
