/**
 * The lake as the handlers see it: an object store with S3 keys (`raw/…`, `<dataset>/year=…/…`,
 * `rejects/…`). In AWS it is the env's lake bucket (S3LakeStore); in the local twin and tests it is a
 * folder with the same layout (FsLakeStore) or an S3-compatible endpoint (S3LakeStore again).
 * Handlers only ever talk to this interface.
 */
export interface LakeStore {
  /** Human-readable location for messages, e.g. `s3://finance-de-lab-dev-eu-west-1` or `/repo/.local/lake`. */
  readonly location: string;
  /** Write (or overwrite: keys are deterministic, reruns replace) one object. */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Read one object; throws when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Like `list`, with each object's size and last-modified time: what a loader records as load metadata
   * (Snowpipe's METADATA$FILE_LAST_MODIFIED) without a second request per object.
   */
  listObjects(prefix: string): Promise<LakeObject[]>;
}

/** One object of a listing. */
export interface LakeObject {
  /** Key relative to the lake root (the same key `put` was given). */
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * An object's bytes as UTF-8 text, decoded in place: `Buffer.from(bytes)` would first copy them, and a
 * run's raw objects are megabytes of fresh memory to touch in a cold Lambda.
 */
export function textOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
