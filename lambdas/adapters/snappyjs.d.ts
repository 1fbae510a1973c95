/** Types for snappyjs (the package ships none): the raw Snappy block format, no framing. */
declare module 'snappyjs' {
  /** Compresses `input`; the result has the input's type (a Uint8Array for a Uint8Array). */
  function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  /** Decompresses a Snappy block, refusing one that declares more than `maxLength` bytes. */
  function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}

/** The compressor behind `compress`, which writes into a buffer the caller owns. */
declare module 'snappyjs/snappy_compressor.js' {
  export class SnappyCompressor {
    constructor(input: Uint8Array);
    /** Snappy's worst case for this input: 32 + n + n / 6 bytes. */
    maxCompressedLength(): number;
    /** Writes the compressed block from the start of `out` (at least maxCompressedLength() bytes); returns its length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
