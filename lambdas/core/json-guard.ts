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

/** Reason a JSON text must not be parsed, or `undefined` when it is within the size and depth limits. */
export function checkJsonText(
  text: string,
  limits: { depth?: number; chars?: number } = {},
): JsonLimitReason {
  const chars = limits.chars ?? MAX_JSON_CHARS;
  const depth = limits.depth ?? MAX_JSON_DEPTH;
  if (text.length > chars) return `JSON text too large: ${text.length} characters (limit ${chars})`;
  if (jsonTextDepth(text, depth) > depth) return `JSON nested deeper than ${depth} levels`;
  return undefined;
}

/**
 * Depth of an already parsed value (e.g. a body axios parsed), iteratively with an explicit stack, stopping
 * once `limit` is exceeded (returns `limit + 1`). Scalars have depth 0.
 */
export function jsonValueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

/** Reason a parsed value must not be walked, or `undefined` when it is within the depth limit. */
export function checkJsonValue(value: unknown, depth = MAX_JSON_DEPTH): JsonLimitReason {
  return jsonValueDepth(value, depth) > depth ? `JSON nested deeper than ${depth} levels` : undefined;
}

/** Parse a JSON text within the limits: `{ ok: false, reason }` for refused or malformed text, never throws. */
export function parseJsonWithinLimits(
  text: string,
  limits: { depth?: number; chars?: number } = {},
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const refused = checkJsonText(text, limits);
  if (refused) return { ok: false, reason: refused };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // V8's message quotes the offending text; keep only the position so no content is echoed.
    const at = /position (\d+)/.exec((err as Error).message);
    return { ok: false, reason: at ? `not valid JSON (at character ${at[1]})` : 'not valid JSON' };
  }
}
