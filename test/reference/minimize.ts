/**
 * Greedy minimisation of a failing program, run after fast-check's shrinking (which works on the raw
 * form and often leaves noise: empty blocks, unused units, extra handlers). Repeatedly tries smaller
 * variants — delete a statement, inline a try/if, drop a catch/finally, a wrapper, a unit, a run
 * handler, a store/env entry, zero a number — and keeps the first one that still fails.
 */
import type { Call, HandlerUnit, HRef, Program, Stmt, Unit } from "./ast.js";
import { TERMINAL } from "./ast.js";

type Block = readonly Stmt[];

function* stmtVariants(s: Stmt): Generator<Stmt> {
  switch (s.t) {
    case "try":
      if (s.catch !== null) yield { ...s, catch: null };
      if (s.finally !== null) yield { ...s, finally: null };
      for (const b of blockVariants(s.body)) yield { ...s, body: b };
      if (s.catch !== null) for (const b of blockVariants(s.catch)) yield { ...s, catch: b };
      if (s.finally !== null) for (const b of blockVariants(s.finally)) yield { ...s, finally: b };
      return;
    case "if":
      for (const b of blockVariants(s.yes)) yield { ...s, yes: b };
      for (const b of blockVariants(s.no)) yield { ...s, no: b };
      return;
  }
  if ("call" in s && s.call.wrap.length > 0) {
    for (let i = 0; i < s.call.wrap.length; i++) {
      yield { ...s, call: { ...s.call, wrap: s.call.wrap.filter((_, j) => j !== i) } } as Stmt;
    }
  }
  if ("hs" in s && s.hs.length > 0) {
    for (let i = 0; i < s.hs.length; i++) yield { ...s, hs: s.hs.filter((_, j) => j !== i) } as Stmt;
  }
  if ("n" in s && s.n !== 0) yield { ...s, n: 0 } as Stmt;
  if ((s.t === "pass" || s.t === "delegate") && s.sub !== null) yield { ...s, sub: null };
  if (s.t === "modify" && s.throws !== null) yield { ...s, throws: null };
}

function* blockVariants(b: Block): Generator<Block> {
  for (let i = 0; i < b.length; i++) {
    const s = b[i]!;
    const before = b.slice(0, i);
    const after = b.slice(i + 1);
    yield [...before, ...after];
    if (s.t === "try") {
      for (const inner of [s.body, s.catch, s.finally])
        if (inner !== null) yield cut([...before, ...inner, ...after]);
    }
    if (s.t === "if") for (const inner of [s.yes, s.no]) yield cut([...before, ...inner, ...after]);
    for (const v of stmtVariants(s)) yield [...before, v, ...after];
  }
}

/** Drop statements after a terminal one (as normalize does). */
function cut(b: Stmt[]): Stmt[] {
  const i = b.findIndex((s) => TERMINAL.has(s.t));
  return i < 0 ? b : b.slice(0, i + 1);
}

/** Remove unit `u`: statements calling it go, handler references to it go, later indices shift down. */
function removeUnit(p: Program, u: number): Program {
  const shift = (i: number) => (i > u ? i - 1 : i);
  const ref = (h: HRef): HRef | null => ("std" in h ? h : h.unit === u ? null : { unit: shift(h.unit) });
  const refs = (hs: readonly HRef[]) => hs.flatMap((h) => ref(h) ?? []);
  const call = (c: Call): Call | null => (c.fn === u ? null : { wrap: refs(c.wrap), fn: shift(c.fn) });
  const block = (b: Block): Stmt[] =>
    b.flatMap((s): Stmt[] => {
      switch (s.t) {
        case "try":
          return [
            {
              ...s,
              body: block(s.body),
              catch: s.catch === null ? null : block(s.catch),
              finally: s.finally === null ? null : block(s.finally),
            },
          ];
        case "if":
          return [{ ...s, yes: block(s.yes), no: block(s.no) }];
      }
      if ("call" in s) {
        const c = call(s.call);
        if (c === null) return [];
        return [("hs" in s ? { ...s, call: c, hs: refs(s.hs) } : { ...s, call: c }) as Stmt];
      }
      return [s];
    });
  const units = p.units.flatMap((x, i): Unit[] => (i === u ? [] : [{ ...x, body: block(x.body) } as Unit]));
  const env: Record<string, Program["env"][keyof Program["env"]]> = {};
  for (const [k, v] of Object.entries(p.env)) {
    if (typeof v === "number") env[k] = v;
    else if (v.lazy !== u) env[k] = { lazy: shift(v.lazy) };
  }
  return { ...p, units, main: block(p.main), runHandlers: refs(p.runHandlers), env };
}

function* handlerVariants(u: HandlerUnit): Generator<HandlerUnit> {
  if (u.filter !== "handles") yield { ...u, filter: "handles" };
  if (u.style !== "gen" && u.style.n !== 0) yield { ...u, style: { ...u.style, n: 0 } };
  if (u.classes.length > 1) {
    for (let i = 0; i < u.classes.length; i++) yield { ...u, classes: u.classes.filter((_, j) => j !== i) };
  }
}

function* programVariants(p: Program): Generator<Program> {
  for (let u = p.units.length - 1; u >= 0; u--) yield removeUnit(p, u);
  for (let i = 0; i < p.runHandlers.length; i++) {
    yield { ...p, runHandlers: p.runHandlers.filter((_, j) => j !== i) };
  }
  for (const b of blockVariants(p.main)) yield { ...p, main: b };
  for (let u = 0; u < p.units.length; u++) {
    const unit = p.units[u]!;
    const put = (x: Unit): Program => ({ ...p, units: p.units.map((y, j) => (j === u ? x : y)) });
    for (const b of blockVariants(unit.body)) yield put({ ...unit, body: b } as Unit);
    if (unit.kind === "handler") for (const h of handlerVariants(unit)) yield put(h);
  }
  for (const k of Object.keys(p.store)) {
    yield { ...p, store: Object.fromEntries(Object.entries(p.store).filter(([x]) => x !== k)) };
  }
  for (const k of Object.keys(p.env)) {
    yield { ...p, env: Object.fromEntries(Object.entries(p.env).filter(([x]) => x !== k)) };
  }
}

/** The smallest variant of `p` (greedy, to a fixed point) for which `fails` still holds. */
export function minimize(p: Program, fails: (q: Program) => boolean, maxChecks = 20_000): Program {
  let best = p;
  let checks = 0;
  for (let progress = true; progress && checks < maxChecks; ) {
    progress = false;
    for (const q of programVariants(best)) {
      if (++checks > maxChecks) break;
      if (fails(q)) {
        best = q;
        progress = true;
        break;
      }
    }
  }
  return best;
}
