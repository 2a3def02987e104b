// Speed of ApaluNeuralNetwork against brain.js's own activations on the same network:
// run() (forward) and one trained pattern (forward + backward + update).
// Run: pnpm --filter @apalu/brain bench  (after build)
import { Bench } from 'tinybench';
import { ApaluNeuralNetwork } from '../dist/index.js';

const SHAPES = [
  { name: '4-8-3', sizes: [4, 8, 3] },
  { name: '64-64-10', sizes: [64, 64, 10] },
];

const bench = new Bench({ time: 500, warmupTime: 100 });
for (const { name, sizes } of SHAPES) {
  for (const activation of ['apalu', 'sigmoid', 'relu']) {
    for (const praxis of ['sgd', 'adam']) {
      const net = new ApaluNeuralNetwork({ inputSize: sizes[0], hiddenLayers: sizes.slice(1, -1), outputSize: sizes.at(-1), activation, praxis, seed: 1 });
      net.initialize();
      const input = Float32Array.from({ length: sizes[0] }, (_, i) => Math.sin(i));
      const target = Float32Array.from({ length: sizes.at(-1) }, (_, i) => (i === 0 ? 1 : 0));
      const pattern = { input, output: target };
      if (praxis === 'sgd') bench.add(`${name} ${activation} run()`, () => net.run(input));
      bench.add(`${name} ${activation} train one pattern (${praxis})`, () => net.trainPattern(pattern));
    }
  }
}
await bench.run();
console.log('| network | case | median µs | mean µs ± rme | samples |');
console.log('|---|---|---|---|---|');
for (const task of bench.tasks) {
  const [shape, ...rest] = task.name.split(' ');
  const { latency } = task.result;
  const us = (ms) => (ms * 1000).toFixed(2);
  console.log(`| ${shape} | ${rest.join(' ')} | ${us(latency.p50)} | ${us(latency.mean)} ± ${latency.rme.toFixed(1)}% | ${latency.samplesCount} |`);
}
