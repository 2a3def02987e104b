// The training guard: each update runs so that it never leaves a non-finite weight, bias, a or b;
// a diverging update is undone (from a copy taken before it) and reported as ApaluTrainingError.
import type { NeuralNetwork } from 'brain.js';
import { ApaluTrainingError, firstNonFiniteTyped, UpdateSnapshot } from './divergence.js';

type Numbers = Float32Array | Float64Array;
/** Where a non-finite value is: [layer, name, value]. */
export type Found = [number, string, number];
type Moments = { m: Float64Array; v: Float64Array };

/** What the guard copies and scans: brain.js's arrays, and APALU's when the network runs APALU. */
export interface GuardedNetwork {
  brain: Pick<
    NeuralNetwork<never, never>,
    'outputLayer' | 'weights' | 'biases' | 'changes' | 'changesLow' | 'changesHigh' | 'biasChangesLow' | 'biasChangesHigh' | 'outputs' | 'errors' | 'deltas' | 'iterations'
  >;
  apalu?: {
    a: Float32Array[];
    b: Float32Array[];
    gradA: Float64Array[];
    gradB: Float64Array[];
    /** a and b are updated (the update writes them and their optimizer state). */
    trainable: boolean;
    changesA: Float64Array[];
    changesB: Float64Array[];
    adamA: Moments[];
    adamB: Moments[];
  };
}

/** Every typed array one update writes: weights, biases, a, b and the optimizer's state. */
function updatedArrays({ brain, apalu }: GuardedNetwork, praxis: 'sgd' | 'adam'): Numbers[] {
  const list: Numbers[] = [];
  const rows = (layers: Numbers[][] | undefined, layer: number) => {
    for (const row of layers?.[layer] ?? []) list.push(row);
  };
  const one = (layers: Numbers[] | undefined, layer: number) => {
    const row = layers?.[layer];
    if (row !== undefined) list.push(row);
  };
  const trained = apalu?.trainable ? apalu : undefined;
  for (let layer = 1; layer <= brain.outputLayer; layer++) {
    rows(brain.weights, layer);
    one(brain.biases, layer);
    if (praxis === 'sgd') {
      rows(brain.changes, layer);
    } else {
      rows(brain.changesLow, layer);
      rows(brain.changesHigh, layer);
      one(brain.biasChangesLow, layer);
      one(brain.biasChangesHigh, layer);
    }
    if (trained === undefined) continue;
    one(trained.a, layer);
    one(trained.b, layer);
    if (praxis === 'sgd') {
      one(trained.changesA, layer);
      one(trained.changesB, layer);
    } else {
      for (const s of [trained.adamA[layer], trained.adamB[layer]]) if (s !== undefined) list.push(s.m, s.v);
    }
  }
  return list;
}

/** The first non-finite weight, bias, a or b. */
export function firstNonFiniteParam({ brain, apalu }: GuardedNetwork): Found | undefined {
  for (let layer = 1; layer <= brain.outputLayer; layer++) {
    const weights = (brain.weights[layer] ?? []) as Float32Array[];
    for (let node = 0; node < weights.length; node++) {
      const k = firstNonFiniteTyped(weights[node] as Float32Array);
      if (k >= 0) return [layer, `weights[${node}][${k}]`, (weights[node] as Float32Array)[k] as number];
    }
    for (const [name, values] of [['biases', brain.biases[layer]], ['a', apalu?.a[layer]], ['b', apalu?.b[layer]]] as const) {
      if (values === undefined) continue;
      const i = firstNonFiniteTyped(values);
      if (i >= 0) return [layer, `${name}[${i}]`, values[i] as number];
    }
  }
  return undefined;
}

/** The first non-finite value the forward and backward pass of this pattern left. */
function firstNonFinitePass({ brain, apalu }: GuardedNetwork): Found | undefined {
  for (let layer = 1; layer <= brain.outputLayer; layer++) {
    for (const [name, values] of [
      ['outputs', brain.outputs[layer]],
      ['errors', brain.errors[layer]],
      ['deltas', brain.deltas[layer]],
      ['∂L/∂a', apalu?.gradA[layer]],
      ['∂L/∂b', apalu?.gradB[layer]],
    ] as const) {
      if (values === undefined) continue;
      const i = firstNonFiniteTyped(values);
      if (i >= 0) return [layer, `${name}[${i}]`, values[i] as number];
    }
  }
  return undefined;
}

/** The guard of one network: copies of the last two updates, and where training is. */
export class TrainingGuard {
  /** Copies of what the last two updates wrote, taken before each ([current] is the next one's). */
  private snapshots: [UpdateSnapshot, UpdateSnapshot] = [new UpdateSnapshot(), new UpdateSnapshot()];
  private current = 0;
  /** Updates made since train() started. */
  private step = 0;
  /** The iteration being trained and the pattern within it. */
  iteration = 0;
  pattern = 0;

  /** Forgets the copies (a new train() call, new weights). */
  forget(): void {
    this.snapshots[0].valid = false;
    this.snapshots[1].valid = false;
    this.step = 0;
  }

  /**
   * Runs one update (brain.js's weights and biases, then a and b) so that it never leaves a
   * non-finite value: the pass it applies must be finite, what it writes is copied first,
   * and if any weight, bias, a or b is not finite afterwards the copy is put back and
   * training stops with an ApaluTrainingError. When the pass itself is not finite, the
   * previous update made the network overflow: that update is undone instead.
   */
  run(network: GuardedNetwork, praxis: 'sgd' | 'adam', learningRate: number, update: () => void): void {
    const step = ++this.step;
    const pattern = ++this.pattern;
    const iteration = this.iteration;
    const pass = firstNonFinitePass(network);
    if (pass !== undefined) {
      const [layer, value, v] = pass;
      const previous = this.snapshots[this.current ^ 1] as UpdateSnapshot;
      if (previous.valid) {
        previous.restore();
        network.brain.iterations = previous.counter;
        this.forget();
        throw new ApaluTrainingError(
          { layer, value, iteration: previous.iteration, step: previous.step, pattern: previous.pattern, learningRate, praxis, restored: true },
          `became ${String(v)} on the next training pattern (${pattern} of iteration ${iteration}) after that update`,
        );
      }
      throw new ApaluTrainingError(
        { layer, value, iteration, step, pattern, learningRate, praxis, restored: false },
        `is ${String(v)} for this pattern with the network's current weights`,
      );
    }
    const snapshot = this.snapshots[this.current] as UpdateSnapshot;
    snapshot.take(updatedArrays(network, praxis), network.brain.iterations);
    snapshot.iteration = iteration;
    snapshot.step = step;
    snapshot.pattern = pattern;
    update();
    const bad = firstNonFiniteParam(network);
    if (bad !== undefined) {
      const [layer, value, v] = bad;
      snapshot.restore();
      network.brain.iterations = snapshot.counter;
      this.forget();
      throw new ApaluTrainingError({ layer, value, iteration, step, pattern, learningRate, praxis, restored: true }, `would have become ${String(v)}`);
    }
    this.current ^= 1;
  }
}
