import { describe, expect, it } from 'vitest';
import { duration, listingLine, progressLine } from '../../cli/kit/progress';

describe('duration', () => {
  it.each([
    [400, '0.4 s'],
    [9_949, '9.9 s'],
    [9_970, '10 s'],
    [12_400, '12 s'],
    [59_400, '59 s'],
    [59_600, '1 min 00 s'],
    [245_000, '4 min 05 s'],
    [3_599_000, '59 min 59 s'],
    [3_720_000, '1 h 02 min'],
    [90_000_000, '25 h 00 min'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('progressLine', () => {
  it('gives no estimate before 5% of the files or 2 s, when the pace is mostly start-up', () => {
    expect(progressLine(100, 30_000, 5_000)).toBe('read 100/30000 files (0%), 5.0 s elapsed');
    expect(progressLine(3_000, 30_000, 1_500)).toBe('read 3000/30000 files (10%), 1.5 s elapsed');
  });

  it('estimates what is left from the average pace so far', () => {
    // 1,500 files in 12 s: 8 ms a file, 28,500 files left → 228 s.
    expect(progressLine(1_500, 30_000, 12_000)).toBe(
      `read 1500/30000 files (5%), 12 s elapsed, about ${Math.floor(228 / 60)} min ${228 % 60} s left`,
    );
  });

  it('ends with the total time once every file is read', () => {
    expect(progressLine(12, 12, 420)).toBe('read 12/12 files (100%) in 0.4 s');
  });
});

describe('listingLine', () => {
  it('says how many files and folders are listed so far, and for how long', () => {
    expect(listingLine(120_000, 800, 14_200)).toBe('listed 120000 raw files in 800 folders, 14 s elapsed');
  });
});
