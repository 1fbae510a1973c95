/**
 * The deploy identity's escalation paths, proven closed by a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate: identity policies, conditions, explicit denies and permissions boundaries)
 * run over the synthesized deploy policy — not over a home-made reading of it.
 */
import { isWildcardOnlyAction, runSimulation } from '@cloud-copilot/iam-simulate';
import { Testing } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvs } from '../../envs/load';
import type { EnvConfig } from '../../envs/types';
import { buildApp } from '../../stacks/app';
import { deployRoleArn, planRoleArn } from '../../stacks/bootstrap-stack';
import { permissionsBoundaryArn } from '../../stacks/iam';
import { Naming } from '../../stacks/naming';
import { removeOutdirs, tempOutdir } from '../stacks/support';

afterAll(removeOutdirs);

type Body = Record<string, unknown>;
type Tf = { resource?: Record<string, Record<string, Body>> };
type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

const envs: EnvConfig[] = await loadEnvs();
const stacks = new Map<string, Tf>();
beforeAll(() => {
  const { byEnv } = buildApp(Testing.app({ outdir: tempOutdir() }), envs);
  for (const [name, s] of Object.entries(byEnv))
    for (const [kind, stack] of Object.entries(s))
      stacks.set(`${name}/${kind}`, JSON.parse(JSON.stringify(stack.toTerraform())) as Tf);
});

const list = (v: string | string[] | undefined) => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
const bodies = (tf: Tf, type: string) => Object.entries(tf.resource?.[type] ?? {});
const document = (policy: unknown) => JSON.parse(String(policy)) as { Statement: Statement[] };

/** The deploy role's policy exactly as synthesized in the env's bootstrap stack. */
function synthesizedPolicy(env: EnvConfig, roleName: string): object {
  const tf = stacks.get(`${env.name}/bootstrap`)!;
  const role = bodies(tf, 'aws_iam_role').find(([, b]) => b.name === new Naming(env).iam(roleName));
  const policies = bodies(tf, 'aws_iam_role_policy').filter(([, b]) => String(b.role).includes(role![0]));
  expect(policies).toHaveLength(1);
  return document(policies[0]![1].policy);
}

function synthesizedBoundary(env: EnvConfig): object {
  const tf = stacks.get(`${env.name}/bootstrap`)!;
  const [[, boundary]] = bodies(tf, 'aws_iam_policy').filter(
    ([, b]) => b.name === new Naming(env).permissionsBoundary(),
  ) as [[string, Body]];
  return document(boundary.policy);
}

async function decide(
  env: EnvConfig,
  request: { action: string; resource: string; context?: Record<string, string> },
  policies: { identity: object; boundary?: object; principal?: string },
): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'identity', policy: policies.identity }],
      ...(policies.boundary
        ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: policies.boundary }] }
        : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: policies.principal ?? deployRoleArn(env),
        resource: { accountId: env.account, resource: request.resource },
        contextVariables: request.context ?? {},
      },
    },
    {},
  );
  if (result.resultType !== 'single')
    throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result)}`.slice(0, 600));
  return result.overallResult as Decision;
}

describe.each(envs.map((env) => [env.name, env] as const))('deploy identity of %s', (_, env) => {
  const naming = new Naming(env);
  const role = (name: string) => `arn:aws:iam::${env.account}:role/${name}`;
  const boundary = permissionsBoundaryArn(env);
  const withBoundary = { 'iam:PermissionsBoundary': boundary };
  const deploy = () => ({ identity: synthesizedPolicy(env, 'GithubDeploy') });
  const newRole = role(naming.iam('Escalate'));

  it('denies creating an env role without the boundary and allows it with the boundary', async () => {
    expect(await decide(env, { action: 'iam:CreateRole', resource: newRole }, deploy())).toBe(
      'ImplicitlyDenied',
    );
    const other = { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' };
    expect(await decide(env, { action: 'iam:CreateRole', resource: newRole, context: other }, deploy())).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await decide(env, { action: 'iam:CreateRole', resource: newRole, context: withBoundary }, deploy()),
    ).toBe('Allowed');
  });

  it('denies an inline or attached policy on a role that does not carry the boundary', async () => {
    for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      expect(await decide(env, { action, resource: role(naming.iam('transform')) }, deploy())).toBe(
        'ImplicitlyDenied',
      );
      expect(
        await decide(
          env,
          { action, resource: role(naming.iam('transform')), context: withBoundary },
          deploy(),
        ),
      ).toBe('Allowed');
    }
  });

  it('denies any inline policy, attachment or trust change on the plan and deploy roles', async () => {
    for (const target of [planRoleArn(env), deployRoleArn(env)])
      for (const action of [
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:UpdateAssumeRolePolicy',
        'iam:DeleteRolePermissionsBoundary',
        'iam:PassRole',
      ])
        expect(
          await decide(env, { action, resource: target, context: withBoundary }, deploy()),
          `${action} on ${target}`,
        ).toBe('ExplicitlyDenied');
  });

  it("denies removing a role's boundary", async () => {
    expect(
      await decide(
        env,
        { action: 'iam:DeleteRolePermissionsBoundary', resource: role(naming.iam('pipeline')) },
        deploy(),
      ),
    ).toBe('ExplicitlyDenied');
  });

  it('denies versioning, re-defaulting or deleting the boundary policy', async () => {
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy'])
      expect(await decide(env, { action, resource: boundary }, deploy()), action).toBe('ExplicitlyDenied');
  });

  it('denies reading the Reddit secret value', async () => {
    const secret = `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${naming.redditSecret()}-AbCdEf`;
    expect(await decide(env, { action: 'secretsmanager:GetSecretValue', resource: secret }, deploy())).toBe(
      'ExplicitlyDenied',
    );
    // deploy.yml writes the value from the GitHub environment: writing is not reading.
    expect(await decide(env, { action: 'secretsmanager:PutSecretValue', resource: secret }, deploy())).toBe(
      'Allowed',
    );
    // The plan role cannot read it either (nothing grants it).
    expect(
      await decide(
        env,
        { action: 'secretsmanager:GetSecretValue', resource: secret },
        { identity: synthesizedPolicy(env, 'GithubPlan'), principal: planRoleArn(env) },
      ),
    ).not.toBe('Allowed');
  });

  it('caps a bounded role with an inline "*" policy: no IAM, nothing outside the env', async () => {
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const capped = { identity: admin, boundary: synthesizedBoundary(env), principal: newRole };
    expect(await decide(env, { action: 'iam:CreateRole', resource: role('Anything') }, capped)).toBe(
      'ImplicitlyDenied',
    );
    expect(await decide(env, { action: 'iam:PutRolePolicy', resource: deployRoleArn(env) }, capped)).toBe(
      'ImplicitlyDenied',
    );
    const foreign = `arn:aws:secretsmanager:${env.region}:${env.account}:secret:prod-database-AbCdEf`;
    expect(await decide(env, { action: 'secretsmanager:GetSecretValue', resource: foreign }, capped)).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await decide(env, { action: 's3:GetObject', resource: `arn:aws:s3:::${env.state.bucket}/x` }, capped),
    ).toBe('ImplicitlyDenied');
  });
});

/**
 * Concrete ARN for a synthesized `${<type>.<name>.arn}` reference (or a cross-stack reference to the lake
 * bucket), from the referenced resource's own name in the same stack. Unknown references fail the test so
 * a new kind of resource in a role policy gets a mapping here rather than silently escaping the check.
 */
function resolve(value: string, tf: Tf, env: EnvConfig): string {
  const at = (service: string, r: string) => `arn:aws:${service}:${env.region}:${env.account}:${r}`;
  return value.replace(/\$\{([^}]+)\}/g, (token, expr: string) => {
    const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.arn$/.exec(expr);
    const body = m ? tf.resource?.[m[1]!]?.[m[2]!] : undefined;
    // The Snowflake stack references the AWS stack's lake bucket (a cross-stack reference).
    if (m?.[1] === 'aws_s3_bucket') return `arn:aws:s3:::${body?.bucket ?? new Naming(env).lakeBucket()}`;
    if (m && body) {
      const type = m[1]!;
      if (type === 'aws_sns_topic') return at('sns', String(body.name));
      if (type === 'aws_sqs_queue') return at('sqs', String(body.name));
      if (type === 'aws_lambda_function') return at('lambda', `function:${body.function_name}`);
      if (type === 'aws_sfn_state_machine') return at('states', `stateMachine:${body.name}`);
      if (type === 'aws_cloudwatch_log_group') return at('logs', `log-group:${body.name}`);
      if (type === 'aws_secretsmanager_secret') return at('secretsmanager', `secret:${body.name}-AbCdEf`);
    }
    // The Snowflake stack reads the lake bucket ARN from the AWS stack's remote state.
    if (/remote_state/.test(expr) && /lake.*arn/i.test(expr))
      return `arn:aws:s3:::${new Naming(env).lakeBucket()}`;
    // … and the alerts topic (the pipes' error notifications publish to it).
    if (m?.[1] === 'aws_sns_topic' && m[2] === 'alerts') return at('sns', new Naming(env).alertsTopic());
    throw new Error(`no concrete ARN for ${token}: add its resource type to resolve()`);
  });
}

describe('permissions boundary', () => {
  const cases = envs.flatMap((env) =>
    ['aws', 'snowflake', 'ecr'].map((kind) => [`${env.name}/${kind}`, env] as const),
  );
  it.each(cases)('leaves every statement of every role policy of %s effective', async (key, env) => {
    const tf = stacks.get(key)!;
    const boundary = synthesizedBoundary(env);
    const roles = new Map(bodies(tf, 'aws_iam_role'));
    let checked = 0;
    for (const [, policy] of bodies(tf, 'aws_iam_role_policy')) {
      const roleName = /aws_iam_role\.([A-Za-z0-9_-]+)\./.exec(String(policy.role))?.[1];
      const principal = `arn:aws:iam::${env.account}:role/${roles.get(roleName!)!.name}`;
      for (const st of document(policy.policy).Statement.filter((s) => s.Effect === 'Allow'))
        for (const action of list(st.Action))
          for (const raw of list(st.Resource)) {
            const [service, name] = action.split(':') as [string, string];
            const wildcardOnly = raw === '*' && (await isWildcardOnlyAction(service, name));
            // A pattern stands for any concrete resource it matches: try one.
            const resource = wildcardOnly
              ? '*'
              : resolve(raw, tf, env)
                  .replace(/^(arn:aws:logs:.*):\*$/, '$1:log-stream:sample')
                  // A Distributed Map's child executions: `execution:<machine>/<map run>:<execution>`.
                  .replace(/^(arn:aws:states:.*:execution:[^:/]+)\/\*$/, '$1/sample:sample')
                  .replaceAll('*', 'sample');
            // The statement alone (its conditions are the role's business, the cap is the boundary's).
            const identity = {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: action, Resource: raw === '*' ? '*' : resource }],
            };
            expect(
              await decide(env, { action, resource }, { identity, boundary, principal }),
              `${principal} ${st.Sid ?? ''} ${action} on ${resource}`,
            ).toBe('Allowed');
            checked++;
          }
    }
    // ecr has no role today; the others must have been checked for real.
    if (!key.endsWith('/ecr')) expect(checked).toBeGreaterThan(3);
  });
});
