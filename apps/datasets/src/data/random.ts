import { splitmix32 } from '@apalu/core';

/** Seeded uniform [0, 1) stream from @apalu/core's platform-independent splitmix32. */
export function rng(seed: number): () => number {
  const next = splitmix32(seed);
  return () => next() / 4294967296;
}

/** Standard normal via Box–Muller on a seeded stream. */
export function normal(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** Fisher–Yates permutation of 0..n-1, the same for a seed on every machine. */
export function permutation(n: number, seed: number): Uint32Array {
  const random = rng(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}
