import { type ActivationName, APALU_INITS, type ApaluInit } from '../activations.js';
import { fitTo } from '@apalu/core';
import type { Split } from '../data/dataset.js';
import { irisSplit } from '../data/iris.js';
import { spirals } from '../data/synthetic.js';
import type { Experiment } from '../experiment.js';
import { mlp } from '../models.js';
import { heatmap } from '../report/charts.js';
import { mean, std } from '../stats.js';
import { disposeTensors, fitAndTest, fmt, table, tensors } from './common.js';

type DatasetName = 'spirals' | 'iris';
/** An APALU initialisation, or a fixed activation as the reference row. */
type Variant = ApaluInit | 'relu' | 'gelu';

interface Config {
  datasets: DatasetName[];
  variants: Variant[];
  learningRates: number[];
  hidden: Record<DatasetName, number[]>;
  epochs: Record<DatasetName, number>;
  batchSize: number;
}

interface Run {
  dataset: DatasetName;
  variant: Variant;
  learningRate: number;
  seed: number;
  testAccuracy: number;
  trainLoss: number;
  diverged: boolean;
}

const load = (d: DatasetName): Split => (d === 'spirals' ? spirals() : irisSplit());

export const sensitivityExperiment: Experiment<Config, Run> = {
  id: 'sensitivity',
  title: '4. Initialisation and learning-rate sensitivity',
  question: 'How much do results depend on how a and b start — uniform (0,1), (0,2) (the paper), (0,5), fitted to GELU, fixed a = b = 1 — across three learning rates?',
  seeds: { smoke: 1, quick: 1, full: 3 },
  configs: {
    smoke: { datasets: ['spirals', 'iris'], variants: ['u0-2', 'ones'], learningRates: [1e-2], hidden: { spirals: [16, 16], iris: [8] }, epochs: { spirals: 1, iris: 1 }, batchSize: 32 },
    quick: { datasets: ['spirals', 'iris'], variants: [...APALU_INITS, 'relu', 'gelu'], learningRates: [1e-3, 1e-2, 1e-1], hidden: { spirals: [32, 32], iris: [16] }, epochs: { spirals: 10, iris: 10 }, batchSize: 32 },
    full: { datasets: ['spirals', 'iris'], variants: [...APALU_INITS, 'relu', 'gelu'], learningRates: [1e-3, 1e-2, 1e-1], hidden: { spirals: [32, 32], iris: [16] }, epochs: { spirals: 40, iris: 40 }, batchSize: 32 },
  },
  async run(ctx, c, data) {
    for (const d of c.datasets) ctx.progress.plan(c.variants.length * c.learningRates.length * ctx.seeds.length * c.epochs[d]);
    for (const dataset of c.datasets) {
      const s = load(dataset);
      const t = tensors(s, [s.train.features]);
      try {
        for (const seed of ctx.seeds) {
          for (const learningRate of c.learningRates) {
            for (const variant of c.variants) {
              const activation: ActivationName = variant === 'relu' || variant === 'gelu' ? variant : 'apalu';
              const apaluInit = activation === 'apalu' ? (variant as ApaluInit) : undefined;
              const r = await fitAndTest(
                ctx,
                `${dataset} ${variant} lr ${learningRate} seed ${seed}`,
                () => mlp(s.train.features, c.hidden[dataset], s.train.classes, { activation, seed, apaluInit, outputActivation: 'softmax' }),
                t,
                { task: 'classification', epochs: c.epochs[dataset], batchSize: c.batchSize, learningRate, seed },
              );
              const trainLoss = r.logs.at(-1)?.trainLoss ?? Number.NaN;
              data.runs.push({ dataset, variant, learningRate, seed, testAccuracy: r.test.accuracy, trainLoss, diverged: !Number.isFinite(trainLoss) });
            }
          }
        }
      } finally {
        disposeTensors(t);
      }
    }
  },
  report(result) {
    const { runs } = result.data;
    const c = result.config;
    const rows: (string | number)[][] = [];
    const cells: Record<string, string | number>[] = [];
    for (const dataset of c.datasets) {
      for (const variant of c.variants) {
        const cellsText = c.learningRates.map((lr) => {
          const rs = runs.filter((r) => r.dataset === dataset && r.variant === variant && r.learningRate === lr);
          const acc = rs.map((r) => 100 * r.testAccuracy);
          if (rs.length > 0) cells.push({ dataset, init: variant, 'learning rate': String(lr), 'test accuracy': mean(acc) / 100 });
          const diverged = rs.filter((r) => r.diverged).length;
          return rs.length === 0 ? 'n/a' : `${fmt(acc, 1)}${diverged ? ` (${diverged} diverged)` : ''}`;
        });
        const all = runs.filter((r) => r.dataset === dataset && r.variant === variant).map((r) => 100 * r.testAccuracy);
        rows.push([dataset, variant, ...cellsText, all.length ? (Math.max(...all) - Math.min(...all)).toFixed(1) : 'n/a', all.length ? std(all).toFixed(1) : 'n/a']);
      }
    }
    const g = fitTo('gelu');
    return {
      markdown: [
        `Two spirals (600 points, σ = 0.05; MLP 2-${c.hidden.spirals.join('-')}-2, ${c.epochs.spirals} epochs) and Iris (MLP 4-${c.hidden.iris.join('-')}-3, ${c.epochs.iris} epochs); Adam, batch ${c.batchSize}. ` +
          `Inits: u0-1, u0-2, u0-5 = a, b ~ uniform(0, max) (seeded per layer); fit-gelu = a = ${g.a.toFixed(4)}, b = ${g.b.toFixed(4)} (@apalu/core fitTo('gelu') on [−4, 4], RMSE ${g.rmse.toFixed(4)}); ones = a = b = 1. relu and gelu rows are fixed activations for reference. ` +
          'Cells: test accuracy % (mean ± std over seeds). The last two columns summarise sensitivity: spread (max − min) and std over every learning rate and seed.',
        '',
        table(['data', 'init', ...c.learningRates.map((lr) => `lr ${lr}`), 'spread', 'std'], rows),
      ].join('\n'),
      plots: [{ file: 'sensitivity-heatmap', spec: heatmap({ title: 'Test accuracy (mean over seeds)', rows: cells, x: 'learning rate', y: 'init', value: 'test accuracy', facet: 'dataset' }) }],
    };
  },
};
