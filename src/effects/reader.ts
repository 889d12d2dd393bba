/** Reader effects (SEMANTICS §7.4): Ask, Local. */
import { describe } from "../vm/brand.js";
import { checkProgramLike } from "../vm/primitives.js";
import type { ProgramLikeOf } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";
import { Effect } from "./effect.js";

export class Ask<T = unknown> extends Effect<T> {
  declare readonly _tag: "Ask";
  constructor(readonly key: string) {
    super();
  }
}
/** Runs `program` at the perform site: its row `R` is part of the performer's row. */
export class Local<T = unknown, R = never> extends Effect<T> {
  declare readonly _tag: "Local";
  declare readonly __row?: R;
  constructor(
    readonly patch: Readonly<Record<string, unknown>>,
    readonly program: ProgramLikeOf<T>,
  ) {
    super();
  }
}

/** The env value under `key` (a Program value is evaluated lazily, once per run); MissingEnvKeyError if absent. */
export function ask<T = unknown>(key: string): Ask<T> {
  if (typeof key !== "string") throw new TypeError(`ask expects a string key, got ${describe(key)}`);
  return new Ask<T>(key);
}
/** Run `program` with the env overlaid by `patch`. */
export function local<P extends AnyProgramLike>(
  patch: Record<string, unknown>,
  program: P,
): Local<ResultOf<P>, EffectsOf<P>> {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    throw new TypeError(`local expects a patch object ({ key: value }), got ${describe(patch)}`);
  }
  checkProgramLike(program, "local");
  return new Local(Object.freeze({ ...patch }), program as ProgramLikeOf<ResultOf<P>>);
}
