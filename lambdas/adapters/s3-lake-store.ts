/**
 * The lake as an S3 bucket (the env's lake bucket in AWS, or a bucket on an S3-compatible endpoint for the
 * local twin), optionally under a key prefix. Thin on purpose: the key layout lives in lambdas/core/lake.ts.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LakeObject, LakeStore } from './lake-store';

export class S3LakeStore implements LakeStore {
  readonly location: string;
  /** `prefix/` (or empty): prepended to every lake key, stripped from every listed key. */
  private readonly root: string;

  /**
   * @param prefix key prefix the lake lives under (`a/b` → objects `a/b/raw/…`); leading/trailing
   *   slashes are ignored. @default '' (the bucket root, as in AWS)
   */
  constructor(
    readonly bucket: string,
    private readonly client: S3Client,
    prefix = '',
  ) {
    const p = prefix.replace(/^\/+|\/+$/g, '');
    this.root = p ? `${p}/` : '';
    this.location = `s3://${bucket}${p ? `/${p}` : ''}`;
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.root + key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.root + key }));
    if (!out.Body) throw new Error(`empty S3 object body: ${this.location}/${key}`);
    return out.Body.transformToByteArray();
  }

  /** Every key under `prefix`, following continuation tokens; sorted (S3 returns UTF-8 binary order). */
  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** `list` with Size and LastModified from the same ListObjectsV2 pages. */
  async listObjects(prefix: string): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.root + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key)
          objects.push({
            key: o.Key.slice(this.root.length),
            size: o.Size ?? 0,
            lastModified: o.LastModified ?? new Date(0),
          });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/**
 * Every object under `prefix` with its last-modified time, all pages: what the ingestion check compares
 * with COPY_HISTORY (the CLI's `check-ingestion` and the scheduled check-ingestion function share it).
 */
export function s3PrefixLister(
  s3: S3Client,
  bucket: string,
): (prefix: string) => Promise<{ key: string; lastModified: Date }[]> {
  return async (prefix) => {
    const files: { key: string; lastModified: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key && o.LastModified) files.push({ key: o.Key, lastModified: o.LastModified });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files;
  };
}
