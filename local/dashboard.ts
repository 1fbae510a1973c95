/**
 * The local dashboard: one static HTML file built from the warehouse's EXPOSED views (the same views BI
 * reads in Snowflake). Vega, Vega-Lite and vega-embed are inlined from node_modules and the data is
 * embedded, so the page opens from file:// with no server and no network.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureDirSync } from '../lambdas/adapters/ensure-dir';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { rawTableName } from '../sql/ddl';
import { LOAD_ERRORS_TABLE, LOAD_HISTORY_TABLE, openWarehouse, type Row, type Warehouse } from './warehouse';

/** How many coins (by market cap) the price charts show. */
export const TOP_COINS = 6;
/**
 * An hour of a subreddit with fewer items than this is drawn hollow and not joined to its neighbours: the
 * mean of a handful of items swings with one post, and a line through such points suggests a trend that
 * is not there.
 */
export const MIN_ITEMS_FOR_TREND = 10;
/** Hours (each with enough items) a subreddit needs before its points are joined by a line. */
export const MIN_HOURS_FOR_TREND = 3;

export interface ChartData {
  readonly id: string;
  readonly title: string;
  readonly subtitle: string;
  readonly rows: readonly Row[];
  /** A Vega-Lite spec without data; the page injects `rows` as `data.values`. */
  readonly spec: Record<string, unknown>;
}

export interface DashboardFacts {
  readonly generatedAt: string;
  readonly rawRows: Readonly<Record<string, number>>;
  readonly filesLoaded: number;
  readonly latestLoad: string | null;
  readonly firstExtraction: string | null;
  readonly lastExtraction: string | null;
  readonly alerts?: number;
}

export interface DashboardOptions {
  readonly warehousePath: string;
  /** Output HTML file. */
  readonly outPath: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Alerts raised by the runs shown (header). */
  readonly alerts?: number;
}

const utcX = (field: string, title: string | null = null) => ({
  field,
  type: 'temporal',
  title,
  scale: { type: 'utc' },
  axis: { labelAngle: 0, tickCount: 5, labelOverlap: true },
});
const utcTooltip = (field: string, title: string) => ({
  field,
  type: 'temporal',
  timeUnit: 'utcyearmonthdatehoursminutes',
  title,
});

/** Query every chart's data from the EXPOSED views. */
export async function chartData(wh: Warehouse): Promise<ChartData[]> {
  const topCoins = await wh.query(`
    WITH top AS (
      SELECT coin_id FROM exposed.latest_prices ORDER BY market_cap_usd DESC NULLS LAST, rank LIMIT ${TOP_COINS}
    )
    SELECT p.symbol, p.name, p.extracted_at, p.price_usd, p.market_cap_usd / 1e9 AS market_cap_bn, p.rank
    FROM exposed.price_history p JOIN top USING (coin_id)
    ORDER BY p.rank, p.extracted_at`);
  const symbolsByRank = [...new Set(topCoins.map((r) => String(r.symbol)))];
  const market = await wh.query(`
    SELECT extracted_at, total_mcap / 1e12 AS total_mcap_tn, btc_d, eth_d, avg_change_percent
    FROM exposed.market_overview ORDER BY extracted_at`);
  const dominance = market.flatMap((r) => [
    { extracted_at: r.extracted_at, coin: 'BTC', dominance: r.btc_d },
    { extracted_at: r.extracted_at, coin: 'ETH', dominance: r.eth_d },
  ]);
  const subreddit = await wh.query(`
    SELECT subreddit, hour_at, item_count, post_count, comment_count, avg_sentiment_comparative,
      positive_share, negative_share
    FROM exposed.subreddit_sentiment_hourly ORDER BY hour_at, subreddit`);
  const coinSentiment = await wh.query(`
    WITH m AS (
      SELECT coin_id, symbol, SUM(mention_count) AS mentions,
        SUM(avg_sentiment_comparative * mention_count) / SUM(mention_count) AS avg_sentiment
      FROM exposed.coin_sentiment_hourly GROUP BY coin_id, symbol
    )
    SELECT m.symbol, m.mentions, m.avg_sentiment, l.percent_change_24h, l.price_usd
    FROM m JOIN exposed.latest_prices l USING (coin_id)
    WHERE l.percent_change_24h IS NOT NULL
    ORDER BY m.mentions DESC`);
  const health = await wh.query(`
    SELECT dataset, hour_at, file_count, row_count, last_extracted_at, last_loaded_at
    FROM exposed.ingestion_health ORDER BY dataset, hour_at`);
  // Freshness per dataset: its latest extraction, and how far it trails the newest extraction of any
  // dataset (a replay has no "now", so the lag between datasets is what shows a stalled one).
  const freshness = await wh.query(`
    WITH latest AS (
      SELECT dataset, MAX(last_extracted_at) AS last_extracted_at, SUM(row_count) AS row_count
      FROM exposed.ingestion_health GROUP BY dataset
    )
    , errors AS (SELECT dataset, COUNT(*) AS n FROM ${LOAD_ERRORS_TABLE} GROUP BY dataset)
    SELECT latest.dataset, last_extracted_at, row_count,
      CAST(DATE_DIFF('minute', last_extracted_at, MAX(last_extracted_at) OVER ()) AS DOUBLE) AS minutes_behind,
      CAST(COALESCE(errors.n, 0) AS INTEGER) AS load_errors
    FROM latest LEFT JOIN errors ON errors.dataset = latest.dataset ORDER BY latest.dataset`);

  return [
    {
      id: 'top-prices',
      title: `Top ${TOP_COINS} coins: price over time`,
      subtitle: 'USD per coin at each extraction; each panel has its own scale.',
      rows: topCoins,
      spec: {
        facet: { field: 'symbol', type: 'nominal', title: null, sort: symbolsByRank },
        columns: 3,
        spec: {
          width: 340,
          height: 110,
          mark: { type: 'line', point: { size: 18 }, strokeWidth: 2, color: '#2563eb' },
          encoding: {
            x: { ...utcX('extracted_at'), axis: { labelAngle: 0, tickCount: 3, labelOverlap: true } },
            y: {
              field: 'price_usd',
              type: 'quantitative',
              title: null,
              scale: { zero: false },
              axis: { format: '$,.5~r', tickCount: 4 },
            },
            tooltip: [
              { field: 'name', title: 'coin' },
              utcTooltip('extracted_at', 'extracted (UTC)'),
              { field: 'price_usd', type: 'quantitative', title: 'price USD', format: '$,.4~g' },
            ],
          },
        },
        resolve: { scale: { y: 'independent' } },
      },
    },
    {
      id: 'top-market-cap',
      title: `Top ${TOP_COINS} coins: market capitalisation`,
      subtitle: 'Billions of USD, log scale.',
      rows: topCoins,
      spec: {
        width: 'container',
        height: 240,
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: utcX('extracted_at'),
          y: {
            field: 'market_cap_bn',
            type: 'quantitative',
            title: 'USD bn',
            scale: { type: 'log' },
            // Log axes label every 1…9 multiple: keep 1-2-5 steps readable.
            axis: {
              format: '~s',
              labelExpr:
                "test(/^(1|2|5)(0*|k|M)?$/, datum.label) || test(/^(10|20|50|100|200|500)(k|M)?$/, datum.label) ? datum.label : ''",
              grid: false,
            },
          },
          color: { field: 'symbol', type: 'nominal', sort: symbolsByRank, title: null },
          tooltip: [
            { field: 'symbol' },
            utcTooltip('extracted_at', 'extracted (UTC)'),
            { field: 'market_cap_bn', type: 'quantitative', title: 'market cap USD bn', format: ',.1f' },
          ],
        },
      },
    },
    {
      id: 'market-overview',
      title: 'Market overview',
      subtitle: 'Total crypto market capitalisation (USD tn) at each extraction.',
      rows: market,
      spec: {
        width: 'container',
        height: 240,
        mark: { type: 'line', color: '#0f766e', strokeWidth: 2.5, point: { color: '#0f766e' } },
        encoding: {
          x: utcX('extracted_at'),
          y: {
            field: 'total_mcap_tn',
            type: 'quantitative',
            title: 'USD tn',
            scale: { zero: false },
            axis: { format: ',.3~f' },
          },
          tooltip: [
            utcTooltip('extracted_at', 'extracted (UTC)'),
            {
              field: 'total_mcap_tn',
              type: 'quantitative',
              title: 'total market cap USD tn',
              format: ',.3f',
            },
            { field: 'avg_change_percent', type: 'quantitative', title: 'avg 24h change %', format: '.2f' },
          ],
        },
      },
    },
    {
      id: 'dominance',
      title: 'BTC and ETH dominance',
      subtitle: 'Share of total market capitalisation, percent.',
      rows: dominance,
      spec: {
        width: 'container',
        height: 240,
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: utcX('extracted_at'),
          y: { field: 'dominance', type: 'quantitative', title: '% of market cap', scale: { zero: false } },
          color: {
            field: 'coin',
            type: 'nominal',
            title: null,
            scale: { domain: ['BTC', 'ETH'], range: ['#f59e0b', '#6366f1'] },
          },
          tooltip: [
            { field: 'coin' },
            utcTooltip('extracted_at', 'extracted (UTC)'),
            { field: 'dominance', type: 'quantitative', title: 'dominance %', format: '.2f' },
          ],
        },
      },
    },
    {
      id: 'subreddit-sentiment',
      title: 'Sentiment per subreddit over time',
      subtitle: `Mean sentiment (VADER-style compound, −1 … 1) of posts and comments by the hour they were created (UTC); the number is the items in that hour. Hours with fewer than ${MIN_ITEMS_FOR_TREND} items are hollow; points are joined only from ${MIN_HOURS_FOR_TREND} solid hours on: fewer say nothing about a trend.`,
      rows: subreddit,
      spec: {
        width: 'container',
        height: 260,
        transform: [{ calculate: `datum.item_count >= ${MIN_ITEMS_FOR_TREND}`, as: 'enough' }],
        layer: [
          { mark: { type: 'rule', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
          {
            // Lines only through hours with enough items, and only for a subreddit with at least
            // MIN_HOURS_FOR_TREND such hours: two points always make a line, never a trend.
            transform: [
              { filter: 'datum.enough' },
              { joinaggregate: [{ op: 'count', as: 'hours' }], groupby: ['subreddit'] },
              { filter: `datum.hours >= ${MIN_HOURS_FOR_TREND}` },
            ],
            mark: { type: 'line', strokeWidth: 1.5, opacity: 0.6 },
            encoding: {
              x: utcX('hour_at'),
              y: {
                field: 'avg_sentiment_comparative',
                type: 'quantitative',
                title: 'sentiment (compound, −1 … 1)',
              },
              color: { field: 'subreddit', type: 'nominal', title: null },
            },
          },
          {
            mark: { type: 'point', strokeWidth: 1.5 },
            encoding: {
              x: utcX('hour_at'),
              y: { field: 'avg_sentiment_comparative', type: 'quantitative' },
              color: { field: 'subreddit', type: 'nominal', title: null },
              fill: {
                condition: { test: 'datum.enough', field: 'subreddit', type: 'nominal' },
                value: 'white',
              },
              size: {
                field: 'item_count',
                type: 'quantitative',
                title: 'items',
                scale: { range: [15, 250] },
              },
              tooltip: [
                { field: 'subreddit' },
                utcTooltip('hour_at', 'hour (UTC)'),
                { field: 'item_count', type: 'quantitative', title: 'items' },
                { field: 'post_count', type: 'quantitative', title: 'posts' },
                { field: 'comment_count', type: 'quantitative', title: 'comments' },
                {
                  field: 'avg_sentiment_comparative',
                  type: 'quantitative',
                  title: 'sentiment',
                  format: '.3f',
                },
                { field: 'positive_share', type: 'quantitative', title: 'positive', format: '.0%' },
                { field: 'negative_share', type: 'quantitative', title: 'negative', format: '.0%' },
              ],
            },
          },
          {
            mark: { type: 'text', dy: -10, fontSize: 10, color: '#4b5563' },
            encoding: {
              x: utcX('hour_at'),
              y: { field: 'avg_sentiment_comparative', type: 'quantitative' },
              text: { field: 'item_count', type: 'quantitative' },
            },
          },
        ],
      },
    },
    {
      id: 'coin-sentiment-vs-price',
      title: 'Sentiment vs price change per coin',
      subtitle:
        'Mean sentiment of Reddit items mentioning the coin vs its latest 24h price change; size = mentions.',
      rows: coinSentiment,
      spec: {
        width: 'container',
        height: 260,
        layer: [
          { mark: { type: 'rule', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { x: { datum: 0 } } },
          {
            mark: { type: 'circle', opacity: 0.75, stroke: '#1f2937', strokeWidth: 0.5 },
            encoding: {
              x: { field: 'avg_sentiment', type: 'quantitative', title: 'mean sentiment (compound, −1 … 1)' },
              y: { field: 'percent_change_24h', type: 'quantitative', title: 'price change 24h, %' },
              size: {
                field: 'mentions',
                type: 'quantitative',
                scale: { range: [30, 900] },
                title: 'mentions',
              },
              color: {
                field: 'percent_change_24h',
                type: 'quantitative',
                scale: { scheme: 'redyellowgreen', domainMid: 0 },
                title: 'price change 24h, %',
                legend: { orient: 'right', gradientLength: 120 },
              },
              tooltip: [
                { field: 'symbol' },
                { field: 'mentions', type: 'quantitative' },
                { field: 'avg_sentiment', type: 'quantitative', title: 'sentiment', format: '.3f' },
                { field: 'percent_change_24h', type: 'quantitative', title: 'change 24h %', format: '.2f' },
              ],
            },
          },
          {
            mark: { type: 'text', dy: -12, fontSize: 11, fontWeight: 'bold' },
            encoding: {
              x: { field: 'avg_sentiment', type: 'quantitative' },
              y: { field: 'percent_change_24h', type: 'quantitative' },
              text: { field: 'symbol' },
            },
          },
        ],
      },
    },
    {
      id: 'ingestion-health',
      title: 'Ingestion health',
      subtitle:
        'Rows loaded into RAW per dataset and hour of extraction (UTC); an empty cell is an hour a dataset has no rows for.',
      rows: health,
      spec: {
        width: 'container',
        height: 180,
        encoding: {
          x: {
            ...utcX('hour_at', 'extraction hour (UTC)'),
            timeUnit: 'utcyearmonthdatehours',
            type: 'ordinal',
          },
          y: { field: 'dataset', type: 'nominal', title: null, sort: [...DATASET_NAMES] },
        },
        layer: [
          {
            mark: { type: 'rect', cornerRadius: 2 },
            encoding: {
              color: {
                field: 'row_count',
                type: 'quantitative',
                // Log: a 1-row dataset (global market) must stay visible beside thousands of tickers.
                scale: { type: 'log', scheme: 'blues' },
                title: 'rows',
              },
              tooltip: [
                { field: 'dataset' },
                utcTooltip('hour_at', 'extraction hour (UTC)'),
                { field: 'row_count', type: 'quantitative', title: 'rows' },
                { field: 'file_count', type: 'quantitative', title: 'files' },
                utcTooltip('last_extracted_at', 'last extracted (UTC)'),
                utcTooltip('last_loaded_at', 'last loaded (UTC)'),
              ],
            },
          },
          {
            mark: { type: 'text', fontSize: 10 },
            encoding: {
              text: { field: 'row_count', type: 'quantitative' },
              color: { condition: { test: 'datum.row_count > 100', value: 'white' }, value: '#111827' },
            },
          },
        ],
      },
    },
    {
      id: 'dataset-freshness',
      title: 'Freshness per dataset',
      subtitle:
        'Latest extraction loaded per dataset, and how many minutes it trails the newest dataset (0 = current). Red: the local Snowpipe could not load some of its files (load errors; `fdl status`).',
      rows: freshness,
      spec: {
        width: 'container',
        height: 140,
        encoding: { y: { field: 'dataset', type: 'nominal', title: null, sort: [...DATASET_NAMES] } },
        layer: [
          {
            mark: { type: 'bar', cornerRadiusEnd: 3 },
            encoding: {
              color: { condition: { test: 'datum.load_errors > 0', value: '#dc2626' }, value: '#f59e0b' },
              x: {
                field: 'minutes_behind',
                type: 'quantitative',
                title: 'minutes behind the newest dataset',
                // At least 0–10 min, so "all current" (every bar 0) reads as such, not as a broken axis.
                scale: { domain: [0, Math.max(10, ...freshness.map((r) => Number(r.minutes_behind)))] },
                axis: { format: 'd' },
              },
              tooltip: [
                { field: 'dataset' },
                utcTooltip('last_extracted_at', 'last extracted (UTC)'),
                { field: 'minutes_behind', type: 'quantitative', title: 'minutes behind' },
                { field: 'row_count', type: 'quantitative', title: 'rows in RAW' },
                { field: 'load_errors', type: 'quantitative', title: 'files not loadable' },
              ],
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: {
              x: { field: 'minutes_behind', type: 'quantitative' },
              text: {
                field: 'last_extracted_at',
                type: 'temporal',
                timeUnit: 'utcyearmonthdatehoursminutes',
                format: '%Y-%m-%d %H:%M UTC',
              },
            },
          },
        ],
      },
    },
  ];
}

/** Header facts: RAW row counts, files loaded, extraction window. */
export async function dashboardFacts(wh: Warehouse, now: Date, alerts?: number): Promise<DashboardFacts> {
  const rawRows: Record<string, number> = {};
  for (const d of DATASET_NAMES)
    rawRows[d] = Number((await wh.query(`SELECT count(*) AS n FROM raw.${rawTableName(d)}`))[0]!.n);
  const [files] = await wh.query(`SELECT count(*) AS n, max(loaded_at) AS latest FROM ${LOAD_HISTORY_TABLE}`);
  const [window] = await wh.query(
    'SELECT min(extracted_at) AS first, max(extracted_at) AS last FROM exposed.market_overview',
  );
  return {
    generatedAt: now.toISOString(),
    rawRows,
    filesLoaded: Number(files!.n),
    latestLoad: (files!.latest as string | null) ?? null,
    firstExtraction: (window!.first as string | null) ?? null,
    lastExtraction: (window!.last as string | null) ?? null,
    alerts,
  };
}

const require = createRequire(import.meta.url);

/** A package's folder: its `exports` hide build/ files from require.resolve, so walk up from its entry. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
  ) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
  return dir;
}

/** The minified builds, in dependency order (each UMD bundle reads the previous one's global). */
function inlineLibraries(): string {
  return [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([pkg, file]) => {
      const p = `${pkg}/${file}`;
      const code = readFileSync(join(packageDir(pkg!), file!), 'utf8').replace(/<\/script/gi, '<\\/script');
      return `<script>/* ${p} (inlined so the page works offline) */\n${code}\n</script>`;
    })
    .join('\n');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** JSON safe inside <script>: no `</script>` or `<!--` can appear. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const fmtTime = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

/** Render the HTML page. */
export function renderDashboardHtml(charts: readonly ChartData[], facts: DashboardFacts): string {
  const stat = (label: string, value: string) =>
    `<div class="stat"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
  const stats = [
    ...DATASET_NAMES.map((d) => stat(`${d} rows`, facts.rawRows[d]!.toLocaleString('en-US'))),
    stat('files loaded', String(facts.filesLoaded)),
    ...(facts.alerts === undefined ? [] : [stat('alerts', String(facts.alerts))]),
  ].join('');
  const cards = charts
    .map(
      (c) => `<section class="card${c.id === 'top-prices' ? ' wide' : ''}">
  <h2>${escapeHtml(c.title)}</h2><p class="sub">${escapeHtml(c.subtitle)}</p>
  <div class="chart" id="chart-${c.id}" data-rows="${c.rows.length}"></div>
</section>`,
    )
    .join('\n');
  const payload = charts.map((c) => ({ id: c.id, rows: c.rows, spec: c.spec }));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>finance-de-lab dashboard</title>
<style>
  :root { --fg: #111827; --muted: #6b7280; --card: #ffffff; --bg: #f3f4f6; --accent: #2563eb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { padding: 20px 28px 12px; background: #0f172a; color: #f8fafc; }
  header h1 { margin: 0 0 4px; font-size: 22px; }
  header .meta { color: #cbd5e1; font-size: 13px; }
  .stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
  .stat { background: #1e293b; border-radius: 8px; padding: 8px 14px; min-width: 130px; }
  .stat .value { font-size: 18px; font-weight: 600; }
  .stat .label { font-size: 12px; color: #94a3b8; }
  main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; padding: 16px 28px 28px; }
  .card { background: var(--card); border-radius: 10px; padding: 14px 16px 10px; box-shadow: 0 1px 3px rgba(0,0,0,.08); min-width: 0; }
  .card.wide { grid-column: span 2; }
  .card h2 { margin: 0; font-size: 16px; }
  .card .sub { margin: 2px 0 8px; color: var(--muted); font-size: 12.5px; }
  .chart { width: 100%; }
  .empty { color: var(--muted); padding: 40px 0; text-align: center; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } .card.wide { grid-column: span 1; } }
</style>
</head>
<body>
<header>
  <h1>finance-de-lab: crypto market &amp; Reddit sentiment</h1>
  <div class="meta">Generated ${escapeHtml(fmtTime(facts.generatedAt))} · extractions ${escapeHtml(fmtTime(facts.firstExtraction))} → ${escapeHtml(fmtTime(facts.lastExtraction))} · latest load ${escapeHtml(fmtTime(facts.latestLoad))} · data from the warehouse's EXPOSED views</div>
  <div class="stats">${stats}</div>
</header>
<main>
${cards}
</main>
${inlineLibraries()}
<script>
  const CHARTS = ${scriptJson(payload)};
  window.__fdlCharts = {};
  const config = { view: { stroke: null }, axis: { labelColor: '#374151', titleColor: '#374151', gridColor: '#e5e7eb' }, legend: { orient: 'top', labelFontSize: 11 } };
  for (const c of CHARTS) {
    const el = document.getElementById('chart-' + c.id);
    if (c.rows.length === 0) {
      el.innerHTML = '<div class="empty">No data yet: run <code>fdl run</code>.</div>';
      window.__fdlCharts[c.id] = { rows: 0, rendered: false };
      continue;
    }
    // fit-x only for single views sized to their card; faceted views keep their own cell width.
    const autosize = c.spec.width === 'container' ? { autosize: { type: 'fit-x', contains: 'padding' } } : {};
    const spec = Object.assign({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config }, autosize, c.spec, { data: { values: c.rows } });
    window.__fdlCharts[c.id] = { rows: c.rows.length, rendered: false };
    vegaEmbed(el, spec, { renderer: 'svg', actions: false })
      .then((result) => { window.__fdlCharts[c.id] = { rows: c.rows.length, rendered: true, view: result.view }; })
      .catch((err) => { console.error('chart ' + c.id + ' failed: ' + err); el.innerHTML = '<div class="empty">Chart failed: ' + String(err) + '</div>'; });
  }
</script>
</body>
</html>
`;
}

/** Build the dashboard from an open warehouse. */
export async function buildDashboardFrom(
  wh: Warehouse,
  opts: Omit<DashboardOptions, 'warehousePath'>,
): Promise<{ path: string; charts: { id: string; rows: number }[] }> {
  const charts = await chartData(wh);
  const facts = await dashboardFacts(wh, (opts.now ?? (() => new Date()))(), opts.alerts);
  ensureDirSync(dirname(opts.outPath));
  writeFileSync(opts.outPath, renderDashboardHtml(charts, facts));
  return { path: opts.outPath, charts: charts.map((c) => ({ id: c.id, rows: c.rows.length })) };
}

/** Open the warehouse read-only, build the dashboard, close. */
export async function buildDashboard(
  opts: DashboardOptions,
): Promise<{ path: string; charts: { id: string; rows: number }[] }> {
  const wh = await openWarehouse(opts.warehousePath, { readOnly: true });
  try {
    return await buildDashboardFrom(wh, opts);
  } finally {
    wh.close();
  }
}
