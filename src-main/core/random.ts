// Seeded pseudo-random numbers. Everything that must be reproducible (the
// synthetic fundus generator, data shuffling, weight initialisation, CV folds)
// draws from here, never from Math.random, so a seed recorded beside a run
// reproduces it exactly on any machine.
//
// Generator: sfc32 (Small Fast Counting, 128-bit state), seeded through
// splitmix32 so that nearby seeds (0, 1, 2...) give unrelated streams. Pure
// 32-bit integer arithmetic: identical results in Node, browsers and workers.

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Normal (Gaussian) with the given mean and standard deviation (Box-Muller). */
  normal(mean?: number, sd?: number): number;
  /** Uniform integer in [0, n). n must be a positive integer. */
  int(n: number): number;
  /** True with probability p. */
  bool(p?: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A new independent generator derived from this one's next output; advances this one by one step. */
  fork(): Rng;
}

/** splitmix32: a 32-bit mixing step; used to expand a seed into state and to hash seed parts. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) h = splitmix32(h ^ text.charCodeAt(i));
  return h;
}

/**
 * Combines a seed with labels into a new 32-bit seed, e.g. deriveSeed(seed, 'image', 17):
 * lets item i of a generated set be produced without generating items 0..i-1 first.
 */
export function deriveSeed(seed: number, ...parts: readonly (number | string)[]): number {
  let h = splitmix32(seed >>> 0);
  for (const part of parts) {
    h = typeof part === 'number' ? splitmix32(h ^ (part >>> 0) ^ Math.floor(part / 2 ** 32)) : hashString(part, h);
  }
  return h;
}

/** A generator for the seed (any finite number; the integer part modulo 2^32 is used). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // State lives in typed arrays: 32-bit values in closure variables would be boxed as heap
  // numbers on every step (V8's small integers are 31-bit), and per-pixel draws would churn the GC.
  const state = new Int32Array(4);
  let s = splitmix32(Math.trunc(seed) >>> 0);
  for (let i = 0; i < 4; i++) {
    state[i] = s;
    s = splitmix32(s);
  }
  const spare = new Float64Array(1);
  let hasSpare = false;

  const nextUint32 = (): number => {
    // sfc32
    const a = state[0]!;
    const b = state[1]!;
    const c = state[2]!;
    const d = state[3]!;
    const t = (((a + b) | 0) + d) | 0;
    state[3] = (d + 1) | 0;
    state[0] = b ^ (b >>> 9);
    state[1] = (c + (c << 3)) | 0;
    state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;

  const rng: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    normal(mean = 0, sd = 1) {
      if (hasSpare) {
        hasSpare = false;
        return mean + sd * spare[0]!;
      }
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare[0] = r * Math.sin(2 * Math.PI * v);
      hasSpare = true;
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    bool: (p = 0.5) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick() from an empty array');
      return items[Math.floor(next() * items.length)]!;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i]!;
        items[i] = items[j]!;
        items[j] = tmp;
      }
      return items;
    },
    fork: () => createRng(nextUint32()),
  };
  return rng;
}
