import { apaluParams } from '../activations.js';
import { head } from '../data/dataset.js';
import { mnistSplit } from '../data/mnist.js';
import type { Experiment } from '../experiment.js';
import { cnn, mlp } from '../models.js';
import { lineChart } from '../report/charts.js';
import { disposeTensors, fitAndTest, fmt, table, tensors } from './common.js';

interface Config {
  models: ('mlp' | 'cnn')[];
  trainRows: number;
  epochs: { mlp: number; cnn: number };
  batchSize: number;
  learningRate: number;
}

interface Run {
  model: 'mlp' | 'cnn';
  seed: number;
  /** trajectory[epoch] = (a, b) of every Apalu layer; epoch 0 = initialisation. */
  trajectory: { layer: string; a: number; b: number }[][];
  testAccuracy: number;
}

export const paramsExperiment: Experiment<Config, Run> = {
  id: 'params',
  title: '6. How a and b evolve during training, per layer',
  question: 'Where do a and b go from their uniform(0, 2) start, layer by layer, and do different seeds end up in the same place?',
  seeds: { smoke: 1, quick: 2, full: 3 },
  configs: {
    smoke: { models: ['mlp'], trainRows: 64, epochs: { mlp: 1, cnn: 1 }, batchSize: 32, learningRate: 1e-3 },
    quick: { models: ['mlp', 'cnn'], trainRows: 500, epochs: { mlp: 3, cnn: 1 }, batchSize: 64, learningRate: 1e-3 },
    full: { models: ['mlp', 'cnn'], trainRows: 2000, epochs: { mlp: 8, cnn: 3 }, batchSize: 64, learningRate: 1e-3 },
  },
  async run(ctx, c, data) {
    const s = mnistSplit();
    const parts = { train: head(s.train, c.trainRows), validation: head(s.validation, 500), test: head(s.test, 1000) };
    for (const model of c.models) ctx.progress.plan(ctx.seeds.length * c.epochs[model]);
    for (const model of c.models) {
      const t = tensors(parts, model === 'mlp' ? [784] : [28, 28, 1]);
      try {
        for (const seed of ctx.seeds) {
          const trajectory: Run['trajectory'] = [];
          const r = await fitAndTest(
            ctx,
            `${model} seed ${seed}`,
            () => (model === 'mlp' ? mlp(784, [128, 64], 10, { activation: 'apalu', seed, outputActivation: 'softmax' }) : cnn({ activation: 'apalu', seed })),
            t,
            { task: 'classification', epochs: c.epochs[model], batchSize: c.batchSize, learningRate: c.learningRate, seed, observe: (_, m) => trajectory.push(apaluParams(m)) },
          );
          data.runs.push({ model, seed, trajectory, testAccuracy: r.test.accuracy });
        }
      } finally {
        disposeTensors(t);
      }
    }
  },
  report(result) {
    const { runs } = result.data;
    const rows: (string | number)[][] = [];
    const points: Record<string, string | number>[] = [];
    for (const r of runs) {
      const first = r.trajectory[0]!;
      const last = r.trajectory.at(-1)!;
      first.forEach((p, i) => {
        const q = last[i]!;
        rows.push([r.model, r.seed, `layer ${i + 1}`, p.a.toFixed(3), q.a.toFixed(3), p.b.toFixed(3), q.b.toFixed(3), (q.b / (1.5 * q.a)).toFixed(2)]);
      });
      r.trajectory.forEach((ps, epoch) =>
        ps.forEach((p, i) => {
          const series = `${r.model} layer ${i + 1}`;
          const seed = `seed ${r.seed}`;
          points.push({ epoch, series, seed, parameter: 'a', value: p.a }, { epoch, series, seed, parameter: 'b', value: p.b });
        }),
      );
    }
    const acc = (m: string) => runs.filter((r) => r.model === m).map((r) => 100 * r.testAccuracy);
    const c = result.config;
    return {
      markdown: [
        `APALU networks of experiment 1 (one (a, b) pair per layer, a, b ~ uniform(0, 2) seeded per layer) trained on ${c.trainRows} digits with Adam ${c.learningRate}; MLP ${c.epochs.mlp} epochs (test accuracy ${fmt(acc('mlp'), 1)} %), CNN ${c.epochs.cnn} epochs (${fmt(acc('cnn'), 1)} %). ` +
          "b / (1.5a) = 1 is where f is differentiable at 0 (see @apalu/core's SPEC.md).",
        '',
        table(['model', 'seed', 'layer', 'a at init', 'a at end', 'b at init', 'b at end', 'b / (1.5a) at end'], rows),
      ].join('\n'),
      plots: [
        {
          file: 'params-trajectories',
          spec: lineChart({ title: 'a and b per layer after every epoch (epoch 0 = initialisation)', rows: points, x: 'epoch', y: 'value', series: 'series', dash: 'seed', facet: 'parameter', width: 300 }),
        },
      ],
    };
  },
};
