/**
 * extract-coinlore: fetch the top `pages` × 100 tickers (serially: Coinlore publishes no rate limit and
 * community clients pace at ~1 request/s) and the market global, archive every exchange under raw/, and
 * return the raw keys per dataset for the transform Map. Returns keys and counts, never data.
 */

import { HttpClient, type HttpClientOptions } from '../adapters/http';
import type { ExtractCoinloreInput, ExtractOutput } from '../contracts';
import {
  checkGlobal,
  checkTickersPage,
  globalUrl,
  hasNextTickersPage,
  pagePart,
  tickersUrl,
} from '../core/coinlore';
import { ConfigError } from '../core/errors';
import type { HandlerDeps } from '../deps';
import { lambdaHandler } from './aws-deps';
import { withRunContext } from './run-logger';

/** HTTP tuning a caller may override (tests shorten the timeout). */
export type HttpTuning = Partial<Omit<HttpClientOptions, 'lake' | 'logger' | 'now' | 'sleep' | 'userAgent'>>;

/** Parse the partition time the state machine computed; a bad value is a config/contract error. */
export function parsePartitionTime(value: string): Date {
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new ConfigError(`partitionTime "${value}" is not an ISO-8601 time`);
  return t;
}

export function createExtractCoinlore(
  deps: HandlerDeps,
  http: HttpTuning = {},
): (input: ExtractCoinloreInput) => Promise<ExtractOutput> {
  return async (input) => {
    const partitionTime = parsePartitionTime(input.partitionTime);
    if (!Number.isInteger(input.pages) || input.pages < 1 || input.pages > 200)
      throw new ConfigError(`pages must be an integer from 1 to 200, got ${input.pages}`);
    const logger = withRunContext(deps.logger, { run_id: input.runId, function: 'extract-coinlore' });
    const client = new HttpClient({ ...http, lake: deps.lake, logger, now: deps.now, sleep: deps.sleep });

    const tickerKeys: string[] = [];
    let tickers = 0;
    for (let page = 0; ; page++) {
      const url = tickersUrl(deps.coinloreBaseUrl, page);
      const res = await client.request({
        method: 'GET',
        url,
        source: 'coinlore',
        endpoint: 'tickers',
        partitionTime,
        part: pagePart(page),
      });
      const checked = checkTickersPage(res.json, `GET ${url}`);
      tickerKeys.push(res.rawKey);
      tickers += checked.rows.length;
      if (!hasNextTickersPage(page, checked.rows.length, input.pages, checked.coinsNum)) break;
    }

    const gUrl = globalUrl(deps.coinloreBaseUrl);
    const g = await client.request({
      method: 'GET',
      url: gUrl,
      source: 'coinlore',
      endpoint: 'global',
      partitionTime,
      part: pagePart(0),
    });
    checkGlobal(g.json, `GET ${gUrl}`);

    logger.info('coinlore extracted', { pages: tickerKeys.length, tickers, requests: client.attempts });
    return {
      source: 'coinlore',
      requests: client.attempts,
      batches: [
        { dataset: 'coinlore_tickers', rawKeys: tickerKeys },
        { dataset: 'coinlore_global', rawKeys: [g.rawKey] },
      ],
    };
  };
}

/** The Lambda entry (image command `extract-coinlore.handler`). */
export const handler = lambdaHandler('extract-coinlore', createExtractCoinlore, (out: ExtractOutput) => ({
  HttpRequests: out.requests,
  RawEnvelopes: out.batches.reduce((n, b) => n + b.rawKeys.length, 0),
}));
