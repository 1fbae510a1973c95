/** CDKTF entry point (cdktf.json "app"): every stack of every env in envs/. */
import { App } from 'cdktf';
import { loadEnvs } from './envs/load';
import { buildApp } from './stacks/app';

const app = new App();
buildApp(app, await loadEnvs());
app.synth();
