import { Testing } from 'cdktf';
import { Parser } from 'node-sql-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvs } from '../../envs/load';
import { exposedViews, qualifyDatabase, viewDdl } from '../../sql/views';
import { buildApp } from '../../stacks/app';
import { Naming } from '../../stacks/naming';
import { removeOutdirs, tempOutdir } from '../stacks/support';

afterAll(removeOutdirs);
const ENVS = await loadEnvs();
const parser = new Parser();

/** Every table a view statement (the SELECT the provider wraps in CREATE VIEW) reads, as `<qualifier>::<name>`, CTEs left out (node-sql-parser's tableList). */
function tablesRead(statement: string): string[] {
  const ctes = new Set(
    [...statement.matchAll(/\b([A-Za-z_]\w*)\s+AS\s*\(/g)].map((m) => m[1]!.toUpperCase()),
  );
  return parser
    .tableList(statement, { database: 'Snowflake' })
    .filter((t) => t.startsWith('select::'))
    .map((t) => t.slice('select::'.length))
    .filter((t) => !(t.startsWith('null::') && ctes.has(t.slice('null::'.length).toUpperCase())));
}

describe('deployed EXPOSED views', () => {
  const { byEnv } = buildApp(Testing.app({ outdir: tempOutdir() }), ENVS);

  it.each(ENVS.map((e) => [e.name, e] as const))(
    'name only objects of the %s database, fully qualified',
    (_, env) => {
      const database = new Naming(env).snowflakeDatabase();
      const tf = byEnv[env.name]!.snowflake.toTerraform() as {
        resource: { snowflake_view: Record<string, { name: string; statement: string }> };
      };
      const views = Object.values(tf.resource.snowflake_view);
      expect(views).toHaveLength(exposedViews().length);
      for (const view of views) {
        const tables = tablesRead(view.statement);
        expect(tables.length, view.name).toBeGreaterThan(0);
        for (const table of tables)
          expect(table, `${view.name} reads ${table}`).toMatch(
            new RegExp(`^${database}\\.(RAW|EXPOSED)::[A-Z_]+$`),
          );
        for (const other of ENVS.filter((o) => o.name !== env.name))
          expect(view.statement).not.toContain(`${new Naming(other).snowflakeDatabase()}.`);
      }
    },
  );
});

describe('qualifyDatabase', () => {
  it('prefixes RAW and EXPOSED references and leaves qualified, quoted and longer names alone', () => {
    const sql = `SELECT r.x FROM RAW.T r JOIN EXPOSED.V v ON 1=1 JOIN OTHER.RAW.U u ON 1=1 WHERE MY_RAW.c = 'RAW.T' AND "RAW".Q = 1`;
    expect(qualifyDatabase(sql, 'DB')).toBe(
      `SELECT r.x FROM DB.RAW.T r JOIN DB.EXPOSED.V v ON 1=1 JOIN OTHER.RAW.U u ON 1=1 WHERE MY_RAW.c = 'RAW.T' AND "RAW".Q = 1`,
    );
  });

  it('keeps the DuckDB statement as the file says (one SQL source, two engines)', () => {
    for (const view of exposedViews()) {
      expect(viewDdl('duckdb', view)).toContain(view.sql);
      expect(viewDdl('snowflake', view, 'FDL_X')).not.toMatch(/(?<![\w.])RAW\.[A-Z]/);
    }
  });
});
