/**
 * The backfill's Lambda entries as shipped: `lambdas/build.mjs` bundles backfill-plan and backfill-summary,
 * and the bundled `handler`s run in a fresh Node process with AWS deps (S3 client from the environment)
 * against the loopback fake S3, listing with pagination (3 keys per page).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3LakeStore } from '../../lambdas/adapters/s3-lake-store';
import { type BackfillItem, manifestKey } from '../../lambdas/core/backfill';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { RUNS, writeArchive } from '../local/backfill-archive';
import { type FakeS3, startFakeS3 } from '../support/fake-s3';

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'fdl-backfill-lake';
const RESULT = '\n__RESULT__';
const RUNNER = `const [url, input] = process.argv.slice(1);
const { handler } = await import(url);
const out = await handler(JSON.parse(input));
process.stdout.write(${JSON.stringify(RESULT)} + JSON.stringify(out));`;

let outDir: string;
let aws: FakeS3;
let lake: S3LakeStore;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'fdl-backfill-bundle-'));
  execFileSync(process.execPath, [join(ROOT, 'lambdas', 'build.mjs'), outDir], { cwd: ROOT, stdio: 'pipe' });
  aws = await startFakeS3({ buckets: [BUCKET], pageSize: 3 });
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  lake = new S3LakeStore(
    BUCKET,
    new S3Client({ endpoint: aws.url, forcePathStyle: true, region: 'eu-west-1', credentials }),
  );
  await writeArchive(lake);
  env = {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_S3: aws.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LAKE_BUCKET: BUCKET,
  };
}, 120_000);
afterAll(async () => {
  await aws.close();
  await rm(outDir, { recursive: true, force: true });
});

async function invoke(name: string, input: unknown): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      RUNNER,
      pathToFileURL(join(outDir, `${name}.mjs`)).href,
      JSON.stringify(input),
    ],
    { env, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.slice(stdout.lastIndexOf(RESULT) + RESULT.length));
}

describe('backfill Lambda bundle', () => {
  it('plans from a paginated S3 listing and writes the manifest to the lake bucket', async () => {
    const to = new Date(RUNS.at(-1)!.getTime() + 60_000).toISOString();
    const plan = await invoke('backfill-plan', {
      runId: 'backfill-bundle',
      partitionTime: '2026-12-01T00:00:00Z',
      from: RUNS[0]!.toISOString(),
      to,
    });
    expect(plan).toMatchObject({
      items: RUNS.length * DATASET_NAMES.length,
      runs: RUNS.length,
      manifestKey: manifestKey('backfill-bundle'),
    });
    const items = JSON.parse(aws.text(BUCKET, manifestKey('backfill-bundle'))!) as BackfillItem[];
    expect(items).toHaveLength(RUNS.length * DATASET_NAMES.length);
    // Two ticker pages per run: both keys survived pagination.
    expect(items.filter((i) => i.dataset === 'coinlore_tickers').map((i) => i.rawKeys.length)).toEqual(
      RUNS.map(() => 2),
    );
    expect(aws.listRequests).toBeGreaterThan(DATASET_NAMES.length);
  });

  it('summarizes the result files the Distributed Map wrote', async () => {
    const dir = 'backfill/backfill-bundle/results/run1';
    const ok = [
      {
        Status: 'SUCCEEDED',
        Input: JSON.stringify({ Items: [{}, {}] }),
        Output: JSON.stringify([
          { dataset: 'coinlore_global', partitionTime: 'a', key: 'k', rows: 1, rejects: 0, skipped: 0 },
          { dataset: 'coinlore_global', partitionTime: 'b', key: 'k2', rows: 1, rejects: 0, skipped: 0 },
        ]),
      },
    ];
    const failed = [
      {
        Name: 'c',
        Status: 'FAILED',
        Error: 'States.Timeout',
        Cause: '',
        Input: JSON.stringify({ Items: [{ dataset: 'reddit_posts', partitionTime: 'c' }] }),
      },
    ];
    await lake.put(`${dir}/SUCCEEDED_0.json`, JSON.stringify(ok));
    await lake.put(`${dir}/FAILED_0.json`, JSON.stringify(failed));
    await lake.put(
      `${dir}/manifest.json`,
      JSON.stringify({
        ResultFiles: {
          SUCCEEDED: [{ Key: `${dir}/SUCCEEDED_0.json` }],
          FAILED: [{ Key: `${dir}/FAILED_0.json` }],
          PENDING: [],
        },
      }),
    );
    const s = await invoke('backfill-summary', {
      runId: 'backfill-bundle',
      partitionTime: '2026-12-01T00:00:00Z',
      resultsManifestKey: `${dir}/manifest.json`,
    });
    expect(s).toMatchObject({ batches: 2, batchesFailed: 1, items: 3, itemsFailed: 1, rows: 2, files: 2 });
    expect(s.failures).toEqual([
      { batch: 'c', error: 'States.Timeout', cause: '', items: ['reddit_posts@c'] },
    ]);
  });
});
