/**
 * The lake as the env's S3 bucket. Thin on purpose: the key layout lives in lambdas/core/lake.ts.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LakeStore } from './lake-store';

export class S3LakeStore implements LakeStore {
  readonly location: string;

  constructor(
    readonly bucket: string,
    private readonly client: S3Client,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`empty S3 object body: ${this.location}/${key}`);
    return out.Body.transformToByteArray();
  }

  /** Every key under `prefix`, following continuation tokens; sorted (S3 returns UTF-8 binary order). */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
