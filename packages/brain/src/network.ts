import { ApaluInputError, splitmix32, validateParams } from '@apalu/core';
import { NeuralNetwork } from 'brain.js';
import { ApaluTrainingError, firstNonFinite, firstNonFiniteTyped, UpdateSnapshot } from './divergence.js';
import { activateLayer, backpropLayer } from './neuron-layer.js';
import {
  APALU_JSON_ACTIVATION,
  type ApaluActivation,
  type ApaluParamOptions,
  type ResolvedParamOptions,
  checkActivation,
  checkPraxis,
  checkSeed,
  float32ParamProblem,
  normalizeActivation,
  PARAM_OPTION_KEYS,
  paramInitializer,
  resolveParamOptions,
} from './options.js';
import { adamUpdate, sgdMomentumUpdate } from './param-update.js';
import { networkSource } from './to-function.js';

/** What brain.js's NeuralNetwork accepts as input and output. */
export type NetworkData = number[] | Float32Array | Partial<Record<string, number>>;

type BrainNetwork = NeuralNetwork<NetworkData, NetworkData>;
/** brain.js's `NeuralNetwork#toJSON()` result. */
export type BrainNeuralNetworkJSON = ReturnType<BrainNetwork['toJSON']>;
type BrainOptions = NonNullable<ConstructorParameters<typeof NeuralNetwork>[0]>;
type BrainTrainOptions = NonNullable<Parameters<BrainNetwork['train']>[1]>;
type BrainFullTrainOptions = Parameters<BrainNetwork['validateTrainingOptions']>[0];
type BrainLayerJSON = BrainNeuralNetworkJSON['layers'][number];
type BrainDatum = Parameters<BrainNetwork['trainPattern']>[0];
type BrainTickArgs = Parameters<BrainNetwork['trainingTick']>;
type Numbers = Float32Array | Float64Array;

/** brain.js training options, with 'apalu' among the activations and 'sgd' named. */
export interface ApaluTrainOptions extends Omit<BrainTrainOptions, 'activation' | 'praxis'> {
  activation?: ApaluActivation;
  /** 'sgd' (brain.js's default: SGD with momentum on weights) or 'adam'. a and b follow it. */
  praxis?: 'sgd' | 'adam';
}

export interface ApaluNeuralNetworkOptions extends Omit<BrainOptions, 'activation' | 'praxis'>, ApaluTrainOptions {
  /**
   * Seeds weights, biases (uniform in [−0.2, 0.2), brain.js's range) and a, b, so the same
   * seed trains to the same network everywhere. Without it brain.js uses Math.random.
   */
  seed?: number;
  /** Initial values and limits of the per-neuron APALU parameters. */
  apalu?: ApaluParamOptions;
}

/** One layer of an APALU network's JSON: brain.js's weights and biases plus a and b. */
export interface ApaluLayerJSON extends BrainLayerJSON {
  a?: number[];
  b?: number[];
}

/** `ApaluNeuralNetwork#toJSON()` for activation 'apalu'. */
export interface ApaluNeuralNetworkJSON extends Omit<BrainNeuralNetworkJSON, 'layers'> {
  type: string;
  layers: ApaluLayerJSON[];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function checkConstructorOptions(options: ApaluNeuralNetworkOptions): BrainOptions {
  if (options === null || typeof options !== 'object') {
    throw new ApaluInputError('E_TYPE', `options = ${describe(options)}: pass an object such as { hiddenLayers: [4], activation: 'apalu' }.`);
  }
  // brain.js ignores keys it does not know, so APALU's own keys at the top level would be
  // dropped in silence; they belong under apalu.
  for (const key of PARAM_OPTION_KEYS) {
    if (key in options) {
      throw new ApaluInputError(
        'E_OPTION',
        `options.${key}: APALU's ${key} goes under apalu, e.g. { activation: 'apalu', apalu: { ${key}: ${describe((options as Record<string, unknown>)[key])} } } (apalu takes ${PARAM_OPTION_KEYS.join(', ')}).`,
      );
    }
  }
  checkSeed(options.seed);
  resolveParamOptions(options.apalu);
  return options as unknown as BrainOptions;
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

function isArrayOfNumbers(value: unknown, length: number): boolean {
  if (!(Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)))) return false;
  const list = value as ArrayLike<unknown>;
  if (list.length !== length) return false;
  for (let i = 0; i < length; i++) if (typeof list[i] !== 'number') return false;
  return true;
}

function lengthOf(value: unknown): string {
  return Array.isArray(value) || ArrayBuffer.isView(value) ? `length ${(value as ArrayLike<unknown>).length}` : describe(value);
}

/** Runs a check from options.ts and puts `fromJSON: <field>.` in front of its message. */
function inField(prefix: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof ApaluInputError) throw new ApaluInputError(error.code, `fromJSON: ${prefix}${error.message}`);
    throw error;
  }
}

/**
 * Checks all of `json` that brain.js's fromJSON and initialize() read, so a bad file is
 * refused with the field named before the network is touched (brain.js replaces options,
 * sizes and every weight first and fails halfway, on a missing row, with a bare TypeError).
 * Returns the activation the network will run after loading and, for APALU, a and b.
 */
function checkNetworkJSON(json: unknown, currentActivation: unknown): { activation: unknown; a: Float32Array[]; b: Float32Array[] } {
  if (json === null || typeof json !== 'object' || !Array.isArray((json as { sizes?: unknown }).sizes) || !Array.isArray((json as { layers?: unknown }).layers)) {
    throw new ApaluInputError('E_JSON', `fromJSON: expected the object toJSON() returns (with sizes and layers), got ${describe(json)}.`);
  }
  const { sizes, layers, options, trainOpts } = json as { sizes: unknown[]; layers: unknown[]; options?: unknown; trainOpts?: unknown };
  if (sizes.length < 2 || !sizes.every((n) => Number.isSafeInteger(n) && (n as number) > 0)) {
    throw new ApaluInputError('E_JSON', `fromJSON: sizes = ${JSON.stringify(sizes)}: expected the neuron count of every layer, input to output (at least 2 positive integers).`);
  }
  if (layers.length !== sizes.length) {
    throw new ApaluInputError('E_JSON', `fromJSON: layers has ${layers.length} entries but sizes has ${sizes.length}; toJSON() writes one layer per size.`);
  }
  for (let i = 1; i < sizes.length; i++) {
    const layer = layers[i] as { weights?: unknown; biases?: unknown } | null | undefined;
    const size = sizes[i] as number;
    const inputs = sizes[i - 1] as number;
    if (layer === null || typeof layer !== 'object') {
      throw new ApaluInputError('E_JSON', `fromJSON: layers[${i}] = ${describe(layer)}: expected { weights, biases }.`);
    }
    const weights = layer.weights;
    if (!Array.isArray(weights) || weights.length !== size) {
      throw new ApaluInputError('E_JSON', `fromJSON: layers[${i}].weights needs sizes[${i}] = ${size} rows (got ${lengthOf(weights)}).`);
    }
    for (let node = 0; node < size; node++) {
      if (!isArrayOfNumbers(weights[node], inputs)) {
        throw new ApaluInputError(
          'E_JSON',
          `fromJSON: layers[${i}].weights[${node}] needs sizes[${i - 1}] = ${inputs} numbers (got ${lengthOf(weights[node])}${Array.isArray(weights[node]) && (weights[node] as unknown[]).length === inputs ? ' with a non-number' : ''}).`,
        );
      }
    }
    if (!isArrayOfNumbers(layer.biases, size)) {
      throw new ApaluInputError(
        'E_JSON',
        `fromJSON: layers[${i}].biases needs sizes[${i}] = ${size} numbers (got ${lengthOf(layer.biases)}${Array.isArray(layer.biases) && layer.biases.length === size ? ' with a non-number' : ''}).`,
      );
    }
    // A non-finite weight or bias makes every output NaN; training never writes one.
    for (let node = 0; node < size; node++) {
      const row = weights[node] as ArrayLike<number>;
      const k = firstNonFinite(row);
      if (k >= 0) throw new ApaluInputError('E_JSON', `fromJSON: layers[${i}].weights[${node}][${k}] = ${String(row[k])}: weights must be finite numbers.`);
    }
    const biases = layer.biases as ArrayLike<number>;
    const nb = firstNonFinite(biases);
    if (nb >= 0) throw new ApaluInputError('E_JSON', `fromJSON: layers[${i}].biases[${nb}] = ${String(biases[nb])}: biases must be finite numbers.`);
  }
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw new ApaluInputError('E_JSON', `fromJSON: options = ${describe(options)}: expected the options object toJSON() writes.`);
    }
    // initialize() reads these; a bad value there would fail after brain.js replaced the state.
    inField('options.', () => checkSeed((options as { seed?: unknown }).seed));
    inField('options.', () => resolveParamOptions((options as { apalu?: unknown }).apalu));
  }
  let activation = currentActivation;
  if (hasOwn(json, 'trainOpts')) {
    if (trainOpts === null || typeof trainOpts !== 'object' || Array.isArray(trainOpts)) {
      throw new ApaluInputError('E_JSON', `fromJSON: trainOpts = ${describe(trainOpts)}: expected the training options object toJSON() writes (or no trainOpts).`);
    }
    // brain.js merges trainOpts into the current ones: a key it lacks keeps its current value.
    if (hasOwn(trainOpts, 'activation')) activation = normalizeActivation((trainOpts as { activation?: unknown }).activation);
    inField('trainOpts.', () => checkActivation(activation));
    inField('trainOpts.', () => checkPraxis((trainOpts as { praxis?: unknown }).praxis));
  }
  const a: Float32Array[] = [];
  const b: Float32Array[] = [];
  if (activation !== 'apalu') return { activation, a, b };
  a.push(new Float32Array(0));
  b.push(new Float32Array(0));
  for (let i = 1; i < sizes.length; i++) {
    const layer = layers[i] as ApaluLayerJSON;
    const size = sizes[i] as number;
    if (!Array.isArray(layer.a) || !Array.isArray(layer.b) || layer.a.length !== size || layer.b.length !== size) {
      throw new ApaluInputError(
        'E_JSON',
        `fromJSON: layers[${i}] needs arrays a and b of length sizes[${i}] = ${String(size)} (got a: ${describe(layer.a && layer.a.length)}, b: ${describe(layer.b && layer.b.length)}); save the network with ApaluNeuralNetwork#toJSON().`,
      );
    }
    inField(`layers[${i}].`, () => validateParams(layer.a as number[], layer.b as number[]));
    for (const [name, values] of [['a', layer.a], ['b', layer.b]] as const) {
      for (let c = 0; c < size; c++) {
        const problem = float32ParamProblem(values[c] as number);
        if (problem !== undefined) throw new ApaluInputError('E_PARAM', `fromJSON: layers[${i}].${name}[${c}] = ${String(values[c])} ${problem}.`);
      }
    }
    a.push(Float32Array.from(layer.a));
    b.push(Float32Array.from(layer.b));
  }
  return { activation, a, b };
}

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
  /** Copies of what the last two updates wrote, taken before each ([current] is the next one's). */
  private snapshots: [UpdateSnapshot, UpdateSnapshot] = [new UpdateSnapshot(), new UpdateSnapshot()];
  private current = 0;
  /** Updates made since train() started, the iteration being trained and the pattern within it. */
  private trainStep = 0;
  private tickIteration = 0;
  private tickPattern = 0;
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
      throw new Error(
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
    this.forgetUpdates();
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
    this.guardedUpdate('sgd', () => {
      super.adjustWeights();
      if (!this.isApalu) return;
      const { trainable, minParam } = this.params;
      if (!trainable) return;
      const { learningRate, momentum } = this.trainOpts;
      for (let layer = 1; layer <= this.outputLayer; layer++) {
        sgdMomentumUpdate(this.apaluA[layer] as Float32Array, this.gradA[layer] as Float64Array, this.changesA[layer] as Float64Array, learningRate, momentum, minParam);
        sgdMomentumUpdate(this.apaluB[layer] as Float32Array, this.gradB[layer] as Float64Array, this.changesB[layer] as Float64Array, learningRate, momentum, minParam);
      }
    });
  }

  override _adjustWeightsAdam(): void {
    this.guardedUpdate('adam', () => {
      super._adjustWeightsAdam();
      if (!this.isApalu) return;
      const { trainable, minParam } = this.params;
      if (!trainable) return;
      const { learningRate, beta1, beta2, epsilon } = this.trainOpts;
      const settings = { learningRate, beta1, beta2, epsilon, t: this.iterations };
      for (let layer = 1; layer <= this.outputLayer; layer++) {
        const sa = this.adamA[layer] as { m: Float64Array; v: Float64Array };
        const sb = this.adamB[layer] as { m: Float64Array; v: Float64Array };
        adamUpdate(this.apaluA[layer] as Float32Array, this.gradA[layer] as Float64Array, sa.m, sa.v, settings, minParam);
        adamUpdate(this.apaluB[layer] as Float32Array, this.gradB[layer] as Float64Array, sb.m, sb.v, settings, minParam);
      }
    });
  }

  private forgetUpdates(): void {
    this.snapshots[0].valid = false;
    this.snapshots[1].valid = false;
    this.trainStep = 0;
  }

  /** Every typed array one update writes: weights, biases, a, b and the optimizer's state. */
  private updatedArrays(praxis: 'sgd' | 'adam'): Numbers[] {
    const list: Numbers[] = [];
    const rows = (layers: Numbers[][] | undefined, layer: number) => {
      for (const row of layers?.[layer] ?? []) list.push(row);
    };
    const one = (layers: Numbers[] | undefined, layer: number) => {
      const row = layers?.[layer];
      if (row !== undefined) list.push(row);
    };
    const apalu = this.isApalu && this.params.trainable;
    for (let layer = 1; layer <= this.outputLayer; layer++) {
      rows(this.weights, layer);
      one(this.biases, layer);
      if (praxis === 'sgd') {
        rows(this.changes, layer);
      } else {
        rows(this.changesLow, layer);
        rows(this.changesHigh, layer);
        one(this.biasChangesLow, layer);
        one(this.biasChangesHigh, layer);
      }
      if (!apalu) continue;
      one(this.apaluA, layer);
      one(this.apaluB, layer);
      if (praxis === 'sgd') {
        one(this.changesA, layer);
        one(this.changesB, layer);
      } else {
        for (const s of [this.adamA[layer], this.adamB[layer]]) if (s !== undefined) list.push(s.m, s.v);
      }
    }
    return list;
  }

  /** The first non-finite weight, bias, a or b, as [layer, name, value]. */
  private firstNonFiniteParam(): [number, string, number] | undefined {
    for (let layer = 1; layer <= this.outputLayer; layer++) {
      const weights = (this.weights[layer] ?? []) as Float32Array[];
      for (let node = 0; node < weights.length; node++) {
        const k = firstNonFiniteTyped(weights[node] as Float32Array);
        if (k >= 0) return [layer, `weights[${node}][${k}]`, (weights[node] as Float32Array)[k] as number];
      }
      for (const [name, values] of [['biases', this.biases[layer]], ['a', this.isApalu ? this.apaluA[layer] : undefined], ['b', this.isApalu ? this.apaluB[layer] : undefined]] as const) {
        if (values === undefined) continue;
        const i = firstNonFiniteTyped(values);
        if (i >= 0) return [layer, `${name}[${i}]`, values[i] as number];
      }
    }
    return undefined;
  }

  /** The first non-finite value the forward and backward pass of this pattern left, as [layer, name, value]. */
  private firstNonFinitePass(): [number, string, number] | undefined {
    for (let layer = 1; layer <= this.outputLayer; layer++) {
      for (const [name, values] of [
        ['outputs', this.outputs[layer]],
        ['errors', this.errors[layer]],
        ['deltas', this.deltas[layer]],
        ['∂L/∂a', this.isApalu ? this.gradA[layer] : undefined],
        ['∂L/∂b', this.isApalu ? this.gradB[layer] : undefined],
      ] as const) {
        if (values === undefined) continue;
        const i = firstNonFiniteTyped(values);
        if (i >= 0) return [layer, `${name}[${i}]`, values[i] as number];
      }
    }
    return undefined;
  }

  /**
   * Runs one update (brain.js's weights and biases, then a and b) so that it never leaves a
   * non-finite value: the pass it applies must be finite, what it writes is copied first,
   * and if any weight, bias, a or b is not finite afterwards the copy is put back and
   * training stops with an ApaluTrainingError. When the pass itself is not finite, the
   * previous update made the network overflow: that update is undone instead.
   */
  private guardedUpdate(praxis: 'sgd' | 'adam', update: () => void): void {
    const step = ++this.trainStep;
    const pattern = ++this.tickPattern;
    const iteration = this.tickIteration;
    const learningRate = this.trainOpts.learningRate;
    const pass = this.firstNonFinitePass();
    if (pass !== undefined) {
      const [layer, value, v] = pass;
      const previous = this.snapshots[this.current ^ 1] as UpdateSnapshot;
      if (previous.valid) {
        previous.restore();
        this.iterations = previous.counter;
        this.forgetUpdates();
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
    snapshot.take(this.updatedArrays(praxis), this.iterations);
    snapshot.iteration = iteration;
    snapshot.step = step;
    snapshot.pattern = pattern;
    update();
    const bad = this.firstNonFiniteParam();
    if (bad !== undefined) {
      const [layer, value, v] = bad;
      snapshot.restore();
      this.iterations = snapshot.counter;
      this.forgetUpdates();
      throw new ApaluTrainingError({ layer, value, iteration, step, pattern, learningRate, praxis, restored: true }, `would have become ${String(v)}`);
    }
    this.current ^= 1;
  }

  /** Refuses training data with a non-finite value before it reaches the network. */
  override trainPattern(value: BrainDatum, logErrorRate?: boolean): number | null {
    for (const [name, values] of [['input', value.input], ['output', value.output]] as const) {
      const i = firstNonFinite(values);
      if (i >= 0) {
        throw new ApaluInputError(
          'E_DATA',
          `training pattern ${this.tickPattern + 1} of iteration ${this.tickIteration}: ${name}[${i}] = ${String(values[i])}; training data must be finite numbers.`,
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
    this.forgetUpdates();
    return prepared;
  }

  override trainingTick(data: BrainTickArgs[0], status: BrainTickArgs[1], endTime: BrainTickArgs[2]): boolean {
    this.tickIteration = status.iterations + 1;
    this.tickPattern = 0;
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
    const bad = this.firstNonFiniteParam();
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
