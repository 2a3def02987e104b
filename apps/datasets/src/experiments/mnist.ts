import type { ActivationName } from '../activations.js';
import { head } from '../data/dataset.js';
import { mnistSplit } from '../data/mnist.js';
import type { Experiment } from '../experiment.js';
import { cnn, mlp } from '../models.js';
import { barChart, lineChart } from '../report/charts.js';
import { mean, std } from '../stats.js';
import type { EpochLog, Metrics } from '../train.js';
import { disposeTensors, epochCpu, fitAndTest, fmt, pText, table, tensors, verdict } from './common.js';

interface Config {
  activations: ActivationName[];
  models: ('mlp' | 'cnn')[];
  trainRows: number;
  validationRows: number;
  testRows: number;
  epochs: { mlp: number; cnn: number };
  batchSize: number;
  learningRate: number;
}

interface Run {
  model: 'mlp' | 'cnn';
  activation: ActivationName;
  seed: number;
  logs: EpochLog[];
  test: Metrics;
}

const ALL: ActivationName[] = ['apalu', 'relu', 'leakyRelu', 'elu', 'gelu', 'prelu'];

export const mnistExperiment: Experiment<Config, Run> = {
  id: 'mnist',
  title: '1. MNIST: MLP and small CNN',
  question: 'Does APALU beat ReLU, LeakyReLU, ELU, GELU and PReLU on MNIST (accuracy, loss curves), and what does it cost per epoch?',
  seeds: { smoke: 1, quick: 2, full: 3 },
  configs: {
    smoke: { activations: ['apalu', 'relu'], models: ['mlp', 'cnn'], trainRows: 64, validationRows: 64, testRows: 64, epochs: { mlp: 1, cnn: 1 }, batchSize: 32, learningRate: 1e-3 },
    quick: { activations: ALL, models: ['mlp', 'cnn'], trainRows: 500, validationRows: 300, testRows: 500, epochs: { mlp: 2, cnn: 1 }, batchSize: 64, learningRate: 1e-3 },
    full: { activations: ALL, models: ['mlp', 'cnn'], trainRows: 2000, validationRows: 1000, testRows: 2000, epochs: { mlp: 6, cnn: 3 }, batchSize: 64, learningRate: 1e-3 },
  },
  async run(ctx, c, data) {
    const s = mnistSplit();
    const parts = { train: head(s.train, c.trainRows), validation: head(s.validation, c.validationRows), test: head(s.test, c.testRows) };
    for (const model of c.models) ctx.progress.plan(c.activations.length * ctx.seeds.length * c.epochs[model]);
    for (const model of c.models) {
      const t = tensors(parts, model === 'mlp' ? [784] : [28, 28, 1]);
      try {
        for (const seed of ctx.seeds) {
          for (const activation of c.activations) {
            const build = () => (model === 'mlp' ? mlp(784, [128, 64], 10, { activation, seed, outputActivation: 'softmax' }) : cnn({ activation, seed }));
            const r = await fitAndTest(ctx, `${model} ${activation} seed ${seed}`, build, t, {
              task: 'classification',
              epochs: c.epochs[model],
              batchSize: c.batchSize,
              learningRate: c.learningRate,
              seed,
            });
            data.runs.push({ model, activation, seed, logs: r.logs, test: r.test });
          }
        }
      } finally {
        disposeTensors(t);
      }
    }
  },
  report(result) {
    const { runs } = result.data;
    const rows: (string | number)[][] = [];
    const bars: Record<string, string | number>[] = [];
    const curves: Record<string, string | number>[] = [];
    for (const model of result.config.models) {
      const of = (a: ActivationName) => runs.filter((r) => r.model === model && r.activation === a);
      const apaluAcc = of('apalu').map((r) => r.test.accuracy);
      for (const a of result.config.activations) {
        const rs = of(a);
        if (rs.length === 0) continue;
        const acc = rs.map((r) => r.test.accuracy);
        const v = a === 'apalu' ? { text: '—', p: Number.NaN } : verdict(apaluAcc, acc, true);
        rows.push([model, a, fmt(acc.map((x) => 100 * x), 2), fmt(rs.map((r) => r.test.loss)), fmt(rs.map((r) => epochCpu(r.logs)), 2), a === 'apalu' ? '—' : pText(v.p), v.text]);
        bars.push({ model, activation: a, accuracy: 100 * mean(acc), sd: 100 * std(acc) });
        const epochs = rs[0]!.logs.length;
        for (let e = 0; e < epochs; e++) {
          const tl = rs.map((r) => r.logs[e]?.trainLoss ?? Number.NaN);
          const vl = rs.map((r) => r.logs[e]?.validation.loss ?? Number.NaN);
          curves.push({ model, activation: a, epoch: e + 1, loss: mean(tl), kind: 'train' }, { model, activation: a, epoch: e + 1, loss: mean(vl), kind: 'validation' });
        }
      }
    }
    const c = result.config;
    return {
      markdown: [
        `Train ${c.trainRows} / validation ${c.validationRows} / test ${c.testRows} digits of the fixed MNIST split; MLP 784-128-64-10 (${c.epochs.mlp} epochs), CNN conv3×3(8)-pool-conv3×3(16)-pool-dense(10) (${c.epochs.cnn} epochs); Adam ${c.learningRate}, batch ${c.batchSize}; APALU and PReLU with one parameter pair per layer.`,
        '',
        table(['model', 'activation', 'test accuracy %', 'test loss', 'CPU s / epoch', 'p (vs APALU)', 'verdict'], rows),
      ].join('\n'),
      plots: [
        { file: 'mnist-accuracy', spec: barChart({ title: 'MNIST test accuracy (%), mean ± std over seeds', rows: bars, category: 'activation', value: 'accuracy', error: 'sd', group: 'model' }) },
        ...c.models.map((m) => ({
          file: `mnist-loss-${m}`,
          spec: lineChart({ title: `MNIST ${m}: loss per epoch (mean over seeds)`, rows: curves.filter((r) => r['model'] === m), x: 'epoch', y: 'loss', series: 'activation', facet: 'kind' }),
        })),
      ],
    };
  },
};
