/**
 * `npm run synth [-- <outdir>]`: synthesize every stack of every env in-process (default outdir cdktf.out/,
 * the tree `cdktf deploy` reads), print the files written and the time taken.
 */
import { runScript } from '../cli/kit/script';
import { loadEnvs, withImageTag } from '../envs/load';
import { synthAll } from '../stacks/synth';

const USAGE = `Usage: npm run synth [-- OUTDIR]

Synthesizes every stack of every env (envs/*.env.ts) into OUTDIR  [default: cdktf.out]
FDL_IMAGE_TAG, when set, overrides every env's Lambda image tag.`;

process.exitCode = await runScript({
  name: 'npm run synth --',
  usage: USAGE,
  flags: {},
  positionals: 1,
  async main(_flags, [out], io) {
    const { outdir, stackNames, ms } = await synthAll(
      withImageTag(await loadEnvs(), process.env.FDL_IMAGE_TAG),
      out ?? 'cdktf.out',
    );
    for (const name of stackNames) io.out(`  ${outdir}/stacks/${name}/cdk.tf.json`);
    io.out(`synthesized ${stackNames.length} stacks in ${Math.round(ms)} ms`);
    return 0;
  },
});
