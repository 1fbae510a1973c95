import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Every .ts/.mjs source file under `dir` (relative to the repo root). */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The repo-relative paths `file` imports (static and dynamic imports of relative specifiers). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(ROOT, file, '..', s)));
}

const topFolder = (path: string) => path.split('/')[0]!;

/**
 * Which top-level folders each folder may import from: the dependency graph runs one way
 * (cli → local → ops → sql/statemachines → lambdas; stacks → ops, sql; nothing imports cli except the
 * entry). `lambdas/handlers` is the Lambda edge, like cli: it wires the pure checks of ops/ to AWS, so it
 * may import ops/ while the rest of lambdas/ (core, adapters) imports nothing outside lambdas/.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  lambdas: ['lambdas'],
  'lambdas/handlers': ['lambdas', 'ops', 'sql', 'envs'],
  sql: ['sql', 'lambdas'],
  statemachines: ['statemachines'],
  envs: ['envs', 'lambdas'],
  stacks: ['stacks', 'ops', 'sql', 'lambdas', 'envs', 'statemachines'],
  local: ['local', 'ops', 'lambdas', 'sql', 'statemachines', 'envs'],
  ops: ['ops', 'sql', 'lambdas', 'envs'],
  cli: ['cli', 'local', 'lambdas', 'sql', 'stacks', 'statemachines', 'envs', 'ops'],
};

/** The files a rule covers: those under `folder`, less those a more specific rule covers. */
const governed = (folder: string) =>
  sources(folder).filter(
    (file) =>
      !Object.keys(ALLOWED).some(
        (k) => k !== folder && k.startsWith(`${folder}/`) && file.startsWith(`${k}/`),
      ),
  );

describe('folder boundaries', () => {
  it.each(Object.keys(ALLOWED))('%s/ imports only from the folders below it', (folder) => {
    const violations: string[] = [];
    for (const file of governed(folder)) {
      // The root package.json is metadata (the version a Parquet footer names), not a layer.
      for (const target of importsOf(file))
        if (target !== 'package.json' && !ALLOWED[folder]!.includes(topFolder(target)))
          violations.push(`${file} → ${target}`);
    }
    expect(violations).toEqual([]);
  });
});
