/**
 * Sentiment and coin-mention benchmarks (issue 13): accuracy per evaluation set of finance-de-lab's scorer,
 * AFINN and VADER from the same run (targets: the wink-nlp figures on UCI, 0.90 on crypto-Reddit),
 * mention precision/recall, and single-core throughput on real sentences (target ≥ 50,000 texts/s).
 * The full confusion matrices are in docs/sentiment.md (`npm run eval:sentiment -- --write`).
 *
 *   npx tsx bench/sentiment.ts          # prints the results
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_COIN_UNIVERSE } from '../lambdas/core/coin-universe';
import { mentionedSymbols } from '../lambdas/core/mentions';
import { scoreSentiment } from '../lambdas/core/sentiment';
import { evaluate, evaluationSets, mentionResults, SCORERS } from '../scripts/eval-sentiment';
import type { BenchResult } from './types';

/** The issue's targets: wink-nlp's accuracy per UCI set, and 0.90 on crypto-Reddit text. */
const ACCURACY_TARGETS: Readonly<Record<string, number>> = {
  'UCI amazon': 0.764,
  'UCI imdb': 0.73,
  'UCI yelp': 0.669,
  'crypto-Reddit held-out': 0.9,
  'crypto-Reddit fresh': 0.9,
};
const THROUGHPUT_TARGET = 50_000;
const OURS = 'finance-de-lab';

/**
 * Texts per second of `fn` over `texts`: the median of `rounds` timed passes after one warm-up pass, by
 * CPU time of this process (`process.cpuUsage`, i.e. what one core spends, unaffected by other processes
 * competing for the machine) and by wall-clock time (which such competition inflates).
 */
function throughput(
  texts: readonly string[],
  fn: (t: string) => unknown,
  rounds = 5,
): { cpu: number; wall: number } {
  for (const t of texts) fn(t);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const t of texts) fn(t);
    const c = process.cpuUsage(c0);
    wall.push(texts.length / ((performance.now() - t0) / 1000));
    cpu.push(texts.length / ((c.user + c.system) / 1e6));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  return { cpu: median(cpu), wall: median(wall) };
}

export async function run(): Promise<BenchResult[]> {
  const sets = evaluationSets();
  const results: BenchResult[] = [];
  for (const [set, items] of Object.entries(sets)) {
    if (set === 'crypto-Reddit all') continue;
    for (const [scorer, score] of Object.entries(SCORERS)) {
      const { accuracy, n } = evaluate(set, items, score);
      const target = scorer === OURS ? ACCURACY_TARGETS[set] : undefined;
      results.push({
        name: `sentiment accuracy, ${set}: ${scorer}`,
        value: accuracy,
        unit: 'accuracy',
        ...(target === undefined ? {} : { target: `>= ${target}`, ok: accuracy >= target }),
        note: `${n} texts, 3-class labels${set.startsWith('UCI') ? ' (neutral counts as wrong)' : ''}`,
      });
    }
  }
  for (const m of mentionResults()) {
    if (m.set === 'crypto-Reddit all') continue;
    const note = `${m.truePositives} true pos., ${m.falsePositives} false pos., ${m.falseNegatives} false neg.`;
    results.push(
      {
        name: `coin mentions precision, ${m.set}`,
        value: m.precision,
        unit: 'precision',
        target: '>= 0.95',
        ok: m.precision >= 0.95,
        note,
      },
      {
        name: `coin mentions recall, ${m.set}`,
        value: m.recall,
        unit: 'recall',
        target: '>= 0.9',
        ok: m.recall >= 0.9,
        note,
      },
    );
  }
  const texts = Object.entries(sets)
    .filter(([set]) => set !== 'crypto-Reddit all')
    .flatMap(([, items]) => items.map((i) => i.text));
  const note = (wall: number) =>
    `${texts.length} real sentences (UCI + crypto-Reddit), one thread, median of 5 passes after a warm-up; ` +
    `per CPU-second of this process; wall clock ${Math.round(wall).toLocaleString('en-US')} texts/s`;
  const ours = throughput(texts, scoreSentiment);
  results.push({
    name: `sentiment scoring throughput: ${OURS}`,
    value: Math.round(ours.cpu),
    unit: 'texts/CPU-s',
    target: `>= ${THROUGHPUT_TARGET}`,
    ok: ours.cpu >= THROUGHPUT_TARGET,
    note: note(ours.wall),
  });
  for (const [scorer, score] of Object.entries(SCORERS)) {
    if (scorer === OURS) continue;
    const r = throughput(texts, score);
    results.push({
      name: `sentiment scoring throughput: ${scorer}`,
      value: Math.round(r.cpu),
      unit: 'texts/CPU-s',
      note: note(r.wall),
    });
  }
  const mentions = throughput(texts, (t) => mentionedSymbols(t, DEFAULT_COIN_UNIVERSE));
  results.push({
    name: 'coin mentions alone per text (mentionedSymbols, the default universe)',
    value: Math.round(mentions.cpu),
    unit: 'texts/CPU-s',
    note: note(mentions.wall),
  });
  const both = throughput(texts, (t) => {
    scoreSentiment(t);
    mentionedSymbols(t, DEFAULT_COIN_UNIVERSE);
  });
  results.push({
    name: 'sentiment + coin mentions per text (what the transform computes)',
    value: Math.round(both.cpu),
    unit: 'texts/CPU-s',
    note: note(both.wall),
  });
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run())
    console.log(
      `${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'NO'})` : ''}`,
    );
}
