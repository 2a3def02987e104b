// Held-out Iris accuracy of APALU beside brain.js's sigmoid and relu, same network size,
// same seeds, same optimizer settings. Run: pnpm --filter @apalu/brain iris  (after build)
import { ApaluNeuralNetwork } from '../dist/index.js';
import { accuracy, irisSplit } from './iris-data.mjs';

const SEEDS = Number(process.env.IRIS_SEEDS ?? 20);
const HIDDEN = [8];
const ITERATIONS = 300;
const SETTINGS = [
  { praxis: 'adam', learningRate: 0.01 },
  { praxis: 'sgd', learningRate: 0.05 },
];

const stats = (xs) => {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, min: Math.min(...xs) };
};
const pct = (x) => `${(100 * x).toFixed(1)}%`;

console.log(`Iris, 105 train / 45 held out (stratified), ${SEEDS} seeds (split and init), 4-${HIDDEN.join('-')}-3 network, ${ITERATIONS} epochs\n`);
console.log('| praxis, learning rate | activation | held-out accuracy (mean ± sd) | worst seed | final training error | ms per run |');
console.log('|---|---|---|---|---|---|');
for (const { praxis, learningRate } of SETTINGS) {
  for (const activation of ['apalu', 'sigmoid', 'relu']) {
    const acc = [];
    const err = [];
    const t0 = performance.now();
    for (let seed = 0; seed < SEEDS; seed++) {
      const { train, test } = irisSplit(seed);
      const net = new ApaluNeuralNetwork({ hiddenLayers: HIDDEN, activation, praxis, seed });
      const status = net.train(train, { iterations: ITERATIONS, errorThresh: 1e-4, learningRate });
      err.push(status.error);
      acc.push(accuracy(net, test));
    }
    const ms = (performance.now() - t0) / SEEDS;
    const a = stats(acc);
    const e = stats(err.map((x) => (Number.isFinite(x) ? x : 1)));
    console.log(`| ${praxis}, ${learningRate} | ${activation} | ${pct(a.mean)} ± ${pct(a.sd)} | ${pct(a.min)} | ${e.mean.toFixed(4)} | ${ms.toFixed(0)} |`);
  }
}
