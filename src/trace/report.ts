/** The one-line report of a successful run (failures: trace/format.ts). */
import { describe } from "../vm/brand.js";

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    // cyclic or exotic: fall through
  }
  return describe(v);
}

export function formatReport(ok: boolean, v: unknown): string {
  if (ok) return `Ok: ${show(v)}`;
  if (v instanceof Error) return `Err: ${v.name}: ${v.message}`;
  return `Err: ${show(v)}`;
}
