/**
 * `fdl reprocess` on hostile archives: deep and huge JSON, raw files without a run stamp, counts that
 * must balance, links out of --raw, content in error messages, and the run/time/dataset filters.
 */
import { mkdir, mkdtemp, open, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reprocess } from '../../cli/reprocess';
import { createReprocessCommand, partitionTimeOfRun } from '../../cli/reprocess-command';
import { existingFile } from '../../cli/reprocess-core';
import { writeParquet } from '../../lambdas/adapters/parquet';
import { MAX_JSON_CHARS } from '../../lambdas/core/json-guard';
import { datasetKey, rawKey, rejectsKey } from '../../lambdas/core/lake';
import { transformEnvelopes } from '../../lambdas/core/transform';
import { inMemoryDuckDb } from '../support/duckdb';
import { comment, envelope, keyed, listing, ticker, tickersBody } from './envelope-builder';

const RUN_A = new Date('2026-11-24T10:20:00.000Z');
const RUN_B = new Date('2026-11-24T10:30:00.000Z');
const at = (t: Date, s: number) => new Date(t.getTime() + s * 1000).toISOString();
const deep = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

let tmp: string;
const { q } = inMemoryDuckDb();
const count = async (f: string) => (await q(`SELECT count(*)::INT AS n FROM read_parquet('${f}')`))[0]!.n;

/** Writes `value` at `key` under `root`: text and bytes as they are, anything else as JSON. */
async function put(root: string, key: string, value: unknown): Promise<void> {
  const path = join(root, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value),
  );
}

const tickersEnvelope = (ids: number[], fetchedAt: string) =>
  envelope('coinlore', 'tickers', tickersBody(ids.map((id) => ticker(id))), { fetchedAt });
/** Five tickers of run A, transformed: a Parquet file's worth of real rows. */
const fiveTickers = () =>
  transformEnvelopes('coinlore_tickers', [keyed('k', tickersEnvelope([1, 2, 3, 4, 5], at(RUN_A, 1)))], {
    runId: 'r',
  });

function sink() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'fdl-reprocess-safety-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('transformEnvelopes on hostile values', () => {
  it('rejects a record with a reason instead of overflowing the stack when a value is nested 100,000 levels deep', () => {
    const body = JSON.parse(
      `{"data":[${JSON.stringify(ticker(1))},${JSON.stringify(ticker(2)).replace('"price_usd":"2.50"', `"price_usd":${deep(100_000)}`)}]}`,
    );
    const result = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', envelope('coinlore', 'tickers', body))],
      {
        runId: 'r',
      },
    );
    expect(result.rows.map((r) => r.coin_id)).toEqual(['1']);
    expect(result.rejects).toHaveLength(1);
    expect(result.rejects[0]!.reason).toBe('invalid price_usd: a value nested deeper than 128 levels');
    expect(result.rejects[0]!.record).toEqual({ omitted: 'record nested deeper than 128 levels' });
    // The reject can be serialised (the rejects file is JSON Lines).
    expect(() => JSON.stringify(result.rejects)).not.toThrow();
  });

  it('names an overflowing number by its value, not null, when a required double is 1e400', () => {
    const body = JSON.parse(
      `{"data":[${JSON.stringify(ticker(1)).replace('"price_usd":"1.25"', '"price_usd":1e400')}]}`,
    );
    const result = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', envelope('coinlore', 'tickers', body))],
      {
        runId: 'r',
      },
    );
    expect(result.rejects.map((r) => r.reason)).toEqual(['invalid price_usd: Infinity']);
  });

  it('rejects a numeric id beyond 2^53 instead of collapsing it into another coin when both arrive in one batch', () => {
    // 2^53 + 1 cannot be held by a double: JSON.parse reads it as 2^53, the id of another coin.
    const text = `{"data":[${JSON.stringify(ticker(1, { id: '9007199254740992' }))},${JSON.stringify(ticker(2)).replace('"id":"2"', '"id":9007199254740993')}]}`;
    const result = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', envelope('coinlore', 'tickers', JSON.parse(text)))],
      { runId: 'r' },
    );
    expect(result.rows.map((r) => r.coin_id)).toEqual(['9007199254740992']);
    expect(result.duplicates).toBe(0);
    expect(result.rejects.map((r) => r.reason)).toEqual([
      'invalid coin_id: 9007199254740992 (beyond 2^53: digits were lost when the JSON was parsed)',
    ]);
  });
});

describe('reprocess on hostile archives', () => {
  it('lands every good file and reports deep and huge files with their path when they sort first', async () => {
    const root = join(tmp, 'deep');
    await put(root, 'raw/coinlore/tickers/aaa_deep.json', deep(100_000));
    await put(root, 'raw/coinlore/tickers/aab_huge.json', `{"a":"${'x'.repeat(MAX_JSON_CHARS)}"}`);
    const deepValue = JSON.stringify(tickersEnvelope([1, 2], at(RUN_A, 1))).replace(
      '"price_usd":"2.50"',
      `"price_usd":${deep(100_000)}`,
    );
    await put(root, rawKey('coinlore', 'tickers', RUN_A, 'p0'), deepValue);
    await put(root, rawKey('coinlore', 'tickers', RUN_A, 'p1'), tickersEnvelope([3, 4, 5], at(RUN_A, 2)));
    const io = sink();
    expect(await createReprocessCommand(io.io).run(['--raw', root, '--lake', root])).toBe(0);
    expect(await count(join(root, datasetKey('coinlore_tickers', RUN_A)))).toBe(4);
    const rejects = await readFile(join(root, rejectsKey('coinlore_tickers', RUN_A)), 'utf8');
    expect(JSON.parse(rejects).reason).toBe('invalid price_usd: a value nested deeper than 128 levels');
    const skipped = io.err.filter((l) => l.startsWith('skipped '));
    expect(skipped).toEqual([
      expect.stringMatching(/aaa_deep\.json: not an envelope: missing request\.method\/url$/),
      expect.stringMatching(new RegExp(`aab_huge\\.json: too large: ${MAX_JSON_CHARS + 8} characters`)),
    ]);
  });

  it("never replaces a stamped run's file with fewer rows, nor deletes it, when raw files without a run stamp hold the same minute", async () => {
    const root = join(tmp, 'unstamped');
    const lake = join(root, 'lake');
    const archive = join(root, 'archive');
    for (let p = 0; p < 3; p++) {
      const ids = Array.from({ length: 100 }, (_, i) => p * 100 + i + 1);
      await put(
        archive,
        rawKey('coinlore', 'tickers', RUN_A, `p${p}`),
        tickersEnvelope(ids, at(RUN_A, p + 1)),
      );
    }
    await reprocess({ rawDir: archive, lakeDir: lake });
    const file = join(lake, datasetKey('coinlore_tickers', RUN_A));
    expect(await count(file)).toBe(300);

    // Another archive holding only strays of that minute: 3 tickers, and a 429 envelope.
    const strays = join(root, 'strays');
    await put(strays, 'raw/coinlore/tickers/stray.json', tickersEnvelope([7, 8, 9], at(RUN_A, 30)));
    await put(
      strays,
      'raw/coinlore/tickers/throttled.json',
      envelope('coinlore', 'tickers', 'slow down', {
        status: 429,
        fetchedAt: at(RUN_A, 31),
      }),
    );
    const report = await reprocess({ rawDir: strays, lakeDir: lake });
    expect(await count(file)).toBe(300);
    expect(report.datasets[0]).toMatchObject({ records: 3, rows: 0, withheld: 3, skipped: 1 });
    expect(report.problems.map((p) => p.path)).toContain(file);

    const onlyThrottled = join(root, 'throttled');
    await put(
      onlyThrottled,
      'raw/coinlore/tickers/throttled.json',
      envelope('coinlore', 'tickers', 'x', {
        status: 429,
        fetchedAt: at(RUN_A, 31),
      }),
    );
    await reprocess({ rawDir: onlyThrottled, lakeDir: lake });
    expect(await count(file)).toBe(300);

    // In an archive that also holds the run's stamped files, a stray joins its run.
    await put(archive, 'raw/coinlore/tickers/stray.json', tickersEnvelope([301, 302], at(RUN_A, 40)));
    const merged = await reprocess({ rawDir: archive, lakeDir: lake });
    expect(await count(file)).toBe(302);
    expect(merged.datasets[0]).toMatchObject({ records: 302, rows: 302, withheld: 0 });
  });

  it("keeps a file at the run's path that is not Parquet, is cut short or is a link, and reports it, when raw files without a run stamp hold that minute", async () => {
    const root = join(tmp, 'unstamped-over-junk');
    const lake = join(root, 'lake');
    const strays = join(root, 'strays');
    await put(strays, 'raw/coinlore/tickers/stray.json', tickersEnvelope([7, 8, 9], at(RUN_A, 30)));
    const path = join(lake, datasetKey('coinlore_tickers', RUN_A));
    const whole = await writeParquet(fiveTickers().columns);
    const cases: [string, () => Promise<void>][] = [
      ['not Parquet', () => put(lake, datasetKey('coinlore_tickers', RUN_A), 'not parquet')],
      [
        'cut short',
        () => put(lake, datasetKey('coinlore_tickers', RUN_A), whole.subarray(0, whole.length - 1)),
      ],
      [
        'a link',
        async () => {
          await writeFile(join(root, 'elsewhere.parquet'), whole);
          await symlink(join(root, 'elsewhere.parquet'), path);
        },
      ],
    ];
    for (const [what, make] of cases) {
      await rm(path, { force: true });
      await make();
      const before = await readFile(path);
      const report = await reprocess({ rawDir: strays, lakeDir: lake });
      expect(report.datasets[0], what).toMatchObject({ rows: 0, withheld: 3 });
      expect(report.problems.find((p) => p.path === path)?.reason, what).toMatch(/^kept \(.+remove it/);
      expect(await readFile(path), what).toEqual(before);
    }
  });

  it('replaces a file with as many rows as raw files without a run stamp hold, as a rerun of the same archive does', async () => {
    const root = join(tmp, 'unstamped-equal');
    const lake = join(root, 'lake');
    const strays = join(root, 'strays');
    const ids = [11, 12, 13];
    await put(strays, 'raw/coinlore/tickers/stray.json', tickersEnvelope(ids, at(RUN_A, 30)));
    const other = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', tickersEnvelope([1, 2, 3], at(RUN_A, 1)))],
      {
        runId: 'r',
      },
    );
    await put(lake, datasetKey('coinlore_tickers', RUN_A), await writeParquet(other.columns));
    const report = await reprocess({ rawDir: strays, lakeDir: lake });
    expect(report.datasets[0]).toMatchObject({ rows: ids.length, withheld: 0 });
    const file = join(lake, datasetKey('coinlore_tickers', RUN_A));
    const written = await q(`SELECT coin_id FROM read_parquet('${file}') ORDER BY coin_id`);
    expect(written.map((r) => r.coin_id)).toEqual(ids.map(String));
  });

  it("reads the row count of an existing Parquet file from its footer only, whatever the file's size", async () => {
    const ids = [4, 5, 6, 7];
    const rows = transformEnvelopes('coinlore_tickers', [keyed('k', tickersEnvelope(ids, at(RUN_A, 1)))], {
      runId: 'r',
    });
    const bytes = await writeParquet(rows.columns);
    const file = join(tmp, 'rows.parquet');
    await writeFile(file, bytes);
    expect(await existingFile(file)).toEqual({ kind: 'parquet', rows: ids.length });
    // Larger than any buffer Node reads a file into (2 GiB): sparse, so it takes no disk. Only the
    // footer at its end is real.
    const huge = join(tmp, 'huge.parquet');
    const size = 2 ** 31 + 4096;
    await writeFile(huge, '');
    await truncate(huge, size);
    const footerBytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(
      bytes.length - 8,
    );
    const handle = await open(huge, 'r+');
    await handle.write(
      bytes.subarray(bytes.length - 8 - footerBytes),
      0,
      footerBytes + 8,
      size - 8 - footerBytes,
    );
    await handle.close();
    expect(await existingFile(huge)).toEqual({ kind: 'parquet', rows: ids.length });
    await rm(huge);

    expect(await existingFile(join(tmp, 'missing.parquet'))).toEqual({ kind: 'missing' });
    await writeFile(join(tmp, 'text.parquet'), 'PAR1 but not really');
    expect(await existingFile(join(tmp, 'text.parquet'))).toMatchObject({ kind: 'unreadable' });
    await writeFile(
      join(tmp, 'liar.parquet'),
      Buffer.concat([Buffer.from('PAR1'), Buffer.from([255, 255, 255, 127]), Buffer.from('PAR1')]),
    );
    expect(await existingFile(join(tmp, 'liar.parquet'))).toMatchObject({
      kind: 'unreadable',
      reason: /footer of 2147483647 bytes/,
    });
    expect(await existingFile(tmp)).toEqual({ kind: 'unreadable', reason: 'not a regular file' });
  });

  it('reports an output it cannot write, writes the other runs, leaves no temp file and exits 1', async () => {
    const root = join(tmp, 'unwritable');
    const lake = join(root, 'lake');
    const archive = join(root, 'archive');
    for (const run of [RUN_A, RUN_B])
      await put(archive, rawKey('coinlore', 'tickers', run, 'p0'), tickersEnvelope([1, 2, 3], at(run, 1)));
    // A folder (not empty) where run A's file goes: renaming the written file onto it fails.
    const blocked = join(lake, datasetKey('coinlore_tickers', RUN_A));
    await put(lake, `${datasetKey('coinlore_tickers', RUN_A)}/inside`, 'x');
    const io = sink();
    const code = await createReprocessCommand(io.io).run(['--raw', archive, '--lake', lake]);
    expect(code).toBe(1);
    expect(io.err.join('\n')).toMatch(/1 output file not written/);
    expect(io.err.some((l) => l.startsWith(`output ${blocked}: not written: `))).toBe(true);
    expect(io.err.filter((l) => l.startsWith('skipped '))).toEqual([]);
    expect(await count(join(lake, datasetKey('coinlore_tickers', RUN_B)))).toBe(3);
    const report = await reprocess({ rawDir: archive, lakeDir: lake });
    expect(report.failedWrites).toBe(1);
    expect(report.datasets[0]).toMatchObject({ records: 6, rows: 3, withheld: 3 });
    const left = await readdir(dirname(blocked));
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('balances files and records for any mix of good, duplicate, invalid, skipped and unreadable input', async () => {
    const page = fc.record({
      ids: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
      invalid: fc.nat({ max: 3 }),
      status: fc.constantFrom(200, 200, 200, 429),
      run: fc.constantFrom(RUN_A, RUN_B),
    });
    const archive = fc.record({
      pages: fc.array(page, { minLength: 1, maxLength: 6 }),
      comments: fc.array(fc.boolean(), { maxLength: 8 }),
      broken: fc.nat({ max: 2 }),
      // Broken files without a run stamp: the listing reads them, and reports them there.
      brokenStrays: fc.nat({ max: 2 }),
      tokens: fc.nat({ max: 2 }),
      // Runs taken one window at a time, listed again folder by folder (0: the default, one piece).
      windowFiles: fc.constantFrom(0, 1, 3),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(archive, async (a) => {
        const root = join(tmp, `prop-${n++}`);
        let records = 0;
        for (const [i, p] of a.pages.entries()) {
          const tickers = [
            ...p.ids.map((id) => ticker(id)),
            ...Array.from({ length: p.invalid }, (_, k) => ticker(900 + k, { price_usd: 'NaN' })),
          ];
          if (p.status === 200) records += tickers.length;
          await put(
            root,
            rawKey('coinlore', 'tickers', p.run, `p${i}`),
            envelope('coinlore', 'tickers', tickersBody(tickers), {
              status: p.status,
              fetchedAt: at(p.run, i),
            }),
          );
        }
        const children = a.comments.map((isMore, i) =>
          isMore ? { kind: 'more', data: { count: 3 } } : comment(`c${i}`),
        );
        records += children.length;
        await put(
          root,
          rawKey('reddit', 'comments', RUN_A, 'x_p0'),
          envelope('reddit', 'comments', listing(children)),
        );
        for (let i = 0; i < a.broken; i++)
          await put(root, rawKey('reddit', 'new', RUN_A, `broken${i}`), '{"x":');
        for (let i = 0; i < a.tokens; i++)
          await put(
            root,
            rawKey('reddit', 'access_token', RUN_A, `t${i}`),
            envelope('reddit', 'access_token', {}),
          );
        for (let i = 0; i < a.brokenStrays; i++) await put(root, `raw/strays/broken${i}.json`, '{"x":');
        const files = a.pages.length + 1 + a.broken + a.brokenStrays + a.tokens;

        const report = await reprocess({
          rawDir: root,
          lakeDir: root,
          threads: 1,
          ...(a.windowFiles > 0 ? { windowFiles: a.windowFiles } : {}),
        });
        const sum = (k: 'files' | 'records' | 'rows' | 'rejects' | 'duplicates' | 'more' | 'withheld') =>
          report.datasets.reduce((t, d) => t + d[k], 0);
        expect(report.files).toBe(files);
        expect(sum('files') + report.unreadable + report.ignored + report.filtered).toBe(files);
        expect(report.unreadable).toBe(a.broken + a.brokenStrays);
        expect(report.ignored).toBe(a.tokens);
        expect(sum('records')).toBe(records);
        expect(sum('rows') + sum('rejects') + sum('duplicates') + sum('more') + sum('withheld')).toBe(
          records,
        );
        expect(sum('more')).toBe(a.comments.filter(Boolean).length);
        await rm(root, { recursive: true, force: true });
      }),
      { numRuns: 12 },
    );
  });

  it('reports links under --raw without reading them and never echoes file content when files are bad', async () => {
    const root = join(tmp, 'links');
    const outside = join(tmp, 'outside');
    await put(outside, 'secret.json', tickersEnvelope([66], at(RUN_A, 1)));
    await put(outside, 'dir/x.json', tickersEnvelope([67], at(RUN_A, 1)));
    await put(root, rawKey('coinlore', 'tickers', RUN_A, 'p0'), tickersEnvelope([1], at(RUN_A, 1)));
    await symlink(
      join(outside, 'secret.json'),
      join(root, 'raw/coinlore/tickers/coinlore_tickers_20261124_1020_p1.json'),
    );
    await symlink(join(outside, 'dir'), join(root, 'raw/coinlore/elsewhere'));
    await put(root, rawKey('reddit', 'new', RUN_A, 'p0'), 'SECRET-TOKEN-abc123 is not JSON');
    await put(root, rawKey('reddit', 'new', RUN_A, 'p1'), {
      source: 'SECRET-TOKEN-def456',
      request: { method: 'GET', url: 'u' },
      response: { status: 200, headers: {} },
      fetched_at: at(RUN_A, 1),
    });
    const io = sink();
    expect(await createReprocessCommand(io.io).run(['--raw', root, '--lake', root])).toBe(0);
    const rows = await q(
      `SELECT coin_id FROM read_parquet('${join(root, datasetKey('coinlore_tickers', RUN_A))}')`,
    );
    expect(rows).toEqual([{ coin_id: '1' }]);
    const text = [...io.out, ...io.err].join('\n');
    expect(text).not.toMatch(/SECRET/);
    expect(text).toMatch(/coinlore_tickers_20261124_1020_p1\.json: symbolic link: not followed/);
    expect(text).toMatch(/raw\/coinlore\/elsewhere: symbolic link: not followed/);
    expect(text).toMatch(/reddit_new_20261124_1020_p0\.json: not JSON$/m);
    expect(text).toMatch(
      /reddit_new_20261124_1020_p1\.json: not an envelope: source is not coinlore or reddit$/m,
    );
  });
});

describe('reprocess filters', () => {
  let root: string;
  beforeAll(async () => {
    root = join(tmp, 'filters');
    for (const t of [RUN_A, RUN_B]) {
      await put(root, rawKey('coinlore', 'tickers', t, 'p0'), tickersEnvelope([1, 2], at(t, 1)));
      await put(
        root,
        rawKey('reddit', 'comments', t, 'x_p0'),
        envelope('reddit', 'comments', listing([comment('c1')]), { fetchedAt: at(t, 2) }),
      );
    }
  });
  const written = async (lake: string) =>
    (await readdir(lake, { recursive: true })).filter((f) => f.endsWith('.parquet')).sort();

  it('rebuilds one run with its run id in the rows when given --run <run-id>', async () => {
    const lake = join(tmp, 'f-run');
    const io = sink();
    expect(
      await createReprocessCommand(io.io).run([
        '--raw',
        root,
        '--lake',
        lake,
        '--run',
        'replay-20261124_1030',
      ]),
    ).toBe(0);
    expect(await written(lake)).toEqual(
      [datasetKey('coinlore_tickers', RUN_B), datasetKey('reddit_comments', RUN_B)].sort(),
    );
    const ids = await q(`SELECT DISTINCT run_id FROM read_parquet('${lake}/**/*.parquet')`);
    expect(ids).toEqual([{ run_id: 'replay-20261124_1030' }]);
    expect(io.out.join('\n')).toMatch(
      /files: 4 = 2 envelopes read into datasets \+ 0 unreadable \+ 0 of other endpoints or datasets \+ 2 outside/,
    );
  });

  it('rebuilds only runs in [from, to) and only the listed datasets when given --from, --to and --datasets', async () => {
    const lake = join(tmp, 'f-range');
    const io = sink();
    const argv = ['--raw', root, '--lake', lake, '--from', '2026-11-24T10:00Z', '--to', '2026-11-24T10:30Z'];
    expect(await createReprocessCommand(io.io).run([...argv, '--datasets', 'reddit_comments'])).toBe(0);
    expect(await written(lake)).toEqual([datasetKey('reddit_comments', RUN_A)]);
  });

  it.each([
    [['--run', 'nightly'], /--run "nightly" holds no run stamp/],
    [['--from', 'yesterday'], /--from "yesterday" is not an ISO-8601 time/],
    [['--from', '2026-11-25T00:00Z', '--to', '2026-11-24T00:00Z'], /--from must be before --to/],
    [['--run', '20261124_1020', '--from', '2026-11-24T00:00Z'], /use it without --from\/--to/],
    [['--datasets', 'coinlore_tickers,prices'], /unknown dataset "prices"/],
  ])('exits 2 with a one-line error when given %j', async (flags, message) => {
    const io = sink();
    expect(await createReprocessCommand(io.io).run(['--raw', root, '--lake', tmp, ...flags])).toBe(2);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
  });

  it('reads the partition time from a run id, a stamp or an ISO time', () => {
    expect(partitionTimeOfRun('local-20261124_1020-ab12cd')).toEqual(RUN_A);
    expect(partitionTimeOfRun('20261124_1030')).toEqual(RUN_B);
    expect(partitionTimeOfRun('2026-11-24T10:20:00Z')).toEqual(RUN_A);
    expect(partitionTimeOfRun('20261340_1020')).toBeUndefined();
  });
});
