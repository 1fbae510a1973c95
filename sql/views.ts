/**
 * The EXPOSED views: one SQL file per view in sql/exposed/<name>.sql, the same text for Snowflake (the
 * stack's snowflake_view resources) and the local DuckDB warehouse. The files reference warehouse objects
 * as `RAW.<TABLE>` / `EXPOSED.<VIEW>`: DuckDB resolves them in the local warehouse's schemas; for Snowflake
 * `snowflakeViewStatement` prefixes the env's database, because Snowflake resolves a name without a
 * database against the session's current database, which a deploy must not depend on.
 */
import { readFileSync } from 'node:fs';
import { EXPOSED_SCHEMA, RAW_SCHEMA } from './ddl';

/**
 * The EXPOSED views and the columns that identify one row of each (its grain key, as in the file's
 * `-- Grain:` line). One declaration: the stack, the local warehouse and the grain tests
 * (sql/view-tests.ts: unique and not null) all read it. The order is creation order: a view that reads
 * another EXPOSED view comes after it (checked below). Adding a view: docs/contributing.md.
 */
export const EXPOSED_VIEW_GRAINS = {
  reddit_items: ['item_type', 'item_id'],
  coin_tickers: ['record_id'],
  latest_prices: ['coin_id'],
  price_history: ['coin_id', 'extracted_at'],
  market_overview: ['extracted_at'],
  subreddit_sentiment_hourly: ['subreddit', 'hour_at'],
  coin_sentiment_hourly: ['coin_id', 'hour_at'],
  ingestion_health: ['dataset', 'hour_at'],
} as const satisfies Record<string, readonly string[]>;

export type ExposedViewName = keyof typeof EXPOSED_VIEW_GRAINS;

/** Names of the EXPOSED views, in creation order; their SQL lives in sql/exposed/<name>.sql. */
export const EXPOSED_VIEW_NAMES = Object.keys(EXPOSED_VIEW_GRAINS) as ExposedViewName[];

export interface ExposedView {
  readonly name: ExposedViewName;
  /** The SELECT, trimmed (Snowflake stores the text; trailing whitespace would show as a diff). */
  readonly sql: string;
  /**
   * The SELECT without the file's leading comment block: the Snowflake view statement. Snowflake keeps
   * the text it is given and the provider re-parses it on read, so the statement carries no comments;
   * the grain goes into the view's COMMENT instead.
   */
  readonly body: string;
  /** The first comment line of the file, `Grain: …`: used as the view's comment. */
  readonly grain: string;
  /** The columns that identify a row (EXPOSED_VIEW_GRAINS). */
  readonly grainKey: readonly string[];
  /**
   * The EXPOSED views this one reads (`EXPOSED.<NAME>` in its body): Snowflake must create them first,
   * so the stack makes the view depend on them. Always earlier in EXPOSED_VIEW_NAMES.
   */
  readonly reads: readonly ExposedViewName[];
}

const EXPOSED_DIR = new URL('./exposed/', import.meta.url);

let cache: readonly ExposedView[] | undefined;

/**
 * Every EXPOSED view, in EXPOSED_VIEW_NAMES order (creation order). Reads the files once per process.
 * Throws when a view reads an EXPOSED view that is unknown or not declared before it.
 */
export function exposedViews(): readonly ExposedView[] {
  cache ??= EXPOSED_VIEW_NAMES.map((name, index) => {
    const sql = readFileSync(new URL(`${name}.sql`, EXPOSED_DIR), 'utf8').trim();
    const first = sql.split('\n', 1)[0] ?? '';
    const grain = /^--\s*(Grain:.*)$/.exec(first)?.[1]?.trim();
    if (!grain) throw new Error(`sql/exposed/${name}.sql must start with a "-- Grain: …" comment`);
    const lines = sql.split('\n');
    const firstCode = lines.findIndex((l) => !l.trimStart().startsWith('--') && l.trim() !== '');
    const body = lines.slice(firstCode).join('\n');
    const reads = [...new Set([...body.matchAll(/\bEXPOSED\.([A-Z_]+)\b/g)].map((m) => m[1]!.toLowerCase()))];
    for (const read of reads)
      if (!EXPOSED_VIEW_NAMES.slice(0, index).includes(read as ExposedViewName))
        throw new Error(
          `sql/exposed/${name}.sql reads EXPOSED.${read.toUpperCase()}, which is not an EXPOSED view declared before it in EXPOSED_VIEW_GRAINS (sql/views.ts)`,
        );
    return { name, sql, body, grain, grainKey: EXPOSED_VIEW_GRAINS[name], reads: reads as ExposedViewName[] };
  });
  return cache;
}

/** The warehouse schemas a view may read; a `<SCHEMA>.<OBJECT>` reference to one gets the database. */
export const WAREHOUSE_SCHEMAS: readonly string[] = [RAW_SCHEMA, EXPOSED_SCHEMA];

/**
 * `RAW.X` → `<database>.RAW.X` (and EXPOSED), for every reference to a warehouse schema that is not already
 * qualified (not preceded by `.`, a word character or a quote). The files' identifiers are unquoted
 * UPPER_SNAKE, so the match is exact; the tests parse the result and check every table it names.
 */
export function qualifyDatabase(sql: string, database: string): string {
  const schemas = WAREHOUSE_SCHEMAS.join('|');
  return sql.replace(new RegExp(`(?<![\\w.$"'])\\b(${schemas})\\.(?=[A-Za-z_])`, 'g'), `${database}.$1.`);
}

/** The Snowflake view statement of `view` in `database`: the file's SELECT with every warehouse name qualified. */
export function snowflakeViewStatement(view: ExposedView, database: string): string {
  return qualifyDatabase(view.body, database);
}

export type Engine = 'duckdb' | 'snowflake';

/**
 * `CREATE OR REPLACE VIEW <schema>.<name> AS <sql>`. For DuckDB the schema is `exposed` in the local
 * warehouse; for Snowflake pass the database to get a fully qualified name (the stack itself uses the
 * snowflake_view resource, this is for ad-hoc use and tests).
 */
export function viewDdl(engine: Engine, view: ExposedView, database?: string): string {
  const schema = engine === 'duckdb' ? EXPOSED_SCHEMA.toLowerCase() : EXPOSED_SCHEMA;
  const qualified = engine === 'snowflake' && database ? `${database}.${schema}` : schema;
  const name = engine === 'duckdb' ? view.name : view.name.toUpperCase();
  // A newline before the body: the file's comments must not swallow the AS.
  const sql = engine === 'snowflake' && database ? qualifyDatabase(view.sql, database) : view.sql;
  return `CREATE OR REPLACE VIEW ${qualified}.${name} AS\n${sql}`;
}
