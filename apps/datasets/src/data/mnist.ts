import { createRequire } from 'node:module';
import { split, type Split, type Table } from './dataset.js';

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

/** Seed of the documented MNIST split (README, "Data"). */
export const MNIST_SPLIT_SEED = 2402;

let cached: Table | undefined;

/**
 * The 10,000 digits of the `mnist` 1.1.0 package (28×28 grey levels in [0, 1]), read from
 * its raw arrays (its own `range()`/`set()` drop a digit's last image and shuffle with
 * Math.random). Rows are ordered digit by digit, as stored.
 */
export function loadMnist(): Table {
  if (cached !== undefined) return cached;
  const digits = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const rows = digits.reduce((n, d) => n + d.length, 0);
  const x = new Float32Array(rows * 784);
  const y = new Float32Array(rows);
  let r = 0;
  for (const d of digits) {
    x.set(d.raw.slice(0, d.length * 784), r * 784);
    y.fill(d.id, r, r + d.length);
    r += d.length;
  }
  cached = { x, y, rows, features: 784, classes: 10 };
  return cached;
}

/** Stratified 60 / 20 / 20 split of the 10,000 digits, seed MNIST_SPLIT_SEED: 6,000 / 2,000 / 2,000. */
export function mnistSplit(): Split {
  return split(loadMnist(), { train: 0.6, validation: 0.2 }, MNIST_SPLIT_SEED);
}
