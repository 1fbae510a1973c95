/** The part of parquetjs-lite 0.8.7 (which ships no types) that lambdas/adapters/parquet.ts uses. */
declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  export interface FieldDefinition {
    type: string;
    optional?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  }
  /** A leaf of the parsed schema (flat schemas only have leaves). */
  export interface ParquetField {
    readonly name: string;
    readonly path: readonly string[];
    readonly primitiveType: string;
    readonly originalType?: string;
    readonly dLevelMax: number;
    readonly rLevelMax: number;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
    readonly fieldList: readonly ParquetField[];
  }
  /** The writer's buffer of shredded rows (internal to parquetjs-lite; see shred.js). */
  export interface RowBuffer {
    rowCount: number;
    pageRowCount: number;
    columnData: Record<
      string,
      {
        dlevels: number[];
        rlevels: number[];
        values: unknown[];
        distinct_values: Set<unknown>;
        count: number;
      }
    >;
    pages: Record<string, unknown[]>;
  }
  export interface WriterOptions {
    useDataPageV2?: boolean;
    rowGroupSize?: number;
    pageSize?: number;
  }
  export class ParquetWriter {
    static openStream(schema: ParquetSchema, stream: Writable, opts?: WriterOptions): Promise<ParquetWriter>;
    rowBuffer: RowBuffer | Record<string, never>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}

declare module 'parquetjs-lite/lib/types.js' {
  /** Converts a value to the physical representation of a parquetjs-lite type (e.g. Date → ms). */
  export function toPrimitive(type: string, value: unknown): unknown;
  const types: { toPrimitive: typeof toPrimitive };
  export default types;
}
