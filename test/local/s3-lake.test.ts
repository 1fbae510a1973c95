/**
 * The local twin with its lake in an S3-compatible bucket (the shared fake S3 on loopback, path-style,
 * one-key list pages so every listing follows continuation tokens): the same handlers write raw/ and the datasets
 * through S3LakeStore, and the local Snowpipe loads from the bucket what it loads from a folder.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/fdl';
import { lakeFromFlags } from '../../cli/kit/lake-flags';
import { type RunSummary, runPipeline } from '../../cli/run';
import { statusReport } from '../../cli/status';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { openWarehouse } from '../../local/warehouse';
import { type FakeS3, startFakeS3 } from '../support/fake-s3';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');
const BUCKET = 'fdl-test';
const PREFIX = 'twin';

/** Keys of the files under a folder lake, recursively. */
const folderKeys = (root: string): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [relative(root, join(dir, e.name)).split(sep).join('/')],
    );
  return existsSync(root) ? walk(root).sort() : [];
};

describe('fdl with an s3:// lake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-s3-lake-'));
  let s3: FakeS3;
  let endpoint: string;
  let folderRun: RunSummary;
  let s3Run: RunSummary;
  const paths = (name: string) => [
    '--warehouse',
    join(dir, name, 'warehouse.duckdb'),
    '--dashboard',
    join(dir, name, 'index.html'),
    '--alerts',
    join(dir, name, 'alerts.jsonl'),
  ];
  const s3Flags = () => ['--lake', `s3://${BUCKET}/${PREFIX}`, '--s3-endpoint', endpoint];

  beforeAll(async () => {
    // The SDK signs requests: any credentials do for the fake. Region is left to the twin's default.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    s3 = await startFakeS3({ buckets: [BUCKET], pageSize: 1 });
    endpoint = s3.url;
    const source = ['--source', `replay:${FIXTURES}`];
    folderRun = await runPipeline([...source, '--lake', join(dir, 'lake'), ...paths('folder')], () => {});
    s3Run = await runPipeline([...source, ...s3Flags(), ...paths('s3')], () => {});
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await s3?.close();
  });

  it('writes the same raw/ and dataset keys into the bucket as into a folder lake', () => {
    const keys = [...s3.objects(BUCKET).keys()].sort();
    expect(keys.every((k) => k.startsWith(`${PREFIX}/`))).toBe(true);
    const lakeKeys = keys.map((k) => k.slice(PREFIX.length + 1));
    expect(lakeKeys).toEqual(folderKeys(join(dir, 'lake')));
    expect(lakeKeys.some((k) => k.startsWith('raw/coinlore/tickers/'))).toBe(true);
    for (const d of DATASET_NAMES)
      expect({ d, parquet: lakeKeys.some((k) => k.startsWith(`${d}/`) && k.endsWith('.parquet')) }).toEqual({
        d,
        parquet: true,
      });
    expect(s3Run.lake).toBe(`s3://${BUCKET}/${PREFIX}`);
  });

  it('loads the same RAW row counts as the folder run, with lake keys and S3 LastModified as metadata', async () => {
    expect(s3Run.ticks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
    expect(s3Run.rawRows).toEqual(folderRun.rawRows);
    expect(Object.values(s3Run.rawRows).every((n) => n > 0)).toBe(true);
    expect(s3Run.filesLoaded).toBe(folderRun.filesLoaded);
    const wh = await openWarehouse(s3Run.warehouse, { readOnly: true });
    try {
      const rows = await wh.query(
        'SELECT DISTINCT src_file, file_last_modified FROM raw.COINLORE_TICKERS ORDER BY src_file',
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        const object = s3.objects(BUCKET).get(`${PREFIX}/${r.src_file}`);
        expect(object?.lastModified.toISOString()).toBe(String(r.file_last_modified));
      }
    } finally {
      wh.close();
    }
  });

  it('loads nothing new when fdl load runs again on the bucket', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['load', ...s3Flags(), '--warehouse', s3Run.warehouse]);
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(
        `^Loaded 0 file\\(s\\), 0 rows .*\\(${s3Run.filesLoaded} file\\(s\\) were already loaded\\)`,
      ),
    );
  });

  it('reports the bucket like the folder in status', async () => {
    const strip = (report: string) => report.split('\n').slice(1).join('\n').split('Warehouse:')[0];
    const fromS3 = await statusReport(
      await lakeFromFlags({ lake: `s3://${BUCKET}/${PREFIX}`, 's3-endpoint': endpoint }),
      s3Run.warehouse,
    );
    const fromFolder = await statusReport(
      await lakeFromFlags({ lake: join(dir, 'lake') }),
      folderRun.warehouse,
    );
    expect(fromS3).toMatch(new RegExp(`^Lake: s3://${BUCKET}/${PREFIX} \\(endpoint ${endpoint}\\)\n`));
    expect(strip(fromS3)).toMatch(/raw\/coinlore\/tickers\//);
    // Same files per prefix; bytes too, since the objects are the same bytes.
    expect(strip(fromS3)).toBe(strip(fromFolder));
  });

  it('exits 1 naming the bucket to create when it does not exist at the endpoint', async () => {
    const err: string[] = [];
    const code = await main(
      [
        'run',
        '--source',
        `replay:${FIXTURES}`,
        '--lake',
        's3://no-such-bucket',
        '--s3-endpoint',
        endpoint,
        ...paths('missing'),
      ],
      {
        out: () => {},
        err: (t) => err.push(t),
      },
    );
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`^fdl run: no bucket no-such-bucket at ${endpoint}: create it first`));
  });
});
