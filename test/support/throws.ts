import { expect } from 'vitest';
import { SchemaDriftError } from '../../lambdas/core/errors';

/** The error `fn` throws; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** `fn` throws a SchemaDriftError with exactly `message`. */
export function expectDrift(fn: () => unknown, message: string): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(SchemaDriftError);
  expect(e.message).toBe(message);
}
