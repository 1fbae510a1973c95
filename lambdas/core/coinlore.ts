/**
 * Coinlore extraction logic, pure: URLs, raw-key parts, shape checks and the paging decision.
 * Facts (docs/external-facts.md#coinlore-api): `/tickers/?start=<offset>&limit=<n>` (max 100, 0-based offset, sorted by
 * rank) answers `{data:[…], info:{coins_num, time}}`; `/global/` answers an array of one object.
 */
import { SchemaDriftError } from './errors';

/** Coinlore's maximum `limit`. */
export const COINLORE_PAGE_SIZE = 100;

/**
 * Ticker fields the pipeline cannot do without (the required columns of coinlore_tickers:
 * coin_id ← id, symbol, name, price_usd). A field missing from EVERY row is schema drift; missing from
 * a few rows is a data problem the transform sends to rejects/.
 */
export const REQUIRED_TICKER_FIELDS = ['id', 'symbol', 'name', 'price_usd'] as const;
export const REQUIRED_GLOBAL_FIELDS = ['coins_count', 'total_mcap'] as const;

const base = (url: string) => url.replace(/\/+$/, '');

export function tickersUrl(baseUrl: string, page: number): string {
  return `${base(baseUrl)}/tickers/?start=${page * COINLORE_PAGE_SIZE}&limit=${COINLORE_PAGE_SIZE}`;
}

export function globalUrl(baseUrl: string): string {
  return `${base(baseUrl)}/global/`;
}

/** Raw-key part of a tickers page: `p000`, `p001`, … (three digits: the universe is ~150 pages). */
export function pagePart(page: number): string {
  return `p${String(page).padStart(3, '0')}`;
}

export interface TickersPage {
  readonly rows: readonly unknown[];
  /** info.coins_num: the size of the universe, when sent. */
  readonly coinsNum?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields of `required` that no object of `rows` has. */
function missingEverywhere(rows: readonly unknown[], required: readonly string[]): string[] {
  return required.filter((f) => !rows.some((r) => isObject(r) && f in r));
}

/** Check a tickers body; throws SchemaDriftError naming the field that changed. */
export function checkTickersPage(body: unknown, where: string): TickersPage {
  if (!isObject(body))
    throw new SchemaDriftError(`${where}: expected an object with "data", got ${describe(body)}`);
  if (!Array.isArray(body.data))
    throw new SchemaDriftError(
      `${where}: field "data" is missing or not an array (got ${describe(body.data)})`,
    );
  const missing = body.data.length > 0 ? missingEverywhere(body.data, REQUIRED_TICKER_FIELDS) : [];
  if (missing.length > 0)
    throw new SchemaDriftError(
      `${where}: ticker field "${missing[0]}" is missing from every row (fields: ${missing.join(', ')})`,
    );
  const info = body.info;
  const coinsNum = isObject(info) && typeof info.coins_num === 'number' ? info.coins_num : undefined;
  return { rows: body.data, coinsNum };
}

/** Check a global body (an array holding one object). */
export function checkGlobal(body: unknown, where: string): void {
  if (!Array.isArray(body) || body.length === 0 || !isObject(body[0]))
    throw new SchemaDriftError(`${where}: expected an array holding one object, got ${describe(body)}`);
  const missing = missingEverywhere(body, REQUIRED_GLOBAL_FIELDS);
  if (missing.length > 0) throw new SchemaDriftError(`${where}: global field "${missing[0]}" is missing`);
}

/**
 * Whether to fetch page `page + 1` after page `page` returned `rows` rows: not when the wanted number of
 * pages is reached, the page was short (end of the universe), or info.coins_num is covered.
 */
export function hasNextTickersPage(
  page: number,
  rows: number,
  pagesWanted: number,
  coinsNum?: number,
): boolean {
  if (page + 1 >= pagesWanted) return false;
  if (rows < COINLORE_PAGE_SIZE) return false;
  if (coinsNum !== undefined && (page + 1) * COINLORE_PAGE_SIZE >= coinsNum) return false;
  return true;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `a string (${v.length} chars)`;
  return typeof v === 'object' ? `an object with keys ${Object.keys(v).slice(0, 5).join(',')}` : typeof v;
}
