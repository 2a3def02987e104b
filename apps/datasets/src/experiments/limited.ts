import type { ActivationName } from '../activations.js';
import { head } from '../data/dataset.js';
import { mnistSplit } from '../data/mnist.js';
import type { Experiment } from '../experiment.js';
import { mlp } from '../models.js';
import { lineChart } from '../report/charts.js';
import { mean } from '../stats.js';
import type { EpochLog, Metrics } from '../train.js';
import { disposeTensors, fitAndTest, fmt, pText, table, tensors, verdict } from './common.js';

interface Config {
  activations: ActivationName[];
  trainRows: number;
  validationRows: number;
  testRows: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

interface Run {
  activation: ActivationName;
  seed: number;
  logs: EpochLog[];
  train: Metrics;
  test: Metrics;
}

const ALL: ActivationName[] = ['apalu', 'relu', 'leakyRelu', 'elu', 'gelu', 'prelu'];

export const limitedExperiment: Experiment<Config, Run> = {
  id: 'limited',
  title: '5. Limited data: 500 MNIST digits',
  question: 'With only 500 training digits, does APALU overfit more or less than fixed activations (train vs validation)?',
  seeds: { smoke: 1, quick: 2, full: 3 },
  configs: {
    smoke: { activations: ['apalu', 'relu'], trainRows: 500, validationRows: 64, testRows: 64, epochs: 1, batchSize: 64, learningRate: 1e-3 },
    quick: { activations: ALL, trainRows: 500, validationRows: 300, testRows: 500, epochs: 5, batchSize: 64, learningRate: 1e-3 },
    full: { activations: ALL, trainRows: 500, validationRows: 1000, testRows: 2000, epochs: 30, batchSize: 64, learningRate: 1e-3 },
  },
  async run(ctx, c, data) {
    const s = mnistSplit();
    const t = tensors({ train: head(s.train, c.trainRows), validation: head(s.validation, c.validationRows), test: head(s.test, c.testRows) }, [784]);
    ctx.progress.plan(c.activations.length * ctx.seeds.length * c.epochs);
    try {
      for (const seed of ctx.seeds) {
        for (const activation of c.activations) {
          const r = await fitAndTest(ctx, `limited ${activation} seed ${seed}`, () => mlp(784, [128, 64], 10, { activation, seed, outputActivation: 'softmax' }), t, {
            task: 'classification',
            epochs: c.epochs,
            batchSize: c.batchSize,
            learningRate: c.learningRate,
            seed,
          });
          data.runs.push({ activation, seed, logs: r.logs, train: r.train, test: r.test });
        }
      }
    } finally {
      disposeTensors(t);
    }
  },
  report(result) {
    const { runs } = result.data;
    const c = result.config;
    const rows: (string | number)[][] = [];
    const curves: Record<string, string | number>[] = [];
    const apaluGap = runs.filter((r) => r.activation === 'apalu').map((r) => r.train.accuracy - r.test.accuracy);
    for (const a of c.activations) {
      const rs = runs.filter((r) => r.activation === a);
      if (rs.length === 0) continue;
      const gap = rs.map((r) => r.train.accuracy - r.test.accuracy);
      const bestEpoch = rs.map((r) => 1 + r.logs.reduce((b, l, i, all) => (l.validation.loss < all[b]!.validation.loss ? i : b), 0));
      const v = a === 'apalu' ? undefined : verdict(apaluGap, gap, false);
      rows.push([
        a,
        fmt(rs.map((r) => 100 * r.train.accuracy), 1),
        fmt(rs.map((r) => 100 * r.test.accuracy), 1),
        fmt(gap.map((g) => 100 * g), 1),
        fmt(rs.map((r) => r.logs.at(-1)!.validation.loss - Math.min(...r.logs.map((l) => l.validation.loss))), 3),
        fmt(bestEpoch, 1),
        v ? `${v.text} (p ${pText(v.p)})` : '—',
      ]);
      for (let e = 0; e < rs[0]!.logs.length; e++) {
        curves.push(
          { activation: a, epoch: e + 1, kind: 'train loss', value: mean(rs.map((r) => r.logs[e]!.trainLoss)) },
          { activation: a, epoch: e + 1, kind: 'validation loss', value: mean(rs.map((r) => r.logs[e]!.validation.loss)) },
        );
      }
    }
    return {
      markdown: [
        `${c.trainRows} training digits, validation ${c.validationRows}, test ${c.testRows}; MLP 784-128-64-10, Adam ${c.learningRate}, batch ${c.batchSize}, ${c.epochs} epochs, no regularisation (to let overfitting show). ` +
          '"gap" = train − test accuracy at the end; "val-loss rise" = final validation loss minus its minimum (how far training went past the best point); verdict on the gap (smaller is better).',
        '',
        table(['activation', 'train acc %', 'test acc %', 'gap (pp)', 'val-loss rise', 'best epoch (val loss)', 'gap vs APALU'], rows),
      ].join('\n'),
      plots: [{ file: 'limited-curves', spec: lineChart({ title: `${c.trainRows} MNIST digits: train vs validation loss (mean over seeds)`, rows: curves, x: 'epoch', y: 'value', series: 'activation', facet: 'kind' }) }],
    };
  },
};
