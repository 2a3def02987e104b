import type { ActivationName } from '../activations.js';
import { bostonSplit } from '../data/boston.js';
import type { Split, Table } from '../data/dataset.js';
import { noisyCurve } from '../data/synthetic.js';
import type { Experiment } from '../experiment.js';
import { mlp } from '../models.js';
import { barChart, lineChart } from '../report/charts.js';
import { mean, std } from '../stats.js';
import type { EpochLog } from '../train.js';
import { disposeTensors, fitAndTest, fmt, pText, table, tensors, verdict } from './common.js';

type DatasetName = 'boston' | 'curve';

interface Config {
  activations: ActivationName[];
  datasets: DatasetName[];
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  curveRows: number;
}

interface Run {
  dataset: DatasetName;
  activation: ActivationName;
  seed: number;
  /** MSE in the target's own units (Boston: $1000², curve: y units). */
  trainMse: number;
  testMse: number;
  logs: EpochLog[];
  /** Variance of the training target (the MSE of predicting the mean), for scale. */
  targetVariance: number;
}

/** Standardise y on the training part so one learning rate suits both tasks; returns the scale back. */
function scaleTargets(s: Split): { split: Split; variance: number } {
  const y = Array.from(s.train.y);
  const m = mean(y);
  const sd = std(y);
  const f = (t: Table): Table => ({ ...t, y: t.y.map((v) => (v - m) / sd) });
  return { split: { train: f(s.train), validation: f(s.validation), test: f(s.test) }, variance: sd * sd };
}

export const regressionExperiment: Experiment<Config, Run> = {
  id: 'regression',
  title: '2. Regression: Boston housing and a noisy 1-D curve',
  question: 'Does APALU lower train and test MSE against ReLU and tanh (the paper\'s regression claim)?',
  seeds: { smoke: 1, quick: 2, full: 5 },
  configs: {
    smoke: { activations: ['apalu', 'relu', 'tanh'], datasets: ['boston', 'curve'], hidden: [16, 16], epochs: 2, batchSize: 32, learningRate: 3e-3, curveRows: 100 },
    quick: { activations: ['apalu', 'relu', 'tanh'], datasets: ['boston', 'curve'], hidden: [64, 64], epochs: 15, batchSize: 32, learningRate: 3e-3, curveRows: 500 },
    full: { activations: ['apalu', 'relu', 'tanh'], datasets: ['boston', 'curve'], hidden: [64, 64], epochs: 60, batchSize: 32, learningRate: 3e-3, curveRows: 500 },
  },
  async run(ctx, c, data) {
    ctx.progress.plan(c.datasets.length * c.activations.length * ctx.seeds.length * c.epochs);
    for (const dataset of c.datasets) {
      const raw = dataset === 'boston' ? bostonSplit() : noisyCurve(c.curveRows);
      const { split, variance } = scaleTargets(raw);
      const t = tensors(split, [split.train.features]);
      try {
        for (const seed of ctx.seeds) {
          for (const activation of c.activations) {
            const r = await fitAndTest(
              ctx,
              `${dataset} ${activation} seed ${seed}`,
              () => mlp(split.train.features, c.hidden, 1, { activation, seed, outputActivation: 'linear' }),
              t,
              { task: 'regression', epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate, seed },
            );
            data.runs.push({ dataset, activation, seed, trainMse: r.train.loss * variance, testMse: r.test.loss * variance, logs: r.logs, targetVariance: variance });
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
    const bars: Record<string, string | number>[] = [];
    const curves: Record<string, string | number>[] = [];
    for (const dataset of c.datasets) {
      const of = (a: ActivationName) => runs.filter((r) => r.dataset === dataset && r.activation === a);
      const apalu = of('apalu').map((r) => r.testMse);
      for (const a of c.activations) {
        const rs = of(a);
        if (rs.length === 0) continue;
        const test = rs.map((r) => r.testMse);
        const v = a === 'apalu' ? undefined : verdict(apalu, test, false);
        rows.push([dataset, a, fmt(rs.map((r) => r.trainMse)), fmt(test), v ? pText(v.p) : '—', v ? v.text : '—']);
        bars.push({ dataset, activation: a, mse: mean(test), sd: std(test) });
        for (let e = 0; e < rs[0]!.logs.length; e += Math.max(1, Math.floor(rs[0]!.logs.length / 50))) {
          curves.push({ dataset, activation: a, epoch: e + 1, 'validation MSE (standardised)': mean(rs.map((r) => r.logs[e]!.validation.loss)) });
        }
      }
    }
    const variance = (d: DatasetName) => runs.find((r) => r.dataset === d)?.targetVariance;
    return {
      markdown: [
        `MLP ${c.hidden.join('-')} with a linear output, ${c.epochs} epochs, Adam ${c.learningRate}, batch ${c.batchSize}, targets standardised on the training part; MSE reported in the targets' units. ` +
          `Boston: 13 standardised features, 354 / 76 / 76 rows, target variance ${variance('boston')?.toFixed(1) ?? '?'} ($1000²). Curve: y = sin(3x) + 0.3x² − 0.5 + N(0, 0.1²), ${c.curveRows} points, 60 / 20 / 20 (noise floor MSE 0.01).`,
        '',
        table(['data', 'activation', 'train MSE', 'test MSE', 'p (test, vs APALU)', 'verdict'], rows),
      ].join('\n'),
      plots: [
        { file: 'regression-test-mse', spec: barChart({ title: 'Test MSE, mean ± std over seeds', rows: bars, category: 'activation', value: 'mse', error: 'sd', group: 'dataset', zero: true }) },
        { file: 'regression-validation-curves', spec: lineChart({ title: 'Validation MSE per epoch (standardised targets, mean over seeds)', rows: curves, x: 'epoch', y: 'validation MSE (standardised)', series: 'activation', facet: 'dataset', logY: true }) },
      ],
    };
  },
};
