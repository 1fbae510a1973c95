/**
 * A raw envelope read without building an object per record: the envelope's records array
 * (`response.body.data`, a Coinlore tickers page) is checked and tokenized in place, byte by byte, and
 * the transform casts its values straight from the bytes into column arrays (fill.ts). Everything else
 * in the envelope is parsed by JSON.parse as usual.
 *
 * Why: reprocessing a year of archives reads ~800 million ticker records. JSON.parse builds an object
 * and a string per value, and then the transform reads the strings back and casts them: JSON.parse
 * alone was a third of reprocess's CPU profile, and the scan does the same work in several times less
 * (docs/reprocess-performance.md has the measurements).
 *
 * The rule that keeps this safe: `scanPage` returns a page only when it can prove that JSON.parse would
 * accept the whole text and give the same envelope (with its records array read from the tape instead);
 * in every other case it returns undefined and the caller parses the text with JSON.parse (the
 * reference path, which also words every error). It only accepts:
 * - a top-level object, and `response` and `body` objects inside it, whose keys are all plain (no
 *   escape, ASCII: an escaped key could spell a path key) and whose path key (response, body, data)
 *   appears once (JSON.parse keeps the last of repeated keys);
 * - at that path, an array of flat objects: keys are strings, values are strings, numbers, true, false
 *   or null. A nested value, anything that is not JSON and texts over SCAN_MAX_BYTES are not scanned.
 * The array is validated against the JSON grammar (RFC 8259) here; the rest of the text is validated by
 * JSON.parse itself, on the text with the array replaced by `[]`. A text is valid JSON exactly when both
 * parts are, because any value may stand in for another at a value's position. That the array sits at
 * such a position, under those keys, holds because the walk below finds the ends of values exactly as a
 * JSON parser does on valid text, and JSON.parse then accepts that same text around the `[]`.
 *
 * What is not cast on the fast path (a string with escapes or non-ASCII bytes, a value
 * that does not cast) is handled per record: `parseRecord` gives that record exactly as JSON.parse
 * would, and the transform's object path takes it (fill.ts).
 */
import { type Envelope, envelopeProblem } from './envelope';
import { checkJsonValue, DEPTH_SCAN_ABOVE_CHARS } from './json-guard';

/**
 * Larger texts are not scanned. A tickers page is ~40 KB; this is the size above which the Lambda's
 * reference path scans a text's depth before parsing it (json-guard.ts), so the two paths never refuse
 * a text differently.
 */
export const SCAN_MAX_BYTES = DEPTH_SCAN_ABOVE_CHARS;

/**
 * Value kinds on the tape. TEXT: a string of ASCII characters without escapes (its start and end
 * exclude the quotes). OTHER_TEXT: a string with an escape or a non-ASCII byte (read through
 * JSON.parse, see parseRecord). NUMBER: a number token as JSON writes it.
 */
export const TEXT = 0;
const OTHER_TEXT = 1;
export const NUMBER = 2;
export const TRUE = 3;
export const FALSE = 4;
export const NULL = 5;
/** Added to a field's kind when its key has an escape or a non-ASCII byte (not comparable as bytes). */
export const KEY_ESCAPED = 8;

/**
 * The tape: per record a header (start, end (exclusive), number of fields), then per key/value pair
 * FIELD_INTS ints: key start, key end, value start, value end, kind.
 */
const RECORD_INTS = 3;
export const FIELD_INTS = 5;

/**
 * The records of one scanned page: offsets into the page's bytes. Read them before the next call of
 * `scanPage` (which reuses the tape: reading after that throws rather than returning another page's
 * data), and before the caller reuses the bytes (reprocess reads every file into one buffer: that, the
 * check cannot see).
 */
export class ScannedRecords {
  constructor(
    readonly bytes: Buffer,
    readonly count: number,
    private readonly generation: number,
  ) {}

  /** The tape (see FIELD_INTS), checked to still hold this page's records. */
  tape(): Int32Array {
    if (this.generation !== generation)
      throw new Error('scanned records read after another page was scanned (read each page before the next)');
    return tape;
  }

  /** Where record `r`'s first field is on the tape. */
  fieldsAt(r: number): number {
    return recordOffsets[r]! + RECORD_INTS;
  }

  /** How many key/value pairs record `r` has. */
  fieldCount(r: number): number {
    return this.tape()[recordOffsets[r]! + 2]!;
  }

  /** Record `r` exactly as JSON.parse gives it (an object). */
  parseRecord(r: number): Record<string, unknown> {
    const t = this.tape();
    const at = recordOffsets[r]!;
    return JSON.parse(this.bytes.toString('utf8', t[at]!, t[at + 1]!));
  }
}

/** Offset of each record's header on the tape (reused like the tape). */
let recordOffsets = new Int32Array(256);
let tape = new Int32Array(16 * 1024);
/** Bumped by every scan: records of an earlier scan can tell they were overwritten. */
let generation = 0;

/** The tape grown to hold `ints` more after its first `used`, which it keeps. */
function grownTape(used: number, ints: number): typeof tape {
  const grown = new Int32Array(Math.max(tape.length * 2, used + ints));
  grown.set(tape.subarray(0, used));
  tape = grown;
  return grown;
}

function noteRecord(r: number, at: number): void {
  if (r >= recordOffsets.length) {
    const grown = new Int32Array(recordOffsets.length * 2);
    grown.set(recordOffsets);
    recordOffsets = grown;
  }
  recordOffsets[r] = at;
}

// Bytes of the JSON grammar.
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

/**
 * The index after JSON whitespace (space, tab, line feed, carriage return: nothing else) from `i`.
 * Every reader below indexes `b` past its end only to get undefined, which matches no byte.
 */
function skipSpace(b: Buffer, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** JSON whitespace: space, tab, line feed, carriage return (nothing else). */
const isSpace = (c: number | undefined): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Results beside a return value are kept in module variables (here and below: the records counted by
 * scanArray, where walk found the array) rather than returned in objects: the scanner runs for every
 * string of millions of pages and allocates nothing per string.
 */
let scannedRecords = 0;
/** Whether the last string read by `stringEnd` was plain: ASCII, no escape. */
let plainString = true;

const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= ZERO && c <= NINE) || ((c | 0x20) >= 97 && (c | 0x20) <= 102));

/**
 * The index after the string whose opening quote is at `i`, or -1 when it is not a valid JSON string
 * (an unescaped control character, a bad escape, no closing quote). Sets `plainString`.
 */
function stringEnd(b: Buffer, i: number): number {
  let plain = true;
  for (i++; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      plainString = plain;
      return i + 1;
    }
    if (c < 32) return -1;
    if (c >= 128) plain = false;
    else if (c === BACKSLASH) {
      plain = false;
      const e = b[++i];
      // " \ / b f n r t
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 47 ||
        e === 98 ||
        e === 102 ||
        e === 110 ||
        e === 114 ||
        e === 116
      )
        continue;
      if (e !== 117 || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]))
        return -1;
      i += 4;
    }
  }
  return -1;
}

/** The index after the JSON number at `i` (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or -1. */
function numberEnd(b: Buffer, i: number): number {
  if (b[i] === MINUS) i++;
  if (b[i] === ZERO) i++;
  else if (isDigit(b[i])) {
    while (isDigit(b[i])) i++;
  } else return -1;
  if (b[i] === DOT) {
    if (!isDigit(b[++i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === LOWER_E || b[i] === UPPER_E) {
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');
const NULL_BYTES = Buffer.from('null');

const startsWith = (b: Buffer, i: number, word: Buffer): boolean => {
  for (let j = 0; j < word.length; j++) if (b[i + j] !== word[j]) return false;
  return true;
};

/** Whether b[start, end) holds exactly the bytes of `word` (a key compared without a string). */
export const sameBytes = (b: Buffer, start: number, end: number, word: Buffer): boolean =>
  end - start === word.length && startsWith(b, start, word);

/** 1 for the bytes a plain string may hold: 0x20–0x7F but the quote and the backslash. */
const PLAIN_BYTE = new Uint8Array(256);
for (let c = 32; c < 128; c++) PLAIN_BYTE[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/**
 * The index after the string whose opening quote is at `i` when it is plain (ASCII, no escape, no
 * control character), else -1: then `stringEnd` reads it. The scanner's common case, kept this small so
 * that V8 inlines it; one table lookup per byte instead of four comparisons took about 8 % off the time
 * per record (bench/page-scan-ab.ts, docs/reprocess-performance.md).
 */
function plainStringEnd(b: Buffer, i: number): number {
  const length = b.length;
  i++;
  while (i < length && PLAIN_BYTE[b[i]!] === 1) i++;
  return i < length && b[i] === QUOTE ? i + 1 : -1;
}

/**
 * Validates the array at `i` (b[i] is `[`) as an array of flat objects and writes its tape. Returns
 * the index after the closing bracket, or -1 (not JSON, or not of that shape: not scanned).
 *
 * Written for speed, as the scanner's hot loop: the tape and its length are held in locals while it runs
 * (the tape is replaced only when it grows) rather than read from the module per field; plain strings
 * take plainStringEnd; whitespace is tested for before calling skipSpace (generated JSON has none).
 * Together a quarter less time per page (docs/reprocess-performance.md).
 */
function scanArray(b: Buffer, i: number): number {
  let records = 0;
  let t = tape;
  let n = 0;
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACKET) {
    scannedRecords = records;
    return i + 1;
  }
  for (;;) {
    if (b[i] !== OPEN_BRACE) return -1;
    const header = n;
    if (n + RECORD_INTS > t.length) t = grownTape(n, RECORD_INTS);
    n += RECORD_INTS;
    t[header] = i;
    let fields = 0;
    i = skipSpace(b, i + 1);
    if (b[i] !== CLOSE_BRACE) {
      for (;;) {
        if (b[i] !== QUOTE) return -1;
        const keyStart = i + 1;
        let keyEscaped = 0;
        let keyEnd = plainStringEnd(b, i);
        if (keyEnd < 0) {
          keyEnd = stringEnd(b, i);
          if (keyEnd < 0) return -1;
          keyEscaped = plainString ? 0 : KEY_ESCAPED;
        }
        i = keyEnd;
        if (isSpace(b[i])) i = skipSpace(b, i);
        if (b[i] !== COLON) return -1;
        i++;
        if (isSpace(b[i])) i = skipSpace(b, i);
        const c = b[i];
        let start = i;
        let end: number;
        let kind: number;
        if (c === QUOTE) {
          end = plainStringEnd(b, i);
          kind = TEXT;
          if (end < 0) {
            end = stringEnd(b, i);
            if (end < 0) return -1;
            kind = plainString ? TEXT : OTHER_TEXT;
          }
          start = i + 1;
          i = end;
          end--;
        } else if (c === MINUS || isDigit(c)) {
          end = i = numberEnd(b, i);
          if (end < 0) return -1;
          kind = NUMBER;
        } else if (c === 116 && startsWith(b, i, TRUE_BYTES)) {
          end = i += 4;
          kind = TRUE;
        } else if (c === 102 && startsWith(b, i, FALSE_BYTES)) {
          end = i += 5;
          kind = FALSE;
        } else if (c === 110 && startsWith(b, i, NULL_BYTES)) {
          end = i += 4;
          kind = NULL;
        } else return -1; // nested value or not JSON
        if (n + FIELD_INTS > t.length) t = grownTape(n, FIELD_INTS);
        t[n] = keyStart;
        t[n + 1] = keyEnd - 1;
        t[n + 2] = start;
        t[n + 3] = end;
        t[n + 4] = kind | keyEscaped;
        n += FIELD_INTS;
        fields++;
        if (isSpace(b[i])) i = skipSpace(b, i);
        if (b[i] === COMMA) {
          i++;
          if (isSpace(b[i])) i = skipSpace(b, i);
        } else if (b[i] === CLOSE_BRACE) break;
        else return -1;
      }
    }
    i++;
    t[header + 1] = i;
    t[header + 2] = fields;
    noteRecord(records++, header);
    i = skipSpace(b, i);
    if (b[i] === COMMA) i = skipSpace(b, i + 1);
    else if (b[i] === CLOSE_BRACKET) {
      scannedRecords = records;
      return i + 1;
    } else return -1;
  }
}

/**
 * The index after the value at `i`, for values off the path (validated later by JSON.parse, so this
 * only has to find the end of a valid value; on anything else it returns an index JSON.parse refuses
 * or -1). Strings are skipped with their escapes; brackets are counted outside strings.
 */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = stringEnd(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  const start = i;
  for (;;) {
    const d = b[i];
    if (d === undefined || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    if (d === 32 || d === 10 || d === 13 || d === 9) break;
    i++;
  }
  return i > start ? i : -1;
}

/** The keys leading to the records, as bytes. */
const PATH = ['response', 'body', 'data'].map((k) => Buffer.from(k));

/** Where the records array lies: [start, end) of its text, found by `walk`. */
let arrayStart = -1;
let arrayEnd = -1;

/**
 * Walks the object at `i` (b[i] is `{`), the `depth`-th on the path: finds PATH[depth] among its keys
 * (exactly once, no key of this object escaped), descends into it, and scans the array at the end of
 * the path. Returns the index after the object, or -1 (not scanned).
 */
function walk(b: Buffer, i: number, depth: number): number {
  const key = PATH[depth]!;
  let found = false;
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACE) return -1;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyEnd = stringEnd(b, i);
    // An escaped key could spell the path's key ("bod\u0079"): such an object is not scanned.
    if (keyEnd < 0 || !plainString) return -1;
    const hit = sameBytes(b, i + 1, keyEnd - 1, key);
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return -1;
    i = skipSpace(b, i + 1);
    if (hit) {
      if (found) return -1;
      found = true;
      if (depth === PATH.length - 1) {
        if (b[i] !== OPEN_BRACKET) return -1;
        arrayStart = i;
        i = arrayEnd = scanArray(b, i);
      } else {
        if (b[i] !== OPEN_BRACE) return -1;
        i = walk(b, i, depth + 1);
      }
    } else i = skipValue(b, i);
    if (i < 0) return -1;
    i = skipSpace(b, i);
    if (b[i] === COMMA) i = skipSpace(b, i + 1);
    else if (b[i] === CLOSE_BRACE) return found ? i + 1 : -1;
    else return -1;
  }
}

/** An envelope whose records were scanned rather than parsed: its `response.body.data` is `[]`. */
export interface ScannedPage {
  readonly envelope: Envelope;
  readonly records: ScannedRecords;
}

/**
 * The page in `bytes` (exactly the file's bytes: a view of that length), or undefined when it is not
 * one this scanner proves (see the module comment): the caller then parses the text with JSON.parse.
 */
export function scanPage(bytes: Uint8Array): ScannedPage | undefined {
  // First: records of an earlier page must not be readable after any later call.
  generation++;
  if (bytes.length > SCAN_MAX_BYTES) return undefined;
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  arrayStart = arrayEnd = -1;
  const start = skipSpace(b, 0);
  if (b[start] !== OPEN_BRACE || walk(b, start, 0) < 0) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(`${b.toString('utf8', 0, arrayStart)}[]${b.toString('utf8', arrayEnd)}`);
  } catch {
    return undefined;
  }
  if (envelopeProblem(envelope) !== undefined || checkJsonValue(envelope) !== undefined) return undefined;
  return { envelope: envelope as Envelope, records: new ScannedRecords(b, scannedRecords, generation) };
}
