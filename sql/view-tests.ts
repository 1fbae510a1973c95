/**
 * dbt-style grain tests of the EXPOSED views: each view's grain key (EXPOSED_VIEW_GRAINS) must be unique
 * and never null. A duplicate means a dedupe rule broke (a RAW load repeated, a join fanned out); a null
 * key means a row that no report can attribute. The same SQL runs on the local DuckDB warehouse (after
 * `fdl run`/`fdl load`) and on Snowflake (check-ingestion): each query returns one row, `failures`, the
 * number of offending keys or rows, and a test passes when it is 0.
 */
import { EXPOSED_SCHEMA } from './ddl';
import { EXPOSED_VIEW_GRAINS, type ExposedViewName } from './views';

export interface ViewTest {
  readonly view: ExposedViewName;
  readonly kind: 'unique' | 'not_null';
  /** The grain key columns tested. */
  readonly columns: readonly string[];
  /** `SELECT COUNT(*) AS failures …`: 0 when the test passes. */
  readonly sql: string;
}

export interface ViewTestResult extends ViewTest {
  readonly failures: number;
}

/** Every grain test; `database` qualifies the views for Snowflake (DuckDB: omit it). */
export function viewTests(database?: string): ViewTest[] {
  const schema = database ? `${database}.${EXPOSED_SCHEMA}` : EXPOSED_SCHEMA;
  return Object.entries(EXPOSED_VIEW_GRAINS).flatMap(([name, key]) => {
    const view = name as ExposedViewName;
    const from = `${schema}.${view.toUpperCase()}`;
    const cols = key.join(', ');
    return [
      {
        view,
        kind: 'unique' as const,
        columns: key,
        sql: `SELECT COUNT(*) AS failures FROM (SELECT ${cols} FROM ${from} GROUP BY ${cols} HAVING COUNT(*) > 1) AS duplicates`,
      },
      {
        view,
        kind: 'not_null' as const,
        columns: key,
        sql: `SELECT COUNT(*) AS failures FROM ${from} WHERE ${key.map((c) => `${c} IS NULL`).join(' OR ')}`,
      },
    ];
  });
}

/** Run every grain test through `query` (one statement → its rows; column names in either case). */
export async function runViewTests(
  query: (sql: string) => Promise<readonly Record<string, unknown>[]>,
  database?: string,
): Promise<ViewTestResult[]> {
  const results: ViewTestResult[] = [];
  for (const test of viewTests(database)) {
    const [row] = await query(test.sql);
    results.push({ ...test, failures: Number(row?.failures ?? row?.FAILURES ?? Number.NaN) });
  }
  return results;
}

/** One line per failed test, for a report or an error message; empty when all passed. */
export function describeFailures(results: readonly ViewTestResult[]): string[] {
  return results
    .filter((r) => r.failures !== 0)
    .map((r) =>
      r.kind === 'unique'
        ? `EXPOSED.${r.view.toUpperCase()}: ${r.failures} duplicate grain key(s) (${r.columns.join(', ')})`
        : `EXPOSED.${r.view.toUpperCase()}: ${r.failures} row(s) with a null grain key (${r.columns.join(', ')})`,
    );
}
