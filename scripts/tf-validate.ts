/**
 * `npm run validate`: synthesize every stack into cdktf.out/, then `terraform init -backend=false` +
 * `terraform validate` each AWS stack offline (stacks/tf-validate.ts). Exits 1 on any problem.
 */
import { join } from 'node:path';
import { explainConfigErrors, loadEnvs } from '../envs/load';
import { synthAll } from '../stacks/synth';
import { awsStackNames, missingPrerequisites, validateStacks } from '../stacks/tf-validate';

const { outdir, stackNames } = await explainConfigErrors(async () => synthAll(await loadEnvs()));
const names = awsStackNames(stackNames);
const missing = missingPrerequisites(names.map((n) => join(outdir, 'stacks', n)));
if (missing.length) {
  console.error(`cannot validate offline:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  process.exit(1);
}
const results = await validateStacks(outdir, names);
for (const r of results) {
  console.log(`${r.valid ? 'ok  ' : 'FAIL'} ${r.stack} (${Math.round(r.ms)} ms)`);
  for (const p of r.problems) console.log(`       ${p}`);
}
if (results.some((r) => !r.valid)) process.exit(1);
console.log(
  `validated ${results.length} stacks: ${names.join(', ')} (Snowflake stacks: checked by tsc and tests only; the provider binary is not mirrored)`,
);
