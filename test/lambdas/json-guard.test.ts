import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkJsonText,
  checkJsonValue,
  jsonTextDepth,
  jsonValueDepth,
  MAX_JSON_DEPTH,
  parseJsonWithinLimits,
} from '../../lambdas/core/json-guard';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('jsonTextDepth', () => {
  it('counts array and object nesting and ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonTextDepth('["[[[", "\\"[[[", {}]')).toBe(2);
  });

  it('agrees with the depth of the parsed value for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const text = JSON.stringify(v);
        expect(jsonTextDepth(text)).toBe(jsonValueDepth(JSON.parse(text)));
      }),
    );
  });

  it('stops one past the limit instead of scanning a 5,000-level text to the end', () => {
    expect(jsonTextDepth(nested(5000), 10)).toBe(11);
  });
});

describe('checkJsonText', () => {
  it('accepts nesting at the limit and refuses one level more', () => {
    expect(checkJsonText(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(checkJsonText(nested(MAX_JSON_DEPTH + 1))).toBe(
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  });

  it('refuses a text longer than the size limit with both sizes in the reason', () => {
    expect(checkJsonText('"abcdef"', { chars: 5 })).toBe('JSON text too large: 8 characters (limit 5)');
    expect(checkJsonText('"abc"', { chars: 5 })).toBeUndefined();
  });
});

describe('checkJsonValue', () => {
  it('refuses a parsed value nested past the limit without a recursive walk', () => {
    const deep = JSON.parse(nested(5000));
    expect(checkJsonValue(deep)).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(checkJsonValue({ a: [1, 2, { b: null }] })).toBeUndefined();
  });
});

describe('parseJsonWithinLimits', () => {
  it('parses JSON within the limits', () => {
    expect(parseJsonWithinLimits('{"a":[1]}')).toEqual({ ok: true, value: { a: [1] } });
  });

  it('reports malformed JSON without echoing its content', () => {
    const r = parseJsonWithinLimits('{"token":"s3cr3t-value"');
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('s3cr3t');
  });

  it('refuses deep JSON before parsing it', () => {
    expect(parseJsonWithinLimits(nested(MAX_JSON_DEPTH + 1))).toEqual({
      ok: false,
      reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });
});

describe('json-guard edges', () => {
  it('stops walking a parsed value one level past the limit', () => {
    expect(jsonValueDepth(JSON.parse(nested(5000)), 10)).toBe(11);
  });

  it('accepts a parsed value nested exactly at the limit', () => {
    expect(checkJsonValue(JSON.parse(nested(MAX_JSON_DEPTH)))).toBeUndefined();
  });

  it("keeps the whole error position of V8's message, and says only 'not valid JSON' when there is none", () => {
    const text = '{"abcdefghijklmnop": 1 "b": 2}';
    let v8Message = '';
    try {
      JSON.parse(text);
    } catch (err) {
      v8Message = (err as Error).message;
    }
    const position = /position (\d+)/.exec(v8Message)?.[1];
    expect(position).toBeDefined();
    expect(parseJsonWithinLimits(text)).toEqual({
      ok: false,
      reason: `not valid JSON (at character ${position})`,
    });
    expect(parseJsonWithinLimits('')).toEqual({ ok: false, reason: 'not valid JSON' });
  });
});
