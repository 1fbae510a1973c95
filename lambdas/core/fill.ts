/**
 * How one record's fields become cells of a column batch (columns.ts), for the transform (transform.ts):
 * read each record-sourced column's raw value, cast it by the column's type (cast.ts), count values the
 * source sent that did not cast, and list the problems that make the record a reject.
 *
 * Two readers, one set of rules:
 * - `objectFill` reads a parsed record (an object from JSON.parse): every dataset, every record.
 * - `scannedFill` reads a record of a scanned page (page-scan.ts) straight from its bytes, for datasets
 *   whose columns are all plain fields of the record (Coinlore tickers). It handles only the common
 *   case: every value casts, or is blank in a column that may be null. For anything else (a value that
 *   does not cast, a required value missing, a string with escapes) it returns false
 *   and the transform gives that record, parsed by JSON.parse, to `objectFill`, which applies the rules
 *   and words the reasons. Both call the same casts; the scanned one never counts or rejects anything.
 */
import {
  castBoolean,
  castDouble,
  castEpochMillis,
  castInt,
  castString,
  isBlank,
  plainDecimalAt,
} from './cast';
import { storedNumber } from './columns';
import type { ColumnType } from './datasets';
import { checkJsonValue, MAX_JSON_DEPTH } from './json-guard';
import {
  FALSE,
  FIELD_INTS,
  KEY_ESCAPED,
  NULL,
  NUMBER,
  type ScannedRecords,
  sameBytes,
  TEXT,
  TRUE,
} from './page-scan';

type Json = Record<string, unknown>;

/**
 * Casts per type, to what a column stores: numbers for int, double and timestamp (epoch ms), else the
 * value. null when the value does not cast (see cast.ts).
 */
export const CASTS: Readonly<Record<ColumnType, (value: unknown) => string | number | boolean | null>> = {
  string: castString,
  int: castInt,
  double: castDouble,
  timestamp: castEpochMillis,
  boolean: castBoolean,
};

/** A record-sourced column: where its raw value comes from and how it is cast. */
export interface Field {
  readonly name: string;
  readonly column: number;
  readonly required: boolean;
  readonly numeric: boolean;
  /** A string column: its cells are written to a TextColumn (columns.ts). */
  readonly text: boolean;
  /** The record's field holding the value, when the value is a field of the record. */
  readonly source: string | undefined;
  /** Otherwise, how the value is computed from the record. */
  readonly read: ((record: Json) => unknown) | undefined;
  readonly cast: (value: unknown) => string | number | boolean | null;
}

/**
 * A short text of a value for a reason. Numbers are written by String(): JSON would show Infinity
 * (a `1e400` in the source) as `null`. Integers beyond 2^53 say why they were refused (JSON.parse has
 * already rounded them: 2^53 + 1 arrives as 2^53). Values nested too deep for JSON.stringify are
 * described, not serialised.
 */
export const preview = (value: unknown): string => {
  if (typeof value === 'number') {
    const s = String(value);
    return Number.isInteger(value) && !Number.isSafeInteger(value)
      ? `${s} (beyond 2^53: digits were lost when the JSON was parsed)`
      : s;
  }
  if (checkJsonValue(value) !== undefined) return `a value nested deeper than ${MAX_JSON_DEPTH} levels`;
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * The rules for a value whose cast gave null (objectFill's compiled code calls this only then): a value
 * the source sent is counted as nulled, and in a required column the record gets a problem.
 */
function castFailed(f: Field, value: unknown, nullCounts: Record<string, number>, problems: string[]): void {
  if (!isBlank(value)) {
    nullCounts[f.name] = (nullCounts[f.name] ?? 0) + 1;
    if (f.required) problems.push(`invalid ${f.name}: ${preview(value)}`);
  } else if (f.required) problems.push(`missing ${f.name}`);
}

/** The compiled statement writing `cell` into field `f`'s column at `slot` (see columns.ts). */
const store = (f: Field, cell: string): string =>
  f.numeric
    ? `columns[${f.column}][slot] = stored(${cell});`
    : f.text
      ? `columns[${f.column}].set(slot, ${cell});`
      : `columns[${f.column}][slot] = ${cell};`;

/** Fills a slot from a parsed record; returns the record's problems, if any. */
export type ObjectFill = (
  record: Json,
  columns: readonly unknown[],
  slot: number,
  nullCounts: Record<string, number>,
) => string[] | undefined;

/**
 * The per-record casts and required-field checks of a dataset's record-sourced columns, compiled into
 * one straight-line function per dataset. Why: a loop reading `record[field.name]` with a different
 * name each time goes through V8's megamorphic property lookup, and writing through a generic setter
 * checks the column's kind per cell; with constant names and columns each read hits an inline cache
 * (the records of one file share one shape) and each write goes straight into its array. The rules
 * themselves stay in `castFailed`, which the compiled code calls only when a cast gives null.
 */
export function objectFill(fields: readonly Field[]): ObjectFill {
  const body = fields
    .map((f, j) => {
      const read = f.read ? `fields[${j}].read(record)` : `record[${JSON.stringify(f.source)}]`;
      return `v = ${read}; cell = fields[${j}].cast(v);
if (cell === null) step(fields[${j}], v, nullCounts, problems);
${store(f, 'cell')}`;
    })
    .join('\n');
  const compiled = new Function(
    'fields',
    'step',
    'stored',
    `return function fill(record, columns, slot, nullCounts, problems) {\nlet v, cell;\n${body}\n};`,
  )(fields, castFailed, storedNumber) as (
    record: Json,
    columns: readonly unknown[],
    slot: number,
    nullCounts: Record<string, number>,
    problems: string[],
  ) => void;
  // One scratch list for every record (most have no problem): copied out only when it is not empty.
  const problems: string[] = [];
  return (record, columns, slot, nullCounts) => {
    problems.length = 0;
    compiled(record, columns, slot, nullCounts, problems);
    return problems.length > 0 ? problems.slice() : undefined;
  };
}

/** Fills a slot from record `r` of a scanned page; false when that record needs `objectFill`. */
export type ScannedFill = (
  records: ScannedRecords,
  r: number,
  columns: readonly unknown[],
  slot: number,
) => boolean;

/**
 * The fill of scanned records, or undefined when the dataset's values are not all plain fields of the
 * record (a computed value needs the object), when a field's name is also an Object.prototype member
 * (a parsed record would inherit it when the field is missing), when a string column's cast is not
 * `castString` (a plain string's bytes are copied without calling the cast, which is right only for
 * castString's rules), or there are over 31 fields (the set of fields seen is a 32-bit mask).
 *
 * Compiled like objectFill, one case per field, for the same reason and one more: each case calls its
 * own column's cast, so V8 inlines it and a number read from the bytes goes into its Float64Array
 * without ever being boxed (a shared `field.cast(value)` call allocated a heap number per cell).
 */
export function scannedFill(fields: readonly Field[]): ScannedFill | undefined {
  if (
    fields.length > 31 ||
    fields.some(
      (f) => f.source === undefined || f.source in Object.prototype || (f.text && f.cast !== castString),
    )
  )
    return undefined;
  const keys = fields.map((f) => Buffer.from(f.source!));
  /** The field met at each position of the last record: records of a page share their key order. */
  const order: number[] = [];
  const fieldOf = (b: Buffer, start: number, end: number, position: number): number => {
    const guess = order[position];
    if (guess !== undefined && sameBytes(b, start, end, keys[guess]!)) return guess;
    for (let j = 0; j < keys.length; j++)
      if (sameBytes(b, start, end, keys[j]!)) {
        order[position] = j;
        return j;
      }
    return -1;
  };
  const cases = fields
    .map((f, j) => {
      // An empty string in a numeric column is blank (every numeric cast gives null for it): a null cell,
      // or objectFill's "missing" when the column is required. Coinlore sends msupply as "" for coins
      // with no maximum supply (4 records in 10 of the bench archive, bench/transform.ts). A plain
      // decimal in a numeric column: cast as the number it is (cast(text) is cast(number) then).
      const decimal = f.numeric
        ? `if (kind === ${TEXT} && end === start) { ${f.required ? 'return false;' : store(f, 'NaN')} break; }
  if (kind === ${TEXT} || kind === ${NUMBER}) {
    const n = decimal(b, start, end);
    if (n !== undefined) { cell = cast${j}(n); if (cell === null) return false; columns[${f.column}][slot] = cell + 0; break; }
  }`
        : '';
      // A plain string in a string column: its bytes are the value's UTF-8 ('' casts to null).
      const plain = f.text
        ? `if (kind === ${TEXT}) {
    if (end > start) columns[${f.column}].setBytes(slot, b, start, end);
    else if (${f.required}) return false;
    else columns[${f.column}].set(slot, null);
    break;
  }`
        : '';
      // A repeated key needs no care: each occurrence is written in turn, so the last one stays, as in
      // JSON.parse, and any that does not cast sends the record to objectFill.
      return `case ${j}: {
  seen |= ${1 << j};
  ${decimal}${plain}
  v = value(b, kind, start, end);
  if (v === OTHER) return false;
  cell = cast${j}(v);
  if (cell === null && (${f.required} || !blank(v))) return false;
  ${store(f, 'cell')}
  break;
}`;
    })
    .join('\n');
  const casts = fields.map((_, j) => `const cast${j} = fields[${j}].cast;`).join('\n');
  const required = fields.reduce((mask, f, j) => (f.required ? mask | (1 << j) : mask), 0);
  const blanks = fields
    .map((f, j) =>
      f.required ? '' : `if ((seen & ${1 << j}) === 0) ${store(f, f.numeric ? 'NaN' : 'null')}`,
    )
    .join('\n');
  return new Function(
    'fields',
    'fieldOf',
    'decimal',
    'value',
    'OTHER',
    'blank',
    'stored',
    `${casts}
return function scannedFill(records, r, columns, slot) {
  const tape = records.tape();
  const b = records.bytes;
  const count = records.fieldCount(r);
  let at = records.fieldsAt(r);
  let seen = 0;
  for (let p = 0; p < count; p++, at += ${FIELD_INTS}) {
    const kind = tape[at + 4];
    if (kind >= ${KEY_ESCAPED}) return false;
    const start = tape[at + 2];
    const end = tape[at + 3];
    let v, cell;
    switch (fieldOf(b, tape[at], tape[at + 1], p)) {
${cases}
    }
  }
  // A field the record does not have reads as undefined: blank.
  if ((seen & ${required}) !== ${required}) return false;
${blanks}
  return true;
};`,
  )(fields, fieldOf, plainDecimalAt, scannedValue, OTHER, isBlank, storedNumber) as ScannedFill;
}

/** What `scannedValue` gives for a string JSON.parse must read (escapes, non-ASCII). */
const OTHER = Symbol('other text');

/** The value JSON.parse gives for a scanned scalar (OTHER for strings it must read itself). */
function scannedValue(b: Buffer, kind: number, start: number, end: number): unknown {
  switch (kind) {
    case TEXT:
      return b.toString('latin1', start, end);
    case NUMBER:
      return plainDecimalAt(b, start, end) ?? Number(b.toString('latin1', start, end));
    case TRUE:
      return true;
    case FALSE:
      return false;
    case NULL:
      return null;
    default:
      return OTHER;
  }
}
