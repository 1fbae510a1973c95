/** The part of parquetjs-lite 0.8.7 (which ships no types) that test/support/parquetjs-reference.ts uses. */
declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  export interface FieldDefinition {
    type: string;
    optional?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
  }
  export interface WriterOptions {
    useDataPageV2?: boolean;
    rowGroupSize?: number;
    pageSize?: number;
  }
  export class ParquetWriter {
    static openStream(schema: ParquetSchema, stream: Writable, opts?: WriterOptions): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}

/** parquetjs-lite's Thrift structures and decoder: tests decode the footers the Lambda writer writes. */
declare module 'parquetjs-lite/gen-nodejs/parquet_types.js' {
  const types: { readonly FileMetaData: new () => Record<string, unknown> };
  export default types;
}
declare module 'parquetjs-lite/lib/util.js' {
  const util: { decodeThrift(struct: Record<string, unknown>, buf: Buffer, offset?: number): number };
  export default util;
}
