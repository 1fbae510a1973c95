/**
 * The bulk Parquet path (fdl reprocess): the same rows as lambdas/adapters/parquet.ts, written by
 * DuckDB's native writer (~30× faster than parquetjs-lite). Rows are cast by the one TS transform and
 * handed to DuckDB through its appender in data chunks; DuckDB only stores and encodes them.
 *
 * The file schema is identical to parquetjs-lite's (column names and order from DATASETS, physical and
 * converted types, all columns OPTIONAL, Snappy, V1 pages): BIGINT → INT64/INT_64,
 * TIMESTAMP_MS → INT64/TIMESTAMP_MILLIS, VARCHAR → BYTE_ARRAY/UTF8. test/lambdas/parquet.test.ts
 * compares both writers' parquet_schema() and rows for the same input.
 *
 * Import this module only from the reprocess path: @duckdb/node-api carries a native binary that must
 * stay out of the Lambda bundle.
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  JSToDuckDBValueConverter,
} from '@duckdb/node-api';
import { type ColumnType, DATASETS, type DatasetName } from '../core/datasets';
import type { Row } from '../core/transform';

/** DuckDB column types per logical type; see the table in parquet.ts. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MS',
  boolean: 'BOOLEAN',
};

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** One DuckDB instance reused for many files (creating one costs tens of milliseconds). */
export class DuckDbParquetWriter {
  private writes = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckDbParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckDbParquetWriter(instance, await instance.connect());
  }

  /** Writes `rows` (exactly the dataset's columns) to `filePath` (overwritten if present). */
  async write(dataset: DatasetName, rows: readonly Row[], filePath: string): Promise<void> {
    const columns = DATASETS[dataset].columns;
    // A staging table per call: writes may overlap (reprocess pipelines them on one connection).
    const name = `stage_${dataset}_${this.writes++}`;
    const table = quoteIdent(name);
    await this.connection.run(
      `CREATE OR REPLACE TABLE ${table} (${columns.map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.type]}`).join(', ')})`,
    );
    try {
      const appender = await this.connection.createAppender(name);
      const types: DuckDBType[] = columns.map((_, i) => appender.columnType(i));
      const names = columns.map((c) => c.name);
      // Column-major per chunk: one array per column, filled from the rows and converted in one call.
      const values: (Row[string] | null)[][] = names.map(() => []);
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, end - start);
        for (let c = 0; c < names.length; c++) {
          const name = names[c]!;
          const column = values[c]!;
          column.length = end - start;
          for (let r = start; r < end; r++) column[r - start] = rows[r]![name] ?? null;
          chunk.setColumnValuesConverted(c, column, JSToDuckDBValueConverter);
        }
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      await this.connection.run(
        `COPY ${table} TO ${quoteLiteral(filePath)} (FORMAT parquet, COMPRESSION snappy)`,
      );
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** One-shot convenience: a writer for a single file. */
export async function writeParquetWithDuckDb(
  dataset: DatasetName,
  rows: readonly Row[],
  filePath: string,
): Promise<void> {
  const writer = await DuckDbParquetWriter.create();
  try {
    await writer.write(dataset, rows, filePath);
  } finally {
    writer.close();
  }
}
