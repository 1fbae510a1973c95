/**
 * Column batches: what the transform produces, one array per column of DATASETS[dataset].columns, in
 * schema order, with no object per row. The Parquet writer reads them (lambdas/adapters/parquet.ts,
 * in the Lambda and in `fdl reprocess`), so rows never exist as objects between the transform and a
 * file. Why: reprocessing a year of archives handles billions of
 * cells, and a row object per record (plus a Date per timestamp) was the largest cost after JSON.parse
 * (docs/benchmarks.md).
 *
 * Storage per logical type (the cast rules in cast.ts guarantee the encodings are lossless):
 * - int, double, timestamp: a Float64Array. null is NaN (a cast never yields NaN: cast.ts returns null
 *   for it), ints are safe integers, timestamps epoch milliseconds (|ms| ≤ 8.64e15), so a double holds
 *   each exactly. -0 is stored as 0: Parquet writers disagree on -0, and "-0" is not a value anyone sent
 *   on purpose.
 * - string, boolean: a plain array of the values and nulls.
 *
 * `rowsOf` turns a batch back into row objects for readers that want them (tests, small callers); the
 * hot paths never call it.
 */
import { type ColumnType, DATASETS, type DatasetName } from './datasets';

/** One typed cell: timestamps are UTC Dates, ints are safe integers, doubles are finite. */
export type Cell = string | number | boolean | Date | null;
/** Keys are exactly the dataset's column names, in schema order. */
export type Row = Record<string, Cell>;

export type ColumnValues = Float64Array | (string | null)[] | (boolean | null)[];

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

/** The value of one cell as a row holds it (Date for timestamps, null for NaN). */
export function cellAt(batch: ColumnBatch, column: number, row: number): Cell {
  const values = batch.columns[column]!;
  if (!(values instanceof Float64Array)) return values[row] ?? null;
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
  private readonly numeric: readonly boolean[];

  constructor(
    readonly dataset: DatasetName,
    capacity = 256,
  ) {
    this.capacity = Math.max(16, capacity);
    this.numeric = DATASETS[dataset].columns.map((c) => isNumeric(c.type));
    this.columns = this.numeric.map((n) => (n ? new Float64Array(this.capacity) : []));
  }

  /** Makes room for `slot` (call before writing to it). */
  reserve(slot: number): void {
    if (slot < this.capacity) return;
    while (this.capacity <= slot) this.capacity *= 2;
    for (let c = 0; c < this.columns.length; c++) {
      if (!this.numeric[c]) continue;
      const grown = new Float64Array(this.capacity);
      grown.set(this.columns[c] as Float64Array);
      this.columns[c] = grown;
    }
  }

  /**
   * Writes one cell: numbers (timestamps as epoch ms) into numeric columns, where null becomes NaN and
   * -0 becomes 0; strings and booleans as they are.
   */
  set(column: number, slot: number, value: string | number | boolean | null): void {
    const values = this.columns[column]!;
    if (values instanceof Float64Array) values[slot] = storedNumber(value as number | null);
    else (values as (string | number | boolean | null)[])[slot] = value;
  }

  /** The string in a string column's slot (null when empty). */
  text(column: number, slot: number): string | null {
    return (this.columns[column] as (string | null)[])[slot] ?? null;
  }

  /** Copies every cell of slot `from` over slot `to` (a later extraction replacing a row). */
  copySlot(from: number, to: number): void {
    for (const values of this.columns) values[to] = values[from] as never;
  }

  /** Makes the slot at `length` a row. */
  commit(): void {
    this.length++;
  }

  /** The batch of committed rows (numeric columns trimmed to length, string arrays truncated). */
  finish(): ColumnBatch {
    const columns = this.columns.map((values) =>
      values instanceof Float64Array ? values.subarray(0, this.length) : values.slice(0, this.length),
    ) as ColumnValues[];
    return { dataset: this.dataset, length: this.length, columns };
  }
}
