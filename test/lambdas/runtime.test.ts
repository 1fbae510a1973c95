import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { LAMBDA_NODE_MAJOR } from '../../lambdas/build.mjs';

const dockerfile = readFileSync(new URL('../../lambdas/Dockerfile', import.meta.url), 'utf8');
/** Node 20's end of life: no runtime at or below it is acceptable. */
const LAST_UNSUPPORTED_MAJOR = 20;

describe('Lambda runtime', () => {
  it('builds on a supported Node.js major when the constant is read', () => {
    expect(LAMBDA_NODE_MAJOR).toBeGreaterThan(LAST_UNSUPPORTED_MAJOR);
    expect(LAMBDA_NODE_MAJOR % 2, 'an LTS (even) major').toBe(0);
  });

  it('uses the Lambda base image and build image of that major when the Dockerfile is read', () => {
    expect(dockerfile).toMatch(new RegExp(`^ARG LAMBDA_NODE_MAJOR=${LAMBDA_NODE_MAJOR}$`, 'm'));
    // Images as Docker resolves them with the ARG's default.
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) =>
      m[1]!.replace(/\$\{LAMBDA_NODE_MAJOR\}/g, String(LAMBDA_NODE_MAJOR)),
    );
    expect(froms).toEqual([
      `public.ecr.aws/docker/library/node:${LAMBDA_NODE_MAJOR}-bookworm-slim`,
      `public.ecr.aws/lambda/nodejs:${LAMBDA_NODE_MAJOR}`,
    ]);
  });
});
