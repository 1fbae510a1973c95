import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { castString } from '../../lambdas/core/cast';
import { TextColumn } from '../../lambdas/core/columns';
import { DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import { type Field, scannedFill } from '../../lambdas/core/fill';
import { MAX_JSON_DEPTH } from '../../lambdas/core/json-guard';
import { FIELD_INTS, SCAN_MAX_BYTES, ScannedRecords, scanPage, TEXT } from '../../lambdas/core/page-scan';
import { type KeyedEnvelope, transformEnvelopes } from '../../lambdas/core/transform';
import { envelope, ticker, tickersBody } from './envelope-builder';

/**
 * The scanner (lambdas/core/page-scan.ts) against JSON.parse, the reference: whenever it scans a text,
 * JSON.parse must accept that text, and the transform of the scanned page must equal the transform of
 * the parsed one in every output (columns, rejects with their records, skips, null counts, duplicates).
 * When JSON.parse refuses a text, the scanner must not scan it.
 */

/** Everything a transform says about a batch, its rows as read back from the columns. */
function outcome(dataset: DatasetName, batch: KeyedEnvelope) {
  const r = transformEnvelopes(dataset, [batch], { runId: 'scan-test' });
  const { rows, rejects, skipped, nullCounts, duplicates, moreSkipped, records } = r;
  return { rows, rejects, skipped, nullCounts, duplicates, moreSkipped, records };
}

const parsedOutcome = (dataset: DatasetName, text: string) =>
  outcome(dataset, { key: 'k', envelope: JSON.parse(text) });

function scannedOutcome(dataset: DatasetName, text: string) {
  const page = scanPage(Buffer.from(text));
  if (!page) throw new Error('not scanned');
  return outcome(dataset, { key: 'k', envelope: page.envelope, scanned: page.records });
}

const pageText = (tickers: unknown[], body = tickersBody(tickers)) =>
  JSON.stringify(envelope('coinlore', 'tickers', body));

const accepts = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('scanPage', () => {
  it('scans a tickers page into the same rows as JSON.parse, with the records array left out of the envelope', () => {
    const text = pageText([ticker(1), ticker(2), ticker(3, { msupply: '21000000' })]);
    const page = scanPage(Buffer.from(text))!;
    expect(page.records.count).toBe(3);
    const expected = JSON.parse(text);
    expected.response.body.data = [];
    expect(page.envelope).toEqual(expected);
    const scanned = scannedOutcome('coinlore_tickers', text);
    expect(scanned).toEqual(parsedOutcome('coinlore_tickers', text));
    expect(scanned.rows).toHaveLength(3);
  });

  it('writes a blank optional string as null into a slot a rejected record used before', () => {
    // The rejected record's cells stay in its slot, which the next record reuses: nameid must not leak.
    const text = pageText([
      ticker(1, { nameid: 'rejected-slug', price_usd: 'x' }),
      ticker(2, { nameid: '' }),
    ]);
    const scanned = scannedOutcome('coinlore_tickers', text);
    expect(scanned).toEqual(parsedOutcome('coinlore_tickers', text));
    expect(scanned.rows.map((r) => [r.coin_id, r.nameid])).toEqual([['2', null]]);
    expect(scanned.rejects).toHaveLength(1);
  });

  // The fast path must cover every shape of a valid page, or reprocessing silently slows down: these
  // pages must be scanned (and give what JSON.parse gives).
  it.each([
    [
      'JSON whitespace around every token',
      (t: string) => JSON.stringify(JSON.parse(t), null, ' \t').replaceAll('\n', '\r\n'),
    ],
    ['an empty records array', (t: string) => t.replace(/"data":\[.*\],"info"/, '"data":[],"info"')],
    ['an empty record', (t: string) => t.replace('"data":[', '"data":[{},')],
    [
      'values of every scalar kind',
      (t: string) =>
        t.replace('"msupply":""', '"msupply":null,"a":true,"b":false,"c":-0.5e-3,"d":0,"e":1E+2'),
    ],
    [
      'nested values, brackets and escaped quotes off the path',
      (t: string) =>
        t.replace(
          '"headers":{',
          '"headers":{"x":[{"y":"]}\\"[{"},[],{},-1.5e3,true,null],"z":"\\u00e9\\\\","w":{"a":{"b":[]}},',
        ),
    ],
    ['the path keys after other keys', (t: string) => t.replace('{"request"', '{"a":1,"request"')],
    [
      "a records array after the body's other keys",
      (t: string) => t.replace(/"body":\{"data":(\[.*\]),"info":(\{[^}]*\})/, '"body":{"info":$2,"data":$1'),
    ],
  ])('scans a page with %s', (name, edit) => {
    const text = edit(pageText([ticker(1), ticker(2)]));
    expect(text).not.toBe(pageText([ticker(1), ticker(2)]));
    expect(accepts(text)).toBe(true);
    expect(scanPage(Buffer.from(text))).toBeDefined();
    const parsedRecords = vi.spyOn(ScannedRecords.prototype, 'parseRecord');
    try {
      expect(scannedOutcome('coinlore_tickers', text)).toEqual(parsedOutcome('coinlore_tickers', text));
      // Clean tickers never leave the fast path; the empty record (required fields missing) does.
      expect(parsedRecords).toHaveBeenCalledTimes(name === 'an empty record' ? 1 : 0);
    } finally {
      parsedRecords.mockRestore();
    }
  });

  it('gives records that do not take the fast path to the object path: same rejects, nulls and rows', () => {
    const text = pageText([
      ticker(1, { name: 'Caf\u00e9 "coin"' }), // escapes and non-ASCII: parsed
      ticker(2, { price_usd: 'NaN' }), // required value that does not cast: a reject
      ticker(3, { price_btc: '1e400' }), // optional values that do not cast: nulled, counted
      ticker(6, { rank: 1.5 }),
      ticker(4, { symbol: '' }), // required and blank: a reject
      ticker(1, { price_usd: '2.00' }), // a duplicate of coin 1: kept in its place
      { ...ticker(5), extra: { nested: true } }, // not flat: the whole page is parsed instead
    ]);
    expect(scanPage(Buffer.from(text))).toBeUndefined();
    const flat = text.replace('{"nested":true}', '"flat"');
    const parsedRecords = vi.spyOn(ScannedRecords.prototype, 'parseRecord');
    const scanned = scannedOutcome('coinlore_tickers', flat);
    // Only the five records off the fast path were parsed (coin 1's duplicate and coin 5 were not).
    expect(parsedRecords.mock.calls.map(([r]) => r)).toEqual([0, 1, 2, 3, 4]);
    parsedRecords.mockRestore();
    expect(scanned).toEqual(parsedOutcome('coinlore_tickers', flat));
    expect(scanned.rejects.map((r) => r.reason)).toEqual(['invalid price_usd: "NaN"', 'missing symbol']);
    // A required value that does not cast is counted as nulled too, and rejects its record.
    expect(scanned.nullCounts).toEqual({ price_usd: 1, price_btc: 1, rank: 1 });
    expect(scanned.duplicates).toBe(1);
  });

  it('reads repeated keys, unknown keys and missing fields as JSON.parse does', () => {
    const text = pageText([ticker(1), ticker(2)])
      .replace('"id":"1",', '"id":"1","id":"7","__proto__":{},')
      .replace('"nameid":"coin-2",', '"constructor":"x",');
    const flat = text.replace('"__proto__":{}', '"__proto__":"p"');
    expect(scanPage(Buffer.from(text))).toBeUndefined(); // a nested value
    expect(scannedOutcome('coinlore_tickers', flat)).toEqual(parsedOutcome('coinlore_tickers', flat));
    expect(JSON.parse(flat).response.body.data[0].id).toBe('7');
  });

  it('hands a mislabeled page to datasets that do not scan as the records JSON.parse gives', () => {
    const text = pageText([ticker(1)]).replace('"source":"coinlore"', '"source":"reddit"');
    for (const dataset of ['reddit_comments', 'coinlore_global', 'coinlore_tickers'] as const)
      expect(scannedOutcome(dataset, text)).toEqual(parsedOutcome(dataset, text));
  });

  it.each([
    ['an escaped key on the path', (t: string) => t.replace('"body"', '"bod\\u0079"')],
    [
      'an escaped repeat of a path key after it',
      (t: string) =>
        t.replace(
          '"fetched_at"',
          '"resp\\u006fnse":{"status":200,"headers":{},"body":{"data":[]}},"fetched_at"',
        ),
    ],
    ['a second "response"', (t: string) => t.replace('"fetched_at"', '"response":{"status":1},"fetched_at"')],
    ['a second "data"', (t: string) => t.replace('"info"', '"data":[],"info"')],
    ['no "data"', (t: string) => t.replace('"data"', '"rows"')],
    [
      '"data" not an array',
      (t: string) => t.replace('"data":[', '"data":{"x":[').replace('],"info"', ']},"info"'),
    ],
    ['an array that holds a non-object', (t: string) => t.replace('"data":[', '"data":[1,')],
    ['a byte order mark', (t: string) => `\ufeff${t}`],
    ['not an envelope', (t: string) => t.replace('"fetched_at"', '"fetched"')],
  ])('does not scan a page with %s', (_, edit) => {
    const text = edit(pageText([ticker(1), ticker(2)]));
    expect(scanPage(Buffer.from(text))).toBeUndefined();
  });

  it.each([
    ['a trailing comma in a record', '"msupply":""}', '"msupply":"",}'],
    ['a trailing comma in the array', '}],"info"', '},],"info"'],
    ['a leading zero', '"rank":1,', '"rank":01,'],
    ['a dot without digits', '"rank":1,', '"rank":1.,'],
    ['a bare minus', '"rank":1,', '"rank":-,'],
    ['an exponent without digits', '"rank":1,', '"rank":1e,'],
    ['a control character in a string', '"symbol":"C1"', '"symbol":"C\u00011"'],
    ['the last control character in a string', '"symbol":"C1"', '"symbol":"C\u001f1"'],
    ['an unknown escape', '"symbol":"C1"', '"symbol":"C\\x1"'],
    ['a short \\u escape', '"symbol":"C1"', '"symbol":"C\\u123x"'],
    ['a misspelled literal', '"msupply":""', '"msupply":nul'],
    ['a missing colon', '"msupply":""', '"msupply" ""'],
    ['an unclosed string', '"msupply":""}]', '"msupply":"}]'],
    ['garbage after the text', '"tickers"}', '"tickers"} x'],
  ])('refuses %s, as JSON.parse does', (_, from, to) => {
    const good = pageText([ticker(1)]);
    const text = good.replace(from, to);
    expect(text).not.toBe(good);
    expect(accepts(text)).toBe(false);
    expect(scanPage(Buffer.from(text))).toBeUndefined();
  });

  it('refuses a record that starts with anything but a brace', () => {
    const text = pageText([ticker(1)]).replace('"data":[{', '"data":[1');
    expect(accepts(text)).toBe(false);
    expect(scanPage(Buffer.from(text))).toBeUndefined();
  });

  it('reads bytes that are not ASCII as UTF-8, as the reference path does (invalid ones as U+FFFD)', () => {
    const good = pageText([ticker(1), ticker(2)]);
    for (const bytes of [
      Buffer.concat([
        Buffer.from(good.slice(0, good.indexOf('Coin 1'))),
        Buffer.from([0x80]),
        Buffer.from(good.slice(good.indexOf('Coin 1'))),
      ]),
      Buffer.from(good.replace('Coin 1', 'Co\u00efn 1 \u20ac').replace('Coin 2', 'Coïn 2 €')),
    ]) {
      const text = bytes.toString('utf8');
      const page = scanPage(bytes)!;
      const scanned = outcome('coinlore_tickers', {
        key: 'k',
        envelope: page.envelope,
        scanned: page.records,
      });
      expect(scanned).toEqual(parsedOutcome('coinlore_tickers', text));
      expect(scanned.rows[0]!.name).not.toBe('Coin 1');
    }
  });

  it('stores in string columns the UTF-8 of the value JSON.parse gives, byte for byte, whatever the bytes', () => {
    // Compared as bytes, not read back as strings: reading back turns an invalid byte into U+FFFD, so a
    // column holding the raw byte 0x80 (invalid UTF-8 in a Parquet string) would read the same.
    // One backslash (escaped: a scanner that copied it would store two), bytes that are not UTF-8 alone
    // and before plain ones, and valid UTF-8.
    const names = ['\\', '@1', '@2abc', '\u00e9t\u00e9'];
    const text = pageText(names.map((name, i) => ticker(i + 1, { name })));
    const [head, middle, tail] = text.split(/@[12]/) as [string, string, string];
    const bytes = Buffer.concat([
      Buffer.from(head),
      Buffer.from([0x80, 0xff]),
      Buffer.from(middle),
      Buffer.from([0x80]),
      Buffer.from(tail),
    ]);
    const page = scanPage(bytes)!;
    const scanned = transformEnvelopes(
      'coinlore_tickers',
      [{ key: 'k', envelope: page.envelope, scanned: page.records }],
      { runId: 'scan-test' },
    ).columns;
    const expected = JSON.parse(bytes.toString('utf8')).response.body.data.map(
      (t: { name: string }) => t.name,
    );
    expect(expected.slice(0, 3)).toEqual(['\\', '\ufffd\ufffd', '\ufffdabc']);
    const name = scanned.columns[DATASETS.coinlore_tickers.columns.findIndex((c) => c.name === 'name')];
    if (!(name instanceof TextColumn)) throw new Error('name is not a string column');
    for (let r = 0; r < names.length; r++)
      expect(
        Buffer.from(name.bytes.subarray(name.starts[r]!, name.starts[r]! + name.lengths[r]!)),
        String(r),
      ).toEqual(Buffer.from(expected[r], 'utf8'));
  });

  it('leaves an envelope nested deeper than the JSON limit to the reference path, which refuses it', () => {
    const deep = `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`;
    const text = pageText([ticker(1)]).replace('"headers":{', `"headers":{"x":${deep},`);
    expect(accepts(text)).toBe(true);
    expect(scanPage(Buffer.from(text))).toBeUndefined();
  });

  it('leaves datasets whose field names Object.prototype also has, or a string cast of their own, to the object path', () => {
    const field = (source: string): Field => ({
      name: source,
      column: 0,
      required: false,
      numeric: false,
      text: true,
      source,
      read: undefined,
      cast: castString,
    });
    expect(scannedFill([field('symbol')])).toBeDefined();
    expect(scannedFill([field('symbol'), field('constructor')])).toBeUndefined();
    expect(scannedFill([{ ...field('symbol'), source: undefined, read: (r) => r.x }])).toBeUndefined();
    // A string column whose cast is not castString: its bytes cannot be copied without the cast.
    expect(
      scannedFill([{ ...field('symbol'), cast: (v) => (typeof v === 'string' ? v.trim() : null) }]),
    ).toBeUndefined();
  });

  it('scans a page of thousands of records (the tape grows) up to exactly SCAN_MAX_BYTES', () => {
    const tickers = Array.from({ length: 2500 }, (_, i) => ticker(i + 1));
    const text = pageText(tickers);
    expect(text.length).toBeLessThan(SCAN_MAX_BYTES);
    const page = scanPage(Buffer.from(text))!;
    expect(page.records.count).toBe(2500);
    // Every record exactly where JSON.parse has it: a record or field written past the tape's end (a
    // write a typed array drops) would read back as another record, or none.
    const parsed = JSON.parse(text).response.body.data;
    const tape = page.records.tape();
    const b = page.records.bytes;
    for (let r = 0; r < 2500; r++) {
      expect(page.records.parseRecord(r), String(r)).toEqual(parsed[r]);
      // Each field's key and value as the tape has them (a lost optional field reads as missing, which
      // the fill would take for a blank value).
      const fields: [string, unknown][] = [];
      for (let p = 0, at = page.records.fieldsAt(r); p < page.records.fieldCount(r); p++, at += FIELD_INTS) {
        const value = b.toString('utf8', tape[at + 2]!, tape[at + 3]!);
        fields.push([
          b.toString('utf8', tape[at]!, tape[at + 1]!),
          JSON.parse(tape[at + 4] === TEXT ? `"${value}"` : value),
        ]);
      }
      expect(fields, String(r)).toEqual(Object.entries(parsed[r]));
    }
    // And none of them leaves the fast path: a lost field would send its record to the object path,
    // which gives the same rows, only slower.
    const parsedRecords = vi.spyOn(ScannedRecords.prototype, 'parseRecord');
    try {
      expect(scannedOutcome('coinlore_tickers', text)).toEqual(parsedOutcome('coinlore_tickers', text));
      expect(parsedRecords).not.toHaveBeenCalled();
    } finally {
      parsedRecords.mockRestore();
    }
    const padded = text.replace(
      '"headers":{',
      `"headers":{"pad":"${'x'.repeat(SCAN_MAX_BYTES - text.length - 9)}",`,
    );
    expect(padded.length).toBe(SCAN_MAX_BYTES);
    expect(scanPage(Buffer.from(padded))).toBeDefined();
  });

  it('keeps every record header when the tape grows right at one (records of one field, 8 ints each)', () => {
    // The tape doubles from 16,384 ints, so with records of 8 ints some header starts exactly where the
    // tape ends, at every size it grows through; 70,000 records (560,000 ints) pass any size an earlier
    // test left (the largest page before holds 2,500 tickers, about 208,000 ints).
    const records = Array.from({ length: 70_000 }, (_, i) => ({ i }));
    const text = pageText(records);
    expect(text.length).toBeLessThan(SCAN_MAX_BYTES);
    const page = scanPage(Buffer.from(text))!;
    expect(page.records.count).toBe(records.length);
    expect(page.records.tape().length).toBeGreaterThanOrEqual(8 * records.length);
    for (let r = 0; r < records.length; r++) {
      if (page.records.fieldCount(r) !== 1) expect(page.records.fieldCount(r), String(r)).toBe(1);
      const got = page.records.parseRecord(r);
      if (got.i !== r) expect(got, String(r)).toEqual(records[r]);
    }
  });

  it('leaves texts over SCAN_MAX_BYTES to JSON.parse', () => {
    const tickers = Array.from({ length: Math.ceil(SCAN_MAX_BYTES / 300) }, (_, i) => ticker(i));
    const text = pageText(tickers);
    expect(text.length).toBeGreaterThan(SCAN_MAX_BYTES);
    expect(scanPage(Buffer.from(text))).toBeUndefined();
    expect(scanPage(Buffer.from(pageText(tickers.slice(0, 100))))).toBeDefined();
  });

  it('refuses to read records after another page was scanned (the tape is reused)', () => {
    const first = scanPage(Buffer.from(pageText([ticker(1)])))!;
    scanPage(Buffer.from(pageText([ticker(2)])));
    expect(() => first.records.parseRecord(0)).toThrow(/after another page was scanned/);
    // Also after a call that scans nothing (a text over the size limit).
    const second = scanPage(Buffer.from(pageText([ticker(3)])))!;
    expect(scanPage(Buffer.alloc(SCAN_MAX_BYTES + 1, 32))).toBeUndefined();
    expect(() => second.records.fieldCount(0)).toThrow(/after another page was scanned/);
  });

  // Values a Coinlore field may hold, as JSON text: clean ones and every kind of trouble.
  const VALUES = [
    '"1598.83"',
    '"-0.00"',
    '"0"',
    '""',
    'null',
    'true',
    'false',
    '12432033.89',
    '5701',
    '-0',
    '1e400',
    '1.5e-7',
    '"1e5"',
    '"1.5"',
    '"abc"',
    '"NaN"',
    '" 12"',
    '"12 "',
    '"0x10"',
    '"1234567890123456"',
    '"123456789012345"',
    '"9007199254740993"',
    '9007199254740993',
    '"Caf\\u00e9"',
    '"Café"',
    '"a\\"b"',
    '"\\ud800"',
    '"."',
    '"-"',
    '"1."',
    '".5"',
    '"+5"',
    '"-1598.83"',
    '"00012"',
    '0.1',
    '"C1"',
    '[1]',
  ];
  // Every field of a ticker (the builder's), then keys no column reads or JSON.parse reads differently.
  const FIELDS = Object.keys(ticker(0));
  const KEYS = [...FIELDS, 'extra', 'pr\\u0069ce_usd', '__proto__', 'toString', 'na\u00efve'];
  // JSON's four whitespace characters, and rarely two that are not JSON whitespace.
  const space = fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n') },
    { weight: 1, arbitrary: fc.constantFrom('\u00a0', '\f') },
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('"1598.83"', '"0.02072449"', '"12"', '5701', '12432033.89') },
    { weight: 1, arbitrary: fc.constantFrom(...VALUES) },
  );
  /** A record: usually every field with a clean value, sometimes fields dropped, repeated or odd. */
  const record = fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...KEYS), value, space), { maxLength: 4 }),
      fc.integer({ min: 1, max: 40 }),
      fc.subarray(FIELDS, { minLength: 12 }),
      space,
    )
    .map(([odd, id, keys, s]) => {
      const clean = ticker(id);
      const fields = keys.map((k) => `"${k}":${JSON.stringify(clean[k])}`);
      for (const [k, v, sp] of odd) fields.splice(id % (fields.length + 1), 0, `${sp}"${k}"${sp}:${sp}${v}`);
      return `{${s}${fields.join(`,${s}`)}${s}}`;
    });
  const page = fc
    .tuple(
      fc.array(record, { maxLength: 5 }),
      space,
      fc.constantFrom('coinlore', 'reddit'),
      fc.constantFrom(200, 500),
    )
    .map(([records, s, source, status]) =>
      pageText([])
        .replace('"data":[]', `"data":${s}[${s}${records.join(`${s},${s}`)}${s}]`)
        .replace('"source":"coinlore"', `"source":"${source}"`)
        .replace('"status":200', `"status":${status}`),
    );
  /** Sometimes a byte-level edit: a character deleted, inserted or replaced. */
  const mutated = fc
    .tuple(
      page,
      fc.option(
        fc.tuple(
          fc.nat(),
          fc.constantFrom('', '{', '}', '[', ']', '"', ':', ',', '\\', '0', 'e', '.', '-', ' ', 'a'),
          fc.boolean(),
        ),
        { freq: 2 },
      ),
    )
    .map(([text, edit]) => {
      if (!edit) return text;
      const [at, c, replace] = edit;
      const i = at % (text.length + 1);
      return text.slice(0, i) + c + text.slice(replace ? i + 1 : i);
    });

  it('scans only texts JSON.parse accepts, and then transforms them exactly as the parsed envelope', () => {
    let scanned = 0;
    let refused = 0;
    let withRejects = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        const page = scanPage(Buffer.from(text));
        if (!accepts(text)) {
          refused++;
          expect(page).toBeUndefined();
          return;
        }
        if (!page) return;
        scanned++;
        const expected = JSON.parse(text);
        expected.response.body.data = [];
        expect(page.envelope).toEqual(expected);
        for (const dataset of ['coinlore_tickers', 'reddit_comments'] as const) {
          const parsed = parsedOutcome(dataset, text);
          expect(scannedOutcome(dataset, text)).toEqual(parsed);
          if (parsed.rejects.length > 0) withRejects++;
        }
      }),
      { numRuns: 1200 },
    );
    // Not vacuous: many texts take each side, and scanned ones include dirty records.
    expect(scanned).toBeGreaterThan(350);
    expect(refused).toBeGreaterThan(180);
    expect(withRejects).toBeGreaterThan(50);
  });
});
