import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from '../../src-main/core/random';

describe('createRng', () => {
  it('repeats the same stream for the same seed and differs for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('next() stays in [0, 1) with a mean near 0.5', () => {
    const rng = createRng(1);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = rng.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
  });

  it('normal() has the requested mean and standard deviation', () => {
    const rng = createRng(7);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(3, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(3, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('int(n) covers 0..n-1 only, and rejects a non-positive n', () => {
    const rng = createRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(rng.int(4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('shuffle keeps the elements; fork gives an independent, reproducible stream', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = createRng(5).shuffle([...items]);
    expect([...shuffled].sort()).toEqual(items);
    expect(shuffled).toEqual(createRng(5).shuffle([...items]));
    const f1 = createRng(9).fork();
    const f2 = createRng(9).fork();
    expect(f1.next()).toBe(f2.next());
  });

  it('deriveSeed separates items and labels', () => {
    expect(deriveSeed(1, 'image', 0)).toBe(deriveSeed(1, 'image', 0));
    expect(deriveSeed(1, 'image', 0)).not.toBe(deriveSeed(1, 'image', 1));
    expect(deriveSeed(1, 'image', 0)).not.toBe(deriveSeed(2, 'image', 0));
    expect(deriveSeed(1, 'mask', 0)).not.toBe(deriveSeed(1, 'image', 0));
  });
});
