// ApaluNeuralNetwork: brain.js's NeuralNetwork with a trainable APALU per neuron — forward and
// backward passes, a and b updates, serialisation and toFunction (checks and guard live beside it).
import { ApaluEnvironmentError, ApaluInputError, splitmix32 } from '@apalu/core';
import { NeuralNetwork } from 'brain.js';
import { firstNonFinite } from './divergence.js';
import { type GuardedNetwork, TrainingGuard, firstNonFiniteParam } from './guard.js';
import { type ApaluNeuralNetworkJSON, type BrainNeuralNetworkJSON, checkNetworkJSON, hasOwn, isApaluNetworkJSON } from './json.js';
import { activateLayer, backpropLayer } from './neuron-layer.js';
import {
  APALU_JSON_ACTIVATION,
  type ApaluNeuralNetworkOptions,
  type ApaluTrainOptions,
  type BrainTrainOptions,
  type ResolvedParamOptions,
  checkActivation,
  checkConstructorOptions,
  checkPraxis,
  normalizeActivation,
  paramInitializer,
  resolveParamOptions,
} from './options.js';
import { adamUpdate, sgdMomentumUpdate } from './param-update.js';
import { networkSource } from './to-function.js';

/** What brain.js's NeuralNetwork accepts as input and output. */
export type NetworkData = number[] | Float32Array | Partial<Record<string, number>>;

type BrainNetwork = NeuralNetwork<NetworkData, NetworkData>;
type BrainFullTrainOptions = Parameters<BrainNetwork['validateTrainingOptions']>[0];
type BrainDatum = Parameters<BrainNetwork['trainPattern']>[0];
type BrainTickArgs = Parameters<BrainNetwork['trainingTick']>;

/**
 * brain.js's NeuralNetwork with `activation: 'apalu'`: every neuron of every layer (the
 * output layer too, as brain.js does for its own activations) has its own trainable a and
 * b. The other activations behave exactly as in brain.js.
 */
export class ApaluNeuralNetwork<
  InputType extends NetworkData = NetworkData,
  OutputType extends NetworkData = NetworkData,
> extends NeuralNetwork<InputType, OutputType> {
  /** a of every neuron, per layer (index 0, the input layer, is empty). */
  apaluA: Float32Array[] = [];
  /** b of every neuron, per layer. */
  apaluB: Float32Array[] = [];
  /** Pre-activation sums of the last forward pass, kept for ∂f/∂x, ∂f/∂a, ∂f/∂b. */
  preActivations: Float64Array[] = [];
  /** −∂L/∂a and −∂L/∂b of the last backward pass (descent directions, per neuron). */
  gradA: Float64Array[] = [];
  gradB: Float64Array[] = [];
  private upstream: Float64Array[] = [];
  private changesA: Float64Array[] = [];
  private changesB: Float64Array[] = [];
  private adamA: { m: Float64Array; v: Float64Array }[] = [];
  private adamB: { m: Float64Array; v: Float64Array }[] = [];
  private params: ResolvedParamOptions = resolveParamOptions(undefined);
  private guard = new TrainingGuard();
  private asyncTraining = false;
  private asyncFailure: unknown = undefined;

  constructor(options: ApaluNeuralNetworkOptions = {}) {
    super(checkConstructorOptions(options));
  }

  /** The resolved APALU options of this network (read when it is initialised or loaded). */
  get apaluOptions(): ResolvedParamOptions {
    return { ...this.params };
  }

  private get seed(): number | undefined {
    return (this.options as { seed?: number }).seed;
  }

  private get isApalu(): boolean {
    return this.trainOpts.activation === 'apalu';
  }

  /** What the training guard copies and scans. */
  private guarded(): GuardedNetwork {
    if (!this.isApalu) return { brain: this };
    const { apaluA: a, apaluB: b, gradA, gradB, changesA, changesB, adamA, adamB } = this;
    return { brain: this, apalu: { a, b, gradA, gradB, trainable: this.params.trainable, changesA, changesB, adamA, adamB } };
  }

  override updateTrainingOptions(trainOpts: Partial<BrainTrainOptions> | ApaluTrainOptions): void {
    const opts = { ...(trainOpts as Record<string, unknown>) };
    if ('activation' in opts) opts.activation = normalizeActivation(opts.activation);
    // 'sgd' is brain.js's default praxis, which brain.js spells `undefined` (and its JSON too).
    if (opts.praxis === 'sgd') opts.praxis = undefined;
    const previous = this.trainOpts?.activation;
    super.updateTrainingOptions(opts as Partial<BrainTrainOptions>);
    // brain.js records a new activation passed to train() but keeps running the old one;
    // here the network switches, so toJSON() never labels a network with what it did not run.
    if (previous !== undefined && previous !== this.trainOpts.activation && this.outputLayer > 0) this.setActivation();
  }

  override validateTrainingOptions(options: BrainFullTrainOptions): void {
    const { activation, praxis } = options as { activation?: unknown; praxis?: unknown };
    if (!('activation' in options)) {
      // brain.js 1.x keeps the activation outside trainOpts and serialises differently.
      throw new ApaluEnvironmentError(
        'E_BACKEND',
        '@apalu/brain needs brain.js 2.0.0-beta.24 (found a brain.js whose training options have no activation, e.g. 1.6.1): ' +
          'npm i brain.js@2.0.0-beta.24 (see the @apalu/brain README, "Install").',
      );
    }
    checkActivation(activation);
    checkPraxis(praxis);
    // brain.js checks the rest; it knows neither 'apalu' nor the name 'sgd'.
    super.validateTrainingOptions({ ...options, activation: 'sigmoid', praxis: praxis === 'adam' ? 'adam' : undefined } as BrainFullTrainOptions);
  }

  override setActivation(activation?: string): void {
    const value = activation ?? this.trainOpts.activation;
    if (value !== 'apalu') {
      super.setActivation(value as Parameters<BrainNetwork['setActivation']>[0]);
      return;
    }
    this.runInput = (input) => this._runInputApalu(input);
    this.calculateDeltas = (target) => this._calculateDeltasApalu(target);
  }

  override initialize(): void {
    super.initialize();
    const seed = this.seed;
    const next = splitmix32(seed ?? Math.floor(Math.random() * 2 ** 32));
    if (seed !== undefined) {
      // Same range as brain.js's randomWeight(), drawn from the seeded generator.
      const weight = () => (next() / 2 ** 32) * 0.4 - 0.2;
      for (let layer = 1; layer <= this.outputLayer; layer++) {
        const biases = this.biases[layer] as Float32Array;
        for (let node = 0; node < biases.length; node++) {
          biases[node] = weight();
          const w = (this.weights[layer] as Float32Array[])[node] as Float32Array;
          for (let k = 0; k < w.length; k++) w[k] = weight();
        }
      }
    }
    this.params = resolveParamOptions((this.options as { apalu?: unknown }).apalu);
    const { a, b } = this.params;
    const initA = paramInitializer('a', a, next());
    const initB = paramInitializer('b', b, next());
    const total = this.sizes.slice(1).reduce((s, n) => s + n, 0);
    const allA = initA(total);
    const allB = initB(total);
    let offset = 0;
    const perLayer = () => this.sizes.map((n) => new Float64Array(n));
    this.apaluA = [];
    this.apaluB = [];
    for (let layer = 0; layer <= this.outputLayer; layer++) {
      const n = layer === 0 ? 0 : (this.sizes[layer] as number);
      this.apaluA.push(allA.slice(offset, offset + n));
      this.apaluB.push(allB.slice(offset, offset + n));
      offset += n;
    }
    this.preActivations = perLayer();
    this.gradA = perLayer();
    this.gradB = perLayer();
    this.upstream = perLayer();
    this.changesA = perLayer();
    this.changesB = perLayer();
    this.guard.forget();
  }

  override _setupAdam(): void {
    super._setupAdam();
    this.adamA = this.sizes.map((n) => ({ m: new Float64Array(n), v: new Float64Array(n) }));
    this.adamB = this.sizes.map((n) => ({ m: new Float64Array(n), v: new Float64Array(n) }));
  }

  /** The forward pass with APALU; keeps every layer's pre-activation sums. */
  _runInputApalu(input: Float32Array): Float32Array {
    this.outputs[0] = input;
    let current: ArrayLike<number> = input;
    for (let layer = 1; layer <= this.outputLayer; layer++) {
      const weights = this.weights[layer] as Float32Array[];
      const biases = this.biases[layer] as Float32Array;
      const sums = this.preActivations[layer] as Float64Array;
      for (let node = 0; node < sums.length; node++) {
        const w = weights[node] as Float32Array;
        let sum = biases[node] as number;
        for (let k = 0; k < w.length; k++) sum += (w[k] as number) * (current[k] as number);
        sums[node] = sum;
      }
      const out = this.outputs[layer] as Float32Array;
      activateLayer(sums, this.apaluA[layer] as Float32Array, this.apaluB[layer] as Float32Array, out);
      current = out;
    }
    return this.outputs[this.outputLayer] as Float32Array;
  }

  /** Backpropagation with APALU's ∂f/∂x; also fills gradA and gradB for the update. */
  _calculateDeltasApalu(target: Float32Array): void {
    for (let layer = this.outputLayer; layer > 0; layer--) {
      const errors = this.upstream[layer] as Float64Array;
      const brainErrors = this.errors[layer] as Float32Array;
      if (layer === this.outputLayer) {
        const outputs = this.outputs[layer] as Float32Array;
        for (let node = 0; node < errors.length; node++) errors[node] = (target[node] as number) - (outputs[node] as number);
      } else {
        const nextDeltas = this.deltas[layer + 1] as Float32Array;
        const nextWeights = this.weights[layer + 1] as Float32Array[];
        for (let node = 0; node < errors.length; node++) {
          let error = 0;
          for (let k = 0; k < nextDeltas.length; k++) error += (nextDeltas[k] as number) * ((nextWeights[k] as Float32Array)[node] as number);
          errors[node] = error;
        }
      }
      brainErrors.set(errors);
      backpropLayer(
        this.preActivations[layer] as Float64Array,
        errors,
        this.apaluA[layer] as Float32Array,
        this.apaluB[layer] as Float32Array,
        this.deltas[layer] as Float32Array,
        this.gradA[layer] as Float64Array,
        this.gradB[layer] as Float64Array,
      );
    }
  }

  override adjustWeights(): void {
    this.optimizerStep('sgd', () => super.adjustWeights(), (layer, minParam) => {
      const { learningRate, momentum } = this.trainOpts;
      sgdMomentumUpdate(this.apaluA[layer] as Float32Array, this.gradA[layer] as Float64Array, this.changesA[layer] as Float64Array, learningRate, momentum, minParam);
      sgdMomentumUpdate(this.apaluB[layer] as Float32Array, this.gradB[layer] as Float64Array, this.changesB[layer] as Float64Array, learningRate, momentum, minParam);
    });
  }

  override _adjustWeightsAdam(): void {
    this.optimizerStep('adam', () => super._adjustWeightsAdam(), (layer, minParam) => {
      const { learningRate, beta1, beta2, epsilon } = this.trainOpts;
      const settings = { learningRate, beta1, beta2, epsilon, t: this.iterations };
      const sa = this.adamA[layer] as { m: Float64Array; v: Float64Array };
      const sb = this.adamB[layer] as { m: Float64Array; v: Float64Array };
      adamUpdate(this.apaluA[layer] as Float32Array, this.gradA[layer] as Float64Array, sa.m, sa.v, settings, minParam);
      adamUpdate(this.apaluB[layer] as Float32Array, this.gradB[layer] as Float64Array, sb.m, sb.v, settings, minParam);
    });
  }

  /**
   * One optimizer step under the divergence guard: brain.js's own step for weights and biases,
   * then `update` for each layer's APALU a and b (when the network uses APALU with trainable
   * parameters).
   */
  private optimizerStep(praxis: 'sgd' | 'adam', weights: () => void, update: (layer: number, minParam: number) => void): void {
    this.guard.run(this.guarded(), praxis, this.trainOpts.learningRate, () => {
      weights();
      if (!this.isApalu) return;
      const { trainable, minParam } = this.params;
      if (!trainable) return;
      for (let layer = 1; layer <= this.outputLayer; layer++) update(layer, minParam);
    });
  }

  /** Refuses training data with a non-finite value before it reaches the network. */
  override trainPattern(value: BrainDatum, logErrorRate?: boolean): number | null {
    for (const [name, values] of [['input', value.input], ['output', value.output]] as const) {
      const i = firstNonFinite(values);
      if (i >= 0) {
        throw new ApaluInputError(
          'E_DATA',
          `training pattern ${this.guard.pattern + 1} of iteration ${this.guard.iteration}: ${name}[${i}] = ${String(values[i])}; training data must be finite numbers.`,
        );
      }
    }
    return super.trainPattern(value, logErrorRate);
  }

  override prepTraining(
    data: Parameters<NeuralNetwork<InputType, OutputType>['prepTraining']>[0],
    options?: Parameters<NeuralNetwork<InputType, OutputType>['prepTraining']>[1],
  ): ReturnType<NeuralNetwork<InputType, OutputType>['prepTraining']> {
    const prepared = super.prepTraining(data, options);
    this.guard.forget();
    return prepared;
  }

  override trainingTick(data: BrainTickArgs[0], status: BrainTickArgs[1], endTime: BrainTickArgs[2]): boolean {
    this.guard.iteration = status.iterations + 1;
    this.guard.pattern = 0;
    if (!this.asyncTraining) return super.trainingTick(data, status, endTime);
    // brain.js's trainAsync calls this from a timer: an error thrown here would be
    // uncaught, so it is kept, training stops, and trainAsync rejects with it.
    try {
      return super.trainingTick(data, status, endTime);
    } catch (error) {
      this.asyncFailure = error;
      return false;
    }
  }

  /**
   * brain.js's train(). Throws ApaluTrainingError (code 'E_DIVERGED') when an update would
   * leave a non-finite weight, bias, a or b; the network keeps the values from before it.
   */
  override train(
    data: Parameters<NeuralNetwork<InputType, OutputType>['train']>[0],
    options: ApaluTrainOptions | BrainTrainOptions = {},
  ): ReturnType<BrainNetwork['train']> {
    return super.train(data, options as BrainTrainOptions);
  }

  /** brain.js's trainAsync(); rejects with ApaluTrainingError where train() throws it. */
  override async trainAsync(
    data: Parameters<NeuralNetwork<InputType, OutputType>['trainAsync']>[0],
    options: ApaluTrainOptions | BrainTrainOptions = {},
  ): ReturnType<BrainNetwork['trainAsync']> {
    this.asyncTraining = true;
    this.asyncFailure = undefined;
    try {
      const status = await super.trainAsync(data, options as BrainTrainOptions);
      if (this.asyncFailure !== undefined) throw this.asyncFailure;
      return status;
    } finally {
      this.asyncTraining = false;
      this.asyncFailure = undefined;
    }
  }

  /**
   * brain.js's JSON plus `a` and `b` in every layer. For APALU, `type` is
   * 'ApaluNeuralNetwork' and `trainOpts.activation` is APALU_JSON_ACTIVATION, whose text
   * names this class in the error a plain brain.NeuralNetwork throws on it.
   */
  override toJSON(): ApaluNeuralNetworkJSON {
    const json = super.toJSON() as ApaluNeuralNetworkJSON;
    // fromJSON refuses non-finite weights, biases, a and b; training never leaves one, so
    // only a value written by hand gets here, and the error says which.
    const bad = firstNonFiniteParam(this.guarded());
    if (bad !== undefined) {
      throw new ApaluInputError(
        'E_STATE',
        `toJSON: layer ${bad[0]}'s ${bad[1]} = ${String(bad[2])}; fromJSON() would refuse it (weights, biases, a and b must be finite). It was not written by training: set it to a finite value or reload the network.`,
      );
    }
    if (!this.isApalu) return json;
    json.type = 'ApaluNeuralNetwork';
    json.layers = json.layers.map((layer, i) => ({ ...layer, a: Array.from(this.apaluA[i] ?? []), b: Array.from(this.apaluB[i] ?? []) }));
    json.trainOpts = { ...json.trainOpts, activation: APALU_JSON_ACTIVATION };
    return json;
  }

  /**
   * Loads APALU JSON and plain brain.js NeuralNetwork JSON (with or without trainOpts).
   * Checks the whole JSON before changing anything; a failed load leaves the network as it was.
   */
  override fromJSON(json: ApaluNeuralNetworkJSON | BrainNeuralNetworkJSON): this {
    const { activation, a, b } = checkNetworkJSON(json, this.trainOpts.activation);
    // brain.js can still throw after it has started replacing state (e.g. a trainOpts value
    // outside its ranges); every field it or initialize() touches is reassigned, not
    // mutated, so putting the previous fields back restores the network.
    const self = this as unknown as Record<string, unknown>;
    const saved = { ...self };
    try {
      // updateTrainingOptions() maps APALU_JSON_ACTIVATION and 'sgd' to what brain.js keeps.
      super.fromJSON(json as BrainNeuralNetworkJSON);
    } catch (error) {
      for (const key of Object.keys(self)) if (!hasOwn(saved, key)) delete self[key];
      Object.assign(self, saved);
      throw error;
    }
    if (activation === 'apalu') {
      this.apaluA = a;
      this.apaluB = b;
    }
    return this;
  }

  /**
   * A standalone function (no imports, no closure) computing what run() computes, APALU
   * included, bit for bit. `cb` may rewrite the source, as in brain.js.
   */
  override toFunction(cb?: (source: string) => string): (input: Partial<InputType>) => OutputType {
    if (!this.isApalu) return super.toFunction(cb);
    if (!this.isRunnable) {
      throw new ApaluInputError('E_STATE', 'toFunction: the network has no layers yet; train it or load it with fromJSON first.');
    }
    const source = networkSource({
      sizes: this.sizes,
      weights: this.weights,
      biases: this.biases,
      a: this.apaluA,
      b: this.apaluB,
      inputLookup: this.inputLookup as Record<string, number> | null,
      outputLookup: this.outputLookup as Record<string, number> | null,
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point is a standalone function, as brain.js's own toFunction
    return new Function('input', cb ? cb(source) : source) as (input: Partial<InputType>) => OutputType;
  }
}

/** Loads any NeuralNetwork JSON into the class that can run it: ApaluNeuralNetwork for APALU, brain.NeuralNetwork otherwise. */
export function loadNeuralNetwork(
  json: ApaluNeuralNetworkJSON | BrainNeuralNetworkJSON,
): ApaluNeuralNetwork | NeuralNetwork<NetworkData, NetworkData> {
  if (isApaluNetworkJSON(json)) return new ApaluNeuralNetwork().fromJSON(json);
  return new NeuralNetwork<NetworkData, NetworkData>().fromJSON(json);
}
