import { rocAuc } from './auc.js';
import { permutation } from './data/random.js';
import { checkStop, type StopSignal } from './harness.js';
import { tf } from './tf.js';

export interface SvddOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  stop: StopSignal;
  onEpoch?: () => void;
}

/** Ruff et al.'s rule: centre coordinates closer to 0 than eps are pushed to ±eps, so a zero-weight network cannot reach c. */
const CENTRE_EPS = 0.1;

/**
 * The centre c: mean of the encoder's outputs over the normal training data in the initial
 * forward pass (training-mode batch normalisation, as the loss will see the data).
 */
export function initialCentre(encoder: tf.LayersModel, x: tf.Tensor, batchSize: number): Float32Array {
  const n = x.shape[0] as number;
  let sum: Float32Array | undefined;
  for (let start = 0; start < n; start += batchSize) {
    const part = tf.tidy(() => tf.sum(encoder.apply(x.slice(start, Math.min(batchSize, n - start)), { training: true }) as tf.Tensor, 0).dataSync() as Float32Array);
    if (sum === undefined) sum = new Float32Array(part.length);
    for (let i = 0; i < part.length; i++) sum[i]! += part[i]!;
  }
  return (sum ?? new Float32Array()).map((v) => {
    const c = v / n;
    return Math.abs(c) < CENTRE_EPS ? (c < 0 ? -CENTRE_EPS : CENTRE_EPS) : c;
  });
}

/** Anomaly score: Euclidean distance of φ(x) to c (inference mode). */
export function scores(encoder: tf.LayersModel, x: tf.Tensor, c: Float32Array, chunk = 500): Float32Array {
  const n = x.shape[0] as number;
  const out = new Float32Array(n);
  const centre = tf.tensor1d(c);
  for (let start = 0; start < n; start += chunk) {
    const d = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.sub(encoder.predict(x.slice(start, Math.min(chunk, n - start))) as tf.Tensor, centre)), 1)).dataSync());
    out.set(d, start);
  }
  centre.dispose();
  return out;
}

/** The encoder's trainable variables less BN's γ and β, which stay at 1 and 0 (Ruff et al.: BN without affine terms). */
export function svddVariables(encoder: tf.LayersModel): tf.Variable[] {
  return encoder.trainableWeights.filter((w) => !/(gamma|beta)$/.test(w.originalName)).map((w) => w.read() as tf.Variable);
}

/**
 * One-class Deep SVDD: fixes c from the initial forward pass, then minimises
 * mean ‖φ(x) − c‖² over the normal data with Adam. Returns c and the loss per epoch.
 */
export async function trainSvdd(encoder: tf.LayersModel, x: tf.Tensor, o: SvddOptions): Promise<{ centre: Float32Array; losses: number[] }> {
  const c = initialCentre(encoder, x, o.batchSize);
  const centre = tf.tensor1d(c);
  const optimizer = tf.train.adam(o.learningRate);
  const vars = svddVariables(encoder);
  const n = x.shape[0] as number;
  const losses: number[] = [];
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = permutation(n, o.seed * 1000 + epoch);
      let sum = 0;
      for (let start = 0; start < n; start += o.batchSize) {
        checkStop(o.stop);
        const idx = tf.tensor1d(Int32Array.from(order.subarray(start, Math.min(n, start + o.batchSize))), 'int32');
        const xb = tf.gather(x, idx);
        const loss = optimizer.minimize(() => tf.mean(tf.sum(tf.square(tf.sub(encoder.apply(xb, { training: true }) as tf.Tensor, centre)), 1)) as tf.Scalar, true, vars);
        sum += (loss!.dataSync()[0] as number) * (idx.shape[0] as number);
        tf.dispose([idx, xb, loss!]);
        await new Promise((resolve) => setImmediate(resolve)); // let Ctrl+C through
      }
      losses.push(sum / n);
      o.onEpoch?.();
    }
  } finally {
    optimizer.dispose();
    centre.dispose();
  }
  return { centre: c, losses };
}

/** AUC of the distance scores with the anomalies (labels 1) as positives. */
export function svddAuc(encoder: tf.LayersModel, x: tf.Tensor, anomaly: Uint8Array, c: Float32Array): number {
  return rocAuc(scores(encoder, x, c), anomaly);
}
