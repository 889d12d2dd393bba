/**
 * Step tracing (SEMANTICS §8.7): one line per VM step,
 *   <n> <Mode> <detail> frames=<f> segs=<s> depth=<d>
 * Sink errors are swallowed; tracing never changes a result (INV-4).
 */
import { BRAND, className, describe, head } from "../vm/brand.js";
import type { Machine } from "../vm/machine.js";
import { M_DELIVER, M_HANDLE_YIELD, M_THROW, M_UNWIND, MODE_NAMES } from "../vm/modes.js";
import { OP_NAMES } from "../vm/primitives.js";
import type { Program } from "../vm/program.js";
import { frameCount, SEGMENT_KINDS } from "../vm/segment.js";
import type { StepTracer } from "../vm/trace-hook.js";
import { B_EFFECT, B_PRIMITIVE, B_PROGRAM } from "../vm/codes.js";

function short(v: unknown): string {
  const s = describe(v);
  return s.length > 30 ? `${head(s, 27)}...` : s;
}

function detail(m: Machine): string {
  const v = m.value;
  switch (m.mode) {
    case M_HANDLE_YIELD: {
      const b = v !== null && typeof v === "object" ? (v as { [BRAND]?: unknown })[BRAND] : undefined;
      if (b === B_EFFECT) return `effect:${className((v as object).constructor)}`;
      if (b === B_PRIMITIVE) return `prim:${OP_NAMES[(v as { op: number }).op]}`;
      if (b === B_PROGRAM) return `call:${(v as Program).name || "(anonymous)"}`;
      return `invalid:${v === null ? "null" : typeof v}`;
    }
    case M_DELIVER:
      return m.cur.top === null ? SEGMENT_KINDS[m.cur.kind]! : `value:${short(v)}`;
    case M_THROW:
      return `error:${v instanceof Error ? v.name : short(v)}`;
    case M_UNWIND: {
      const f = m.cur.top;
      return f === null ? SEGMENT_KINDS[m.cur.kind]! : `close:${f.name ?? "(internal)"}`;
    }
    default:
      return SEGMENT_KINDS[m.cur.kind]!;
  }
}

export class StepLineTracer implements StepTracer {
  private n = 0;
  constructor(private readonly sink: (line: string) => void) {}
  before(m: Machine): void {
    this.n++;
    let segs = 0;
    for (let s = m.cur as typeof m.cur | null; s !== null; s = s.caller) segs++;
    let d: string;
    try {
      d = detail(m);
    } catch {
      // a hostile value (a Proxy whose traps throw, a throwing getter): the line says so, and the run
      // goes on as untraced (INV-4) — an error escaping here ended it with a VMInternalError
      d = "?";
    }
    const line = `${this.n} ${MODE_NAMES[m.mode]} ${d} frames=${frameCount(m.cur)} segs=${segs} depth=${m.depth}`;
    try {
      this.sink(line);
    } catch {
      // sink errors are swallowed (INV-4)
    }
  }
}
