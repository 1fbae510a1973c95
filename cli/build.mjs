#!/usr/bin/env node
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
/**
 * The compiled CLI: esbuild turns cli/fdl.ts and every cli/*-worker.ts into ESM under dist/cli/ (one file
 * per entry, shared code split into chunks, so each command still loads only what it imports), and
 * records in dist/cli/build.json every source file it read (size + mtime) and every command's help text.
 *
 * Why: compiling TypeScript at each launch (tsx) cost ~1.4 s before `fdl --help` printed anything; the
 * compiled CLI starts like plain Node. `npm ci`/`npm install` run this through the `prepare` script, and
 * bin/fdl.mjs calls `currentBuild()` on every launch: when a recorded source changed (you edited a file),
 * it rebuilds first, so the CLI never runs stale code.
 *
 * Paths: the sources locate repository files with `new URL('…', import.meta.url)` (the SQL files, the
 * state machine definition, envs/, the replay sample). The build rewrites each module's `import.meta.url`
 * to its source file's URL, so those paths resolve exactly as from source. `import.meta.dirname` is left
 * alone: it is where the running file is (dist/cli/ when compiled); cli/kit/worker-entry.ts uses it to find
 * a compiled worker.
 *
 *   node cli/build.mjs            build dist/cli/ (what `prepare` runs)
 *   node cli/build.mjs --check    exit 1 when dist/cli/ is missing or stale, 0 when current
 */
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'cli');
const MANIFEST = 'build.json';
/** Inputs that shape the output but are not modules esbuild reads. */
const EXTRA_INPUTS = ['cli/build.mjs', 'package.json', 'package-lock.json'];

/** The entry points: the dispatcher and every worker-thread entry (`cli/<name>-worker.ts`). */
export function entryPoints(root = ROOT) {
  const workers = readdirSync(join(root, 'cli')).filter((f) => f.endsWith('-worker.ts'));
  return ['cli/fdl.ts', ...workers.sort().map((f) => `cli/${f}`)];
}

const stamp = (root, path) => {
  const s = statSync(join(root, path));
  return [s.size, s.mtimeMs];
};

/** The recorded build when every input is unchanged and no entry point was added or removed; else null. */
export function freshBuild(root = ROOT, outDir = OUT_DIR) {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8'));
    if (manifest.entries.join('\n') !== entryPoints(root).join('\n')) return null;
    for (const [path, [size, mtime]] of Object.entries(manifest.inputs)) {
      const [s, m] = stamp(root, path);
      if (s !== size || m !== mtime) return null;
    }
    return { entry: pathToFileURL(join(outDir, 'fdl.mjs')).href, help: manifest.help };
  } catch {
    return null;
  }
}

/**
 * esbuild plugin: each source module's `import.meta.url` becomes its source file's URL (see above). A
 * per-file `define` rewrites the syntax, never the same text inside strings or comments.
 */
const sourceUrls = (outDir, transform) => ({
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      if (args.path.includes(`${sep}node_modules${sep}`) || !contents.includes('import.meta.url'))
        return { contents, loader: 'ts' };
      const fromOut = relative(outDir, args.path).split(sep).join('/');
      const { code } = await transform(contents, {
        loader: 'ts',
        format: 'esm',
        sourcefile: args.path,
        define: { 'import.meta.url': '__fdlSourceUrl' },
      });
      return {
        contents: `const __fdlSourceUrl = new URL(${JSON.stringify(fromOut)}, import.meta.url).href;\n${code}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
});

/** Chunks of earlier builds are kept this long: a command still running may yet import one lazily. */
const KEEP_OLD_CHUNKS_MS = 24 * 3_600_000;

/** Write a file so that a reader sees the old content or the new, never half of it. */
function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * The prebuilt CDKTF providers are CommonJS packages without an `exports` map, imported by submodule
 * folder (`@cdktf/provider-aws/lib/s3-bucket`, see stacks/). Node's ESM loader refuses folder imports that
 * tsx resolves, so the compiled CLI names the folder's `index.js` explicitly (still external).
 */
const providerSubmodules = {
  name: 'provider-submodules',
  setup(b) {
    b.onResolve({ filter: /^@cdktf\/provider-[a-z]+\/lib\/[^/]+$/ }, (args) => ({
      path: `${args.path}/index.js`,
      external: true,
    }));
  },
};

/**
 * JSON data inside dependencies (`sentiment/build/emoji.json`, read by lambdas/core/sentiment-lexicon.ts) is
 * bundled rather than left external: Node's ESM loader needs an import attribute for JSON that the
 * TypeScript source (bundled for Lambda by esbuild too) does not carry.
 */
const packageJson = (root) => ({
  name: 'package-json-data',
  setup(b) {
    const require = createRequire(join(root, 'package.json'));
    b.onResolve({ filter: /^[^./].*\.json$/ }, (args) => ({ path: require.resolve(args.path) }));
  },
});

/**
 * Dependencies load from node_modules as from source (no second copy, native addons untouched), except
 * packages whose many small modules cost more to load than their code is worth, bundled into one
 * parsed chunk instead:
 * - @duckdb/node-api: ~100 small CommonJS files, and Node scans each one for its exports when ES
 *   modules import it (~0.1 s of CPU, paid by every command that opens the warehouse). Its native
 *   binding (@duckdb/node-bindings) stays a runtime require.
 * - the Parquet writer (hyparquet-writer, hysnappy) and hyparquet: the writer's page and footer
 *   modules import hyparquet's root, ~40 modules, for a few constants and schema helpers. Bundled and
 *   tree-shaken, a reprocess worker starts in ~120 ms instead of ~154 (docs/reprocess-performance.md, "Start-up,
 *   and dedupe by bytes"), and every Parquet-writing command loads less.
 * Bundled packages are not in the manifest's inputs (node_modules is not stamped), so the lockfile is:
 * an upgrade rebuilds.
 */
const BUNDLED_PACKAGE = /^(@duckdb\/node-api|hyparquet|hyparquet-writer|hysnappy)(\/|$)/;
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED_PACKAGE.test(args.path) || args.kind === 'entry-point'
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/** Build dist/cli/ and record its manifest; returns what `freshBuild` returns. */
export async function buildCli(root = ROOT, outDir = OUT_DIR) {
  const { build, transform, stop } = await import('esbuild');
  const entries = entryPoints(root);
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: outDir,
    outbase: 'cli',
    entryNames: '[name]',
    // Content-hashed: a new build never overwrites a chunk an older, still running build may import.
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The bundled CommonJS (see externalPackages) requires its native binding at run time.
    banner: {
      js: "import { createRequire as __fdlCreateRequire } from 'node:module';\nconst require = __fdlCreateRequire(import.meta.url);",
    },
    // Worker entries find their compiled file through this (cli/kit/worker-entry.ts).
    define: { FDL_COMPILED: 'true' },
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [providerSubmodules, packageJson(root), externalPackages, sourceUrls(outDir, transform)],
  });
  // esbuild keeps a service child process alive until stopped: a rebuild at launch must not leave one
  // beside the command it launches.
  await stop();
  mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const written = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (
      name.endsWith('.mjs') &&
      !written.has(name) &&
      Date.now() - statSync(path).mtimeMs > KEEP_OLD_CHUNKS_MS
    )
      rmSync(path, { force: true });
  }
  // Recorded here so `fdl --help` and `fdl <command> --help` import no command module.
  const { commandHelp } = await import(pathToFileURL(join(outDir, 'fdl.mjs')).href);
  const help = await commandHelp();
  const inputs = {};
  const sources = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/'));
  // A checkout without a lockfile builds too (nothing to stamp there).
  const extra = EXTRA_INPUTS.filter((path) => existsSync(join(root, path)));
  for (const path of [...sources, ...extra]) inputs[path] = stamp(root, path);
  // Last: its presence with matching stamps is what makes the build current.
  writeAtomically(join(outDir, MANIFEST), JSON.stringify({ entries, inputs, help }));
  return freshBuild(root, outDir);
}

/**
 * The build to run: the recorded one when fresh, else a new one. Null when esbuild is not installed
 * (e.g. `npm ci --omit=dev`); bin/fdl.mjs then runs the sources through tsx.
 */
export async function currentBuild(root = ROOT, outDir = OUT_DIR) {
  const fresh = freshBuild(root, outDir);
  if (fresh) return fresh;
  if (process.stderr.isTTY && existsSync(join(outDir, MANIFEST)))
    process.stderr.write('fdl: sources changed since the last build; rebuilding dist/cli/ …\n');
  try {
    return await buildCli(root, outDir);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && /esbuild/.test(err.message)) return null;
    throw err;
  }
}

const USAGE = `Usage: node cli/build.mjs [--check]

Compiles the fdl CLI (cli/fdl.ts and every cli/*-worker.ts) into dist/cli/. Runs on \`npm ci\`/\`npm install\`
(the "prepare" script) and, when a source changed, on the next \`fdl\` launch.

  --check   exit 1 when dist/cli/ is missing or older than its sources, without building`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [arg, ...extra] = process.argv.slice(2);
  if (arg === '--help' || arg === '-h') console.log(USAGE);
  else if (extra.length > 0 || (arg !== undefined && arg !== '--check')) {
    console.error(`cli/build.mjs: unexpected argument "${extra[0] ?? arg}" (see node cli/build.mjs --help)`);
    process.exitCode = 2;
  } else if (arg === '--check') {
    const ok = freshBuild() !== null;
    console.log(ok ? 'dist/cli/ is current' : 'dist/cli/ is missing or stale: run node cli/build.mjs');
    process.exitCode = ok ? 0 : 1;
  } else {
    try {
      const started = performance.now();
      await buildCli();
      console.log(`built ${relative(ROOT, OUT_DIR)}/ in ${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      console.error(`cli/build.mjs: ${String(err?.message ?? err).split('\n')[0]}`);
      process.exitCode = 1;
    }
  }
}
