/** Human-readable run reports (SEMANTICS §8.8). */
import { describe } from "../vm/brand.js";

export const DOEFF_TRACE = "doeffTrace";

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    // fall through
  }
  return describe(v);
}

export function formatReport(ok: boolean, v: unknown): string {
  if (ok) return `Ok: ${show(v)}`;
  const trace =
    v !== null && typeof v === "object" ? (v as { [DOEFF_TRACE]?: unknown })[DOEFF_TRACE] : undefined;
  if (typeof trace === "string") return trace;
  if (v instanceof Error) return `Err: ${v.name}: ${v.message}`;
  return `Err: ${show(v)}`;
}
