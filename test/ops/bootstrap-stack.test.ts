import { Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { loadEnvs } from '../../envs/load';
import { env as prod } from '../../envs/prod.env';
import type { EnvConfig } from '../../envs/types';
import {
  BootstrapStack,
  bootstrapStateKey,
  boundaryPolicyStatements,
  deployPolicyStatements,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  planPolicyStatements,
} from '../../stacks/bootstrap-stack';
import { permissionsBoundaryArn } from '../../stacks/iam';
import { Naming } from '../../stacks/naming';
import { checkPolicies, formatFindings } from '../../stacks/policy/index';
import type { TerraformJson } from '../../stacks/policy/types';

/** Every env of envs/: adding an env adds its cases here without editing the test. */
const ENVS = await loadEnvs();

interface Synth {
  terraform: { backend: { s3: Record<string, unknown> } };
  resource: {
    aws_iam_openid_connect_provider: Record<string, { url: string; client_id_list: string[] }>;
    aws_iam_role: Record<string, { name: string; assume_role_policy: string }>;
    aws_iam_role_policy: Record<string, { policy: string }>;
  };
}

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: { Federated?: string };
}

function synth(env: EnvConfig): Synth {
  const app = Testing.app();
  const stack = new BootstrapStack(app, new Naming(env).stack('bootstrap'), { env });
  // toTerraform() keeps the `//` metadata (policy exemptions) that Testing.synth() strips.
  return JSON.parse(JSON.stringify(stack.toTerraform())) as Synth;
}

const list = (v: string | readonly string[]): readonly string[] => (typeof v === 'string' ? [v] : v);

describe('BootstrapStack', () => {
  const synths = new Map<string, Synth>();
  beforeAll(() => {
    for (const env of ENVS) synths.set(env.name, synth(env));
  });

  it.each(ENVS)('declares the GitHub OIDC provider with the STS audience when env is $name', (env) => {
    const providers = Object.values(synths.get(env.name)!.resource.aws_iam_openid_connect_provider);
    expect(providers).toHaveLength(1);
    expect(providers[0]!.url).toBe(`https://${GITHUB_OIDC_HOST}`);
    expect(providers[0]!.client_id_list).toEqual([GITHUB_OIDC_AUDIENCE]);
  });

  it.each(ENVS)('trusts only this repository and GitHub environment when env is $name', (env) => {
    const roles = Object.values(synths.get(env.name)!.resource.aws_iam_role);
    const role = roles.find((r) => r.name === new Naming(env).iam('GithubDeploy'));
    expect(role, 'deploy role named by the naming helper').toBeDefined();
    const trust = JSON.parse(role!.assume_role_policy) as { Statement: PolicyStatement[] };
    expect(trust.Statement).toHaveLength(1);
    const [st] = trust.Statement;
    expect(st!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(st!.Principal?.Federated).toContain('aws_iam_openid_connect_provider');
    // Only exact matching: a StringLike/ForAnyValue block would let wildcards in.
    expect(Object.keys(st!.Condition!)).toEqual(['StringEquals']);
    const eq = st!.Condition!.StringEquals!;
    expect(eq[`${GITHUB_OIDC_HOST}:aud`]).toBe(GITHUB_OIDC_AUDIENCE);
    const sub = eq[`${GITHUB_OIDC_HOST}:sub`];
    expect(sub).toBe(`repo:${env.github.repository}:environment:${env.github.environment}`);
    expect(String(sub)).not.toMatch(/[*?]/);
  });

  it('lets the plan role be assumed only by pull-request jobs of this repository when synthesized', () => {
    const roles = Object.values(synths.get('dev')!.resource.aws_iam_role);
    const plan = roles.find((r) => r.name === new Naming(dev).iam('GithubPlan'));
    const [st] = (JSON.parse(plan!.assume_role_policy) as { Statement: PolicyStatement[] }).Statement;
    expect(Object.keys(st!.Condition!)).toEqual(['StringEquals']);
    expect(st!.Condition!.StringEquals).toEqual({
      [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
      [`${GITHUB_OIDC_HOST}:sub`]: `repo:${dev.github.repository}:pull_request`,
    });
  });

  it('grants the plan role no write and no secret read when the policy is built', () => {
    const actions = planPolicyStatements(dev).flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    const writes = actions.filter((a) =>
      /:(\*|Put|Create|Delete|Update|Tag|Untag|Attach|Detach|Pass|Set|Publish|Start)/.test(a),
    );
    expect(writes).toEqual([]);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions.some((a) => a === 's3:GetObject')).toBe(true);
    const objectReads = planPolicyStatements(dev).filter((s) => list(s.Action).includes('s3:GetObject'));
    expect(objectReads.flatMap((s) => list(s.Resource))).toEqual([`arn:aws:s3:::${dev.state.bucket}/dev/*`]);
  });

  it('keeps its state under the admin-only bootstrap key when synthesized', () => {
    const backend = synths.get('dev')!.terraform.backend.s3;
    expect(backend.bucket).toBe(dev.state.bucket);
    expect(backend.key).toBe(bootstrapStateKey(dev));
    expect(backend.key).toBe('dev/fdl-dev-bootstrap.tfstate');
    expect(backend.use_lockfile).toBe(true);
  });

  it('denies the deploy role writes to the bootstrap state and to itself when the policy is built', () => {
    const statements = deployPolicyStatements(dev);
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.some((s) => list(s.Resource).some((r) => r.endsWith(`/${bootstrapStateKey(dev)}*`)))).toBe(
      true,
    );
    const self = `arn:aws:iam::${dev.account}:role/${new Naming(dev).iam('GithubDeploy')}`;
    expect(denies.some((s) => list(s.Resource).includes(self))).toBe(true);
  });

  it('scopes every allowed resource to the env except actions with no resource-level permissions', () => {
    const naming = new Naming(dev);
    const allowed = [
      naming.resource(''),
      'FdlDev',
      naming.lakeBucket(),
      `${dev.state.bucket}/dev/`,
      dev.state.bucket,
    ];
    for (const st of deployPolicyStatements(dev).filter((s) => s.Effect === 'Allow')) {
      for (const r of list(st.Resource)) {
        if (r === '*') {
          // "*" only for the documented no-resource-level actions, and never a service-wide action.
          expect(list(st.Action).every((a) => !a.endsWith(':*'))).toBe(true);
          continue;
        }
        expect(
          allowed.some((p) => r.includes(p)),
          `${r} is outside the dev prefixes`,
        ).toBe(true);
        expect(r).toContain(r.startsWith('arn:aws:s3') ? '' : dev.account);
      }
    }
    // prod's policy names nothing of dev.
    expect(JSON.stringify(deployPolicyStatements(prod))).not.toMatch(/fdl-dev-|FdlDev|111111111111/);
  });

  it('passes the project policy rules with written exemptions only on its roles, their policies and the boundary', () => {
    const report = checkPolicies(synths.get('dev') as unknown as TerraformJson);
    expect(report.violations, formatFindings(report.violations)).toEqual([]);
    expect([...new Set(report.exempted.map((e) => `${e.rule} ${e.address}`))].sort()).toEqual([
      'no-wildcard-iam aws_iam_policy.permissions_boundary',
      'no-wildcard-iam aws_iam_role_policy.deploy',
      'no-wildcard-iam aws_iam_role_policy.plan',
      'role-permissions-boundary aws_iam_role.github_deploy',
      'role-permissions-boundary aws_iam_role.github_plan',
    ]);
  });

  it.each(ENVS)('creates the $name permissions boundary under the name every stack derives', (env) => {
    const policies = Object.values(
      (
        synths.get(env.name)!.resource as unknown as {
          aws_iam_policy: Record<string, { name: string; policy: string }>;
        }
      ).aws_iam_policy,
    );
    expect(policies.map((p) => p.name)).toEqual([new Naming(env).permissionsBoundary()]);
    expect(permissionsBoundaryArn(env)).toBe(`arn:aws:iam::${env.account}:policy/${policies[0]!.name}`);
    expect(JSON.parse(policies[0]!.policy).Statement).toEqual(boundaryPolicyStatements(env));
    // A ceiling without IAM: nothing a bounded role does can grant or widen permissions.
    expect(
      boundaryPolicyStatements(env)
        .flatMap((s) => list(s.Action))
        .filter((a) => a.startsWith('iam:')),
    ).toEqual([]);
  });

  it('attaches exactly the deploy and plan policies the builders return when synthesized', () => {
    const policies = Object.values(synths.get('prod')!.resource.aws_iam_role_policy).map(
      (p) => JSON.parse(p.policy).Statement,
    );
    expect(policies).toHaveLength(2);
    expect(policies).toContainEqual(deployPolicyStatements(prod));
    expect(policies).toContainEqual(planPolicyStatements(prod));
  });
});
