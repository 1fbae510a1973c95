/**
 * `npx tsx scripts/compare-mentions.ts <commit>`: the safety check of a change to how mentions.ts reads a
 * text (docs/mentions.md). It runs `mentionedSymbols` as it is here and as it was at <commit> on the same
 * texts and universes and stops at the first text where they differ.
 *
 * The old version comes from `git archive <commit> lambdas/core` into a temporary folder, so it runs with
 * its own helpers and word tables; both get the same universe objects. The texts: every labelled text of
 * the sentiment evaluation (UCI and crypto-Reddit), the comments of one bench run (bench/transform.ts),
 * then --runs generated ones (fast-check) built to stress the reading: universe words and names in
 * several cases, cashtags, separators, non-ASCII letters, case mappings that do not round-trip ("ß",
 * the Kelvin sign), lone surrogates and emoji. Each text is checked against the default universe and
 * against one that holds symbols with such characters.
 *
 * Rule changes are meant to differ: this check is for changes that claim to keep the rules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { writeRunRaw } from '../bench/transform';
import { UsageError } from '../cli/kit/args';
import type { Io } from '../cli/kit/io';
import { runScript } from '../cli/kit/script';
import { type CoinRef, DEFAULT_COIN_UNIVERSE } from '../lambdas/core/coin-universe';
import { mentionedSymbols } from '../lambdas/core/mentions';
import { evaluationSets } from './eval-sentiment';

type Mentions = typeof mentionedSymbols;

const ROOT = join(import.meta.dirname, '..');
const DEFAULT_RUNS = 100_000;

/**
 * Symbols whose case mappings do not round-trip or lie outside ASCII, beside a slice of the default. No
 * ASCII "K" beside the Kelvin sign: it would hide a lookup that confused the two.
 */
const ODD_UNIVERSE: readonly CoinRef[] = [
  { symbol: 'SS', name: 'Strasse Coin' },
  { symbol: '\u212A', name: 'Kelvin Sign' },
  { symbol: 'ÉTH', name: 'Éthé Coin' },
  { symbol: 'İ', name: 'Dotted' },
  { symbol: 'Ω', name: 'Ohm' },
  { symbol: '𝐀', name: '𝐀lpha' },
  ...DEFAULT_COIN_UNIVERSE.slice(0, 50),
];

/** `mentionedSymbols` of `lambdas/core/mentions.ts` at `commit`, and the folder to delete after. */
async function mentionsAt(commit: string): Promise<{ old: Mentions; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-mentions-'));
  let archive: Buffer;
  try {
    archive = execFileSync('git', ['archive', '--format=tar', commit, 'lambdas/core'], {
      cwd: ROOT,
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    throw new UsageError(`no lambdas/core at "${commit}" (${why.split('\n')[0]})`);
  }
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const module = (await import(pathToFileURL(join(dir, 'lambdas', 'core', 'mentions.ts')).href)) as {
    mentionedSymbols?: Mentions;
  };
  if (typeof module.mentionedSymbols !== 'function')
    throw new UsageError(`lambdas/core/mentions.ts at "${commit}" exports no mentionedSymbols`);
  return { old: module.mentionedSymbols, dir };
}

/** The comments of one bench run (bench/transform.ts), as the transform Lambda reads them. */
function benchComments(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-mentions-run-'));
  try {
    writeRunRaw(dir);
    const folder = join(dir, 'comments');
    return readdirSync(folder).flatMap((file) => {
      const envelope = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      return (envelope.response.body.data.children as { data: { body: string } }[]).map((c) => c.data.body);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generated texts that stress how a text is read (see the module comment). */
function generatedText(): fc.Arbitrary<string> {
  const words = [
    ...new Set(
      DEFAULT_COIN_UNIVERSE.flatMap((c) => [
        c.symbol,
        c.symbol.toLowerCase(),
        `$${c.symbol}`,
        ...(c.name ?? '').split(' '),
      ]),
    ),
  ];
  const tricky = [
    'staking',
    'price',
    'bought',
    'sold',
    'half',
    'my',
    'and',
    'is',
    'the',
    'a',
    '500',
    'crypto',
    'used',
    'ß',
    '$ß',
    'ẞ',
    'straße',
    'ǅ',
    'ﬀ',
    'İ',
    'ı',
    'K',
    '\u212A',
    'k',
    'Ω',
    'ω',
    '𝐀',
    '$𝐀',
    '😀',
    'é',
    'e\u0301',
    '\ud835',
    '\udc00',
    '$',
    '$$',
    '.',
    '!',
    '?',
    '\n',
    ',',
    '/',
  ];
  const token = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(...tricky),
    fc.string({ maxLength: 4 }),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
    fc.string({ unit: 'binary', maxLength: 3 }),
  );
  const separator = fc.constantFrom(' ', '', ', ', '. ', '\n', '/', '$', ' and ', '-');
  return fc
    .array(fc.tuple(token, separator), { maxLength: 25 })
    .map((parts) => parts.map(([t, s]) => t + s).join(''));
}

async function main(commit: string, runs: number, io: Io): Promise<number> {
  const { old, dir } = await mentionsAt(commit);
  try {
    let checked = 0;
    /** How the two versions differ on `text`, or undefined when they agree on both universes. */
    const difference = (text: string): string | undefined => {
      for (const universe of [DEFAULT_COIN_UNIVERSE, ODD_UNIVERSE]) {
        const before = old(text, universe);
        const now = mentionedSymbols(text, universe);
        if (before.join(',') !== now.join(','))
          return (
            `differs on ${JSON.stringify(text)}${universe === ODD_UNIVERSE ? ' (odd universe)' : ''}: ` +
            `at ${commit} [${before.join(', ')}], here [${now.join(', ')}]`
          );
      }
      checked++;
      return undefined;
    };
    const labelled = Object.entries(evaluationSets())
      .filter(([name]) => name !== 'crypto-Reddit all')
      .flatMap(([, items]) => items.map((item) => item.text));
    const real = [...labelled, ...benchComments()];
    for (const text of real) {
      const found = difference(text);
      if (found !== undefined) {
        io.err(found);
        return 1;
      }
    }
    io.out(`${real.length.toLocaleString('en-US')} real texts: same symbols`);
    const result = fc.check(
      fc.property(generatedText(), (text) => difference(text) === undefined),
      { numRuns: runs },
    );
    if (result.failed) {
      // fast-check shrinks a failing text to a small one before reporting it.
      io.err(difference(result.counterexample![0]) ?? `a generated text differs (seed ${result.seed})`);
      return 1;
    }
    io.out(`${runs.toLocaleString('en-US')} generated texts: same symbols`);
    io.out(`mentionedSymbols here and at ${commit} agree on all ${checked.toLocaleString('en-US')} texts`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await runScript({
    name: 'scripts/compare-mentions.ts',
    usage: `Usage: npx tsx scripts/compare-mentions.ts <commit> [--runs N]

Checks that lambdas/core/mentions.ts gives the same symbols here as at <commit> on every labelled text of
the sentiment evaluation, one bench run's comments and N generated texts (default ${DEFAULT_RUNS}),
against the default universe and one with non-ASCII symbols. Prints the first text where they differ
and exits 1; exits 0 when they agree.`,
    flags: { runs: { type: 'number' } },
    positionals: 1,
    async main(flags, positionals, io) {
      const commit = positionals[0];
      if (!commit) throw new UsageError('name the commit to compare with');
      const runs = flags.runs ?? DEFAULT_RUNS;
      if (!Number.isInteger(runs) || runs < 0)
        throw new UsageError(`--runs must be a whole number, not ${runs}`);
      return main(commit, runs, io);
    },
  });
