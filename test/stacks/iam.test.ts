import { TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvs } from '../../envs/load';
import { env as prod } from '../../envs/prod.env';
import {
  assumeRolePolicy,
  boundedRole,
  permissionsBoundaryArn,
  usePermissionsBoundary,
} from '../../stacks/iam';
import { Naming } from '../../stacks/naming';
import { onlyResource, removeOutdirs, tempOutdir } from './support';

/** Every env of envs/: adding an env adds its cases here without editing the test. */
const ENVS = await loadEnvs();

afterAll(removeOutdirs);

const stack = () => new TerraformStack(Testing.app({ outdir: tempOutdir() }), 'stack');

describe('permissionsBoundaryArn', () => {
  it.each(ENVS)('names the $name boundary policy in the $name account when derived', (env) => {
    expect(permissionsBoundaryArn(env)).toBe(
      `arn:aws:iam::${env.account}:policy/${new Naming(env).iam('PermissionsBoundary')}`,
    );
  });
});

describe('boundedRole', () => {
  it('gives the role the boundary its stack declared when created in a nested construct', () => {
    const s = stack();
    usePermissionsBoundary(s, prod);
    boundedRole(s, 'role', { name: 'FdlProdX', assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') });
    const role = onlyResource(Testing.synth(s), 'aws_iam_role');
    expect(role.permissions_boundary).toBe(permissionsBoundaryArn(prod));
  });

  it('throws naming the fix when the stack declared no boundary', () => {
    const s = stack();
    expect(() =>
      boundedRole(s, 'role', { name: 'FdlDevX', assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') }),
    ).toThrow(/stack\/role: no permissions boundary in scope; call usePermissionsBoundary/);
  });
});
