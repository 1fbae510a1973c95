/**
 * `npm run bundle`: esbuild bundles each Lambda handler into dist/lambda/<function-name>.mjs (ESM, Node 22,
 * minified, with a source map). The same files go into the container image (lambdas/Dockerfile) and are
 * imported by the bundle test, so what is tested is what ships.
 *
 *   node lambdas/build.mjs [outDir]        (default dist/lambda)
 *
 * The function list is read from envs/types.ts (IMAGE_FUNCTION_NAMES: the pipeline's FUNCTION_NAMES and the
 * scheduled OPS_FUNCTION_NAMES, the one declaration) by letting esbuild
 * compile that module; a function whose handler file is missing is reported and skipped, not invented.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Some CommonJS dependencies call require() or read __dirname; ESM output has neither. */
/**
 * The Node.js major of the Lambda runtime: the base image `public.ecr.aws/lambda/nodejs:<major>` (its
 * Dockerfile ARG must match; a test checks) and the esbuild target. Node 20 reached end of life on
 * 2026-04-30 and its Lambda base image is no longer patched; the dev toolchain may still run on Node 20,
 * which runs this bundle too (the bundle test does).
 */
export const LAMBDA_NODE_MAJOR = 22;

const BANNER = [
  "import { createRequire as __fdlCreateRequire } from 'node:module';",
  "import { fileURLToPath as __fdlFileURLToPath } from 'node:url';",
  "import { dirname as __fdlDirname } from 'node:path';",
  'const require = __fdlCreateRequire(import.meta.url);',
  'const __filename = __fdlFileURLToPath(import.meta.url);',
  'const __dirname = __fdlDirname(__filename);',
].join('\n');

/** Native modules that must never reach a Lambda bundle (DuckDB is for the local twin and CLI only). */
const FORBIDDEN = /^@duckdb\//;
const forbidNative = {
  name: 'forbid-native',
  setup(b) {
    b.onResolve({ filter: FORBIDDEN }, (args) => ({
      errors: [
        {
          text: `${args.path} is imported by ${relative(ROOT, args.importer)}: native DuckDB must not be in a Lambda bundle (use it only from cli/)`,
        },
      ],
    }));
  },
};

/** IMAGE_FUNCTION_NAMES from envs/types.ts, compiled on the fly. */
export async function functionNames() {
  const out = await build({
    entryPoints: [join(ROOT, 'envs', 'types.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  return (await import(url)).IMAGE_FUNCTION_NAMES;
}

/** Bundle every handler; returns what was built and what was skipped. */
export async function bundle(outDir = join(ROOT, 'dist', 'lambda')) {
  const names = await functionNames();
  const entries = {};
  const skipped = [];
  for (const name of names) {
    const file = join(ROOT, 'lambdas', 'handlers', `${name}.ts`);
    if (existsSync(file)) entries[name] = file;
    else skipped.push(name);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: entries,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: `node${LAMBDA_NODE_MAJOR}`,
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    banner: { js: BANNER },
    plugins: [forbidNative],
    // sentiment's optional require('../languages/' + code) for non-English languages; English is bundled statically.
    logOverride: { 'empty-glob': 'silent' },
    logLevel: 'warning',
  });
  const built = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, meta]) => ({ file: relative(ROOT, resolve(ROOT, file)), bytes: meta.bytes }));
  return { built, skipped };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { built, skipped } = await bundle(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const b of built) console.log(`bundled ${b.file} (${(b.bytes / 1024).toFixed(0)} KiB)`);
  for (const s of skipped) console.warn(`skipped ${s}: lambdas/handlers/${s}.ts does not exist yet`);
}
