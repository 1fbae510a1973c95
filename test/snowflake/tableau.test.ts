import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/fdl';
import { snowflakeHost, tableauDataSource } from '../../cli/tableau-tds';
import { loadEnvs } from '../../envs/load';
import type { EnvConfig } from '../../envs/types';

const ENVS = await loadEnvs();
const dir = mkdtempSync(join(tmpdir(), 'fdl-tableau-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    datasource: { connection: Record<string, string> };
  };
  return doc.datasource.connection;
};

/** The connection attributes, derived here from the env file by hand (not by the code under test). */
const expectedFor = (env: EnvConfig, user: string) => {
  const upper = env.name.toUpperCase();
  return {
    class: 'snowflake',
    server:
      `${env.snowflake.organizationName}-${env.snowflake.accountName}`.toLowerCase().replace(/_/g, '-') +
      '.snowflakecomputing.com',
    dbname: env.snowflake.database ?? `FDL_${upper}`,
    schema: 'EXPOSED',
    warehouse: `FDL_${upper}_WAREHOUSE`,
    service: `FDL_${upper}_READER`,
    username: user,
  };
};

describe('tableauDataSource', () => {
  it.each(ENVS.map((e) => [e.name, e] as const))(
    'parses as XML and carries exactly the %s connection attributes with OAuth',
    (_, env) => {
      const connection = parse(tableauDataSource(env, 'oauth', 'ANALYST'));
      expect(connection).toEqual({
        ...expectedFor(env, 'ANALYST'),
        authentication: 'oauth',
        'odbc-connect-string-extras': '',
      });
    },
  );

  it('uses the JWT authenticator and stores no key or password with key pair', () => {
    const env = ENVS[0]!;
    const xml = tableauDataSource(env, 'keypair', 'ANALYST');
    expect(parse(xml)).toMatchObject({ 'odbc-connect-string-extras': 'AUTHENTICATOR=SNOWFLAKE_JWT' });
    expect(xml).not.toMatch(/password=|PRIV_KEY|BEGIN .*KEY|token=/i);
  });

  it('escapes a value that would break the XML', () => {
    const env = { ...ENVS[0]!, name: 'a' } as EnvConfig;
    expect(parse(tableauDataSource(env, 'oauth', `O'Brien & <co>`)).username).toBe(`O'Brien & <co>`);
  });

  it('turns underscores of the account name into hyphens in the host', () => {
    expect(
      snowflakeHost({
        snowflake: { ...ENVS[0]!.snowflake, organizationName: 'MYORG', accountName: 'FDL_DEV' },
      }),
    ).toBe('myorg-fdl-dev.snowflakecomputing.com');
  });
});

describe('fdl tableau', () => {
  afterEach(() => vi.restoreAllMocks());
  const io = { out: () => {}, err: () => {} };

  it('writes the env data source with the BI user of the bootstrap by default', async () => {
    const env = ENVS[ENVS.length - 1]!;
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const out = join(dir, `${env.name}.tds`);
    expect(await main(['tableau', '--env', env.name, '--out', out], io)).toBe(0);
    const connection = parse(readFileSync(out, 'utf8'));
    expect(connection).toMatchObject(expectedFor(env, `FDL_${env.name.toUpperCase()}_BI`));
  });

  it('exits 2 on an unknown --auth', async () => {
    const errors: string[] = [];
    expect(
      await main(['tableau', '--env', ENVS[0]!.name, '--auth', 'password'], {
        ...io,
        err: (t) => errors.push(t),
      }),
    ).toBe(2);
    expect(errors.join('')).toMatch(/--auth must be one of oauth, keypair/);
  });
});
