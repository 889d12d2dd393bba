/**
 * The `state` handler (SEMANTICS §7.3): an ordinary handler for Get / Put / Modify over the current
 * task's state map. Its fast path (FAST_PATH) computes the same answer with the same function the
 * generator uses, so the two cannot drift apart (INV-10).
 */
import { Get, Modify, Put, STATE_OP } from "../effects/state.js";
import { MissingStateKeyError } from "../errors.js";
import { FAST_PATH, type Handler, type RunContext, getRunContext, transfer, TAKES } from "../protocol.js";
import { named, raiseAt } from "./util.js";

/** The answer to a state effect, or a thrown error (thrown at the perform site). */
function answer(effect: Get | Put | Modify, ctx: RunContext): unknown {
  const map = ctx.current.state;
  switch ((effect as { [STATE_OP]?: number })[STATE_OP]) {
    case 0: {
      const key = (effect as Get).key;
      const v = map.get(key);
      if (v === undefined && !map.has(key)) throw new MissingStateKeyError(key);
      return v;
    }
    case 1:
      map.set((effect as Put).key, (effect as Put).value);
      return undefined;
    default: {
      const m = effect as Modify;
      const next = m.f(map.get(m.key)); // if f throws, nothing is stored
      map.set(m.key, next);
      return next;
    }
  }
}

/** The reference handler: answers with transfer(k, answer), or throws at the site with transferWith. */
export const state: Handler<Get<any> | Put | Modify<any>> = function* state(effect, k) {
  const ctx = yield* getRunContext();
  let v: unknown;
  try {
    v = answer(effect, ctx);
  } catch (e) {
    return yield* raiseAt(k, e);
  }
  return yield* transfer(k, v);
};
state.handles = (e) => e instanceof Get || e instanceof Put || e instanceof Modify;
state[TAKES] = [Get, Put, Modify];
named("state", state);
state[FAST_PATH] = answer;
