/** CDKTF entry point (cdktf.json "app"): every stack of every env in envs/. */
import { App } from 'cdktf';
import { explainConfigErrors, loadEnvs, withImageTag } from './envs/load';
import { buildApp } from './stacks/app';

const app = new App();
// buildApp validates every env again, so a bad FDL_IMAGE_TAG fails synth naming the imageTag field.
await explainConfigErrors(async () =>
  buildApp(app, withImageTag(await loadEnvs(), process.env.FDL_IMAGE_TAG)),
);
app.synth();
