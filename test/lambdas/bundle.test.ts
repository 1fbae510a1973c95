/**
 * The shipped artefact: `lambdas/build.mjs` bundles the handlers, and the BUNDLED `handler` entries run
 * exactly as in AWS (env vars → awsDeps → S3 + Secrets Manager clients → Powertools) against loopback
 * fakes: the replay server for the APIs, and the shared fake S3 endpoint (test/support/fake-s3.ts) that
 * also answers Secrets Manager's GetSecretValue (AWS_ENDPOINT_URL_*).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractOutput } from '../../lambdas/contracts';
import type { Envelope } from '../../lambdas/core/envelope';
import { rawKey } from '../../lambdas/core/lake';
import { type ReplayServer, startReplayServer } from '../../local/replay-server';
import { type FakeS3, startFakeS3 } from '../support/fake-s3';
import { FIXTURE_DIR, FIXTURE_PARTITION_TIME, FIXTURE_TOKEN } from './extract-harness';

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'fdl-test-lake';
// A made-up credential pair: the test proves neither half (nor their Basic encoding) reaches the archive or logs.
const SECRET = { client_id: 'bundle-client', client_secret: 'fake-s3cr3t' };

const RESULT = '\n__RESULT__';
const RUNNER = `const [url, input] = process.argv.slice(1);
const { handler } = await import(url);
const out = await handler(JSON.parse(input));
process.stdout.write(${JSON.stringify(RESULT)} + JSON.stringify(out));`;

describe('Lambda bundle', () => {
  let outDir: string;
  let replay: ReplayServer;
  let aws: FakeS3;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'fdl-bundle-'));
    execFileSync(process.execPath, [join(ROOT, 'lambdas', 'build.mjs'), outDir], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    replay = await startReplayServer({ dir: FIXTURE_DIR });
    aws = await startFakeS3({
      buckets: [BUCKET],
      fallback: (req, _body, res) => {
        if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
          res.writeHead(400);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
            SecretString: JSON.stringify(SECRET),
          }),
        );
      },
    });
    const endpoint = aws.url;
    env = {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LAKE_BUCKET: BUCKET,
      REDDIT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
      REDDIT_USER_AGENT: 'node:finance-de-lab-bundle-test:v0.1.0 (by /u/fdl_test)',
      COINLORE_BASE_URL: `${replay.url}/api`,
      REDDIT_API_BASE_URL: replay.url,
      REDDIT_AUTH_URL: `${replay.url}/api/v1/access_token`,
    };
  });
  afterAll(async () => {
    await replay.close();
    await aws.close();
    await rm(outDir, { recursive: true, force: true });
  });

  /**
   * Invoke a bundled handler in a fresh Node process, as the Lambda runtime would (and without Vite
   * transforming a 1 MB bundle). Powertools logs and EMF metrics arrive on its stdout.
   */
  const invoke = async (name: string, input: unknown): Promise<{ out: ExtractOutput; stdout: string }> => {
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
    const marker = stdout.lastIndexOf(RESULT);
    return { out: JSON.parse(stdout.slice(marker + RESULT.length)), stdout: stdout.slice(0, marker) };
  };

  it('bundles every function whose handler exists, as ESM with a source map', () => {
    for (const name of ['extract-coinlore', 'extract-reddit']) {
      expect(existsSync(join(outDir, `${name}.mjs`))).toBe(true);
      expect(existsSync(join(outDir, `${name}.mjs.map`))).toBe(true);
    }
  });

  it('runs the bundled extract-coinlore handler end to end when configured only through env vars', async () => {
    const { out, stdout } = await invoke('extract-coinlore', {
      runId: 'bundle-run-1',
      partitionTime: FIXTURE_PARTITION_TIME,
      pages: 3,
    });
    const pt = new Date(FIXTURE_PARTITION_TIME);
    expect(out.batches.map((b) => b.rawKeys)).toEqual([
      [rawKey('coinlore', 'tickers', pt, 'p000')],
      [rawKey('coinlore', 'global', pt, 'p000')],
    ]);
    const stored = JSON.parse(aws.text(BUCKET, out.batches[0].rawKeys[0])!) as Envelope;
    expect(stored.endpoint).toBe('tickers');
    expect((stored.response.body as { data: unknown[] }).data).toHaveLength(7);
    const lines = stdout.split('\n').filter((l) => l.includes('"coinlore extracted"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ run_id: 'bundle-run-1', tickers: 7, requests: 2 });
    expect(stdout).toContain('"HttpRequests"');
  });

  it('runs the bundled extract-reddit handler with the secret from Secrets Manager and leaks no credential', async () => {
    const { out, stdout } = await invoke('extract-reddit', {
      runId: 'bundle-run-2',
      partitionTime: FIXTURE_PARTITION_TIME,
      subreddit: 'CryptoCurrency',
      lookbackMinutes: 30,
    });
    expect(out.batches.map((b) => b.rawKeys.length)).toEqual([2, 1]);
    const everything = `${[...aws.objects(BUCKET).values()].map((o) => o.body.toString('utf8')).join('\n')}\n${stdout}`;
    const basic = Buffer.from(`${SECRET.client_id}:${SECRET.client_secret}`).toString('base64');
    for (const secret of [FIXTURE_TOKEN, SECRET.client_secret, basic])
      expect(everything).not.toContain(secret);
    expect(
      replay.requests.filter((r) => r.path.startsWith('/r/')).every((r) => r.authScheme === 'bearer'),
    ).toBe(true);
  });
});
