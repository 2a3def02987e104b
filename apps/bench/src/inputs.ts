import { type CaseReference, computeReference } from '@apalu/conformance';
import { splitmix32, uniform } from '@apalu/core';
import type { SizedInput } from './types.js';

/** Channels of every benchmark input: a dense layer's 64 features, channels-last (S = 1). */
export const CHANNELS = 64;

/** Seeded values uniform in [lo, hi), each exactly a float32. */
function uniformArray(n: number, lo: number, hi: number, seed: number): Float32Array {
  const next = splitmix32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * (next() >>> 8)) / 16777216;
  return out;
}

/**
 * The input of one size: x on [−6, 6) (both branches, the sigmoid's curved part and the
 * exponential tail), dy on [−1, 1), per-channel a and b from core's seeded uniform(0.5, 1.5).
 */
export function makeInput(n: number, channels = CHANNELS): SizedInput {
  if (n % channels !== 0) throw new Error(`size ${n} is not a multiple of the channel count ${channels}`);
  const x = uniformArray(n, -6, 6, 0x5eed + n);
  const dy = uniformArray(n, -1, 1, 0xd1 + n);
  const a = uniform(0.5, 1.5, 1)(channels);
  const b = uniform(0.5, 1.5, 2)(channels);
  let reference: CaseReference | undefined;
  return {
    n,
    channels,
    x,
    dy,
    a,
    b,
    reference: () => (reference ??= computeReference({ x, dy, a, b, inner: 1 })),
  };
}
