/**
 * Where the local twin's lake lives: a folder with the S3 layout (the default, `.local/lake`), or a bucket
 * (optionally under a prefix) on an S3-compatible endpoint such as MinIO or LocalStack. `fdl run`, `load`
 * and `status` all get their lake from here, so the handlers and the local Snowpipe see one LakeStore
 * whichever it is.
 *
 * An s3:// lake needs an explicit endpoint (`--s3-endpoint` or AWS_ENDPOINT_URL_S3): the twin never
 * guesses AWS itself, so ambient AWS credentials cannot make a local run write into a real bucket.
 */
import { existsSync } from 'node:fs';
import { access, constants, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { LakeStore } from '../../lambdas/adapters/lake-store';
import { ConfigError } from '../../lambdas/core/errors';
import { UsageError } from './args';
import { DEFAULT_PATHS } from './paths';

type Env = Readonly<Record<string, string | undefined>>;

export type LakeLocation =
  | { readonly kind: 'folder'; readonly path: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Key prefix without leading/trailing slashes ('' = bucket root). */
      readonly prefix: string;
      readonly endpoint: string;
    };

/** The `--lake` / `--s3-endpoint` lines of a command's `--help`, descriptions starting at `column`. */
export function lakeFlagsHelp(column: number): string {
  const row = (flag: string, text: string) => `  ${flag} `.padEnd(column) + text;
  const more = (text: string) => ' '.repeat(column) + text;
  return [
    row('--lake L', 'lake folder, or s3://<bucket>[/<prefix>] on an S3-compatible endpoint'),
    more(`(MinIO, LocalStack; the bucket must exist)   [default: ${DEFAULT_PATHS.lake}]`),
    row('--s3-endpoint U', 'endpoint URL of an s3:// lake, e.g. http://127.0.0.1:9000 (path-style)'),
    more('[default: $AWS_ENDPOINT_URL_S3]; credentials and region from the usual AWS_* variables'),
  ].join('\n');
}

// S3 bucket naming rules (the subset that matters for a typo): 3–63 chars, lowercase, digits, dots, hyphens.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parse `--lake` (and `--s3-endpoint`, else AWS_ENDPOINT_URL_S3) into a location. Every invalid
 * combination throws UsageError with one line saying what to pass.
 */
export function parseLakeLocation(
  value: string = DEFAULT_PATHS.lake,
  opts: { readonly s3Endpoint?: string; readonly env?: Env } = {},
): LakeLocation {
  const env = opts.env ?? process.env;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value)?.[1];
  if (scheme === undefined) {
    if (opts.s3Endpoint !== undefined)
      throw new UsageError(`--s3-endpoint only applies to an s3:// lake; --lake "${value}" is a folder`);
    return { kind: 'folder', path: resolve(value) };
  }
  if (scheme !== 's3')
    throw new UsageError(`--lake must be a folder or s3://<bucket>[/<prefix>], got "${value}"`);
  const [bucket = '', ...rest] = value.slice('s3://'.length).split('/');
  if (!BUCKET_NAME.test(bucket))
    throw new UsageError(
      `--lake ${value}: "${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`,
    );
  const endpoint = opts.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3;
  if (!endpoint)
    throw new UsageError(
      `--lake ${value} needs an S3-compatible endpoint: pass --s3-endpoint (e.g. http://127.0.0.1:9000) or set AWS_ENDPOINT_URL_S3`,
    );
  if (!/^https?:\/\/[^/]+/.test(endpoint))
    throw new UsageError(`--s3-endpoint must be an http(s) URL, got "${endpoint}"`);
  return { kind: 's3', bucket, prefix: rest.filter((s) => s !== '').join('/'), endpoint };
}

/** A lake ready for the twin: the store the handlers and the Snowpipe use, plus what the CLI needs. */
export interface LocalLake {
  readonly location: LakeLocation;
  readonly store: LakeStore;
  /** For messages: the folder, or `s3://bucket/prefix (endpoint http://…)`. */
  readonly description: string;
  /**
   * False when the folder or bucket does not exist. An endpoint that cannot be reached (or refuses the
   * credentials) throws ConfigError with one line naming it and what to check.
   */
  exists(): Promise<boolean>;
}

/**
 * Open a lake location. The AWS SDK is imported only for s3:// lakes, so the default folder lake keeps
 * `npm start` free of its start-up cost.
 */
export async function openLake(location: LakeLocation, env: Env = process.env): Promise<LocalLake> {
  if (location.kind === 'folder')
    return {
      location,
      store: new FsLakeStore(location.path),
      description: location.path,
      exists: async () => existsSync(location.path),
    };
  const [{ HeadBucketCommand, S3Client }, { S3LakeStore }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../../lambdas/adapters/s3-lake-store'),
  ]);
  const client = new S3Client({
    endpoint: location.endpoint,
    forcePathStyle: true,
    // S3-compatible servers need some region to sign with; us-east-1 is MinIO's and LocalStack's default.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // Given explicitly when set so `env` is honoured; otherwise the SDK's default chain (profiles, …).
    credentials:
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            sessionToken: env.AWS_SESSION_TOKEN,
          }
        : undefined,
    // The SDK's default CRC32 checksums (since 3.729) are rejected by older MinIO/Ceph releases;
    // only send them where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const store = new S3LakeStore(location.bucket, client, location.prefix);
  const description = `${store.location} (endpoint ${location.endpoint})`;
  return {
    location,
    store,
    description,
    exists: async () => {
      try {
        await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
        return true;
      } catch (err) {
        const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
        if (e.$metadata?.httpStatusCode === 404) return false;
        // Connection errors arrive as an AggregateError with an empty message: name the code instead.
        const reason = [e.code ?? e.name, e.message].filter(Boolean).join(': ');
        throw new ConfigError(
          `cannot reach the lake ${description}: ${reason}; check --s3-endpoint and the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`,
          { cause: err },
        );
      }
    },
  };
}

/** `--lake` and `--s3-endpoint` as the commands receive them → an open lake. */
export async function lakeFromFlags(
  flags: { readonly lake?: string; readonly 's3-endpoint'?: string },
  env: Env = process.env,
): Promise<LocalLake> {
  return openLake(parseLakeLocation(flags.lake, { s3Endpoint: flags['s3-endpoint'], env }), env);
}

/**
 * Check, before any tick, that a folder lake can be written, without creating anything: the folder (or,
 * when it does not exist yet, its nearest existing ancestor, where the first PUT will create it) must be
 * a directory this process may write. Throws ConfigError with the errno code and the path. Without this a
 * read-only or impossible `--lake` fails every extraction of every tick, one alert each, and the cause
 * (EACCES, EROFS, ENOTDIR) sits only in the alerts log.
 */
export async function assertLakeWritable(lake: Pick<LocalLake, 'location'>): Promise<void> {
  if (lake.location.kind !== 'folder') return;
  const dir = lake.location.path;
  let at = dir;
  try {
    for (;;) {
      const info = await stat(at).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' && dirname(at) !== at) return undefined;
        throw err;
      });
      if (info === undefined) {
        at = dirname(at);
        continue;
      }
      if (!info.isDirectory())
        throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR', path: at });
      await access(at, constants.W_OK | constants.X_OK);
      // Permission bits are not the whole story: a pseudo file system (/proc) or a read-only mount can
      // pass access() and still refuse a mkdir. Create and remove a probe folder where the lake will go.
      await rmdir(await mkdtemp(join(at, '.fdl-lake-probe-')));
      return;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      `cannot write the lake folder ${dir} (${e.code ?? e.name} at ${e.path ?? at}); pass --lake <a writable folder>`,
      { cause: err },
    );
  }
}
