import type { ActivationName } from '../activations.js';
import { head } from '../data/dataset.js';
import { mnistSplit } from '../data/mnist.js';
import type { Experiment } from '../experiment.js';
import { mlp } from '../models.js';
import { lineChart } from '../report/charts.js';
import { mean, std } from '../stats.js';

const fmtExp = (xs: number[]) => (xs.length === 1 ? xs[0]!.toExponential(1) : `${mean(xs).toExponential(1)} ± ${std(xs).toExponential(1)}`);
import { kernelGradientNorms } from '../train.js';
import { disposeTensors, fitAndTest, fmt, table, tensors } from './common.js';
import { tf } from '../tf.js';

interface Config {
  activations: ActivationName[];
  depths: number[];
  width: number;
  trainRows: number;
  testRows: number;
  probeRows: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

interface Run {
  depth: number;
  activation: ActivationName;
  seed: number;
  /** norms[epoch][layer]: ‖∂L/∂W‖ of every Dense kernel (input layer first, output layer last); epoch 0 = initialisation. */
  norms: number[][];
  testAccuracy: number;
  finalTrainLoss: number;
}

export const depthExperiment: Experiment<Config, Run> = {
  id: 'depth',
  title: '3. Depth: gradient norm per layer, 4 to 48 layers',
  question: 'Does APALU keep gradients alive in deep plain MLPs where sigmoid vanishes (the paper\'s vanishing-gradient claim), compared with ReLU and GELU?',
  seeds: { smoke: 1, quick: 1, full: 2 },
  configs: {
    smoke: { activations: ['apalu', 'relu'], depths: [4], width: 16, trainRows: 64, testRows: 64, probeRows: 32, epochs: 1, batchSize: 32, learningRate: 1e-3 },
    quick: { activations: ['apalu', 'relu', 'sigmoid', 'gelu'], depths: [4, 16, 48], width: 32, trainRows: 300, testRows: 300, probeRows: 128, epochs: 1, batchSize: 64, learningRate: 1e-3 },
    full: { activations: ['apalu', 'relu', 'sigmoid', 'gelu'], depths: [4, 8, 16, 32, 48], width: 32, trainRows: 1000, testRows: 1000, probeRows: 256, epochs: 3, batchSize: 64, learningRate: 1e-3 },
  },
  async run(ctx, c, data) {
    const s = mnistSplit();
    const parts = { train: head(s.train, c.trainRows), validation: head(s.validation, c.testRows), test: head(s.test, c.testRows) };
    ctx.progress.plan(c.depths.length * c.activations.length * ctx.seeds.length * c.epochs);
    const t = tensors(parts, [784]);
    const xProbe = t.x.slice(0, c.probeRows);
    const yProbe = t.y.slice(0, c.probeRows);
    try {
      for (const seed of ctx.seeds) {
        for (const depth of c.depths) {
          for (const activation of c.activations) {
            const norms: number[][] = [];
            const r = await fitAndTest(
              ctx,
              `depth ${depth} ${activation} seed ${seed}`,
              () => mlp(784, Array<number>(depth).fill(c.width), 10, { activation, seed, outputActivation: 'softmax' }),
              t,
              {
                task: 'classification',
                epochs: c.epochs,
                batchSize: c.batchSize,
                learningRate: c.learningRate,
                seed,
                observe: (_, model) => norms.push(kernelGradientNorms(model, xProbe, yProbe, 'classification')),
              },
            );
            data.runs.push({ depth, activation, seed, norms, testAccuracy: r.test.accuracy, finalTrainLoss: r.logs.at(-1)?.trainLoss ?? Number.NaN });
          }
        }
      }
    } finally {
      tf.dispose([xProbe, yProbe]);
      disposeTensors(t);
    }
  },
  report(result) {
    const { runs } = result.data;
    const c = result.config;
    const rows: (string | number)[][] = [];
    const ratio: Record<string, string | number>[] = [];
    const profile: Record<string, string | number>[] = [];
    const deepest = Math.max(...runs.map((r) => r.depth));
    for (const depth of c.depths) {
      for (const a of c.activations) {
        const rs = runs.filter((r) => r.depth === depth && r.activation === a);
        if (rs.length === 0) continue;
        const at = (epoch: number) => rs.map((r) => Math.log10((r.norms[epoch]![0]! || 1e-30) / (r.norms[epoch]!.at(-2)! || 1e-30)));
        const last = rs[0]!.norms.length - 1;
        rows.push([depth, a, fmtExp(rs.map((r) => r.norms[0]![0]!)), fmt(at(0), 2), fmt(at(last), 2), fmt(rs.map((r) => 100 * r.testAccuracy), 1)]);
        ratio.push({ depth, activation: a, when: 'initialisation', 'log10 first/last': mean(at(0)) }, { depth, activation: a, when: `after epoch ${last}`, 'log10 first/last': mean(at(last)) });
        if (depth === deepest) {
          for (const [epoch, when] of [[0, 'initialisation'], [last, `after epoch ${last}`]] as const) {
            rs[0]!.norms[epoch]!.forEach((n, layer) => profile.push({ layer: layer + 1, activation: a, when, '‖∂L/∂W‖': Math.max(n, 1e-12) }));
          }
        }
      }
    }
    return {
      markdown: [
        `Plain MLPs (no normalisation, no skips) of ${c.depths.join(', ')} hidden layers × ${c.width} units on ${c.trainRows} MNIST digits, Glorot-uniform weights for every activation, Adam ${c.learningRate}, ${c.epochs} epochs. ` +
          `Gradient norms are measured on a fixed batch of ${c.probeRows} training digits. "log10 first/last" compares the first hidden layer's kernel gradient with the last hidden layer's: near 0 means gradients reach the input; strongly negative means they vanish on the way.`,
        '',
        table(['depth', 'activation', '‖∂L/∂W₁‖ at init', 'log10 first/last at init', 'log10 first/last after training', 'test accuracy %'], rows),
      ].join('\n'),
      plots: [
        { file: 'depth-ratio', spec: lineChart({ title: 'Gradient reaching layer 1 relative to the last hidden layer (log10)', rows: ratio, x: 'depth', y: 'log10 first/last', series: 'activation', facet: 'when' }) },
        { file: 'depth-profile', spec: lineChart({ title: `‖∂L/∂W‖ per Dense kernel (layer ${deepest + 1} = output), depth ${deepest}, seed ${runs[0]?.seed ?? 1}`, rows: profile, x: 'layer', y: '‖∂L/∂W‖', series: 'activation', facet: 'when', logY: true }) },
      ],
    };
  },
};
