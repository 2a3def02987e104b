// The JSON of APALU networks: its types, telling it from plain brain.js JSON, and the check of
// every field fromJSON() reads, so a bad file is refused before the network is touched.
import { ApaluInputError, validateParams } from '@apalu/core';
import type { NeuralNetwork } from 'brain.js';
import { firstNonFinite } from './divergence.js';
import type { NetworkData } from './network.js';
import { checkActivation, checkPraxis, checkSeed, describe, float32ParamProblem, normalizeActivation, resolveParamOptions } from './options.js';

/** brain.js's `NeuralNetwork#toJSON()` result. */
export type BrainNeuralNetworkJSON = ReturnType<NeuralNetwork<NetworkData, NetworkData>['toJSON']>;
type BrainLayerJSON = BrainNeuralNetworkJSON['layers'][number];

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

export const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

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
export function checkNetworkJSON(json: unknown, currentActivation: unknown): { activation: unknown; a: Float32Array[]; b: Float32Array[] } {
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

function activationOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { activation?: unknown; trainOpts?: { activation?: unknown } };
  return normalizeActivation(v.trainOpts?.activation ?? v.activation);
}

/** True for JSON written by an APALU network (or options that ask for APALU). */
export function isApaluNetworkJSON(value: unknown): value is ApaluNeuralNetworkJSON {
  return activationOf(value) === 'apalu' || (value as { type?: unknown } | null)?.type === 'ApaluNeuralNetwork';
}

/**
 * Throws a clear error when `value` (network JSON or constructor options) needs APALU and
 * is about to reach a plain `brain.NeuralNetwork`, whose own message for it is
 * "[activation, …] is out of normal training range". Call it where JSON of unknown origin
 * is handed to brain.js.
 */
export function assertPlainBrainNetwork(value: unknown): void {
  if (isApaluNetworkJSON(value)) {
    throw new ApaluInputError(
      'E_NEEDS_APALU',
      "this network uses activation 'apalu', which brain.NeuralNetwork cannot run: " +
        "load it with new ApaluNeuralNetwork().fromJSON(json) (import { ApaluNeuralNetwork } from '@apalu/brain'), or call loadNeuralNetwork(json).",
    );
  }
}
