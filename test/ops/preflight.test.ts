import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/fdl';
import { loadEnvs } from '../../envs/load';
import type { EnvConfig } from '../../envs/types';
import {
  crossEnvProblems,
  envProblems,
  formatProblem,
  liveProblems,
  placeholderProblems,
  TEMPLATE_PLACEHOLDERS,
} from '../../stacks/preflight';

const ENVS = await loadEnvs();

/** An env of envs/ with every placeholder replaced by a plausible real value. */
const configured = (env: EnvConfig, i: number): EnvConfig => ({
  ...env,
  account: `40${i}000000123`.slice(0, 12).padEnd(12, '7'),
  alertEmail: `data-alerts-${env.name}@corp.io`,
  github: { ...env.github, repository: 'acme/finance-de-lab' },
  state: { ...env.state, bucket: `acme-tfstate-${env.name}` },
  snowflake: { ...env.snowflake, organizationName: 'ACMEORG' },
});

describe('placeholderProblems', () => {
  it.each(ENVS.map((e) => [e.name, e] as const))(
    'flags every template placeholder of envs/%s.env.ts',
    (_, env) => {
      const fields = placeholderProblems(env).map((p) => p.field);
      // Computed from the file: each placeholder value it carries is reported under its field.
      const expected = [
        (TEMPLATE_PLACEHOLDERS.accounts as readonly string[]).includes(env.account) && 'account',
        /@example\.com$/.test(env.alertEmail) && 'alertEmail',
        env.github.repository === TEMPLATE_PLACEHOLDERS.repository && 'github.repository',
        env.snowflake.organizationName === TEMPLATE_PLACEHOLDERS.snowflakeOrganization &&
          'snowflake.organizationName',
        TEMPLATE_PLACEHOLDERS.accounts.some((a) => env.state.bucket.includes(a)) && 'state.bucket',
      ].filter(Boolean);
      expect(expected.length, 'the template env files carry placeholders').toBeGreaterThan(0);
      expect(fields).toEqual(expected);
    },
  );

  it('reports nothing when every placeholder is replaced', () => {
    ENVS.forEach((env, i) => {
      expect(placeholderProblems(configured(env, i))).toEqual([]);
    });
  });

  it('says the file, the field and what to do in one line', () => {
    const [first] = placeholderProblems(ENVS[0]!);
    const line = formatProblem(first!);
    expect(line).toMatch(new RegExp(`^envs/${ENVS[0]!.name}\\.env\\.ts: account: .*set the 12-digit id`));
    expect(line).not.toContain('\n');
  });
});

describe('crossEnvProblems', () => {
  const [a, b] = [configured(ENVS[0]!, 0), configured(ENVS[1] ?? { ...ENVS[0]!, name: 'other' }, 1)];

  it('reports nothing when two envs share nothing', () => {
    expect(crossEnvProblems(a, [a, b])).toEqual([]);
  });

  it('reports a shared state bucket, lake bucket, account and GitHub environment', () => {
    const clash: EnvConfig = {
      ...b,
      account: a.account,
      state: { ...b.state, bucket: a.state.bucket },
      lakeBucket: 'shared-lake-bucket',
      github: { ...b.github, environment: a.github.environment },
    };
    const mine = { ...a, lakeBucket: 'shared-lake-bucket' };
    expect(
      crossEnvProblems(mine, [mine, clash])
        .map((p) => p.field)
        .sort(),
    ).toEqual(['account', 'github.environment', 'lakeBucket', 'state.bucket']);
  });

  it('reports two envs on the same Snowflake account and database', () => {
    const same = { ...b, snowflake: { ...a.snowflake } };
    const mine = { ...a, snowflake: { ...a.snowflake, database: 'FDL_SHARED' } };
    const other = { ...same, snowflake: { ...same.snowflake, database: 'FDL_SHARED' } };
    expect(envProblems(mine, [mine, other]).map((p) => p.field)).toEqual(['snowflake.database']);
  });
});

describe('liveProblems', () => {
  const env = configured(ENVS[0]!, 0);
  const expected = { deployerRole: 'FDL_X_DEPLOYER' };

  it('skips, and says so, each check without credentials', async () => {
    const report = await liveProblems(env, {}, expected);
    expect(report.problems).toEqual([]);
    expect(report.skipped.join('\n')).toMatch(/state bucket: skipped.*\n.*Snowflake deployer: skipped/);
  });

  it('reports a missing state bucket and a failed Snowflake login in one line each', async () => {
    const report = await liveProblems(
      env,
      {
        listStateBucket: async () =>
          Promise.reject(Object.assign(new Error('gone'), { name: 'NoSuchBucket' })),
        snowflakeRole: async () => Promise.reject(new Error('JWT token is invalid.\nmore')),
      },
      expected,
    );
    expect(report.problems.map(formatProblem)).toEqual([
      `envs/${env.name}.env.ts: state.bucket: "${env.state.bucket}" does not exist: create it (versioned, private) as docs/runbook.md says`,
      `envs/${env.name}.env.ts: snowflake: the deployer cannot connect to ACMEORG-${env.snowflake.accountName}: JWT token is invalid.`,
    ]);
  });

  it('reports a connection with another role than the deployer', async () => {
    const report = await liveProblems(
      env,
      { listStateBucket: async () => {}, snowflakeRole: async () => 'PUBLIC' },
      expected,
    );
    expect(report.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/role PUBLIC, expected FDL_X_DEPLOYER/),
    ]);
  });
});

describe('fdl preflight', () => {
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => out.push(String(t)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => err.push(String(t)) > 0);
    return { out, err };
  };
  const io = { out: () => {}, err: () => {} };

  it('exits 1 with one line per placeholder when run on a template env file', async () => {
    const env = ENVS[0]!;
    const { out, err } = capture();
    const code = await main(['preflight', '--env', env.name, '--offline'], io);
    expect(code).toBe(1);
    const lines = err.join('').trim().split('\n');
    for (const p of envProblems(env, ENVS)) expect(lines).toContain(formatProblem(p));
    expect(out.join('')).not.toContain('configured=true');
  });

  it('prints configured=false and a notice, exit 0, when the env names another repository', async () => {
    const env = ENVS[0]!;
    const { out, err } = capture();
    const code = await main(['preflight', '--env', env.name, '--repository', 'someone/fork'], io);
    expect(code).toBe(0);
    expect(out.join('')).toBe('configured=false\n');
    expect(err.join('')).toMatch(/^::notice title=.*deploy of .* skipped/);
  });

  it('rejects a missing --env as a usage error', async () => {
    capture();
    const errors: string[] = [];
    expect(await main(['preflight'], { out: () => {}, err: (t) => errors.push(t) })).toBe(2);
    expect(errors.join('')).toMatch(/--env is required/);
  });
});
