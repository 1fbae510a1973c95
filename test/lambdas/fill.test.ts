import { describe, expect, it } from 'vitest';
import { ColumnBuilder, emptyColumn, storedAt } from '../../lambdas/core/columns';
import { CASTS, type Field, objectFill, preview, scannedFill } from '../../lambdas/core/fill';
import { MAX_JSON_DEPTH } from '../../lambdas/core/json-guard';
import { scanPage } from '../../lambdas/core/page-scan';

/**
 * The two fills of lambdas/core/fill.ts on a schema of every column type (the datasets' own schemas
 * have no boolean or timestamp column read from bytes), row by row against each other: what the
 * scanned fill writes must be what the object fill writes for the same record, and it must give up
 * (return false) exactly where the object fill has something to count or reject.
 */
const TYPES = ['string', 'int', 'double', 'timestamp', 'boolean', 'string'] as const;
// The first string column is required; the last one (`note_col`) is an optional string.
const FIELDS: Field[] = TYPES.map((type, column) => ({
  name: column === 5 ? 'note_col' : `${type}_col`,
  column,
  required: column === 0,
  numeric: type === 'int' || type === 'double' || type === 'timestamp',
  text: type === 'string',
  source: column === 5 ? 'note_col' : `${type}_col`,
  read: undefined,
  cast: CASTS[type],
}));
/** What an earlier, rejected record left in the slot: a fill must overwrite every cell of it. */
const STALE = { string: 'stale', int: 99, double: 99, timestamp: 99, boolean: true } as const;
// Any dataset will do for the builder: only its column arrays are used, by index.
const builder = () => {
  const b = new ColumnBuilder('coinlore_tickers', 4);
  TYPES.forEach((type, c) => {
    b.columns[c] = emptyColumn(type, 4);
    b.set(c, 0, STALE[type]);
  });
  return b;
};

/** The page text around some records (the scanner only reads a tickers envelope's shape). */
const page = (records: string[]) =>
  `{"request":{"method":"GET","url":"u"},"response":{"status":200,"headers":{},"body":{"data":[${records.join(',')}]}},"fetched_at":"2026-11-24T10:20:00Z","source":"coinlore","endpoint":"tickers"}`;

function bothFills(record: string) {
  const scanned = scanPage(Buffer.from(page([record])))!;
  const a = builder();
  const fast = scannedFill(FIELDS)!(scanned.records, 0, a.columns, 0);
  const b = builder();
  const nullCounts: Record<string, number> = {};
  const problems = objectFill(FIELDS)(JSON.parse(record), b.columns, 0, nullCounts);
  const cells = (x: ColumnBuilder) => x.columns.slice(0, FIELDS.length).map((c) => storedAt(c, 0));
  return { fast, fastCells: cells(a), objectCells: cells(b), problems, nullCounts };
}

describe('scannedFill', () => {
  it.each([
    [
      'every type from strings and literals',
      '{"string_col":"a","int_col":"7","double_col":"-1.5","timestamp_col":"1700000000.5","boolean_col":true}',
    ],
    [
      'numbers as JSON numbers',
      '{"string_col":"a","int_col":7,"double_col":-0,"timestamp_col":1700000000,"boolean_col":false}',
    ],
    [
      'blank optional values',
      '{"string_col":"a","int_col":null,"double_col":"","timestamp_col":null,"boolean_col":null}',
    ],
    [
      'empty strings in every numeric column',
      '{"string_col":"a","int_col":"","double_col":"","timestamp_col":""}',
    ],
    ['absent optional values', '{"string_col":"a"}'],
    ['a blank optional string', '{"string_col":"a","note_col":""}'],
    ['a null optional string', '{"string_col":"a","note_col":null}'],
    ['a string of spaces, kept as sent', '{"string_col":" ","note_col":"  "}'],
    ['a repeated key (the last one stays)', '{"string_col":"a","int_col":"1","int_col":"2"}'],
    ['a number in the string column', '{"string_col":12.5}'],
    ['an exponent in the string column', '{"string_col":1e3}'],
    ['an exponent in a double column', '{"string_col":"a","double_col":"1e3"}'],
  ])('writes what objectFill writes: %s', (_, record) => {
    const r = bothFills(record);
    expect(r.fast).toBe(true);
    expect(r.problems).toBeUndefined();
    expect(r.nullCounts).toEqual({});
    expect(r.fastCells).toEqual(r.objectCells);
  });

  it.each([
    ['a required value missing', '{"int_col":1}'],
    ['a required value blank', '{"string_col":""}'],
    ['an optional value that does not cast', '{"string_col":"a","int_col":"1.5"}'],
    ['a boolean sent as a string', '{"string_col":"a","boolean_col":"true"}'],
    ['a number for a boolean', '{"string_col":"a","boolean_col":1}'],
    ['a boolean for a number', '{"string_col":"a","double_col":true}'],
    ['an escaped string', '{"string_col":"a\\"b"}'],
    ['an escaped key', '{"string_col":"a","int\\u005fcol":"1"}'],
    ['a timestamp out of range', '{"string_col":"a","timestamp_col":"1e13"}'],
  ])('leaves the record to objectFill (something to count or reject): %s', (_, record) => {
    const r = bothFills(record);
    expect(r.fast).toBe(false);
    expect(r.problems !== undefined || Object.keys(r.nullCounts).length > 0 || record.includes('\\')).toBe(
      true,
    );
  });

  it('leaves a required number sent as "" to objectFill, which reports it missing', () => {
    const fields = FIELDS.map((f) => (f.name === 'double_col' ? { ...f, required: true } : f));
    const record = '{"string_col":"a","double_col":""}';
    const scanned = scanPage(Buffer.from(page([record])))!;
    expect(scannedFill(fields)!(scanned.records, 0, builder().columns, 0)).toBe(false);
    expect(objectFill(fields)(JSON.parse(record), builder().columns, 0, {})).toEqual(['missing double_col']);
  });

  it('reads keys in any order, and a field no column reads is skipped', () => {
    const fill = scannedFill(FIELDS)!;
    const records = [
      '{"string_col":"a","int_col":"1","double_col":"2.5"}',
      '{"double_col":"3.5","extra":"x","int_col":"4","string_col":"b"}',
    ];
    const scanned = scanPage(Buffer.from(page(records)))!;
    const b = builder();
    expect(fill(scanned.records, 0, b.columns, 0)).toBe(true);
    expect(fill(scanned.records, 1, b.columns, 1)).toBe(true);
    expect(b.columns.slice(0, FIELDS.length).map((c) => [storedAt(c, 0), storedAt(c, 1)])).toEqual([
      ['a', 'b'],
      [1, 4],
      [2.5, 3.5],
      [Number.NaN, Number.NaN],
      [null, null],
      [null, null],
    ]);
  });

  it('is built for at most 31 fields (its set of fields seen is a 32-bit mask)', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...FIELDS[0]!, name: `f${i}`, source: `f${i}`, column: i }));
    expect(scannedFill(many(31))).toBeDefined();
    expect(scannedFill(many(32))).toBeUndefined();
  });
});

describe('objectFill', () => {
  it('returns each record its own list of problems', () => {
    const fill = objectFill(FIELDS);
    const b = builder();
    const first = fill({ int_col: 1 }, b.columns, 0, {});
    const second = fill({ string_col: '' }, b.columns, 1, {});
    expect(first).toEqual(['missing string_col']);
    expect(second).toEqual(['missing string_col']);
    expect(first).not.toBe(second);
  });
});

describe('preview', () => {
  it('shows numbers as JavaScript writes them, and says why an integer beyond 2^53 was refused', () => {
    expect(preview(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(preview(2 ** 53)).toBe(
      '9007199254740992 (beyond 2^53: digits were lost when the JSON was parsed)',
    );
    expect(preview(2 ** 53 - 1)).toBe('9007199254740991');
    expect(preview(1.5)).toBe('1.5');
  });

  it('cuts long values to 60 characters and describes values too deep to serialise', () => {
    expect(preview('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`);
    expect(preview('x'.repeat(59))).toBe(`"${'x'.repeat(56)}...`);
    expect(preview(undefined)).toBe('undefined');
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
    expect(preview(deep)).toBe(`a value nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
