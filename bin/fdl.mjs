#!/usr/bin/env node
// The `fdl` launcher (package.json "bin"). Runs the compiled CLI (dist/cli/, built by `npm ci` through the
// "prepare" script, rebuilt here when a source changed: cli/build.mjs) in this process, so there is no
// child to orphan and signals reach the pipeline directly. Without esbuild (a production-only install),
// it runs the TypeScript sources through tsx, still in this process.
import { currentBuild } from '../cli/build.mjs';

const argv = process.argv.slice(2);
const build = await currentBuild();
if (build) {
  const { runAsProcess } = await import(build.entry);
  await runAsProcess(argv, { help: build.help });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { runAsProcess } = await import('../cli/fdl.ts');
  await runAsProcess(argv);
}
