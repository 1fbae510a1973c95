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

/**
 * Texts longer than this have their depth checked by scanning the text before parsing; shorter ones are
 * parsed first and the value walked. Walking is cheaper (one step per array or object rather than per
 * character: a page of 100 tickers is ~40,000 characters but ~100 objects), but the parse builds the
 * whole nesting first, about 56 bytes per level: 1 Mi of `[` is ~56 MB before it is refused, while
 * 64 Mi (MAX_JSON_CHARS) would be ~3.5 GB. The scan refuses a deep text as soon as it opens its 129th
 * nesting level.
 */
export const DEPTH_SCAN_ABOVE_CHARS = 1024 * 1024;

/** Why a JSON text or value is refused, or `undefined` when it is within the limits. */
export type JsonLimitReason = string | undefined;

const nestedDeeper = (depth: number) => `JSON nested deeper than ${depth} levels`;

/**
 * Nesting depth of a JSON text without parsing it: one pass, brackets inside strings ignored, stops as
 * soon as `limit` is exceeded (returns `limit + 1`). Malformed text is not diagnosed here (JSON.parse does).
 */
export function jsonTextDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return max;
}

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
      // for…in rather than Object.values: no array per object. A parsed JSON object has only own keys.
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
  return jsonValueDepth(value, depth) > depth ? nestedDeeper(depth) : undefined;
}

/**
 * Parse a JSON text within the limits: `{ ok: false, reason }` for refused or malformed text, never throws.
 * The size is checked on the text. The depth is checked on the parsed value, which is safe because
 * JSON.parse is iterative (see the top of this file), except for texts over DEPTH_SCAN_ABOVE_CHARS,
 * whose text is scanned first so a deep one is refused before it is built. So a text both deep and
 * malformed is "nested deeper" when long and "not valid JSON" when short.
 */
export function parseJsonWithinLimits(
  text: string,
  limits: { depth?: number; chars?: number } = {},
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const chars = limits.chars ?? MAX_JSON_CHARS;
  const depth = limits.depth ?? MAX_JSON_DEPTH;
  if (text.length > chars)
    return { ok: false, reason: `JSON text too large: ${text.length} characters (limit ${chars})` };
  if (text.length > DEPTH_SCAN_ABOVE_CHARS && jsonTextDepth(text, depth) > depth)
    return { ok: false, reason: nestedDeeper(depth) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the offending text; keep only the position so no content is echoed.
    const at = /position (\d+)/.exec((err as Error).message);
    return { ok: false, reason: at ? `not valid JSON (at character ${at[1]})` : 'not valid JSON' };
  }
  const deep = checkJsonValue(value, depth);
  return deep === undefined ? { ok: true, value } : { ok: false, reason: deep };
}
