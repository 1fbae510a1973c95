/**
 * Types for snappyjs (the package ships none): the raw Snappy block format, no framing. A devDependency:
 * the tests decode the writer's pages with it, a Snappy implementation independent of the writer's
 * (hysnappy), and bench/parquet-codec.ts measures it as the anchor the writer used before.
 */
declare module 'snappyjs' {
  /** Compresses `input`; the result has the input's type (a Uint8Array for a Uint8Array). */
  function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  /** Decompresses a Snappy block, refusing one that declares more than `maxLength` bytes. */
  function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}
