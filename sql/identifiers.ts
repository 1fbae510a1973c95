/**
 * Identifier spelling shared by the SQL (sql/) and the infrastructure (stacks/naming.ts, which imports it:
 * the dependency runs stacks → sql, never back).
 */

/** The words of an identifier in any spelling: `coinloreTickers`, `coinlore-tickers` → coinlore, tickers. */
export const words = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

export const snake = (s: string) => words(s).join('_');
export const upperSnake = (s: string) => snake(s).toUpperCase();

/**
 * A Snowflake schema-level object name (table, stage, pipe, view): `COINLORE_TICKERS`. Unquoted
 * UPPER_SNAKE, so the same text resolves in Snowflake (which upper-cases unquoted identifiers) and DuckDB.
 */
export const snowflakeObjectName = (name: string): string => upperSnake(name);
