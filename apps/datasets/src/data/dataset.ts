import { permutation } from './random.js';

/** Row-major features plus either class labels or regression targets. */
export interface Table {
  x: Float32Array;
  /** Class index per row (classification) or target value (regression). */
  y: Float32Array;
  rows: number;
  features: number;
  /** Number of classes (0 for regression). */
  classes: number;
}

export interface Split {
  train: Table;
  validation: Table;
  test: Table;
}

export function take(t: Table, rows: ArrayLike<number>): Table {
  const x = new Float32Array(rows.length * t.features);
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    x.set(t.x.subarray(r * t.features, (r + 1) * t.features), i * t.features);
    y[i] = t.y[r] as number;
  }
  return { x, y, rows: rows.length, features: t.features, classes: t.classes };
}

/**
 * Train/validation/test split by fractions. Classification tables are split per class
 * (stratified) so every part keeps the class mix; each class's rows are permuted with
 * `seed`, then cut in order. The result does not depend on anything but the table and seed.
 */
export function split(t: Table, fractions: { train: number; validation: number }, seed: number): Split {
  const groups: number[][] = [];
  if (t.classes > 0) {
    for (let c = 0; c < t.classes; c++) groups.push([]);
    for (let r = 0; r < t.rows; r++) groups[t.y[r] as number]?.push(r);
  } else groups.push(Array.from({ length: t.rows }, (_, r) => r));
  const parts: [number[], number[], number[]] = [[], [], []];
  groups.forEach((rows, g) => {
    const p = permutation(rows.length, seed * 31 + g);
    const nTrain = Math.round(rows.length * fractions.train);
    const nVal = Math.round(rows.length * fractions.validation);
    p.forEach((k, i) => parts[i < nTrain ? 0 : i < nTrain + nVal ? 1 : 2].push(rows[k] as number));
  });
  // Interleave classes: shuffle each part once more so batches are mixed.
  const mixed = parts.map((rows, i) => {
    const p = permutation(rows.length, seed * 131 + i);
    return Array.from(p, (k) => rows[k] as number);
  });
  return { train: take(t, mixed[0]!), validation: take(t, mixed[1]!), test: take(t, mixed[2]!) };
}

/** The first n rows (splits are already shuffled, so this is a random subset). */
export function head(t: Table, n: number): Table {
  return take(t, Array.from({ length: Math.min(n, t.rows) }, (_, i) => i));
}

/** Rows whose class is in `classes`. */
export function whereClass(t: Table, keep: (c: number) => boolean): Table {
  const rows: number[] = [];
  for (let r = 0; r < t.rows; r++) if (keep(t.y[r] as number)) rows.push(r);
  return take(t, rows);
}

/** Standardise features with the training part's mean and std (no leakage into val/test). */
export function standardize(s: Split): Split {
  const { features } = s.train;
  const mean = new Float64Array(features);
  const sd = new Float64Array(features);
  for (let r = 0; r < s.train.rows; r++) for (let f = 0; f < features; f++) mean[f]! += s.train.x[r * features + f]! / s.train.rows;
  for (let r = 0; r < s.train.rows; r++) for (let f = 0; f < features; f++) sd[f]! += (s.train.x[r * features + f]! - mean[f]!) ** 2 / s.train.rows;
  const apply = (t: Table): Table => {
    const x = new Float32Array(t.x.length);
    for (let i = 0; i < x.length; i++) {
      const f = i % features;
      x[i] = (t.x[i]! - mean[f]!) / (Math.sqrt(sd[f]!) || 1);
    }
    return { ...t, x };
  };
  return { train: apply(s.train), validation: apply(s.validation), test: apply(s.test) };
}
