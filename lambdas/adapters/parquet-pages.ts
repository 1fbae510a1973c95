/**
 * The bytes of one Parquet column chunk's data page, from one column of a batch (core/columns.ts):
 * definition levels, PLAIN values and the column's min/max. Pure: no I/O, no Thrift, no compression;
 * parquet.ts wraps these bytes in page headers and the footer.
 *
 * Only what our flat schemas need is here (every column OPTIONAL, no nesting, so no repetition levels),
 * written as the Parquet format specifies it:
 * - definition levels: the RLE/bit-packed hybrid at bit width 1, after a 4-byte little-endian length
 *   (a V1 data page stores levels that way). One RLE run when the column has no nulls or only nulls,
 *   else one bit-packed run, 8 levels per byte, least significant bit first.
 * - PLAIN values, nulls left out: INT64 and DOUBLE as 8 bytes little-endian, BYTE_ARRAY as a 4-byte
 *   little-endian length then the UTF-8 bytes, BOOLEAN bit-packed least significant bit first.
 * - min and max: numbers and booleans as values (the footer writer encodes them), strings as their UTF-8
 *   bytes. Strings order by those bytes, unsigned, which is how readers compare them (JavaScript's `<`
 *   compares UTF-16 units, which disagrees above U+FFFF).
 *
 * Why not hyparquet-writer's own `writePlain` and `writeRleBitPackedHybrid` (parquet.ts uses that library
 * for Thrift): they take one JavaScript value per cell and write it through a DataView, INT64
 * only as a BigInt. Here a numeric column is copied from its Float64Array into one buffer, with no
 * per-cell allocation, and levels are a single run.
 */
import { endianness } from 'node:os';
import { type ColumnValues, compareRanges, TextColumn } from '../core/columns';

/** Typed arrays below write in the platform's byte order; Parquet's is little-endian (as are x86-64 and arm64). */
if (endianness() !== 'LE') throw new Error('parquet-pages: Parquet encoding needs a little-endian CPU');

/** The physical type a column's values are encoded as. */
export type PhysicalType = 'BYTE_ARRAY' | 'INT64' | 'DOUBLE' | 'BOOLEAN';

/** A column's min or max: a number (ints, doubles, epoch ms), a boolean, or a string's UTF-8 bytes. */
export type Bound = number | boolean | Uint8Array;

export interface ColumnPage {
  /** Rows (levels) in the page, nulls included. */
  readonly rows: number;
  readonly nulls: number;
  /** Definition levels (length-prefixed) then values: the page body before compression. */
  readonly body: Uint8Array;
  /** Absent when every value is null. */
  readonly min?: Bound;
  readonly max?: Bound;
}

const TWO_32 = 4294967296;

/** An unsigned LEB128 varint (the hybrid encoding's run headers, and a Snappy block's length preamble). */
export function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

/** Definition levels (1 = present, 0 = null) as the RLE/bit-packed hybrid, after their 4-byte length. */
export function definitionLevels(present: Uint8Array, rows: number, nulls: number): Uint8Array {
  let run: Uint8Array;
  if (nulls === 0 || nulls === rows) {
    // One RLE run: header (count << 1), then the repeated level in one byte (bit width 1).
    run = Uint8Array.from([...varint(rows * 2), nulls === 0 ? 1 : 0]);
  } else {
    // One bit-packed run of ceil(rows / 8) groups: header (groups << 1 | 1), then the packed levels.
    const groups = Math.ceil(rows / 8);
    const header = varint(groups * 2 + 1);
    run = new Uint8Array(header.length + groups);
    run.set(header);
    for (let i = 0; i < rows; i++) if (present[i]) run[header.length + (i >> 3)]! |= 1 << (i & 7);
  }
  const out = new Uint8Array(4 + run.length);
  new DataView(out.buffer).setUint32(0, run.length, true);
  out.set(run, 4);
  return out;
}

/** A safe integer as INT64 little-endian into two 32-bit words (exact: |v| < 2^53). */
function putInt64(lo: Uint32Array, hi: Int32Array, at: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  lo[at * 2] = v - high * TWO_32;
  hi[at * 2 + 1] = high;
}

/**
 * Bytes kept free before a page's values for its definition levels: the 4-byte length, a varint run
 * header (5 bytes hold any 32-bit count) and one bit per row, rounded up to 8 so the values after it can
 * be viewed as 64-bit words.
 */
function levelsRoom(rows: number): number {
  return Math.ceil((4 + 5 + Math.max(1, Math.ceil(rows / 8))) / 8) * 8;
}

/**
 * The page body: the levels written right before the values (which start at `valuesAt` in `buffer`), so
 * levels and values are one range of one buffer and the values are never copied again. A page is
 * megabytes, and fresh memory is costly to touch in a cold process.
 */
function bodyOf(buffer: Uint8Array, valuesAt: number, valuesEnd: number, levels: Uint8Array): Uint8Array {
  const start = valuesAt - levels.length;
  buffer.set(levels, start);
  return buffer.subarray(start, valuesEnd);
}

/** An INT64 (ints, timestamps) or DOUBLE column: NaN is null (core/columns.ts). */
function numericPage(cells: Float64Array, int64: boolean): ColumnPage {
  const rows = cells.length;
  const present = new Uint8Array(rows);
  const room = levelsRoom(rows);
  const buffer = new ArrayBuffer(room + rows * 8);
  const doubles = new Float64Array(buffer, room);
  const lo = new Uint32Array(buffer, room);
  const hi = new Int32Array(buffer, room);
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows; i++) {
    const v = cells[i]!;
    if (Number.isNaN(v)) continue;
    present[i] = 1;
    if (v < min) min = v;
    if (v > max) max = v;
    if (int64) putInt64(lo, hi, count, v);
    else doubles[count] = v;
    count++;
  }
  const nulls = rows - count;
  const body = bodyOf(new Uint8Array(buffer), room, room + count * 8, definitionLevels(present, rows, nulls));
  if (count === 0) return { rows, nulls, body };
  // The specification's rule for floating-point bounds: a zero min is written as -0, a zero max as +0,
  // so a reader comparing either zero against them keeps the row.
  if (!int64 && min === 0) min = -0;
  if (!int64 && max === 0) max = 0;
  return { rows, nulls, body, min, max };
}

function booleanPage(cells: readonly (boolean | null)[]): ColumnPage {
  const rows = cells.length;
  const present = new Uint8Array(rows);
  const room = levelsRoom(rows);
  const buffer = new Uint8Array(room + Math.ceil(rows / 8));
  const packed = buffer.subarray(room);
  let count = 0;
  let anyFalse = false;
  let anyTrue = false;
  for (let i = 0; i < rows; i++) {
    const v = cells[i];
    if (v === null || v === undefined) continue;
    present[i] = 1;
    if (v) {
      packed[count >> 3]! |= 1 << (count & 7);
      anyTrue = true;
    } else anyFalse = true;
    count++;
  }
  const nulls = rows - count;
  const body = bodyOf(buffer, room, room + Math.ceil(count / 8), definitionLevels(present, rows, nulls));
  if (count === 0) return { rows, nulls, body };
  return { rows, nulls, body, min: !anyFalse, max: anyTrue };
}

/** A BYTE_ARRAY column: each cell's UTF-8 bytes are already in the column (core/columns.ts). */
function stringPage(cells: TextColumn): ColumnPage {
  const rows = cells.length;
  const { bytes, starts, lengths } = cells;
  const present = new Uint8Array(rows);
  const room = levelsRoom(rows);
  let size = room;
  for (let i = 0; i < rows; i++) if (lengths[i]! >= 0) size += 4 + lengths[i]!;
  const out = Buffer.allocUnsafe(size);
  let offset = room;
  let count = 0;
  let min = -1;
  let max = -1;
  for (let i = 0; i < rows; i++) {
    const length = lengths[i]!;
    if (length < 0) continue;
    const start = starts[i]!;
    present[i] = 1;
    count++;
    out[offset] = length;
    out[offset + 1] = length >>> 8;
    out[offset + 2] = length >>> 16;
    out[offset + 3] = length >>> 24;
    offset += 4;
    // Short values (ids, symbols, names) by a loop, longer ones (record_id's 64 bytes, texts) by a
    // native copy: over one run's record_id page, a loop of 64 bytes was much slower than the copy.
    if (length > 32) offset += bytes.copy(out, offset, start, start + length);
    else for (let j = start, end = start + length; j < end; j++) out[offset++] = bytes[j]!;
    if (min < 0) min = max = i;
    else if (compareRanges(bytes, start, length, starts[min]!, lengths[min]!) < 0) min = i;
    else if (compareRanges(bytes, start, length, starts[max]!, lengths[max]!) > 0) max = i;
  }
  const nulls = rows - count;
  const body = bodyOf(out, room, offset, definitionLevels(present, rows, nulls));
  if (count === 0) return { rows, nulls, body };
  // Copies: a bound must not keep the column's whole byte store alive.
  const bound = (i: number) => Uint8Array.from(bytes.subarray(starts[i]!, starts[i]! + lengths[i]!));
  return { rows, nulls, body, min: bound(min), max: bound(max) };
}

/** One column's page, encoded as `type`. The column's values must be of that type (the schema's). */
export function columnPage(type: PhysicalType, cells: ColumnValues): ColumnPage {
  if (type === 'INT64' || type === 'DOUBLE') {
    if (!(cells instanceof Float64Array)) throw new TypeError(`a ${type} column needs a Float64Array`);
    return numericPage(cells, type === 'INT64');
  }
  if (type === 'BYTE_ARRAY') {
    if (!(cells instanceof TextColumn)) throw new TypeError('a BYTE_ARRAY column needs a TextColumn');
    return stringPage(cells);
  }
  if (!Array.isArray(cells)) throw new TypeError(`a ${type} column needs an array of booleans`);
  return booleanPage(cells as readonly (boolean | null)[]);
}
