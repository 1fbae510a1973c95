/**
 * The lake as the handlers see it: an object store with S3 keys (`raw/…`, `<dataset>/year=…/…`,
 * `rejects/…`). In AWS it is the env's lake bucket (S3LakeStore); in the local twin and tests it is a
 * folder with the same layout (FsLakeStore). Handlers only ever talk to this interface.
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
}
