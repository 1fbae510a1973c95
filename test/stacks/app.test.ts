import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFileNames, loadEnvs } from '../../envs/load';
import { type EnvConfig, FUNCTION_NAMES } from '../../envs/types';
import { PIPE_METRICS } from '../../lambdas/contracts';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { pipeHealthConfig } from '../../ops/ingestion-check';
import { buildApp } from '../../stacks/app';
import { AwsStack, pipelineInput } from '../../stacks/aws-stack';
import { Naming } from '../../stacks/naming';
import { checkPolicies, formatFindings } from '../../stacks/policy/index';
import type { TerraformJson } from '../../stacks/policy/types';
import { readStack, type SynthResult, synthAll } from '../../stacks/synth';
import { awsStackNames, missingPrerequisites, validateStacks } from '../../stacks/tf-validate';
import { PIPELINE_DEFINITION_PATH } from '../../statemachines/placeholders';
import { onlyResource, removeOutdirs, resourcesOf, statementsOf, tempOutdir } from './support';

// One synth of every stack of every env, shared by every test below (synth is the expensive part).
let envs: EnvConfig[];
let synth: SynthResult;
const stackJson = new Map<string, TerraformJson>();
const json = (name: string) => stackJson.get(name)!;

beforeAll(async () => {
  envs = await loadEnvs();
  synth = synthAll(envs, tempOutdir());
  for (const name of synth.stackNames) stackJson.set(name, readStack(synth.outdir, name));
});
afterAll(removeOutdirs);

// Every env of envs/ (adding an env is adding one file: nothing here names them).
const ENV_NAMES = envFileNames().map((f) => f.replace(/\.env\.ts$/, ''));
const AWS_STACKS = ENV_NAMES.flatMap((e) => [`fdl-${e}-ecr`, `fdl-${e}-aws`]);
/** Every stack that uses only the AWS provider, which Terraform can validate offline. */
const VALIDATED_STACKS = ENV_NAMES.flatMap((e) => [`fdl-${e}-ecr`, `fdl-${e}-aws`, `fdl-${e}-bootstrap`]);

/** The resource of `type` whose body has `key` = `value`. */
const findBy = (tf: TerraformJson, type: string, key: string, value: unknown) => {
  const found = resourcesOf(tf, type).find(([, b]) => b[key] === value);
  if (!found) throw new Error(`no ${type} with ${key} = ${String(value)}`);
  return found;
};

describe('buildApp', () => {
  it('synthesizes ecr, aws, snowflake and bootstrap stacks per env when given the envs of envs/', () => {
    expect(envs.map((e) => e.name)).toEqual(ENV_NAMES);
    for (const env of ENV_NAMES)
      for (const kind of ['ecr', 'aws', 'snowflake', 'bootstrap'])
        expect(synth.stackNames).toContain(`fdl-${env}-${kind}`);
  });

  it.each(AWS_STACKS)('matches the snapshot of %s', (name) => {
    expect(json(name)).toMatchSnapshot();
  });

  it.each(AWS_STACKS)('passes every policy rule in %s', (name) => {
    const report = checkPolicies(json(name));
    expect(report.violations, formatFindings(report.violations)).toEqual([]);
    // The one written exception: Step Functions log delivery needs Resource "*" (pipeline and backfill).
    const expected = name.endsWith('-aws')
      ? [
          expect.stringMatching(/^aws_iam_role_policy\.backfill_state_machine_log_delivery$/),
          expect.stringMatching(/^aws_iam_role_policy\.pipeline_log_delivery$/),
        ]
      : [];
    expect(report.exempted.map((e) => e.address).sort()).toEqual(expected);
  });

  it.each(AWS_STACKS)('keeps the state of %s under <env>/<stack>.tfstate with locking', (name) => {
    const env = name.split('-')[1];
    expect((json(name).terraform as { backend: { s3: unknown } }).backend.s3).toMatchObject({
      key: `${env}/${name}.tfstate`,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('throws naming the field when an env has a bad region', () => {
    const bad = { ...envs[0]!, region: 'moon-base-1' };
    expect(() => buildApp(new App({ outdir: tempOutdir() }), [bad])).toThrow(/region: must be an AWS region/);
  });
});

describe.each(ENV_NAMES)('AwsStack (%s)', (envName) => {
  const env = () => envs.find((e) => e.name === envName)!;
  const naming = () => new Naming(env());
  const tf = () => json(`fdl-${envName}-aws`);

  it('routes each dataset prefix to the dataset topic in the one bucket notification', () => {
    const rules = onlyResource(tf(), 'aws_s3_bucket_notification').topic as Record<string, string>[];
    expect(rules.map((r) => r.filter_prefix).sort()).toEqual(DATASET_NAMES.map((d) => `${d}/`).sort());
    for (const d of DATASET_NAMES) {
      const [topic, body] = findBy(tf(), 'aws_sns_topic', 'name', naming().datasetTopic(d));
      expect(rules.find((r) => r.id === d)?.topic_arn).toBe(`\${aws_sns_topic.${topic}.arn}`);
      expect(body.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['policy'] });
    }
  });

  it('runs every function from the env image with its own command, role and sizing', () => {
    const roles = new Set<unknown>();
    for (const fn of FUNCTION_NAMES) {
      const [, body] = findBy(tf(), 'aws_lambda_function', 'function_name', naming().functionName(fn));
      expect(body.image_uri).toMatch(
        new RegExp(
          `^\\$\\{data\\.terraform_remote_state\\.cross_stack_reference_input_fdl_${envName}_ecr\\..*\\}:${env().imageTag}$`,
        ),
      );
      expect(body.image_config).toEqual({ command: [`${fn}.handler`] });
      expect(body.memory_size).toBe(env().functions[fn].memoryMb);
      expect(body.timeout).toBe(env().functions[fn].timeoutSeconds);
      roles.add(body.role);
    }
    expect(roles.size).toBe(FUNCTION_NAMES.length);
  });

  it('lets each function write only its own prefixes and read only its secret', () => {
    const permissions = (fn: string) => {
      const [, body] = findBy(tf(), 'aws_lambda_function', 'function_name', naming().functionName(fn));
      const role = String(body.role).replace(/^\$\{aws_iam_role\.(.*)\.arn\}$/, '$1');
      const policy = resourcesOf(tf(), 'aws_iam_role_policy').find(
        ([, p]) => p.role === `\${aws_iam_role.${role}.id}`,
      )!;
      return statementsOf(policy[1].policy).filter((s) => s.Sid !== 'WriteOwnLogGroup');
    };
    const [bucket] = resourcesOf(tf(), 'aws_s3_bucket')[0]!;
    const objects = (prefix: string) => `\${aws_s3_bucket.${bucket}.arn}/${prefix}*`;
    const [secret] = findBy(tf(), 'aws_secretsmanager_secret', 'name', naming().redditSecret());
    expect(permissions('extract-coinlore')).toEqual([
      {
        Sid: 'WriteRawCoinlore',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: [objects('raw/coinlore/')],
      },
    ]);
    expect(permissions('extract-reddit')).toEqual([
      { Sid: 'WriteRawReddit', Effect: 'Allow', Action: 's3:PutObject', Resource: [objects('raw/reddit/')] },
      {
        Sid: 'ReadRedditCredentials',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `\${aws_secretsmanager_secret.${secret}.arn}`,
      },
    ]);
    const transform = permissions('transform');
    expect(transform.find((s) => s.Sid === 'ReadRaw')?.Resource).toBe(objects('raw/'));
    expect(transform.find((s) => s.Sid === 'WriteDatasetsAndRejects')?.Resource).toEqual([
      ...DATASET_NAMES.map((d) => objects(`${d}/`)),
      objects('rejects/'),
    ]);
  });

  it('gives extract-reddit its secret and user agent but stores no secret value', () => {
    const [, body] = findBy(
      tf(),
      'aws_lambda_function',
      'function_name',
      naming().functionName('extract-reddit'),
    );
    const variables = (body.environment as { variables: Record<string, string> }).variables;
    expect(Object.keys(variables).sort()).toEqual([
      'LAKE_BUCKET',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'REDDIT_SECRET_ARN',
      'REDDIT_USER_AGENT',
    ]);
    expect(variables.REDDIT_USER_AGENT).toBe(env().reddit.userAgent);
    expect(resourcesOf(tf(), 'aws_secretsmanager_secret_version')).toEqual([]);
  });

  it('fills every placeholder of the definition with the functions and the alerts topic', () => {
    const [, sm] = findBy(tf(), 'aws_sfn_state_machine', 'name', naming().stateMachine());
    const definition = String(sm.definition);
    const template = readFileSync(PIPELINE_DEFINITION_PATH, 'utf8');
    expect(template).toMatch(/\$\{ExtractCoinloreFunctionArn\}/);
    expect(definition).not.toMatch(/\$\{[A-Za-z]+\}/);
    const refs = new Set(definition.match(/\$\{aws_[a-z_]+\.[A-Za-z0-9_]+\.arn\}/g));
    expect([...refs].map((r) => r.split('.')[0]).sort()).toEqual([
      '${aws_lambda_function',
      '${aws_lambda_function',
      '${aws_lambda_function',
      '${aws_sns_topic',
    ]);
    expect(JSON.parse(definition).QueryLanguage).toBe('JSONata');
  });

  it('starts the state machine on the env schedule with the env pipeline input', () => {
    const [, schedule] = findBy(tf(), 'aws_scheduler_schedule', 'name', naming().iam('pipeline schedule'));
    expect(schedule).toMatchObject({
      schedule_expression: `rate(${env().schedule.rateMinutes} minutes)`,
      state: env().schedule.enabled ? 'ENABLED' : 'DISABLED',
    });
    const target = schedule.target as Record<string, unknown>;
    expect(JSON.parse(String(target.input))).toEqual(pipelineInput(env()));
    // This state machine, the one of this stack.
    const [machineKey] = findBy(tf(), 'aws_sfn_state_machine', 'name', new Naming(env()).stateMachine());
    expect(target.arn).toBe(`\${aws_sfn_state_machine.${machineKey}.arn}`);
  });

  it('checks every pipe on the pipe health schedule, with one alarm per pipe into the alerts topic', () => {
    const settings = pipeHealthConfig(env());
    const [fnKey, fn] = findBy(
      tf(),
      'aws_lambda_function',
      'function_name',
      naming().functionName('check-ingestion'),
    );
    expect(fn.image_config).toEqual({ command: ['check-ingestion.handler'] });
    const [, schedule] = findBy(tf(), 'aws_scheduler_schedule', 'name', naming().iam('pipe health schedule'));
    expect(schedule).toMatchObject({
      schedule_expression: `rate(${settings.rateMinutes} minutes)`,
      state: settings.enabled ? 'ENABLED' : 'DISABLED',
    });
    const target = schedule.target as Record<string, unknown>;
    expect(target.arn).toBe(`\${aws_lambda_function.${fnKey}.arn}`);
    // The schedule's role may only invoke this function.
    const scheduleRole = String(target.role_arn).replace(/^\$\{aws_iam_role\.(.*)\.arn\}$/, '$1');
    const rolePolicies = resourcesOf(tf(), 'aws_iam_role_policy').filter(
      ([, p]) => p.role === `\${aws_iam_role.${scheduleRole}.id}`,
    );
    expect(rolePolicies.flatMap(([, p]) => statementsOf(p.policy))).toEqual([
      {
        Sid: 'InvokeCheck',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: `\${aws_lambda_function.${fnKey}.arn}`,
      },
    ]);
    const [alertsKey] = findBy(tf(), 'aws_sns_topic', 'name', naming().alertsTopic());
    for (const d of DATASET_NAMES) {
      const [, alarm] = findBy(
        tf(),
        'aws_cloudwatch_metric_alarm',
        'alarm_name',
        naming().resource(`${d} pipe health`),
      );
      expect(alarm).toMatchObject({
        namespace: 'finance-de-lab',
        metric_name: PIPE_METRICS.problems,
        dimensions: { service: 'check-ingestion', Pipe: d },
        period: settings.rateMinutes * 60,
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: settings.enabled ? 'breaching' : 'notBreaching',
        alarm_actions: [`\${aws_sns_topic.${alertsKey}.arn}`],
      });
    }
  });

  it('lets the pipe health check only list the dataset prefixes and read its own secret', () => {
    const [, fn] = findBy(
      tf(),
      'aws_lambda_function',
      'function_name',
      naming().functionName('check-ingestion'),
    );
    const role = String(fn.role).replace(/^\$\{aws_iam_role\.(.*)\.arn\}$/, '$1');
    const [, policy] = resourcesOf(tf(), 'aws_iam_role_policy').find(
      ([, p]) => p.role === `\${aws_iam_role.${role}.id}`,
    )!;
    const [secret] = findBy(
      tf(),
      'aws_secretsmanager_secret',
      'name',
      naming().resource('snowflake check credentials'),
    );
    const [bucket] = resourcesOf(tf(), 'aws_s3_bucket')[0]!;
    expect(statementsOf(policy.policy).filter((s) => s.Sid !== 'WriteOwnLogGroup')).toEqual([
      {
        Sid: 'ListDatasetPrefixes',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `\${aws_s3_bucket.${bucket}.arn}`,
        Condition: { StringLike: { 's3:prefix': DATASET_NAMES.map((d) => `${d}/*`) } },
      },
      {
        Sid: 'ReadSnowflakeCredentials',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `\${aws_secretsmanager_secret.${secret}.arn}`,
      },
    ]);
    // The value is set outside Terraform: no secret version in the stack.
    expect(resourcesOf(tf(), 'aws_secretsmanager_secret_version')).toEqual([]);
  });

  it('exposes the outputs the Snowflake stack needs', () => {
    const outputs = synth.byEnv[envName]!.aws.outputs;
    expect(Object.keys(outputs.datasetTopicArns).sort()).toEqual([...DATASET_NAMES].sort());
    expect(outputs.accountId).toBe(env().account);
    const declared = Object.keys(tf().output as object);
    for (const name of [
      'lake_bucket_name',
      'lake_bucket_arn',
      'alerts_topic_arn',
      ...DATASET_NAMES.map((d) => `${d}_topic_arn`),
    ])
      expect(declared).toContain(name);
  });
});

describe('AwsStack', () => {
  const stack = (env: EnvConfig, definitionTemplate?: string) =>
    new AwsStack(new App({ outdir: tempOutdir() }), 'fdl-test-aws', {
      env,
      repositoryUrl: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/fdl-dev-lambdas',
      definitionTemplate,
    });

  it('fails synth naming the placeholder when the definition has one without a value', () => {
    const template = readFileSync(PIPELINE_DEFINITION_PATH, 'utf8').replace(
      '"StartAt"',
      `"Comment2": "\${ReportBucketArn}", "StartAt"`,
    );
    expect(() => stack(envs[0]!, template)).toThrow(/no value for placeholder\(s\) \$\{ReportBucketArn\}/);
  });

  it('deploys the schedule DISABLED when the env disables it', () => {
    const env = { ...envs[0]!, schedule: { enabled: false, rateMinutes: 10 } };
    const tf = stack(env).toTerraform() as TerraformJson;
    const naming = new Naming(env);
    expect(findBy(tf, 'aws_scheduler_schedule', 'name', naming.iam('pipeline schedule'))[1].state).toBe(
      'DISABLED',
    );
  });
});

describe('terraform validate', () => {
  const dirs = () => awsStackNames(synth.stackNames).map((n) => join(synth.outdir, 'stacks', n));

  it('finds terraform, the CLI config and the AWS provider mirror on this machine', () => {
    const missing = missingPrerequisites(dirs());
    // Not a skip: without them the AWS stacks are unchecked, so say what to install and fail.
    expect(missing, `offline terraform validate needs:\n${missing.join('\n')}`).toEqual([]);
  });

  it('names what to install when terraform or the provider mirror is missing', () => {
    const missing = missingPrerequisites(dirs(), { path: '/nonexistent', mirror: '/nonexistent/tf-plugins' });
    expect(missing.join('\n')).toMatch(/terraform is not on PATH: install Terraform/);
    expect(missing.join('\n')).toMatch(/install hashicorp\/aws 5\.100\.0 into \/nonexistent\/tf-plugins/);
  });

  it('accepts every AWS-only stack of every env offline, bootstrap included, and names a broken one', async () => {
    const names = awsStackNames(synth.stackNames);
    expect([...names].sort()).toEqual([...VALIDATED_STACKS].sort());
    // One Terraform run (the provider schema loads once): every real stack, plus a copy of an ECR stack
    // with a tag mutability the AWS provider does not accept, which must fail under its own name only.
    const copy = tempOutdir();
    for (const n of names) {
      mkdirSync(join(copy, 'stacks', n), { recursive: true });
      copyFileSync(join(synth.outdir, 'stacks', n, 'cdk.tf.json'), join(copy, 'stacks', n, 'cdk.tf.json'));
    }
    const source = names.find((n) => n.endsWith('-ecr'))!;
    const broken = `${source}-broken`;
    const tf = JSON.parse(readFileSync(join(copy, 'stacks', source, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    for (const repo of Object.values(tf.resource!.aws_ecr_repository!))
      (repo as Record<string, unknown>).image_tag_mutability = 'SOMETIMES';
    mkdirSync(join(copy, 'stacks', broken), { recursive: true });
    writeFileSync(join(copy, 'stacks', broken, 'cdk.tf.json'), JSON.stringify(tf));

    const results = await validateStacks(copy, [...names, broken]);
    const failed = results.filter((r) => !r.valid && r.stack !== broken);
    expect(failed, failed.map((r) => `${r.stack}:\n  ${r.problems.join('\n  ')}`).join('\n')).toEqual([]);
    expect(results).toHaveLength(VALIDATED_STACKS.length + 1);
    const bad = results.find((r) => r.stack === broken)!;
    expect(bad.valid).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/SOMETIMES/);
  }, 120_000);
});
