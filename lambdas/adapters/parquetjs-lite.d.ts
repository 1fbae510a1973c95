/** The parts of parquetjs-lite 0.8.7 (which ships no types) that lambdas/adapters/parquet.ts uses. */
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

/**
 * The Thrift-generated structures of the Parquet format (parquet.thrift). Each constructor copies the
 * fields of its argument; enums map names to their Thrift values.
 */
declare module 'parquetjs-lite/gen-nodejs/parquet_types.js' {
  type Struct = new (fields: Record<string, unknown>) => { write(protocol: unknown): void };
  const types: {
    readonly Type: Readonly<
      Record<'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY', number>
    >;
    readonly ConvertedType: Readonly<Record<'UTF8' | 'INT_64' | 'TIMESTAMP_MILLIS', number>>;
    readonly FieldRepetitionType: Readonly<Record<'REQUIRED' | 'OPTIONAL' | 'REPEATED', number>>;
    readonly Encoding: Readonly<Record<'PLAIN' | 'RLE', number>>;
    readonly CompressionCodec: Readonly<Record<'UNCOMPRESSED' | 'SNAPPY' | 'GZIP', number>>;
    readonly PageType: Readonly<Record<'DATA_PAGE', number>>;
    readonly SchemaElement: Struct;
    readonly Statistics: Struct;
    readonly DataPageHeader: Struct;
    readonly PageHeader: Struct;
    readonly ColumnMetaData: Struct;
    readonly ColumnChunk: Struct;
    readonly RowGroup: Struct;
    readonly FileMetaData: Struct;
  };
  export default types;
}

declare module 'parquetjs-lite/lib/util.js' {
  /** A Thrift structure in the compact protocol (what Parquet headers and footers use). */
  const util: { serializeThrift(struct: { write(protocol: unknown): void }): Buffer };
  export default util;
}

declare module 'parquetjs-lite/lib/compression.js' {
  /** Compresses a page body with a Parquet codec (SNAPPY through snappyjs). */
  const compression: { deflate(codec: 'SNAPPY' | 'UNCOMPRESSED', body: Uint8Array): Uint8Array };
  export default compression;
}
