/**
 * `npm run synth [-- <outdir>]`: synthesize every stack of every env in-process (default outdir cdktf.out/,
 * the tree `cdktf deploy` reads), print the files written and the time taken.
 */
import { explainConfigErrors, loadEnvs, withImageTag } from '../envs/load';
import { synthAll } from '../stacks/synth';

const { outdir, stackNames, ms } = await explainConfigErrors(async () =>
  synthAll(withImageTag(await loadEnvs(), process.env.FDL_IMAGE_TAG), process.argv[2] ?? 'cdktf.out'),
);
for (const name of stackNames) console.log(`  ${outdir}/stacks/${name}/cdk.tf.json`);
console.log(`synthesized ${stackNames.length} stacks in ${Math.round(ms)} ms`);
