/**
 * Shared helpers for the stack tests. `synthScope` is Testing.synthScope with an outdir we own: Testing.app()
 * otherwise leaves a fresh temp directory behind per call. Call `removeOutdirs()` in afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { PERMISSIONS_BOUNDARY_CONTEXT } from '../../stacks/iam';

const outdirs: string[] = [];

/** A temp directory removed by removeOutdirs(). */
export function tempOutdir(prefix = 'fdl-stacks-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The permissions boundary synthScope declares for its stack (what a real stack's env would). */
export const TEST_BOUNDARY_ARN = 'arn:aws:iam::111111111111:policy/FdlTestPermissionsBoundary';

/**
 * Synthesize the constructs `build` adds to an empty stack that declares TEST_BOUNDARY_ARN as its
 * permissions boundary (as every project stack does); returns Testing.synth's JSON string.
 */
export function synthScope(build: (scope: Construct) => void): string {
  const stack = new TerraformStack(Testing.app({ outdir: tempOutdir() }), 'stack');
  stack.node.setContext(PERMISSIONS_BOUNDARY_CONTEXT, TEST_BOUNDARY_ARN);
  build(stack);
  return Testing.synth(stack);
}

type Body = Record<string, unknown>;

/** Resources of one type in synthesized JSON (string or parsed), as [name, body] pairs. */
export function resourcesOf(synth: string | object, type: string): [string, Body][] {
  const tf = (typeof synth === 'string' ? JSON.parse(synth) : synth) as {
    resource?: Record<string, Record<string, Body>>;
  };
  return Object.entries(tf.resource?.[type] ?? {});
}

/** The single resource of `type`; fails the test when there are none or several. */
export function onlyResource(synth: string | object, type: string): Body {
  const all = resourcesOf(synth, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0]![1];
}

/** Parsed Statement array of a policy JSON string. */
export function statementsOf(policy: unknown): Body[] {
  return (JSON.parse(String(policy)) as { Statement: Body[] }).Statement;
}
