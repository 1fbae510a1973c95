/**
 * The Lambda's Parquet writer (lambdas/adapters/parquet.ts, parquet-pages.ts) at the level of the format:
 * definition levels as the specification lays them out, and statistics a reader can trust. The oracle
 * for statistics is DuckDB itself: what it reads from the file's values must lie within, and reach, the
 * min/max the footer claims; a wrong min/max would make a reader skip row groups that hold matches.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { snappyCompress, snappyCompressor } from 'hysnappy';
import thrift from 'parquetjs-lite/gen-nodejs/parquet_types.js';
import util from 'parquetjs-lite/lib/util.js';
import snappyjs from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATED_BY,
  checkPage,
  compressPage,
  joinSnappy,
  MAX_PAGE_BYTES,
  PARQUET_TYPES,
  SNAPPY_MAX_PAGE_BYTES,
  SNAPPY_MIN_SAVING_ONE_IN,
  SNAPPY_PROBE_BYTES,
  STATISTICS_TRUNCATE_BYTES,
  snappyBound,
  writeParquet,
} from '../../lambdas/adapters/parquet';
import { type Bound, columnPage, definitionLevels } from '../../lambdas/adapters/parquet-pages';
import { columnsOf, type Row, TextColumn } from '../../lambdas/core/columns';
import { type ColumnType, DATASETS } from '../../lambdas/core/datasets';
import { inMemoryDuckDb } from '../support/duckdb';

let dir: string;
const { q } = inMemoryDuckDb();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdl-parquet-pages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const POSTS = DATASETS.reddit_posts.columns;
const SQL_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

/** reddit_posts rows (it has every logical type) from one value list per type, cycled per column. */
function postRows(n: number, values: { [T in ColumnType]: readonly unknown[] }, nullEvery = 0): Row[] {
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      POSTS.map((c, j) => {
        const list = values[c.type];
        const v = list[(i * 3 + j) % list.length];
        return [c.name, nullEvery > 0 && (i + j) % nullEvery === 0 ? null : v];
      }),
    ),
  ) as Row[];
}

async function written(name: string, rows: readonly Row[]): Promise<string> {
  const file = join(dir, `${name}.parquet`);
  await writeFile(file, await writeParquet(columnsOf('reddit_posts', rows)));
  return file;
}

/** Per column: the footer's statistics next to DuckDB's own min/max/null count over the values it reads. */
async function statisticsVsValues(file: string) {
  const stats = await q(
    `SELECT path_in_schema AS name, stats_min_value AS lo, stats_max_value AS hi, stats_null_count::BIGINT AS nulls FROM parquet_metadata('${file}')`,
  );
  return Promise.all(
    POSTS.map(async (c) => {
      const s = stats.find((r) => r.name === c.name)!;
      const [v] = await q(
        `SELECT (min(${c.name}) = CAST(${s.lo === null ? 'NULL' : `'${String(s.lo).replaceAll("'", "''")}'`} AS ${SQL_TYPE[c.type]}))::VARCHAR AS lo_ok,
                (max(${c.name}) = CAST(${s.hi === null ? 'NULL' : `'${String(s.hi).replaceAll("'", "''")}'`} AS ${SQL_TYPE[c.type]}))::VARCHAR AS hi_ok,
                (count(*) - count(${c.name}))::BIGINT AS nulls, count(${c.name})::BIGINT AS present
         FROM read_parquet('${file}')`,
      );
      return {
        name: c.name,
        lo: s.lo,
        hi: s.hi,
        loOk: v!.lo_ok,
        hiOk: v!.hi_ok,
        nulls: [s.nulls, v!.nulls],
        present: v!.present,
      };
    }),
  );
}

const HOSTILE = {
  // U+FF5E sorts after U+1F600 in UTF-16 units (0xFF5E > 0xD83D) but before it in UTF-8 bytes (EF < F0).
  string: ['\uFF5E', '😀', 'zebra', '', 'nul\u0000byte', 'Ünïcode 中文', 'A'],
  int: [9007199254740991, -9007199254740991, 0, -1, 4294967296, -4294967297, 2147483648],
  double: [1e-300, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, -0, 1.7976931348623157e308],
  timestamp: [0, -1, 1788363842123, -8.64e15, 8.64e15].map((ms) => new Date(ms)),
  boolean: [true, false, false],
};

describe('Parquet statistics', () => {
  it('give each column the min and max DuckDB reads from its values, strings in UTF-8 byte order', async () => {
    const file = await written('hostile', postRows(29, HOSTILE, 5));
    for (const s of await statisticsVsValues(file)) {
      expect([s.name, s.loOk, s.hiOk], `${s.name}: ${s.lo}..${s.hi}`).toEqual([s.name, 'true', 'true']);
      expect(s.nulls[0], s.name).toBe(s.nulls[1]);
    }
    const [title] = await q(
      `SELECT stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 'title'`,
    );
    expect(title!.hi).toBe('😀');
  });

  it('are absent for a column of nulls only, with its null count', async () => {
    const rows = postRows(11, HOSTILE).map((r) => ({ ...r, score: null, is_self: null, title: null }));
    const file = await written('nulls', rows);
    const stats = await q(
      `SELECT path_in_schema AS name, stats_min_value AS lo, stats_max_value AS hi, stats_null_count::INT AS nulls FROM parquet_metadata('${file}') WHERE path_in_schema IN ('score', 'is_self', 'title') ORDER BY name`,
    );
    expect(stats).toEqual(
      ['is_self', 'score', 'title'].map((name) => ({ name, lo: null, hi: null, nulls: 11 })),
    );
  });

  it(`truncate a string bound over ${STATISTICS_TRUNCATE_BYTES} bytes to a shorter one that still holds, marked inexact`, async () => {
    const low = `a${'é'.repeat(STATISTICS_TRUNCATE_BYTES)}`;
    const high = `z${'\u{10FFFF}'.repeat(STATISTICS_TRUNCATE_BYTES)}`;
    const rows = postRows(5, HOSTILE).map((r, i) => ({
      ...r,
      selftext: i === 1 ? low : i === 3 ? high : 'middle',
    }));
    const file = await written('long', rows);
    const [s] = await q(
      `SELECT stats_min_value AS lo, stats_max_value AS hi, min_is_exact, max_is_exact, octet_length(encode(stats_min_value))::INT AS lo_bytes, octet_length(encode(stats_max_value))::INT AS hi_bytes
       FROM parquet_metadata('${file}') WHERE path_in_schema = 'selftext'`,
    );
    expect([s!.min_is_exact, s!.max_is_exact]).toEqual([false, false]);
    expect(s!.lo_bytes).toBeLessThanOrEqual(STATISTICS_TRUNCATE_BYTES);
    expect(s!.hi_bytes).toBeLessThanOrEqual(STATISTICS_TRUNCATE_BYTES);
    // Still bounds, in UTF-8 byte order: lo <= every value <= hi.
    const order = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
    for (const v of [low, high, 'middle']) {
      expect(order(String(s!.lo), v), `lo vs ${v.slice(0, 3)}`).toBeLessThanOrEqual(0);
      expect(order(String(s!.hi), v), `hi vs ${v.slice(0, 3)}`).toBeGreaterThanOrEqual(0);
    }
    for (const v of [low, high]) {
      const [n] = await q(`SELECT count(*)::INT AS n FROM read_parquet('${file}') WHERE selftext = '${v}'`);
      expect(n!.n).toBe(1);
    }
  });

  it('never hide a matching row from a filter on its min or max value', async () => {
    const rows = postRows(29, HOSTILE, 5);
    const file = await written('filters', rows);
    for (const c of POSTS) {
      const [ends] = await q(
        `SELECT min(${c.name})::VARCHAR AS lo, max(${c.name})::VARCHAR AS hi FROM read_parquet('${file}')`,
      );
      for (const edge of [ends!.lo, ends!.hi]) {
        if (edge === null) continue;
        const literal = `CAST('${String(edge).replaceAll("'", "''")}' AS ${SQL_TYPE[c.type]})`;
        const [hit] = await q(
          `SELECT count(*)::INT AS n FROM read_parquet('${file}') WHERE ${c.name} = ${literal}`,
        );
        expect(hit!.n, `${c.name} = ${edge}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('a second reader', () => {
  it('hyparquet reads back 1,000 rows with nulls in every column (bit-packed levels before the values)', async () => {
    const rows = postRows(1000, HOSTILE, 3);
    const bytes = await writeParquet(columnsOf('reddit_posts', rows));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const read = await parquetReadObjects({ file, columns: POSTS.map((c) => c.name) });
    const nulls = (r: Record<string, unknown>) =>
      POSTS.map((c) => r[c.name] === null || r[c.name] === undefined);
    expect(read.map(nulls)).toEqual(rows.map(nulls));
    expect(read.map((r) => r.post_id)).toEqual(rows.map((r) => r.post_id));
  });

  it('hyparquet reads back every input cell of hostile rows, in order', async () => {
    const rows = postRows(29, HOSTILE, 5);
    const bytes = await writeParquet(columnsOf('reddit_posts', rows));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const read = await parquetReadObjects({ file });
    // As the column batch stores them: epoch ms for times, numbers for ints, -0 as 0.
    const norm = (v: unknown) =>
      v instanceof Date
        ? v.getTime()
        : typeof v === 'bigint'
          ? Number(v)
          : Object.is(v, -0)
            ? 0
            : (v ?? null);
    expect(read.map((r) => POSTS.map((c) => norm(r[c.name])))).toEqual(
      rows.map((r) => POSTS.map((c) => norm(r[c.name]))),
    );
  });
});

describe('Parquet file layout', () => {
  it('writes a file of no rows that reads as the schema and zero rows', async () => {
    const file = await written('empty', []);
    expect(await q(`SELECT count(*)::INT AS n FROM read_parquet('${file}')`)).toEqual([{ n: 0 }]);
    const described = await q(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(described.map((c) => c.column_name)).toEqual(POSTS.map((c) => c.name));
  });

  it('has no row group when it has no rows', async () => {
    const file = await written('empty-groups', []);
    const [meta] = await q(`SELECT num_row_groups::INT AS groups FROM parquet_file_metadata('${file}')`);
    expect(meta).toEqual({ groups: 0 });
  });

  it('records each column chunk where it is, with its sizes and encodings', async () => {
    const rows = postRows(9, HOSTILE, 4);
    const file = await written('sizes', rows);
    const bytes = await readFile(file);
    const batch = columnsOf('reddit_posts', rows);
    const chunks = await q(
      `SELECT path_in_schema AS name, data_page_offset::BIGINT AS page_at,
              total_compressed_size::BIGINT AS compressed, total_uncompressed_size::BIGINT AS uncompressed, encodings,
              compression, row_group_bytes::BIGINT AS group_bytes
       FROM parquet_metadata('${file}') ORDER BY column_id`,
    );
    expect(chunks.map((c) => c.name)).toEqual(POSTS.map((c) => c.name));
    let total = 0;
    chunks.forEach((c, i) => {
      // Pages follow one another after the magic: a chunk is exactly its page (header + body).
      const next = chunks[i + 1];
      if (i === 0) expect(Number(c.page_at)).toBe(4);
      if (next) expect(Number(next.page_at) - Number(c.page_at)).toBe(Number(c.compressed));
      // Uncompressed = the same page header plus the page body as encoded, before any Snappy; the
      // chunk ends with the stored body, which decodes (snappyjs, not the writer's Snappy) to that body.
      const body = columnPage(PARQUET_TYPES[POSTS[i]!.type].physical, batch.columns[i]!).body;
      const storedLength = body.length - (Number(c.uncompressed) - Number(c.compressed));
      const end = Number(c.page_at) + Number(c.compressed);
      const stored = bytes.subarray(end - storedLength, end);
      const decoded = c.compression === 'SNAPPY' ? snappyjs.uncompress(stored) : stored;
      expect(Buffer.from(decoded).equals(Buffer.from(body)), c.name as string).toBe(true);
      expect(String(c.encodings)).toMatch(/PLAIN/);
      total += Number(c.uncompressed);
    });
    expect(Number(chunks[0]!.group_bytes)).toBe(total);
    // Both kinds of chunk are checked above.
    expect(new Set(chunks.map((c) => c.compression))).toEqual(new Set(['SNAPPY', 'UNCOMPRESSED']));
  });

  it('writes the same bytes for the same batch, whatever was written before', async () => {
    // hysnappy's match table outlives a call. In A, "utsQ" first occurs at byte 13, inside the copy of
    // "zyxwvuts" (a match: its positions are not entered in the table), and again after "0123456789".
    // A fresh table has no entry for it there, so the second one is stored as literal bytes. A table
    // left by B, whose literal "utsQ" is also at byte 13, points back to byte 13 and finds a match, so
    // A's page would come out shorter. Both texts sit at the same offset in their one-row pages. One
    // compressor per file keeps a file's bytes a function of its batch.
    const a = `zyxwvutszyxwvutsQ0123456789utsQ${'!'.repeat(200)}`;
    const b = `abcdefghijklmutsQ${'#'.repeat(50)}`;
    const file = (text: string) =>
      writeParquet(columnsOf('reddit_posts', postRows(1, { ...HOSTILE, string: [text] })));
    const first = Buffer.from(await file(a));
    await file(b);
    expect(Buffer.from(await file(a)).equals(first)).toBe(true);
    // The same holds for a page compressed on its own.
    const page = Buffer.from(a);
    const alone = Buffer.from(compressPage(page).bytes);
    compressPage(Buffer.from(b));
    expect(Buffer.from(compressPage(page).bytes).equals(alone)).toBe(true);
  });

  it('declares a type-defined sort order for every column, which readers need to trust min_value/max_value', async () => {
    // Decoded by parquetjs-lite's Thrift reader, independent of the encoder that wrote it.
    const bytes = Buffer.from(await writeParquet(columnsOf('reddit_posts', postRows(3, HOSTILE))));
    const length = bytes.readUInt32LE(bytes.length - 8);
    const footer = new thrift.FileMetaData();
    util.decodeThrift(footer, bytes.subarray(bytes.length - 8 - length, bytes.length - 8));
    const orders = footer.column_orders as { TYPE_ORDER?: unknown }[];
    expect(orders.length).toBe(POSTS.length);
    expect(orders.every((o) => o.TYPE_ORDER)).toBe(true);
    expect(footer.created_by).toMatch(/^finance-de-lab version \d+\.\d+\.\d+$/);
  });

  it('refuses a column shorter than the batch, naming it, instead of writing a corrupt file', async () => {
    const batch = columnsOf('reddit_posts', postRows(3, HOSTILE));
    const columns = [...batch.columns];
    const title = POSTS.findIndex((c) => c.name === 'title');
    columns[title] = (columns[title] as TextColumn).head(2);
    await expect(writeParquet({ ...batch, columns })).rejects.toThrow(
      /column title holds 2 values but the batch has 3 rows/,
    );
  });

  it('refuses a page Parquet cannot describe (over 2^31 - 1 bytes)', () => {
    expect(() => checkPage('body', 5, 5, MAX_PAGE_BYTES)).not.toThrow();
    expect(() => checkPage('body', 5, 5, MAX_PAGE_BYTES + 1)).toThrow(
      /column body needs a 2147483648-byte page/,
    );
  });

  it('names its writer in the footer and holds one row group of one page per column', async () => {
    const file = await written('layout', postRows(9, HOSTILE, 4));
    const [meta] = await q(
      `SELECT created_by, num_rows::INT AS rows, num_row_groups::INT AS groups FROM parquet_file_metadata('${file}')`,
    );
    expect(meta).toEqual({ created_by: CREATED_BY, rows: 9, groups: 1 });
  });

  it.each([1, 7, 8, 9, 17, 64])('reads back %i rows of mixed nulls and booleans in order', async (n) => {
    const rows = postRows(n, HOSTILE, 3);
    const file = await written(`order-${n}`, rows);
    const read = await q(
      `SELECT is_self, is_over_18, score::VARCHAR AS score, title FROM read_parquet('${file}')`,
    );
    expect(read).toEqual(
      rows.map((r) => ({
        is_self: r.is_self,
        is_over_18: r.is_over_18,
        score: r.score === null ? null : String(r.score),
        title: r.title,
      })),
    );
  });
});

describe('large Snappy pages', () => {
  it('DuckDB reads back Snappy pages of about 1 MB, each column compressed after a larger one', async () => {
    // 3,000 rows of ~300-character texts: string pages of about 1 MB, many times the probe, in columns of
    // growing and shrinking size (the file's compressor reuses its memory and grows it).
    const texts = Array.from(
      { length: 997 },
      (_, k) => `post ${k}: ${'the market and the chart '.repeat(12)}`,
    );
    const rows = postRows(3000, { ...HOSTILE, string: texts });
    const file = await written('large', rows);
    const strings = POSTS.filter((c) => c.type === 'string').map((c) => c.name);
    const chunks = await q(
      `SELECT path_in_schema AS name, compression, total_uncompressed_size::BIGINT AS raw
       FROM parquet_metadata('${file}') WHERE path_in_schema IN (${strings.map((n) => `'${n}'`).join(', ')})`,
    );
    expect(chunks.length).toBe(strings.length);
    for (const c of chunks) {
      expect(c.compression, c.name as string).toBe('SNAPPY');
      expect(Number(c.raw), c.name as string).toBeGreaterThan(4 * SNAPPY_PROBE_BYTES);
    }
    const read = await q(
      `SELECT ${strings.join(', ')} FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
    );
    expect(read).toEqual(rows.map((r) => Object.fromEntries(strings.map((n) => [n, r[n]]))));
  });
});

describe('compressPage', () => {
  const random = (n: number, seed = 1) => {
    let a = seed;
    return Uint8Array.from({ length: n }, () => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return a >>> 24;
    });
  };
  const repetitive = (n: number) => Uint8Array.from({ length: n }, (_, i) => 'abcabcabd'.charCodeAt(i % 9));

  // The writer's decisions are judged with its own compressor (hysnappy: compression ratios differ
  // between Snappy implementations); what it stores is decoded by another one (snappyjs), so a page that
  // only hysnappy could read back would fail here.
  const decoded = (bytes: Uint8Array) => Buffer.from(snappyjs.uncompress(bytes));

  it('keeps a page Snappy cannot shrink as it is, uncompressed', () => {
    const body = random(200_000);
    expect((body.length - snappyCompress(body).length) * 10).toBeLessThan(body.length);
    const page = compressPage(body);
    expect(page.codec).toBe('UNCOMPRESSED');
    expect(page.bytes).toBe(body);
  });

  it('Snappy-compresses a page that shrinks, whole, into a block that decompresses to it', () => {
    for (const n of [100, SNAPPY_PROBE_BYTES, SNAPPY_PROBE_BYTES + 1, 300_000]) {
      const body = repetitive(n);
      const page = compressPage(body);
      expect(page.codec, String(n)).toBe('SNAPPY');
      expect((n - page.bytes.length) * 10).toBeGreaterThanOrEqual(n);
      expect(decoded(page.bytes).equals(body)).toBe(true);
    }
  });

  it('stores the whole page compressed, not its probe, at every length around the probe and beyond', () => {
    // Lengths just under, at and over the probe, and pages of several times its size. Text with random
    // runs at different places, so a stretch dropped or put in the wrong place changes what is decoded.
    const lengths = [
      SNAPPY_PROBE_BYTES - 1,
      SNAPPY_PROBE_BYTES,
      SNAPPY_PROBE_BYTES + 1,
      5 * SNAPPY_PROBE_BYTES + 1,
      2 ** 21 + 70_000,
    ];
    for (const n of lengths) {
      const body = repetitive(n);
      for (let at = 1000; at + 3000 < n; at += 47_000) body.set(random(3000, at), at);
      const page = compressPage(body);
      expect(page.codec, String(n)).toBe('SNAPPY');
      expect(decoded(page.bytes).equals(Buffer.from(body)), String(n)).toBe(true);
    }
  });

  it('joins two Snappy blocks into one that decodes to both inputs, with headers of 1 to 4 bytes', () => {
    // Totals around each point where the varint length header gains a byte (2^7, 2^14, 2^21), split
    // unevenly; repetitive text with random runs, so copies and literals both occur on both sides.
    const text = (n: number, seed: number) => {
      const t = repetitive(n);
      for (let at = 7; at + 500 < n; at += 9_000) t.set(random(500, seed + at), at);
      return t;
    };
    for (const total of [1, 127, 128, 129, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 21 + 5]) {
      for (const cut of [0, 1, Math.floor(total / 3), total - 1, total]) {
        if (cut < 0 || cut > total) continue;
        const body = text(total, cut);
        const joined = joinSnappy(
          snappyCompress(body.subarray(0, cut)),
          snappyCompress(body.subarray(cut)),
          total,
        );
        expect(decoded(joined).equals(Buffer.from(body)), `${total} cut at ${cut}`).toBe(true);
        // The header holds the total: a header of a part's length would decode to a shorter block.
        expect(snappyjs.uncompress(joined).length, `${total} cut at ${cut}`).toBe(total);
      }
    }
  });

  it("reserves Snappy's worst case: at least what it writes for bytes that do not compress", () => {
    for (const n of [0, 1, 1000, SNAPPY_PROBE_BYTES + 1, 300_000])
      expect(snappyBound(n), String(n)).toBeGreaterThanOrEqual(snappyCompress(random(n, n + 7)).length);
  });

  it('gives each page its own bytes, decodable whatever the compressor did before', () => {
    // One compressor serves a whole file and reuses one WebAssembly memory: a result must be a copy,
    // not a view of that memory, and a page must decode to itself after other pages.
    const snappy = snappyCompressor();
    const small = repetitive(3000);
    const large = repetitive(SNAPPY_PROBE_BYTES * 3);
    for (let at = 1000; at + 3000 < large.length; at += 47_000) large.set(random(3000, at), at);
    const results = [small, large].map((page) => compressPage(page, snappy).bytes);
    const kept = results.map((r) => Buffer.from(r));
    for (const n of [50, 3000, 400_000])
      compressPage(
        repetitive(n).map((b) => b ^ 1),
        snappy,
      );
    for (const [k, r] of results.entries()) expect(Buffer.from(r).equals(kept[k]!), String(k)).toBe(true);
    expect(decoded(results[0]!).equals(Buffer.from(small))).toBe(true);
    expect(decoded(results[1]!).equals(Buffer.from(large))).toBe(true);
    const again = compressPage(large, snappy);
    expect(again.codec).toBe('SNAPPY');
    expect(decoded(again.bytes).equals(Buffer.from(large))).toBe(true);
  });

  it(`stores a page over ${SNAPPY_MAX_PAGE_BYTES} bytes uncompressed, without reading it`, () => {
    // A zeroed 1 GiB array is only reserved until its pages are touched: if compressPage read it (it
    // would compress extremely well) the test would take seconds and a gigabyte of memory.
    const huge = new Uint8Array(SNAPPY_MAX_PAGE_BYTES + 1);
    const page = compressPage(huge);
    expect(page.codec).toBe('UNCOMPRESSED');
    expect(page.bytes).toBe(huge);
  });

  it('keeps every byte of a page whose head compresses and whose rest does not', () => {
    const body = new Uint8Array(SNAPPY_PROBE_BYTES + 600_000);
    body.set(repetitive(SNAPPY_PROBE_BYTES));
    body.set(random(600_000), SNAPPY_PROBE_BYTES);
    const page = compressPage(body);
    expect(page.codec).toBe('SNAPPY');
    expect(page.bytes.length).toBeGreaterThan(600_000);
    expect(decoded(page.bytes).equals(Buffer.from(body))).toBe(true);
  });

  it(`judges a page by its first ${SNAPPY_PROBE_BYTES} bytes only`, () => {
    const headRandom = new Uint8Array(3 * SNAPPY_PROBE_BYTES);
    headRandom.set(random(SNAPPY_PROBE_BYTES));
    headRandom.set(repetitive(2 * SNAPPY_PROBE_BYTES), SNAPPY_PROBE_BYTES);
    // Whole, this page would shrink by well over a tenth; its head would not.
    expect(snappyCompress(headRandom).length).toBeLessThan(headRandom.length * 0.5);
    expect(compressPage(headRandom).codec).toBe('UNCOMPRESSED');
    const headRepetitive = new Uint8Array(3 * SNAPPY_PROBE_BYTES);
    headRepetitive.set(repetitive(SNAPPY_PROBE_BYTES));
    headRepetitive.set(random(2 * SNAPPY_PROBE_BYTES), SNAPPY_PROBE_BYTES);
    const page = compressPage(headRepetitive);
    expect(page.codec).toBe('SNAPPY');
    expect(decoded(page.bytes).equals(Buffer.from(headRepetitive))).toBe(true);
  });

  it(`draws the line at a saving of exactly one byte in ${SNAPPY_MIN_SAVING_ONE_IN}`, () => {
    // Pages of n random bytes then m zeros: zeros compress to almost nothing, so as m grows the saving
    // crosses a tenth; look for a page saving exactly a tenth and one saving a byte less.
    const saved = (b: Uint8Array) => b.length - snappyCompress(b).length;
    let exact: Uint8Array | undefined;
    let under: Uint8Array | undefined;
    for (let n = 900; n < 1000 && !(exact && under); n++) {
      const head = random(n, n);
      for (let m = 80; m < 200; m++) {
        const b = new Uint8Array(n + m);
        b.set(head);
        const margin = saved(b) * SNAPPY_MIN_SAVING_ONE_IN - b.length;
        if (margin === 0) exact ??= b;
        if (margin < 0 && margin > -SNAPPY_MIN_SAVING_ONE_IN) under ??= b;
        if (margin > 0) break;
      }
    }
    expect(exact).toBeDefined();
    expect(under).toBeDefined();
    expect(compressPage(exact!).codec).toBe('SNAPPY');
    expect(compressPage(under!).codec).toBe('UNCOMPRESSED');
  });
});

describe('definition levels (RLE / bit-packed hybrid, bit width 1, after a 4-byte length)', () => {
  const levels = (present: number[]) =>
    Array.from(
      definitionLevels(Uint8Array.from(present), present.length, present.filter((p) => p === 0).length),
    );

  it('are one RLE run of 1 when nothing is null: header rows << 1, then the level', () => {
    expect(levels([1, 1, 1])).toEqual([2, 0, 0, 0, 3 << 1, 1]);
  });

  it('are one RLE run of 0 when everything is null', () => {
    expect(levels([0, 0])).toEqual([2, 0, 0, 0, 2 << 1, 0]);
  });

  it('are one bit-packed run otherwise: header groups << 1 | 1, levels least significant bit first', () => {
    // 9 levels = 2 groups of 8: 1,0,1,1,0,0,0,0 → 0b00001101; 1 → 0b00000001.
    expect(levels([1, 0, 1, 1, 0, 0, 0, 0, 1])).toEqual([3, 0, 0, 0, (2 << 1) | 1, 0b00001101, 0b00000001]);
  });

  it('write a run header of exactly 128 as two varint bytes (the continuation bit set on the first)', () => {
    // 64 rows: header 128 = 0b1_0000000 → 0x80 0x01.
    expect(levels(Array(64).fill(1))).toEqual([3, 0, 0, 0, 0x80, 0x01, 1]);
  });

  it('write a run header of more than 7 bits as a multi-byte varint', () => {
    // 100 rows: header 200 = 0b1_1001000 → 0xC8 0x01.
    expect(levels(Array(100).fill(1))).toEqual([3, 0, 0, 0, 0xc8, 0x01, 1]);
  });
});

describe('columnPage', () => {
  const bytes = (text: string) => Array.from(Buffer.from(text, 'utf8'));
  const plain = (b: Bound | undefined) => (b instanceof Uint8Array ? Array.from(b) : b);
  const stats = (page: { min?: Bound; max?: Bound }) => [plain(page.min), plain(page.max)];

  it('orders ASCII strings as text, ignoring nulls', () => {
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(['b', null, 'a', 'c', 'ab'])))).toEqual([
      bytes('a'),
      bytes('c'),
    ]);
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of([null, 'only'])))).toEqual([
      bytes('only'),
      bytes('only'),
    ]);
  });

  it('orders a prefix before the longer string, and an empty string before every other', () => {
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(['ab', 'a', 'abc'])))).toEqual([
      bytes('a'),
      bytes('abc'),
    ]);
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(['b', '', null])))).toEqual([[], bytes('b')]);
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(['one'])))).toEqual([bytes('one'), bytes('one')]);
    // '' and the next value share a start: the shorter still orders first.
    expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(['', 'b'])))).toEqual([[], bytes('b')]);
  });

  it('writes each value as its length and UTF-8 bytes, short and long alike, nulls left out', () => {
    const long = `${'é'.repeat(40)}!`; // 81 bytes: over the length copied byte by byte
    const column = TextColumn.of(['ab', null, long, 'ab']);
    const page = columnPage('BYTE_ARRAY', column);
    const value = (text: string) => [
      ...new Uint8Array(Uint32Array.of(Buffer.byteLength(text)).buffer),
      ...bytes(text),
    ];
    // Levels 1,0,1,1 → one bit-packed group 0b1101, after their 4-byte length.
    expect(Array.from(page.body)).toEqual([
      2,
      0,
      0,
      0,
      3,
      0b1101,
      ...value('ab'),
      ...value(long),
      ...value('ab'),
    ]);
    expect(page.nulls).toBe(1);
    expect(stats(page)).toEqual([bytes('ab'), bytes(long)]);
    // The bounds are copies: a page's statistics do not keep the column's whole byte store alive.
    expect((page.min as Uint8Array).buffer).not.toBe(column.bytes.buffer);
  });

  it.each([[['\uFF5E', '😀']], [['😀', '\uFF5E']]])(
    'orders non-ASCII strings by their UTF-8 bytes, not UTF-16 units (%j)',
    (values) => {
      expect(stats(columnPage('BYTE_ARRAY', TextColumn.of(values)))).toEqual([bytes('\uFF5E'), bytes('😀')]);
    },
  );

  it('bit-packs booleans after their levels, first value in the lowest bit, and writes nothing more', () => {
    const page = columnPage('BOOLEAN', [true, null, false, true]);
    // Levels 1,0,1,1 → one bit-packed group 0b1101; values true,false,true → 0b101.
    expect(Array.from(page.body)).toEqual([2, 0, 0, 0, (1 << 1) | 1, 0b1101, 0b101]);
    expect(stats(page)).toEqual([false, true]);
    expect(stats(columnPage('BOOLEAN', [true, true]))).toEqual([true, true]);
    expect(stats(columnPage('BOOLEAN', [false, null]))).toEqual([false, false]);
    // Nine rows, the last null: two groups of levels (0xff, then 0), and one byte of eight true values.
    const nine = columnPage('BOOLEAN', [...Array(8).fill(true), null]);
    expect(Array.from(nine.body)).toEqual([3, 0, 0, 0, (2 << 1) | 1, 0xff, 0, 0xff]);
  });

  it('writes a zero DOUBLE min as -0 and a zero max as +0, as the specification asks', () => {
    const [min, max] = stats(columnPage('DOUBLE', Float64Array.of(0, 1)));
    expect(Object.is(min, -0)).toBe(true);
    const [, top] = stats(columnPage('DOUBLE', Float64Array.of(-1, -0)));
    expect(Object.is(top, 0)).toBe(true);
    expect(max).toBe(1);
  });

  it('writes DOUBLE values as 8 little-endian bytes each, min and max over the non-null ones', () => {
    const page = columnPage('DOUBLE', Float64Array.of(2.5, Number.NaN, -1));
    const values = page.body.subarray(page.body.length - 16);
    const view = new DataView(values.buffer, values.byteOffset, 16);
    expect([view.getFloat64(0, true), view.getFloat64(8, true)]).toEqual([2.5, -1]);
    expect(stats(page)).toEqual([-1, 2.5]);
  });

  it('refuses a column whose values do not match its physical type', () => {
    expect(() => columnPage('INT64', TextColumn.of(['1']))).toThrow(/Float64Array/);
    expect(() => columnPage('BYTE_ARRAY', new Float64Array(1))).toThrow(/needs a TextColumn/);
    expect(() => columnPage('BYTE_ARRAY', [true])).toThrow(/needs a TextColumn/);
    expect(() => columnPage('BOOLEAN', TextColumn.of(['true']))).toThrow(/array of booleans/);
  });

  it('encodes INT64 values as two 32-bit little-endian words, negatives in two’s complement', () => {
    const page = columnPage('INT64', Float64Array.of(-4294967297, Number.NaN, 2 ** 53 - 1));
    const values = page.body.subarray(page.body.length - 16);
    const view = new DataView(values.buffer, values.byteOffset, 16);
    expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).toEqual([-4294967297n, 9007199254740991n]);
    expect(page.nulls).toBe(1);
    expect(stats(page)).toEqual([-4294967297, 2 ** 53 - 1]);
  });
});
