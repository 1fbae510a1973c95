/**
 * Column batches: what the transform produces, one column of values per column of
 * DATASETS[dataset].columns, in schema order, with no object per row. The Parquet writer reads them
 * (lambdas/adapters/parquet.ts, in the Lambda and in `fdl reprocess`), so rows never exist as objects
 * between the transform and a file. Why: reprocessing a year of archives handles billions of
 * cells, and a row object per record (plus a Date per timestamp) was the largest cost after JSON.parse
 * (docs/benchmarks.md).
 *
 * Storage per logical type (the cast rules in cast.ts guarantee the encodings are lossless):
 * - int, double, timestamp: a Float64Array. null is NaN (a cast never yields NaN: cast.ts returns null
 *   for it), ints are safe integers, timestamps epoch milliseconds (|ms| ≤ 8.64e15), so a double holds
 *   each exactly. -0 is stored as 0: Parquet writers disagree on -0, and "-0" is not a value anyone sent
 *   on purpose.
 * - string: a TextColumn, each cell's UTF-8 bytes in one growing byte store (below).
 * - boolean: a plain array of the values and nulls.
 *
 * `rowsOf` turns a batch back into row objects for readers that want them (tests, small callers); the
 * hot paths never call it.
 */
import { constants } from 'node:buffer';
import { type ColumnType, DATASETS, type DatasetName } from './datasets';

/**
 * The most bytes one TextColumn holds: as far as a start (a Uint32Array) can point, and no more than a
 * Buffer may hold (4 GiB on Node 20; Node 22 allows longer Buffers, so the Uint32 bound is the one that
 * holds there).
 */
export const MAX_TEXT_BYTES = Math.min(constants.MAX_LENGTH, 2 ** 32);

/** One typed cell: timestamps are UTC Dates, ints are safe integers, doubles are finite. */
export type Cell = string | number | boolean | Date | null;
/** Keys are exactly the dataset's column names, in schema order. */
export type Row = Record<string, Cell>;

export type ColumnValues = Float64Array | TextColumn | (boolean | null)[];

/**
 * A string column as UTF-8 bytes: cell `i` is `lengths[i]` bytes of `bytes` from `starts[i]`, and a
 * length of -1 is null (as is a slot never written). Why not an array of strings: a ticker run has five
 * strings per row (four read from the page, and record_id's 64 hex characters), and as JavaScript
 * strings each one lives until the run's file is written, so V8's young-generation collector copied and
 * promoted millions of them; the page encoder then converted each back to UTF-8. Here the scanned fill
 * copies a value's bytes straight from the page, a string written with `set` dies young, and the page
 * encoder copies bytes. (The dedupe reads the id's bytes too, key-index.ts; the transform decodes the id
 * once per row for record_id's hash.)
 *
 * The byte store only grows: a cell written again (a rejected record's slot reused, a row replaced by a
 * later extraction) gets new bytes, and the old ones stay unread until the batch is dropped. A value
 * equal to the last one written shares its bytes (run_id is the same string on every row).
 *
 * A cell reads back as the string its bytes decode to: the same string, except that a lone surrogate
 * (which UTF-8 cannot hold) reads back as U+FFFD, as it is stored in Parquet.
 */
export class TextColumn {
  private last: string | undefined;
  private lastStart = 0;
  private lastLength = 0;

  constructor(
    /** The byte store; `used` bytes of it are written. */
    public bytes: Buffer,
    public starts: Uint32Array,
    public lengths: Int32Array,
    public used = 0,
    /** The most bytes it may hold (MAX_TEXT_BYTES; smaller only in tests). */
    private readonly limit = MAX_TEXT_BYTES,
  ) {}

  static empty(capacity: number, limit = MAX_TEXT_BYTES): TextColumn {
    return new TextColumn(
      Buffer.allocUnsafe(Math.min(limit, capacity * 16)),
      new Uint32Array(capacity),
      new Int32Array(capacity).fill(-1),
      0,
      limit,
    );
  }

  /** A column of these values (for tests and small callers). */
  static of(values: readonly (string | null)[]): TextColumn {
    const column = TextColumn.empty(values.length);
    for (const [slot, value] of values.entries()) column.set(slot, value);
    return column;
  }

  /** Rows held (the builder's column: its capacity). */
  get length(): number {
    return this.starts.length;
  }

  /** Room for `rows` cells (keeps cells below). */
  grow(rows: number): void {
    const starts = new Uint32Array(rows);
    starts.set(this.starts);
    const lengths = new Int32Array(rows).fill(-1);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }

  /**
   * Makes room for `n` more bytes. Past `limit` the batch stops with this error instead of a start
   * wrapping (MAX_TEXT_BYTES). A column whose cells alone pass 2 GiB cannot be one Parquet page in any case (the writer
   * refuses it: `MAX_PAGE_BYTES`, lambdas/adapters/parquet.ts); only the bytes of rejected and replaced
   * cells can take a column past that.
   */
  private room(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    if (this.used + n > this.limit)
      throw new RangeError(
        `a string column of one batch would hold over ${this.limit} bytes of text (rejected and replaced cells included)`,
      );
    const bytes = Buffer.allocUnsafe(Math.min(this.limit, Math.max(2 * this.bytes.length, this.used + n)));
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }

  set(slot: number, value: string | null): void {
    if (value === null) {
      this.lengths[slot] = -1;
      return;
    }
    // A caller's mistake (a number in a string column) fails here rather than becoming null in a file.
    if (typeof value !== 'string') throw new TypeError(`a string column got a ${typeof value}`);
    if (value !== this.last) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units); near the
      // limit, the exact length decides.
      const most = 3 * value.length;
      this.room(this.used + most > this.limit ? Buffer.byteLength(value, 'utf8') : most);
      this.lastStart = this.used;
      this.lastLength = this.bytes.write(value, this.used, 'utf8');
      this.used += this.lastLength;
      this.last = value;
    }
    this.starts[slot] = this.lastStart;
    this.lengths[slot] = this.lastLength;
  }

  /** Writes bytes `start`..`end` of `source`, which must be UTF-8 (the scanner's plain ASCII strings). */
  setBytes(slot: number, source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.room(n);
    const bytes = this.bytes;
    let at = this.used;
    this.starts[slot] = at;
    this.lengths[slot] = n;
    // Most values are a few bytes: a loop is cheaper than a native copy's call.
    for (let i = start; i < end; i++) bytes[at++] = source[i]!;
    this.used = at;
  }

  /** The string in `slot`, or null. */
  text(slot: number): string | null {
    const n = this.lengths[slot]!;
    if (n < 0) return null;
    const start = this.starts[slot]!;
    return this.bytes.toString('utf8', start, start + n);
  }

  copySlot(from: number, to: number): void {
    this.starts[to] = this.starts[from]!;
    this.lengths[to] = this.lengths[from]!;
  }

  /** The first `rows` cells, sharing this column's bytes. */
  head(rows: number): TextColumn {
    return new TextColumn(
      this.bytes,
      this.starts.subarray(0, rows),
      this.lengths.subarray(0, rows),
      this.used,
    );
  }
}

/**
 * Compares two byte ranges of `bytes` as unsigned bytes, then by length: how readers order strings, and
 * 0 exactly when the two cells hold the same bytes (the page encoder's min/max, the dedupe index).
 */
export function compareRanges(
  bytes: Uint8Array,
  a: number,
  aLength: number,
  b: number,
  bLength: number,
): number {
  if (a === b) return aLength - bLength;
  const n = Math.min(aLength, bLength);
  for (let i = 0; i < n; i++) {
    const d = bytes[a + i]! - bytes[b + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** An empty column of `type` with room for `capacity` rows. */
export const emptyColumn = (type: ColumnType, capacity: number): ColumnValues =>
  isNumeric(type) ? new Float64Array(capacity) : type === 'string' ? TextColumn.empty(capacity) : [];

export interface ColumnBatch {
  readonly dataset: DatasetName;
  /** Rows in the batch: every column holds exactly this many values. */
  readonly length: number;
  /** One per DATASETS[dataset].columns, in the same order. */
  readonly columns: readonly ColumnValues[];
}

/** A number as a numeric column stores it: null as NaN, -0 as 0 (the rules in the module comment). */
export const storedNumber = (value: number | null): number => (value === null ? Number.NaN : value + 0);

/** Types stored as numbers in a Float64Array (NaN = null). */
export const isNumeric = (type: ColumnType): boolean =>
  type === 'int' || type === 'double' || type === 'timestamp';

/** The value a column stores in `row`: a string, a number (NaN for null), a boolean, or null. */
export function storedAt(values: ColumnValues, row: number): string | number | boolean | null {
  return values instanceof TextColumn ? values.text(row) : (values[row] ?? null);
}

/** The value of one cell as a row holds it (Date for timestamps, null for NaN). */
export function cellAt(batch: ColumnBatch, column: number, row: number): Cell {
  const values = batch.columns[column]!;
  if (!(values instanceof Float64Array)) return storedAt(values, row);
  const n = values[row]!;
  if (Number.isNaN(n)) return null;
  return DATASETS[batch.dataset].columns[column]!.type === 'timestamp' ? new Date(n) : n;
}

/** Row objects of a batch (keys in schema order). For tests and small readers, not hot paths. */
export function rowsOf(batch: ColumnBatch): Row[] {
  const columns = DATASETS[batch.dataset].columns;
  const rows: Row[] = [];
  for (let r = 0; r < batch.length; r++) {
    const row: Row = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]!.name] = cellAt(batch, c, r);
    rows.push(row);
  }
  return rows;
}

/** A batch from row objects (a missing key is null): for callers and tests that hold rows. */
export function columnsOf(dataset: DatasetName, rows: readonly Row[]): ColumnBatch {
  const builder = new ColumnBuilder(dataset, rows.length);
  const specs = DATASETS[dataset].columns;
  for (const row of rows) {
    const slot = builder.length;
    builder.reserve(slot);
    for (let c = 0; c < specs.length; c++) {
      const cell = row[specs[c]!.name] ?? null;
      builder.set(c, slot, cell instanceof Date ? cell.getTime() : cell);
    }
    builder.commit();
  }
  return builder.finish();
}

/**
 * A growing batch. The transform writes a record's cells into the next free slot (`length`), then
 * either commits it (the record is a row) or leaves it to be overwritten (the record was rejected):
 * a rejected record costs no copy.
 */
export class ColumnBuilder {
  length = 0;
  private capacity: number;
  readonly columns: ColumnValues[];

  constructor(
    readonly dataset: DatasetName,
    capacity = 256,
  ) {
    this.capacity = Math.max(16, capacity);
    this.columns = DATASETS[dataset].columns.map((c) => emptyColumn(c.type, this.capacity));
  }

  /** Makes room for `slot` (call before writing to it). */
  reserve(slot: number): void {
    if (slot < this.capacity) return;
    while (this.capacity <= slot) this.capacity *= 2;
    for (let c = 0; c < this.columns.length; c++) {
      const values = this.columns[c]!;
      if (values instanceof TextColumn) values.grow(this.capacity);
      else if (values instanceof Float64Array) {
        const grown = new Float64Array(this.capacity);
        grown.set(values);
        this.columns[c] = grown;
      }
    }
  }

  /**
   * Writes one cell: numbers (timestamps as epoch ms) into numeric columns, where null becomes NaN and
   * -0 becomes 0; strings as their UTF-8 (TextColumn); booleans as they are.
   */
  set(column: number, slot: number, value: string | number | boolean | null): void {
    const values = this.columns[column]!;
    if (values instanceof Float64Array) values[slot] = storedNumber(value as number | null);
    else if (values instanceof TextColumn) values.set(slot, value as string | null);
    else (values as (boolean | null)[])[slot] = value as boolean | null;
  }

  /** The string in a string column's slot (null when empty). */
  text(column: number, slot: number): string | null {
    return (this.columns[column] as TextColumn).text(slot);
  }

  /** Copies every cell of slot `from` over slot `to` (a later extraction replacing a row). */
  copySlot(from: number, to: number): void {
    for (const values of this.columns) {
      if (values instanceof TextColumn) values.copySlot(from, to);
      else values[to] = values[from] as never;
    }
  }

  /** Makes the slot at `length` a row. */
  commit(): void {
    this.length++;
  }

  /** The batch of committed rows (every column trimmed to length). */
  finish(): ColumnBatch {
    const n = this.length;
    const columns = this.columns.map((values) =>
      values instanceof Float64Array
        ? values.subarray(0, n)
        : values instanceof TextColumn
          ? values.head(n)
          : values.slice(0, n),
    );
    return { dataset: this.dataset, length: n, columns };
  }
}
