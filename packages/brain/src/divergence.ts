/** Detects a training update that leaves non-finite values, undoes it from a snapshot, and reports it as ApaluTrainingError. */
import { ApaluInputError } from '@apalu/core';

/** Where a training run stopped: what `ApaluTrainingError` carries. */
export interface DivergenceInfo {
  /** The layer (1 = first hidden layer, as in `sizes`) whose values stopped being finite. */
  layer: number;
  /** What became non-finite, e.g. 'weights[0][1]', 'biases[2]', 'a[3]', 'b[0]', 'outputs[1]'. */
  value: string;
  /** The training iteration (1-based, brain.js's `status.iterations`) of the update that was undone; 0 outside train(). */
  iteration: number;
  /** The update that was undone: 1-based count of trained patterns since `train()` started. */
  step: number;
  /** The 1-based index, within the training data, of that update's pattern. */
  pattern: number;
  /** The learning rate in use. */
  learningRate: number;
  /** 'sgd' or 'adam'. */
  praxis: 'sgd' | 'adam';
  /** True when the network holds the weights from before the undone update (false only when this train() call made no update yet). */
  restored: boolean;
}

/**
 * Thrown by `ApaluNeuralNetwork#train` (a rejection of `trainAsync`) when an update would
 * leave a non-finite weight, bias, a or b, or made the network's outputs overflow. The
 * network keeps the values from before that update (`restored`), so it still serialises
 * and runs. `code` is 'E_DIVERGED'.
 */
export class ApaluTrainingError extends ApaluInputError implements DivergenceInfo {
  readonly layer: number;
  readonly value: string;
  readonly iteration: number;
  readonly step: number;
  readonly pattern: number;
  readonly learningRate: number;
  readonly praxis: 'sgd' | 'adam';
  readonly restored: boolean;

  constructor(info: DivergenceInfo, what: string) {
    const where =
      info.iteration > 0
        ? `iteration ${info.iteration}, pattern ${info.pattern} (update ${info.step} of this train() call)`
        : `update ${info.step} (trainPattern()/adjustWeights() called outside train())`;
    const kept = info.restored
      ? `The network keeps its weights, biases, a and b from before that update (it still runs, and toJSON()/fromJSON() round-trip).`
      : `Nothing was changed: no update of this train() call was made yet.`;
    super(
      'E_DIVERGED',
      `training diverged at ${where}: layer ${info.layer}'s ${info.value} ${what}. ` +
        `Likely cause: learningRate ${info.learningRate} is too high for this data (exploding gradients, praxis '${info.praxis}'); ` +
        `lower learningRate, scale the training inputs and outputs to about [-1, 1], or try praxis: 'adam'. ${kept}`,
    );
    this.name = 'ApaluTrainingError';
    this.layer = info.layer;
    this.value = info.value;
    this.iteration = info.iteration;
    this.step = info.step;
    this.pattern = info.pattern;
    this.learningRate = info.learningRate;
    this.praxis = info.praxis;
    this.restored = info.restored;
  }
}

type Numbers = Float32Array | Float64Array;

/** Index of the first non-finite value of `values`, or −1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) return i;
  return -1;
}

// The checks run on every update, so the common case is one monomorphic pass per array
// type: v·0 is NaN for ±∞ and NaN and ±0 otherwise, so the sum is 0 only if all are finite.
function allFinite32(values: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] as number) * 0;
  return s === 0;
}

function allFinite64(values: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] as number) * 0;
  return s === 0;
}

/** Like firstNonFinite for the network's own typed arrays, fast when all are finite. */
export function firstNonFiniteTyped(values: Float32Array | Float64Array): number {
  const finite = values instanceof Float32Array ? allFinite32(values) : allFinite64(values);
  return finite ? -1 : firstNonFinite(values);
}

/**
 * A copy of the typed arrays one training update writes, taken before it, so the update
 * can be undone. The copies are kept and reused from step to step.
 */
export class UpdateSnapshot {
  private sources: Numbers[] = [];
  private copies: Numbers[] = [];
  /** brain.js's Adam step counter (`iterations`) at the time of the copy. */
  counter = 0;
  /** Where that update was: its iteration, step and pattern. */
  iteration = 0;
  step = 0;
  pattern = 0;
  valid = false;

  take(sources: Numbers[], counter: number): void {
    this.sources = sources;
    if (this.copies.length > sources.length) this.copies.length = sources.length;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i] as Numbers;
      let copy = this.copies[i];
      if (copy === undefined || copy.length !== source.length || copy.constructor !== source.constructor) {
        copy = source instanceof Float64Array ? new Float64Array(source.length) : new Float32Array(source.length);
        this.copies[i] = copy;
      }
      copy.set(source);
    }
    this.counter = counter;
    this.valid = true;
  }

  /** Writes the copies back into the arrays they were taken from. */
  restore(): void {
    for (let i = 0; i < this.sources.length; i++) (this.sources[i] as Numbers).set(this.copies[i] as Numbers);
    this.valid = false;
  }
}
