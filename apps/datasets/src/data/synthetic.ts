import { split, type Split, type Table } from './dataset.js';
import { normal, rng } from './random.js';

export const SPIRALS_SEED = 7;
export const CURVE_SEED = 11;

/**
 * Two interleaved spirals (Lang & Witbrock), `perClass` points each, 1.5 turns, Gaussian
 * noise σ = `noise` on both coordinates. Stratified 60 / 20 / 20 split.
 */
export function spirals(perClass = 300, noise = 0.05, seed = SPIRALS_SEED): Split {
  const random = rng(seed);
  const gauss = normal(random);
  const n = 2 * perClass;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < perClass; i++) {
    const t = (i / perClass) * 3 * Math.PI + 0.5;
    const r = t / (3 * Math.PI + 0.5);
    for (const c of [0, 1]) {
      const k = 2 * i + c;
      const s = c === 0 ? 1 : -1;
      x[2 * k] = s * r * Math.cos(t) + noise * gauss();
      x[2 * k + 1] = s * r * Math.sin(t) + noise * gauss();
      y[k] = c;
    }
  }
  const t: Table = { x, y, rows: n, features: 2, classes: 2 };
  return split(t, { train: 0.6, validation: 0.2 }, seed);
}

/** The noiseless target of the 1-D regression task. */
export const curve = (x: number): number => Math.sin(3 * x) + 0.3 * x * x - 0.5;

/** y = sin(3x) + 0.3x² − 0.5 + N(0, σ²) on x ~ U(−2, 2); 60 / 20 / 20 split. */
export function noisyCurve(n = 500, sigma = 0.1, seed = CURVE_SEED): Split {
  const random = rng(seed);
  const gauss = normal(random);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 4 * random() - 2;
    y[i] = curve(x[i] as number) + sigma * gauss();
  }
  return split({ x, y, rows: n, features: 1, classes: 0 }, { train: 0.6, validation: 0.2 }, seed);
}
