import { type DuckDBConnection, DuckDBInstance, type Json } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';

/**
 * An in-memory DuckDB for the calling test file: opened before its tests (before the file's own
 * beforeAll hooks, which are registered after this call) and closed after them. DuckDB is the tests'
 * oracle for what readers see in the Parquet files.
 */
export function inMemoryDuckDb(): {
  /** Runs `sql` and returns its rows as JSON values. */
  q: (sql: string) => Promise<Record<string, Json>[]>;
  /** The open connection, for results read other than as JSON rows. */
  con: () => DuckDBConnection;
} {
  let db: DuckDBInstance | undefined;
  let con: DuckDBConnection | undefined;
  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    con = await db.connect();
  });
  afterAll(() => {
    con?.closeSync();
    db?.closeSync();
  });
  const open = () => {
    if (!con) throw new Error('DuckDB is used before its beforeAll hook has run');
    return con;
  };
  return { q: async (sql) => (await open().runAndReadAll(sql)).getRowObjectsJson(), con: open };
}
