/**
 * `npm run mutate`: mutation testing with Stryker, one module at a time. Each module is a set of source
 * files to mutate; Stryker runs only the tests that import them (vitest `related`) and, with
 * `coverageAnalysis: "perTest"`, only the tests that execute a mutant. Kept out of `npm test`: a module
 * takes minutes, not seconds.
 *
 *   npm run mutate                    # every module, one after the other
 *   npm run mutate -- policy          # one module (names: see MUTATION_MODULES)
 *   npm run mutate -- core-http policy
 *   npm run mutate -- --list          # print the modules and their files
 *
 * The score printed is killed / (killed + survived), timeouts counted as killed (a mutant that hangs the
 * tests is caught); mutants no test covers are listed by Stryker's report under reports/mutation/.
 * Data tables (the sentiment lexicon, the coin universe, dataset schemas) are not mutated: a changed
 * word weight is a data change, not a logic bug, and each such mutant would rerun every related test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/kit/args';
import type { Io } from '../cli/kit/io';
import { runScript } from '../cli/kit/script';

export interface MutationModule {
  /** Files to mutate (Stryker globs; `!` excludes). */
  readonly mutate: readonly string[];
  /** The tests that state this module's intent: the only ones Stryker runs for it. */
  readonly tests: readonly string[];
}

/**
 * Module name → what is mutated and which tests must catch it. The tests are the module's own unit and
 * intent tests: end-to-end suites (synth of whole stacks, the twin, fdl run) are left out because under
 * coverage instrumentation on 2 shared cores they turn a 10-minute run into hours, and a mutant only
 * they catch is a sign a unit test is missing.
 */
export const MUTATION_MODULES: Readonly<Record<string, MutationModule>> = {
  'adapters-http': {
    mutate: ['lambdas/adapters/http.ts'],
    tests: [
      'test/lambdas/http.test.ts',
      'test/lambdas/http-hostile.test.ts',
      'test/lambdas/http-intent.test.ts',
    ],
  },
  'adapters-parquet': {
    mutate: ['lambdas/adapters/parquet.ts', 'lambdas/adapters/parquet-pages.ts'],
    tests: ['test/lambdas/parquet.test.ts', 'test/lambdas/parquet-pages.test.ts'],
  },
  'core-http': {
    mutate: ['lambdas/core/http-policy.ts', 'lambdas/core/json-guard.ts', 'lambdas/core/redact.ts'],
    tests: [
      'test/lambdas/http-policy.test.ts',
      'test/lambdas/json-guard.test.ts',
      'test/lambdas/redact.test.ts',
    ],
  },
  'core-records': {
    mutate: [
      'lambdas/core/cast.ts',
      'lambdas/core/envelope.ts',
      'lambdas/core/lake.ts',
      'lambdas/core/record-id.ts',
    ],
    tests: ['test/lambdas/cast.test.ts', 'test/lambdas/envelope-keys.test.ts'],
  },
  'core-sources': {
    mutate: ['lambdas/core/coinlore.ts', 'lambdas/core/reddit.ts'],
    tests: [
      'test/lambdas/extract-*.test.ts',
      'test/lambdas/coinlore-parse.test.ts',
      'test/lambdas/reddit-parse.test.ts',
    ],
  },
  'core-scan': {
    mutate: ['lambdas/core/page-scan.ts', 'lambdas/core/fill.ts'],
    tests: ['test/lambdas/page-scan.test.ts', 'test/lambdas/fill.test.ts', 'test/lambdas/transform.test.ts'],
  },
  'core-transform': {
    mutate: [
      'lambdas/core/transform.ts',
      'lambdas/core/columns.ts',
      'lambdas/core/key-index.ts',
      'lambdas/core/mentions.ts',
      'lambdas/core/sentiment*.ts',
      '!lambdas/core/sentiment-en.d.ts',
    ],
    tests: [
      'test/lambdas/transform.test.ts',
      'test/lambdas/columns.test.ts',
      'test/lambdas/key-index.test.ts',
      'test/lambdas/sentiment.test.ts',
      'test/lambdas/sentiment-rules.test.ts',
      'test/lambdas/sentiment-discourse.test.ts',
      'test/lambdas/mentions.test.ts',
    ],
  },
  'core-backfill': {
    mutate: ['lambdas/core/backfill.ts'],
    tests: ['test/lambdas/backfill-plan.test.ts', 'test/local/backfill.test.ts'],
  },
  'cli-listing': {
    mutate: ['cli/reprocess-listing.ts'],
    tests: ['test/lambdas/reprocess-listing.test.ts'],
  },
  'cli-reprocess': {
    mutate: [
      'cli/reprocess.ts',
      'cli/reprocess-command.ts',
      'cli/kit/worker-bundle.ts',
      'cli/kit/interrupts.ts',
    ],
    tests: [
      'test/lambdas/reprocess.test.ts',
      'test/lambdas/reprocess-interrupt.test.ts',
      'test/lambdas/reprocess-safety.test.ts',
      'test/local/worker-bundle.test.ts',
    ],
  },
  policy: { mutate: ['stacks/policy/**/*.ts'], tests: ['test/stacks/policy*.test.ts'] },
  envs: { mutate: ['envs/**/*.ts'], tests: ['test/envs/*.test.ts'] },
  executor: {
    mutate: ['local/executor/**/*.ts'],
    tests: ['test/local/executor*.test.ts'],
  },
  sql: {
    mutate: ['sql/views.ts', 'sql/ddl.ts'],
    tests: [
      'test/snowflake/exposed-views.test.ts',
      'test/snowflake/view-tie-breaks.test.ts',
      'test/snowflake/ddl.test.ts',
    ],
  },
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK_DIR = `${ROOT}.local/mutate`;

/** The Stryker configuration of one module: everything fixed except what is mutated and where reports go. */
export function strykerConfig(module: string, { mutate }: MutationModule): Record<string, unknown> {
  return {
    $schema: '../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    testRunner: 'vitest',
    // Only the module's tests (vitest.mutate.config.ts reads FDL_MUTATE_TESTS), and of those only the
    // ones related to the mutated files.
    vitest: { configFile: 'vitest.mutate.config.ts', related: true },
    // Type errors in mutants are caught by the tests that run them; the TS checker would double the time.
    checkers: [],
    coverageAnalysis: 'perTest',
    concurrency: 2,
    // Static mutants (module-level constants, tables) rerun every related test each: hours, little signal.
    ignoreStatic: true,
    mutate,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${module}.html` },
    jsonReporter: { fileName: `reports/mutation/${module}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    // Synth output (it holds Terraform's symlinked provider folders, which Stryker cannot copy), reports
    // and local state are not sources: keep them out of the sandbox.
    ignorePatterns: ['cdktf.out', 'reports', '.local'],
    tempDirName: `.local/mutate/tmp-${module}`,
    cleanTempDir: 'always',
    // A mutant whose tests run longer than 2× the unmutated run + 5 s is a timeout (an infinite loop the
    // mutant made); reported apart from killed so a slow machine cannot hide survivors behind timeouts.
    timeoutMS: 5_000,
    timeoutFactor: 2,
  };
}

interface FileReport {
  readonly mutants: readonly { readonly status: string }[];
}

/** killed, survived, timeout, no-coverage counts and the score killed+timeout / (killed+timeout+survived). */
export function mutationScore(report: { files: Record<string, FileReport> }): {
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  score: number;
} {
  const n = { killed: 0, survived: 0, timeout: 0, noCoverage: 0 };
  for (const f of Object.values(report.files))
    for (const m of f.mutants) {
      if (m.status === 'Killed') n.killed++;
      else if (m.status === 'Survived') n.survived++;
      else if (m.status === 'Timeout') n.timeout++;
      else if (m.status === 'NoCoverage') n.noCoverage++;
    }
  const caught = n.killed + n.timeout;
  return { ...n, score: caught + n.survived === 0 ? 100 : (100 * caught) / (caught + n.survived) };
}

const moduleList = () => {
  const width = Math.max(...Object.keys(MUTATION_MODULES).map((m) => m.length)) + 2;
  return Object.entries(MUTATION_MODULES)
    .map(([m, globs]) => `  ${m.padEnd(width)}${globs.mutate.join(' ')}`)
    .join('\n');
};

const USAGE = `Usage: npm run mutate [-- <module>...] [--list]

Runs Stryker (mutation testing) on each named module, or on every module, one at a time, with only that
module's unit tests, and prints each module's mutation score. Not part of npm test (minutes per module).

Flags:
  --list   list the modules and what each mutates

Modules:
${moduleList()}`;

function main(names: readonly string[], io: Io): number {
  const unknown = names.filter((n) => !Object.hasOwn(MUTATION_MODULES, n));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown module ${unknown.join(', ')}; choose from ${Object.keys(MUTATION_MODULES).join(', ')}`,
    );
  mkdirSync(WORK_DIR, { recursive: true });
  const rows: string[] = [];
  let failed = false;
  for (const module of names.length > 0 ? names : Object.keys(MUTATION_MODULES)) {
    const configPath = `${WORK_DIR}/${module}.config.json`;
    const spec = MUTATION_MODULES[module]!;
    writeFileSync(configPath, JSON.stringify(strykerConfig(module, spec), null, 2));
    const started = Date.now();
    const r = spawnSync('npx', ['stryker', 'run', configPath], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, FDL_MUTATE_TESTS: spec.tests.join(',') },
    });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    if (r.status !== 0) {
      failed = true;
      rows.push(`${module}: stryker exited ${r.status ?? r.signal} after ${minutes} min`);
      continue;
    }
    const s = mutationScore(JSON.parse(readFileSync(`${ROOT}reports/mutation/${module}.json`, 'utf8')));
    rows.push(
      `${module}: ${s.score.toFixed(1)}% (killed ${s.killed}, timeout ${s.timeout}, survived ${s.survived}, no coverage ${s.noCoverage}) in ${minutes} min`,
    );
  }
  io.out(`\nMutation scores (killed+timeout / killed+timeout+survived):\n${rows.join('\n')}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = await runScript({
    name: 'npm run mutate --',
    usage: USAGE,
    flags: { list: { type: 'boolean' } },
    positionals: Object.keys(MUTATION_MODULES).length,
    async main(flags, positionals, io) {
      if (flags.list) {
        io.out(moduleList());
        return 0;
      }
      return main(positionals, io);
    },
  });
