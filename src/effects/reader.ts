/** Reader effects (SEMANTICS §7.4): Ask, Local. */
import { describe } from "../vm/brand.js";
import { checkProgramLike } from "../vm/primitives.js";
import type { ProgramLikeOf } from "../vm/program.js";
import { Effect } from "./effect.js";

export class Ask<T = unknown> extends Effect<T> {
  constructor(readonly key: string) {
    super();
  }
}
export class Local<T = unknown> extends Effect<T> {
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
export function local<T>(patch: Record<string, unknown>, program: ProgramLikeOf<T>): Local<T> {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    throw new TypeError(`local expects a patch object ({ key: value }), got ${describe(patch)}`);
  }
  checkProgramLike(program, "local");
  return new Local<T>(Object.freeze({ ...patch }), program);
}
