/**
 * `npm run validate`: synthesize every stack into cdktf.out/, then `terraform init -backend=false` +
 * `terraform validate` each AWS stack offline (stacks/tf-validate.ts). Exits 1 on any problem.
 */
import { join } from 'node:path';
import { runScript } from '../cli/kit/script';
import { loadEnvs } from '../envs/load';
import { synthAll } from '../stacks/synth';
import { awsStackNames, missingPrerequisites, validateStacks } from '../stacks/tf-validate';

const USAGE = `Usage: npm run validate

Synthesizes every stack into cdktf.out/ and runs \`terraform validate\` on each AWS stack offline
(provider mirror: terraform/cli.tfrc, or FDL_TF_CLI_CONFIG). Exits 1 on any problem.`;

process.exitCode = await runScript({
  name: 'npm run validate',
  usage: USAGE,
  flags: {},
  async main(_flags, _positionals, io) {
    const { outdir, stackNames } = await synthAll(await loadEnvs());
    const names = awsStackNames(stackNames);
    const missing = missingPrerequisites(names.map((n) => join(outdir, 'stacks', n)));
    if (missing.length) {
      io.err(`cannot validate offline:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
      return 1;
    }
    const results = await validateStacks(outdir, names);
    for (const r of results) {
      io.out(`${r.valid ? 'ok  ' : 'FAIL'} ${r.stack} (${Math.round(r.ms)} ms)`);
      for (const p of r.problems) io.out(`       ${p}`);
    }
    if (results.some((r) => !r.valid)) return 1;
    io.out(
      `validated ${results.length} stacks: ${names.join(', ')} (Snowflake stacks: checked by tsc and tests only)`,
    );
    return 0;
  },
});
