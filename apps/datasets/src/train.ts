import type { Table } from './data/dataset.js';
import { permutation } from './data/random.js';
import { checkStop, type StopSignal } from './harness.js';
import { tf } from './tf.js';

export type Task = 'classification' | 'regression';

/** Features as a tensor of the given per-row shape ([784] or [28, 28, 1]). */
export function features(t: Table, rowShape: number[]): tf.Tensor {
  return tf.tensor(t.x, [t.rows, ...rowShape], 'float32');
}

/** One-hot labels (classification) or a [rows, 1] target column (regression). */
export function targets(t: Table): tf.Tensor {
  if (t.classes === 0) return tf.tensor2d(t.y, [t.rows, 1]);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(t.y, 'int32'), t.classes).toFloat());
}

export interface Metrics {
  loss: number;
  /** Classification accuracy (NaN for regression). */
  accuracy: number;
}

/** Loss (cross-entropy or MSE) and accuracy of `model` on (x, y), predicted in chunks. */
export function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, task: Task, chunk = 500): Metrics {
  const n = x.shape[0] as number;
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const [l, c] = tf.tidy(() => {
      const xb = x.slice(start, size);
      const yb = y.slice(start, size);
      const p = model.predict(xb) as tf.Tensor;
      if (task === 'regression') return [tf.sum(tf.square(tf.sub(p, yb))).dataSync()[0] as number, 0];
      const ce = tf.sum(tf.losses.softmaxCrossEntropy(yb, tf.log(tf.clipByValue(p, 1e-7, 1)), undefined, 0, tf.Reduction.NONE));
      const hit = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(yb, 1)), 'float32'));
      return [ce.dataSync()[0] as number, hit.dataSync()[0] as number];
    });
    loss += l as number;
    correct += c as number;
  }
  return { loss: loss / n, accuracy: task === 'regression' ? Number.NaN : correct / n };
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  validation: Metrics;
  /** Training time of the epoch: CPU seconds of this process and wall seconds. */
  cpuSeconds: number;
  wallSeconds: number;
  /** Optional per-epoch extra record (a, b values, gradient norms…). */
  extra?: unknown;
}

export interface TrainOptions {
  task: Task;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seed of the batch order (epoch e uses seed·1000 + e). */
  seed: number;
  stop: StopSignal;
  /** Called after every epoch (and with epoch 0 before training) for extra records. */
  observe?: (epoch: number, model: tf.LayersModel) => unknown;
  onEpoch?: (log: EpochLog) => void;
}

export interface TrainData {
  x: tf.Tensor;
  y: tf.Tensor;
  xVal: tf.Tensor;
  yVal: tf.Tensor;
}

/**
 * Adam on mini-batches in a seeded order (tfjs's fit shuffles with Math.random, so runs
 * would not repeat). Returns one log per epoch; throws Stopped between batches on Ctrl+C.
 */
export async function train(model: tf.LayersModel, data: TrainData, o: TrainOptions): Promise<{ logs: EpochLog[]; initial: unknown }> {
  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: o.task === 'regression' ? 'meanSquaredError' : 'categoricalCrossentropy' });
  const n = data.x.shape[0] as number;
  const logs: EpochLog[] = [];
  const initial = o.observe?.(0, model);
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = permutation(n, o.seed * 1000 + epoch);
      const cpu = process.cpuUsage();
      const wall = performance.now();
      let lossSum = 0;
      for (let start = 0; start < n; start += o.batchSize) {
        checkStop(o.stop);
        const idx = tf.tensor1d(Int32Array.from(order.subarray(start, Math.min(n, start + o.batchSize))), 'int32');
        const xb = tf.gather(data.x, idx);
        const yb = tf.gather(data.y, idx);
        const loss = (await model.trainOnBatch(xb, yb)) as number;
        lossSum += loss * (idx.shape[0] as number);
        tf.dispose([idx, xb, yb]);
        // trainOnBatch resolves in microtasks only: give the event loop a turn so Ctrl+C is seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const d = process.cpuUsage(cpu);
      const log: EpochLog = {
        epoch,
        trainLoss: lossSum / n,
        validation: evaluate(model, data.xVal, data.yVal, o.task),
        cpuSeconds: (d.user + d.system) / 1e6,
        wallSeconds: (performance.now() - wall) / 1000,
      };
      if (o.observe) log.extra = o.observe(epoch, model);
      logs.push(log);
      o.onEpoch?.(log);
    }
  } finally {
    optimizer.dispose();
  }
  return { logs, initial };
}

/**
 * Frobenius norm of ∂loss/∂W for every Dense kernel, on one fixed batch, in layer order
 * (the quantity of the vanishing-gradient claim).
 */
export function kernelGradientNorms(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, task: Task): number[] {
  const kernels = model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => l.trainableWeights.find((w) => w.name.endsWith('kernel'))!.read() as tf.Variable);
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor;
      return (task === 'regression' ? tf.losses.meanSquaredError(y, p) : tf.losses.softmaxCrossEntropy(y, tf.log(tf.clipByValue(p, 1e-7, 1)))) as tf.Scalar;
    }, kernels);
    return kernels.map((k) => tf.norm(grads[k.name]!).dataSync()[0] as number);
  });
}
