import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/kit/args';
import { openLake, parseLakeLocation } from '../../cli/kit/lake-flags';
import { DEFAULT_PATHS } from '../../cli/kit/paths';

const ENDPOINT = 'http://127.0.0.1:9000';

describe('parseLakeLocation', () => {
  it.each([
    [
      's3://fdl-test',
      {},
      /^--lake s3:\/\/fdl-test needs an S3-compatible endpoint: pass --s3-endpoint .* or set AWS_ENDPOINT_URL_S3$/,
    ],
    ['s3://', { s3Endpoint: ENDPOINT }, /"" is not a valid S3 bucket name/],
    ['s3://Bad_Bucket/x', { s3Endpoint: ENDPOINT }, /"Bad_Bucket" is not a valid S3 bucket name/],
    [
      'gs://fdl-test',
      { s3Endpoint: ENDPOINT },
      /^--lake must be a folder or s3:\/\/<bucket>\[\/<prefix>\], got "gs:\/\/fdl-test"$/,
    ],
    [
      '.local/lake',
      { s3Endpoint: ENDPOINT },
      /^--s3-endpoint only applies to an s3:\/\/ lake; --lake ".local\/lake" is a folder$/,
    ],
    [
      's3://fdl-test',
      { s3Endpoint: '127.0.0.1:9000' },
      /^--s3-endpoint must be an http\(s\) URL, got "127.0.0.1:9000"$/,
    ],
  ])('throws one usage line when --lake is %s with %j', (value, opts, message) => {
    const run = () => parseLakeLocation(value, { ...opts, env: {} });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
  });

  it('reads bucket, prefix and the endpoint from AWS_ENDPOINT_URL_S3 when no flag is given', () => {
    expect(
      parseLakeLocation('s3://fdl-test/twin/lake/', { env: { AWS_ENDPOINT_URL_S3: 'http://minio:9000' } }),
    ).toEqual({ kind: 's3', bucket: 'fdl-test', prefix: 'twin/lake', endpoint: 'http://minio:9000' });
  });

  it('prefers --s3-endpoint over AWS_ENDPOINT_URL_S3 when both are set', () => {
    expect(
      parseLakeLocation('s3://fdl-test', {
        s3Endpoint: ENDPOINT,
        env: { AWS_ENDPOINT_URL_S3: 'http://minio:9000' },
      }),
    ).toEqual({ kind: 's3', bucket: 'fdl-test', prefix: '', endpoint: ENDPOINT });
  });

  it('resolves a folder (the default .local/lake) and ignores AWS_ENDPOINT_URL_S3 when no s3:// is given', () => {
    const env = { AWS_ENDPOINT_URL_S3: ENDPOINT };
    expect(parseLakeLocation(undefined, { env })).toEqual({
      kind: 'folder',
      path: resolve(DEFAULT_PATHS.lake),
    });
    expect(parseLakeLocation('some/lake', { env })).toEqual({ kind: 'folder', path: resolve('some/lake') });
  });
});

describe('openLake', () => {
  it('names the endpoint and what to check when the S3 endpoint cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    server.close();
    await once(server, 'close');
    const lake = await openLake(
      { kind: 's3', bucket: 'fdl-test', prefix: '', endpoint: `http://127.0.0.1:${port}` },
      { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    );
    await expect(lake.exists()).rejects.toThrow(
      new RegExp(
        `^cannot reach the lake s3://fdl-test \\(endpoint http://127\\.0\\.0\\.1:${port}\\): .*ECONNREFUSED.*; check --s3-endpoint`,
      ),
    );
  });
});
