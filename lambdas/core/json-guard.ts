/**
 * Limits on hostile JSON, checked before anything walks it recursively.
 *
 * Why: `JSON.parse` itself is iterative in V8 and survives deep nesting, but `JSON.stringify`, structured
 * clone and every recursive walk in this code throw "Maximum call stack size exceeded" at a few thousand
 * levels (about 10 KB of `[[[[…`). One such envelope must become one reported reject, not a crashed run.
 * Real API bodies are shallow (a Reddit listing is under 20 levels; Coinlore under 5) and small (a page
 * of 100 tickers is ~40 KB, a Reddit listing of 100 items under 1 MB), so the limits below leave a wide
 * margin for legitimate data while keeping every recursive walk far from the stack limit.
 */

/** Deepest nesting of arrays/objects accepted anywhere (envelope included). */
export const MAX_JSON_DEPTH = 128;
/** Largest JSON text accepted, in UTF-16 code units (≈ bytes for the ASCII JSON the APIs send). */
export const MAX_JSON_CHARS = 64 * 1024 * 1024;

/** Why a JSON text or value is refused, or `undefined` when it is within the limits. */
export type JsonLimitReason = string | undefined;

/**
 * Depth of an already parsed value, iteratively with an explicit stack (values and their depths side by
 * side, no per-node allocation), stopping once `limit` is exceeded (returns `limit + 1`). Scalars have
 * depth 0. Only arrays and objects are visited, so a parsed page costs one step per object, not per
 * character of its text.
 */
export function jsonValueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const d = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
    if (Array.isArray(v)) {
      for (const child of v)
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth);
        }
    } else {
      for (const key in v) {
        const child = (v as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth);
        }
      }
    }
  }
  return max;
}

/** Reason a parsed value must not be walked, or `undefined` when it is within the depth limit. */
export function checkJsonValue(value: unknown, depth = MAX_JSON_DEPTH): JsonLimitReason {
  return jsonValueDepth(value, depth) > depth ? `JSON nested deeper than ${depth} levels` : undefined;
}

/**
 * Parse a JSON text within the limits: `{ ok: false, reason }` for refused or malformed text, never throws.
 * The size is checked on the text; the depth on the parsed value, which is safe because JSON.parse is
 * iterative (see the top of this file) and cheaper than scanning the text: a page of 100 tickers is
 * ~40,000 characters but ~100 objects.
 */
export function parseJsonWithinLimits(
  text: string,
  limits: { depth?: number; chars?: number } = {},
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const chars = limits.chars ?? MAX_JSON_CHARS;
  if (text.length > chars)
    return { ok: false, reason: `JSON text too large: ${text.length} characters (limit ${chars})` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the offending text; keep only the position so no content is echoed.
    const at = /position (\d+)/.exec((err as Error).message);
    return { ok: false, reason: at ? `not valid JSON (at character ${at[1]})` : 'not valid JSON' };
  }
  const deep = checkJsonValue(value, limits.depth);
  return deep === undefined ? { ok: true, value } : { ok: false, reason: deep };
}
