/**
 * One transform per dataset: raw envelopes in, typed columns of exactly DATASETS[dataset].columns out
 * (a ColumnBatch, columns.ts: one column of values per schema column, no object per row).
 *
 * The column list, types and required flags come from the one schema (datasets.ts); this file only
 * says, per dataset, where a column's raw value comes from when it is not the same-named source field,
 * and which columns are computed (sentiment, mentions). Casting is cast.ts, by the column's type.
 *
 * Nothing is silently dropped:
 * - an envelope that cannot be read (non-2xx, a string body, a body without the expected listing,
 *   another dataset's endpoint) is `skipped` with the reason;
 * - a record that fails a required check (missing or uncastable value) goes to `rejects` with the reason
 *   and the record as received;
 * - Reddit `kind: "more"` stubs (links to more comments, not comments) are counted in `moreSkipped`;
 * - duplicates of a natural key within the batch (Coinlore pages shift while ranks move; Reddit pages
 *   overlap) keep the latest extraction (ties: the later envelope) and are counted in `duplicates`;
 * - values the source sent that did not cast (e.g. "NaN" in an optional column) become null and are
 *   counted per column in `nullCounts`.
 * Author names are never read into rows.
 */
import { type CoinRef, DEFAULT_COIN_UNIVERSE } from './coin-universe';
import {
  type Cell,
  type ColumnBatch,
  ColumnBuilder,
  isNumeric,
  type Row,
  rowsOf,
  type TextColumn,
} from './columns';
import { DATASETS, type DatasetName, type DatasetSpec } from './datasets';
import { type Envelope, envelopeProblem } from './envelope';
import {
  CASTS,
  type Field,
  type ObjectFill,
  objectFill,
  preview,
  type ScannedFill,
  scannedFill,
} from './fill';
import { checkJsonValue, MAX_JSON_DEPTH } from './json-guard';
import { KeyIndex } from './key-index';
import { mentionedSymbols } from './mentions';
import type { ScannedRecords } from './page-scan';
import { recordId } from './record-id';
import { scoreSentiment } from './sentiment';

export type { Cell, ColumnBatch, Row };

export interface KeyedEnvelope {
  /** The raw lake key (or file path) the envelope was read from, for reasons and rejects. */
  readonly key: string;
  readonly envelope: Envelope;
  /**
   * The records of `response.body.data` when the envelope came from `scanPage` (page-scan.ts; reprocess's
   * readEnvelope and the transform Lambda try it on every raw file): that array is then empty in
   * `envelope` and its records are read from here.
   */
  readonly scanned?: ScannedRecords;
}

export interface TransformContext {
  readonly runId: string;
  /**
   * Coins to look for in Reddit text. Default: DEFAULT_COIN_UNIVERSE (the transform of a Reddit batch
   * does not read the run's tickers: the datasets stay decoupled).
   */
  readonly universe?: readonly CoinRef[];
}

export interface Reject {
  readonly rawKey: string;
  readonly reason: string;
  /** The record as received (a ticker object, a Reddit child's `data`, …). */
  readonly record: unknown;
}

export interface Skipped {
  readonly rawKey: string;
  readonly reason: string;
}

export interface TransformResult {
  readonly dataset: DatasetName;
  /** The rows, one column of values per schema column: what the Parquet writers read. */
  readonly columns: ColumnBatch;
  /**
   * The same rows as objects, built on first access (then kept): for tests and small readers. The
   * writers and reprocess read `columns`.
   */
  readonly rows: Row[];
  readonly rejects: Reject[];
  readonly skipped: Skipped[];
  /** Per column: values the source sent (non-blank) that did not cast and became null. */
  readonly nullCounts: Record<string, number>;
  /** Rows replaced by a later extraction of the same natural key within the batch. */
  readonly duplicates: number;
  /** Reddit `kind: "more"` children: not records, counted rather than rejected. */
  readonly moreSkipped: number;
  /**
   * Records found in the envelopes that were read (`more` stubs included). Always balances:
   * records = rows + rejects + duplicates + moreSkipped.
   */
  readonly records: number;
}

type Json = Record<string, unknown>;

/** What a dataset's envelopes contain: the records, or why the envelope must be skipped. */
type Extracted = { readonly records: unknown[]; readonly more: number } | string;

interface DatasetMapping {
  /** The records inside a 2xx body, or a skip reason when the body is not the expected shape. */
  extract(body: unknown): Extracted;
  /** Reddit listings wrap each record as {kind, data}: the kind each record must have. */
  readonly childKind?: string;
  /**
   * The records are `response.body.data`, flat objects: a page from `scanPage` (page-scan.ts) is read
   * from its bytes when every column is a plain field of the record (see `scannedFill`).
   */
  readonly scanned?: boolean;
  /** Columns whose raw value is a differently named field of the record: column → field. */
  readonly renames?: Readonly<Record<string, string>>;
  /** Columns whose raw value is computed from the record. */
  readonly sources?: Readonly<Record<string, (record: Json) => unknown>>;
  /** Columns filled after casting from other cells (sentiment, mentions). */
  computed?(slot: Slot, ctx: ComputeContext): void;
}

interface ComputeContext {
  readonly universe: readonly CoinRef[];
}

/** One record's cells in the batch being built: read and write them by column name. */
interface Slot {
  text(column: string): string | null;
  set(column: string, value: string | number | null): void;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const DELETED_MARKERS = new Set(['[deleted]', '[removed]']);

const stripPrefix = (value: unknown, prefix: string): unknown =>
  typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : value;

/** Reddit text that was deleted or removed carries a marker instead of the text: store null. */
const redditText = (value: unknown): unknown =>
  typeof value === 'string' && DELETED_MARKERS.has(value) ? null : value;

const isDeleted = (record: Json, textField: string): boolean =>
  DELETED_MARKERS.has(record.author as string) || DELETED_MARKERS.has(record[textField] as string);

/** `edited` is false (never edited), true (old posts: edited, time unknown) or epoch seconds. */
const editedSeconds = (record: Json): unknown => (typeof record.edited === 'boolean' ? null : record.edited);

function redditListing(body: unknown): Extracted {
  if (!isObject(body)) return 'body is not a JSON object';
  const data = body.data;
  if (!isObject(data) || !Array.isArray(data.children)) return 'body.data.children is not an array';
  const records: unknown[] = [];
  let more = 0;
  for (const child of data.children as unknown[]) {
    if (isObject(child) && child.kind === 'more') more++;
    else records.push(child);
  }
  return { records, more };
}

function addSentiment(slot: Slot, text: string, ctx: ComputeContext): void {
  const s = scoreSentiment(text);
  slot.set('sentiment_score', s.score);
  slot.set('sentiment_comparative', s.comparative);
  slot.set('sentiment_label', s.label);
  const symbols = mentionedSymbols(text, ctx.universe);
  slot.set('mentioned_symbols', symbols.length > 0 ? symbols.join(',') : null);
}

const MAPPINGS: Readonly<Record<DatasetName, DatasetMapping>> = {
  coinlore_tickers: {
    extract: (body) =>
      isObject(body) && Array.isArray(body.data)
        ? { records: body.data as unknown[], more: 0 }
        : 'body.data is not an array (expected {"data":[…],"info":{…}})',
    renames: { coin_id: 'id' },
    // Its records are `body.data` and every column is a plain field: scanned pages are read from bytes.
    scanned: true,
  },
  coinlore_global: {
    // An array with one object. More than one would break "one row per extraction" (same record_id):
    // the first is the row, any other element is rejected with a reason.
    extract: (body) =>
      Array.isArray(body) && body.length > 0 ? { records: body, more: 0 } : 'body is not a non-empty array',
  },
  reddit_posts: {
    extract: redditListing,
    childKind: 't3',
    sources: {
      post_id: (r) => stripPrefix(r.id ?? r.name, 't3_'),
      selftext: (r) => redditText(r.selftext),
      is_over_18: (r) => r.over_18,
      is_deleted: (r) => isDeleted(r, 'selftext'),
      edited_at: editedSeconds,
    },
    computed: (slot, ctx) => {
      const title = slot.text('title') ?? '';
      const selftext = slot.text('selftext');
      addSentiment(slot, selftext ? `${title}\n${selftext}` : title, ctx);
    },
  },
  reddit_comments: {
    extract: redditListing,
    childKind: 't1',
    sources: {
      comment_id: (r) => stripPrefix(r.id ?? r.name, 't1_'),
      post_id: (r) => stripPrefix(r.link_id, 't3_'),
      body: (r) => redditText(r.body),
      is_deleted: (r) => isDeleted(r, 'body'),
      edited_at: editedSeconds,
    },
    computed: (slot, ctx) => addSentiment(slot, slot.text('body') ?? '', ctx),
  },
};

/** Columns filled by the transform itself rather than from the record. */
const COMMON = new Set(['record_id', 'run_id', 'extracted_at']);
const COMPUTED = new Set([
  'sentiment_score',
  'sentiment_comparative',
  'sentiment_label',
  'mentioned_symbols',
]);

interface Plan {
  readonly spec: DatasetSpec;
  readonly mapping: DatasetMapping;
  /** Column index by name (schema order). */
  readonly index: Readonly<Record<string, number>>;
  /** Casts a parsed record's fields into a slot of the batch; returns the problems, if any. */
  readonly fill: ObjectFill;
  /** The same from a scanned page's bytes, for datasets whose values are all plain record fields. */
  readonly scanned: ScannedFill | undefined;
}

/** The columns of `dataset` read from each record (not the common or computed ones), as the fills take them. */
export function recordFields(dataset: DatasetName): Field[] {
  const spec = DATASETS[dataset];
  const mapping = MAPPINGS[dataset];
  return spec.columns
    .map((c, column) => {
      const read = mapping.sources?.[c.name];
      return {
        name: c.name,
        column,
        required: c.required,
        numeric: isNumeric(c.type),
        text: c.type === 'string',
        source: read ? undefined : (mapping.renames?.[c.name] ?? c.name),
        read,
        cast: CASTS[c.type],
      };
    })
    .filter((f) => !COMMON.has(f.name) && !COMPUTED.has(f.name));
}

function planFor(dataset: DatasetName): Plan {
  const spec = DATASETS[dataset];
  const mapping = MAPPINGS[dataset];
  const fields = recordFields(dataset);
  return {
    spec,
    mapping,
    index: Object.fromEntries(spec.columns.map((c, i) => [c.name, i])),
    fill: objectFill(fields),
    scanned: mapping.scanned ? scannedFill(fields) : undefined,
  };
}

const PLANS = new Map<DatasetName, Plan>();
const plan = (dataset: DatasetName): Plan => {
  let p = PLANS.get(dataset);
  if (!p) {
    p = planFor(dataset);
    PLANS.set(dataset, p);
  }
  return p;
};

/**
 * The record kept in a reject: as received, unless it is nested too deep to serialise (it would
 * crash the rejects file's JSON.stringify), then a note saying so. Only rejects are walked: the
 * accepted path reads named fields and never recurses, so deep values elsewhere are harmless.
 */
function rejectedRecord(record: unknown): unknown {
  return checkJsonValue(record) === undefined
    ? record
    : { omitted: `record nested deeper than ${MAX_JSON_DEPTH} levels` };
}

/** Why an envelope cannot feed `dataset`, or its records. */
function envelopeRecords(spec: DatasetSpec, mapping: DatasetMapping, envelope: Envelope): Extracted {
  const problem = envelopeProblem(envelope);
  if (problem) return `not an envelope: ${problem}`;
  if (envelope.source !== spec.source || envelope.endpoint !== spec.endpoint)
    return `envelope is ${envelope.source}/${envelope.endpoint}, not ${spec.name} (${spec.source}/${spec.endpoint})`;
  const { status, body } = envelope.response;
  if (status < 200 || status > 299) return `HTTP ${status}`;
  if (typeof body === 'string') return `body is not JSON (${body.length} characters of text)`;
  return mapping.extract(body);
}

/**
 * An incremental transform of one batch: `add` envelopes one at a time (so a caller can drop each
 * parsed envelope right after: reprocess keeps memory and GC low this way), then `result()`.
 */
export interface BatchTransformer {
  add(envelope: KeyedEnvelope): void;
  result(): TransformResult;
}

export function createBatchTransformer(dataset: DatasetName, ctx: TransformContext): BatchTransformer {
  const { spec, mapping, fill, scanned: fillScanned, index } = plan(dataset);
  const compute: ComputeContext = { universe: ctx.universe ?? DEFAULT_COIN_UNIVERSE };
  // One column at most, a required string column (test/lambdas/columns.test.ts): the dedupe index
  // reads its bytes.
  if (spec.naturalKey.length > 1)
    throw new Error(`${dataset}: a natural key of more than one column is not supported by the dedupe`);
  const keyColumn = spec.naturalKey.length === 1 ? index[spec.naturalKey[0]!]! : undefined;
  const recordIdColumn = index.record_id!;
  const runIdColumn = index.run_id!;
  const extractedAtColumn = index.extracted_at!;
  const batch = new ColumnBuilder(dataset);
  /** The slot being filled, by column name, for the computed columns. */
  let current = 0;
  const slot: Slot = {
    text: (column) => batch.text(index[column]!, current),
    set: (column, value) => batch.set(index[column]!, current, value),
  };
  const rejects: Reject[] = [];
  const skipped: Skipped[] = [];
  const nullCounts: Record<string, number> = {};
  /** The row of each natural id, for dedupe. */
  const seen = keyColumn === undefined ? undefined : new KeyIndex(batch.columns[keyColumn] as TextColumn);
  let duplicates = 0;
  let moreSkipped = 0;
  let records = 0;

  /** Opens the next free slot for a record: its cells go there, and it becomes a row only on commit. */
  const open = (extractedAt: number): number => {
    const at = batch.length;
    batch.reserve(at);
    current = at;
    batch.set(runIdColumn, at, ctx.runId);
    batch.set(extractedAtColumn, at, extractedAt);
    return at;
  };

  /** Fills a parsed record into slot `at`; false when it was rejected. */
  const fillRecord = (key: string, record: Json, at: number): boolean => {
    const problems = fill(record, batch.columns, at, nullCounts);
    if (problems) rejects.push({ rawKey: key, reason: problems.join('; '), record: rejectedRecord(record) });
    return problems === undefined;
  };

  /** The filled slot `at` becomes a row: computed columns, record_id, then dedupe by natural key. */
  const commit = (at: number, extractedAt: number, extractedIso: string): void => {
    mapping.computed?.(slot, compute);
    const naturalId = keyColumn === undefined ? undefined : batch.text(keyColumn, at)!;
    batch.set(recordIdColumn, at, recordId(spec.source, naturalId, extractedIso));

    const previous = seen ? seen.claim(at) : -1;
    if (previous < 0) batch.commit();
    else {
      // Keep the latest extraction, in the first one's place (ties: the later envelope).
      duplicates++;
      const kept = (batch.columns[extractedAtColumn] as Float64Array)[previous]!;
      if (extractedAt >= kept) batch.copySlot(at, previous);
    }
  };

  const add = ({ key, envelope, scanned }: KeyedEnvelope): void => {
    if (scanned && !fillScanned) {
      // A dataset that does not read bytes gets the records as JSON.parse gives them, in their place (the
      // envelope is the scan's own object). Only a page that is not what its source and endpoint say
      // comes here: a tickers page is read from bytes.
      const page = scanned;
      (envelope.response.body as Json).data = Array.from({ length: page.count }, (_, r) =>
        page.parseRecord(r),
      );
      scanned = undefined;
    }
    const extracted = envelopeRecords(spec, mapping, envelope);
    if (typeof extracted === 'string') {
      skipped.push({ rawKey: key, reason: extracted });
      return;
    }
    moreSkipped += extracted.more;
    records += extracted.records.length + extracted.more;
    const extractedAt = new Date(envelope.fetched_at).getTime();
    const extractedIso = new Date(extractedAt).toISOString();

    if (scanned && fillScanned) {
      records += scanned.count;
      for (let r = 0; r < scanned.count; r++) {
        const at = open(extractedAt);
        // The bytes cover the common case; any other record is parsed and takes the object path.
        if (fillScanned(scanned, r, batch.columns, at) || fillRecord(key, scanned.parseRecord(r), at))
          commit(at, extractedAt, extractedIso);
      }
    }

    for (let i = 0; i < extracted.records.length; i++) {
      const raw = extracted.records[i];
      if (dataset === 'coinlore_global' && i > 0) {
        rejects.push({
          rawKey: key,
          reason: 'extra element in the global array (one row per extraction)',
          record: rejectedRecord(raw),
        });
        continue;
      }
      let record: unknown = raw;
      if (mapping.childKind) {
        if (!isObject(raw) || raw.kind !== mapping.childKind || !isObject(raw.data)) {
          const kind = isObject(raw) ? preview(raw.kind) : typeof raw;
          rejects.push({
            rawKey: key,
            reason: `expected a ${mapping.childKind} child, got kind ${kind}`,
            record: rejectedRecord(raw),
          });
          continue;
        }
        record = raw.data;
      }
      if (!isObject(record)) {
        rejects.push({
          rawKey: key,
          reason: `record is not an object (${preview(record)})`,
          record: rejectedRecord(raw),
        });
        continue;
      }
      const at = open(extractedAt);
      if (fillRecord(key, record, at)) commit(at, extractedAt, extractedIso);
    }
  };
  return {
    add,
    result: () => {
      const columns = batch.finish();
      let rows: Row[] | undefined;
      return {
        dataset,
        columns,
        get rows() {
          rows ??= rowsOf(columns);
          return rows;
        },
        rejects,
        skipped,
        nullCounts,
        duplicates,
        moreSkipped,
        records,
      };
    },
  };
}

/** Transforms the envelopes of one batch into rows of `dataset` (see the module comment). */
export function transformEnvelopes(
  dataset: DatasetName,
  envelopes: readonly KeyedEnvelope[],
  ctx: TransformContext,
): TransformResult {
  const batch = createBatchTransformer(dataset, ctx);
  for (const e of envelopes) batch.add(e);
  return batch.result();
}

/** A mention universe from ticker rows of this run (symbol + name), in rank order. */
export function universeFromTickerRows(rows: readonly Row[]): CoinRef[] {
  return [...rows]
    .sort((a, b) => ((a.rank as number | null) ?? Infinity) - ((b.rank as number | null) ?? Infinity))
    .map((r) => ({ symbol: r.symbol as string, name: r.name as string }));
}
