/**
 * The rows of a batch by natural id, for the transform's dedupe (transform.ts: "keep the latest
 * extraction"): an open-addressing hash table over the UTF-8 bytes the id column already holds
 * (columns.ts, TextColumn), so finding a row's earlier extraction makes no string and no Map entry.
 *
 * Why not a `Map<string, number>`: its key is a string per row, decoded from those bytes, hashed and
 * kept until the batch ends, and a new id costs a lookup and an insert: ~9 % of a one-thread profile
 * of reprocessing 3M tickers (docs/reprocess-performance.md, "Start-up, and dedupe by bytes", which also says what
 * it changed in time and memory). This table holds two 32-bit numbers per entry.
 *
 * Hostile input: the hash is not seeded, so ids can be chosen to collide. A lookup that probes more than
 * MAX_PROBES entries moves the index to a Map (V8 seeds its string hashes), so the worst case is the
 * Map's cost, never quadratic. Ordinary ids need fewer probes (a table at most half full): the longest
 * for 15,000 numeric coin ids is about 20, and a batch of millions may reach the limit now and then,
 * which only moves that batch to the Map.
 */
import { compareRanges, type TextColumn } from './columns';

/** A lookup probing more entries than this moves the index to a Map (see above). */
export const MAX_PROBES = 64;

/** Entries to start with (the table doubles as rows come). */
const INITIAL_ENTRIES = 1024;

/**
 * 32-bit hash of `length` bytes at `start`: FNV-1a, then MurmurHash3's finaliser so that ids differing in
 * their last bytes (coin ids are often numbers) still spread over the table's low bits.
 */
export function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + length; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class KeyIndex {
  /** Per entry: the row holding that id, or -1 when the entry is free. Length: a power of two. */
  private rows = new Int32Array(INITIAL_ENTRIES).fill(-1);
  /** Per entry: its id's hash (compared before the bytes, reused when the table grows). */
  private hashes = new Int32Array(INITIAL_ENTRIES);
  private count = 0;
  /** Set once a lookup probed past MAX_PROBES: then every lookup goes here. */
  private map: Map<string, number> | undefined;

  constructor(
    /** The id column: read afresh on each lookup (its byte store is replaced as it grows). */
    private readonly column: TextColumn,
    /** Injectable so a test can make every id collide. */
    private readonly hash: (bytes: Uint8Array, start: number, length: number) => number = hashBytes,
  ) {}

  /** Ids indexed. */
  get size(): number {
    return this.map?.size ?? this.count;
  }

  /** Whether lookups went to a Map (see MAX_PROBES). */
  get degraded(): boolean {
    return this.map !== undefined;
  }

  /**
   * The row that already holds row `at`'s id; or -1, and `at` becomes that id's row. The id cell must
   * not be null (natural key columns are required, datasets.ts).
   */
  claim(at: number): number {
    const { bytes, starts, lengths } = this.column;
    const length = lengths[at]!;
    if (length < 0) throw new TypeError(`the natural id of row ${at} is null`);
    const start = starts[at]!;
    if (this.map) return this.claimInMap(this.column.text(at)!, at);
    const h = this.hash(bytes, start, length) | 0;
    const mask = this.rows.length - 1;
    let entry = h & mask;
    for (let probes = 0; ; probes++) {
      const row = this.rows[entry]!;
      if (row < 0) break;
      if (this.hashes[entry] === h && compareRanges(bytes, starts[row]!, lengths[row]!, start, length) === 0)
        return row;
      if (probes === MAX_PROBES) {
        this.toMap();
        return this.claimInMap(this.column.text(at)!, at);
      }
      entry = (entry + 1) & mask;
    }
    this.rows[entry] = at;
    this.hashes[entry] = h;
    // At most half full: probes stay short.
    if (++this.count * 2 > this.rows.length) this.grow();
    return -1;
  }

  private claimInMap(id: string, at: number): number {
    const row = this.map!.get(id);
    if (row !== undefined) return row;
    this.map!.set(id, at);
    return -1;
  }

  private toMap(): void {
    this.map = new Map();
    for (const row of this.rows) if (row >= 0) this.map.set(this.column.text(row)!, row);
    // Not read again: let the table go.
    this.rows = new Int32Array(0);
    this.hashes = new Int32Array(0);
  }

  private grow(): void {
    const { rows, hashes } = this;
    this.rows = new Int32Array(rows.length * 2).fill(-1);
    this.hashes = new Int32Array(rows.length * 2);
    const mask = this.rows.length - 1;
    for (let e = 0; e < rows.length; e++) {
      const row = rows[e]!;
      if (row < 0) continue;
      let entry = hashes[e]! & mask;
      while (this.rows[entry]! >= 0) entry = (entry + 1) & mask;
      this.rows[entry] = row;
      this.hashes[entry] = hashes[e]!;
    }
  }
}
