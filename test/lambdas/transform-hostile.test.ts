import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { TransformInput } from '../../lambdas/contracts';
import { MAX_JSON_DEPTH } from '../../lambdas/core/json-guard';
import { rawKey } from '../../lambdas/core/lake';
import type { HandlerDeps } from '../../lambdas/deps';
import { createTransform } from '../../lambdas/handlers/transform';
import { envelope, ticker, tickersBody } from './envelope-builder';

/**
 * The transform Lambda fed a batch where some raw objects are hostile: every good envelope still lands,
 * every bad one is reported once with its key and a one-line reason that quotes none of its content.
 */
const PARTITION = new Date('2026-11-24T10:20:00.000Z');
/** Put inside hostile files: a reason that echoes content would carry it. */
const CANARY = 'CANARY-content-must-not-be-echoed';

let root: string;
let lake: FsLakeStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-transform-hostile-'));
  lake = new FsLakeStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

function deps(): HandlerDeps {
  const quiet = () => {};
  return {
    lake,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    coinloreBaseUrl: 'http://127.0.0.1:9',
    redditApiBaseUrl: 'http://127.0.0.1:9',
    redditAuthUrl: 'http://127.0.0.1:9',
    redditUserAgent: 'test',
    getRedditCredentials: () => Promise.reject(new Error('not used')),
    now: () => PARTITION,
    sleep: async () => {},
  };
}

const input = (rawKeys: string[]): TransformInput => ({
  runId: 'hostile-run',
  dataset: 'coinlore_tickers',
  partitionTime: PARTITION.toISOString(),
  rawKeys,
});

/** Hostile raw-object texts: deep nesting (bare and inside a valid envelope), garbage, truncation. */
const deepText = (levels: number) => `${'['.repeat(levels)}"${CANARY}"${']'.repeat(levels)}`;
const HOSTILE: Readonly<Record<string, string>> = {
  'deep-array': deepText(5000),
  'deep-object': `${'{"a":'.repeat(3000)}"${CANARY}"${'}'.repeat(3000)}`,
  'deep-body': JSON.stringify(envelope('coinlore', 'tickers', 'x')).replace(
    '"x"',
    deepText(MAX_JSON_DEPTH + 5),
  ),
  garbage: `${CANARY} \u0000\u00ff not json`,
  truncated: `{"request":{"method":"GET","url":"${CANARY}`,
  empty: '',
};

async function putGood(part: string, ids: number[]): Promise<string> {
  const key = rawKey('coinlore', 'tickers', PARTITION, part);
  await lake.put(
    key,
    JSON.stringify(envelope('coinlore', 'tickers', tickersBody(ids.map((id) => ticker(id))))),
  );
  return key;
}

describe('createTransform with hostile raw objects', () => {
  it('lands every good envelope and reports each hostile one with its key and a one-line reason', async () => {
    const good = [await putGood('p000', [1, 2, 3]), await putGood('p001', [4, 5])];
    const bad: string[] = [];
    for (const [name, text] of Object.entries(HOSTILE)) {
      const key = rawKey('coinlore', 'tickers', PARTITION, `bad_${name}`);
      await lake.put(key, text);
      bad.push(key);
    }
    // The first key is hostile: a bad file sorting first must not stop the others.
    const out = await createTransform(deps())(input([bad[0]!, ...good, ...bad.slice(1)]));
    expect(out.rows).toBe(5);
    expect(out.key).toBeDefined();
    expect(out.skipped.map((s) => s.rawKey).sort()).toEqual([...bad].sort());
    for (const s of out.skipped) {
      expect(s.reason).not.toContain(CANARY);
      expect(s.reason).not.toMatch(/[\r\n]/);
      expect(s.reason.length).toBeLessThan(200);
    }
    const deepReason = out.skipped.find((s) => s.rawKey.includes('bad_deep-array'))!.reason;
    expect(deepReason).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('never throws and accounts for every raw object, whatever the bad objects hold', async () => {
    const hostileText = fc.oneof(
      fc.string(),
      fc.json(),
      fc.integer({ min: MAX_JSON_DEPTH + 1, max: 12_000 }).map(deepText),
      fc.constantFrom(...Object.values(HOSTILE)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileText, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (texts, goodCount) => {
          const keys: string[] = [];
          for (let i = 0; i < goodCount; i++) keys.push(await putGood(`g${i}`, [i * 10 + 1, i * 10 + 2]));
          for (const [i, t] of texts.entries()) {
            const key = rawKey('coinlore', 'tickers', PARTITION, `h${i}`);
            await lake.put(key, t);
            keys.push(key);
          }
          const out = await createTransform(deps())(input(keys));
          // Each good envelope holds 2 distinct tickers; a hostile text never adds a valid ticker row
          // unless it happens to be a valid tickers envelope, which fc.json/fc.string cannot produce.
          expect(out.rows).toBe(goodCount * 2);
          const skippedKeys = new Set(out.skipped.map((s) => s.rawKey));
          for (const s of out.skipped) {
            expect(s.reason).not.toMatch(/[\r\n]/);
            expect(s.reason).not.toContain('CANARY');
          }
          for (const k of keys.slice(goodCount)) expect(skippedKeys.has(k)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
