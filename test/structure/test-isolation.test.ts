import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The suite reuses a worker across test files (vitest.config.ts `isolate: false`); test/support/fresh-modules.ts
 * restores the project's modules and process.env per file, but vitest does not undo module mocks between
 * files of a shared worker. These checks keep a mock from leaking into the files that run after it.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testSources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `{ file, text }` of every TypeScript file under test/ (fixtures aside), comments removed. */
const FILES = testSources(join(ROOT, 'test')).map((path) => ({
  file: relative(ROOT, path),
  text: readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, ''),
}));

/** The module specifiers `text` passes to `vi.<call>(`. */
const specifiers = (text: string, call: string) =>
  [...text.matchAll(new RegExp(`\\bvi\\.${call}\\(\\s*(['"\`])(.+?)\\1`, 'g'))].map((m) => m[2]!);

describe('test files in a shared worker', () => {
  it('finds the test files and the one that mocks a module (the premise of the checks below)', () => {
    expect(FILES.length).toBeGreaterThan(80);
    expect(FILES.filter((f) => specifiers(f.text, 'doMock').length > 0).map((f) => f.file)).toContain(
      'test/local/backfill-rebuild.test.ts',
    );
  });

  it('never uses the hoisted vi.mock, which would stay in force for the next files of the worker', () => {
    expect(FILES.filter((f) => /\bvi\.mock\(/.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  it('undoes every vi.doMock with a vi.doUnmock of the same module', () => {
    const unpaired = FILES.flatMap(({ file, text }) => {
      const undone = new Set(specifiers(text, 'doUnmock'));
      return specifiers(text, 'doMock')
        .filter((spec) => !undone.has(spec))
        .map((spec) => `${file}: ${spec}`);
    });
    expect(unpaired).toEqual([]);
  });
});
