/** The options of ApaluNeuralNetwork (activation, a and b initializers, minParam, training) and the checks that reject bad ones. */
import { ApaluInputError, type ParamInitializer, constant, uniform } from '@apalu/core';
import type { NeuralNetwork } from 'brain.js';
import type { NetworkData } from './network.js';

/** The activations ApaluNeuralNetwork runs: APALU plus brain.js's own four. */
export const ACTIVATIONS = ['apalu', 'sigmoid', 'relu', 'leaky-relu', 'tanh'] as const;
export type ApaluActivation = (typeof ACTIVATIONS)[number];

/**
 * What `toJSON()` writes as `trainOpts.activation` for an APALU network. brain.js quotes
 * this value in its own error when the JSON reaches a plain `brain.NeuralNetwork`, so the
 * message tells the reader which class loads it.
 */
export const APALU_JSON_ACTIVATION = 'apalu (load with ApaluNeuralNetwork from @apalu/brain)';

/**
 * Initial a or b: one value for every neuron, or uniform in (min, max) (the paper: 0, 2).
 * Checked as the float32 it is stored in: a number must not round to 0 or ∞ there, and a
 * range's max must lie in [2^-126, 3.4e38].
 */
export type ParamInit = number | { min: number; max: number };

export interface ApaluParamOptions {
  /** Initial a of every neuron (default `{ min: 0.5, max: 1.5 }`). */
  a?: ParamInit;
  /** Initial b of every neuron (default `{ min: 0.5, max: 1.5 }`). */
  b?: ParamInit;
  /** After every update a and b are clamped to at least this (default 1e-3; 2^-126 ≤ minParam ≤ 3.4e38, the normal float32 range). */
  minParam?: number;
  /** false keeps a and b at their initial values (default true). */
  trainable?: boolean;
}

export interface ResolvedParamOptions {
  a: ParamInit;
  b: ParamInit;
  minParam: number;
  trainable: boolean;
}

export const DEFAULT_PARAM_INIT: ParamInit = Object.freeze({ min: 0.5, max: 1.5 });
export const DEFAULT_MIN_PARAM = 1e-3;

export function normalizeActivation(value: unknown): unknown {
  return value === APALU_JSON_ACTIVATION ? 'apalu' : value;
}

export function checkActivation(value: unknown): asserts value is ApaluActivation {
  if (!(ACTIVATIONS as readonly unknown[]).includes(value)) {
    throw new ApaluInputError(
      'E_ACTIVATION',
      `activation = ${JSON.stringify(value)}: ApaluNeuralNetwork runs ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}.`,
    );
  }
}

export function checkPraxis(value: unknown): void {
  if (value !== undefined && value !== null && value !== 'sgd' && value !== 'adam') {
    throw new ApaluInputError(
      'E_PRAXIS',
      `praxis = ${JSON.stringify(value)}: use 'sgd' (brain.js's default, plain SGD with momentum on weights) or 'adam'; a and b follow the same rule as the weights.`,
    );
  }
}

export function checkSeed(seed: unknown): void {
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new ApaluInputError(
      'E_SEED',
      `seed = ${String(seed)}: the seed must be a safe integer (≤ 2^53 − 1 in magnitude; it is used modulo 2^32), e.g. seed: 42.`,
    );
  }
}

/**
 * The smallest normal float32, 2^-126 ≈ 1.18e-38: the least `minParam`. a and b live in
 * Float32Arrays, so the clamp floor is rounded to float32; below 2^-126 it loses precision
 * and at 2^-150 or below it becomes 0, which would let a and b reach 0.
 */
export const MIN_NORMAL_FLOAT32 = 2 ** -126;

/** True when `value` is stored as a finite float32 (it does not round to ±∞). */
function finiteAsFloat32(value: number): boolean {
  return Number.isFinite(Math.fround(value));
}

/** The keys `apalu` takes (ApaluParamOptions); anything else is a typo or misplaced. */
export const PARAM_OPTION_KEYS = ['a', 'b', 'minParam', 'trainable'] as const;

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'undefined' || typeof value === 'function') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Why a value that passes as a float64 (finite, > 0) is no valid a or b once stored in a
 * Float32Array (it rounds to 0 or ∞ there), or undefined when it is valid.
 */
export function float32ParamProblem(value: number): string | undefined {
  const stored = Math.fround(value);
  if (stored > 0 && stored < Infinity) return undefined;
  return (
    `rounds to ${String(stored)} as a float32 (a and b are stored in Float32Array, whose positive finite values ` +
    'run from 2^-149 ≈ 1.4e-45 to 3.4e38); use a value in that range, e.g. 1'
  );
}

/** Rethrows an ApaluInputError from @apalu/core with `where` in front, so it names the option. */
function naming<T>(where: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ApaluInputError) throw new ApaluInputError(error.code, `${where}: ${error.message}`);
    throw error;
  }
}

/** The initializer for one of a, b; every bad value is rejected here, before a network exists. */
export function paramInitializer(name: 'a' | 'b', init: unknown, seed: number): ParamInitializer {
  const where = `apalu.${name} = ${show(init)}`;
  if (typeof init === 'number') {
    const initializer = naming(where, () => constant(init));
    const problem = float32ParamProblem(init);
    if (problem !== undefined) throw new ApaluInputError('E_PARAM', `${where} ${problem}.`);
    return initializer;
  }
  if (init !== null && typeof init === 'object' && !Array.isArray(init) && 'min' in init && 'max' in init) {
    const extra = Object.keys(init).filter((key) => key !== 'min' && key !== 'max');
    if (extra.length > 0) {
      throw new ApaluInputError(
        'E_OPTION',
        `${where}: unknown key ${extra.map((key) => `apalu.${name}.${key}`).join(', ')}; a range has only min and max, e.g. { min: 0, max: 2 }.`,
      );
    }
    const { min, max } = init as { min: number; max: number };
    const initializer = naming(where, () => uniform(min, max, seed));
    // uniform() steps a value that rounds onto an end point back inside; with max outside
    // float32's normal range that step lands on 0, NaN or ∞.
    if (!(max >= MIN_NORMAL_FLOAT32 && finiteAsFloat32(max))) {
      throw new ApaluInputError(
        'E_RANGE',
        `${where}: max must lie in [2^-126 ≈ 1.18e-38, 3.4e38] so that every value drawn is a finite float32 > 0 (a and b are stored in Float32Array); e.g. { min: 0, max: 2 }.`,
      );
    }
    return initializer;
  }
  throw new ApaluInputError(
    'E_PARAM',
    `${where}: give one value for every neuron (e.g. ${name}: 1) or a range ({ min: 0, max: 2 }, the paper's choice); leave apalu.${name} out for the default { min: 0.5, max: 1.5 }.`,
  );
}

function unknownKeyMessage(key: string): string {
  const allowed = `apalu takes ${PARAM_OPTION_KEYS.join(', ')}`;
  if (key === 'min' || key === 'max') {
    return `apalu.${key}: unknown option; ${allowed}. A range of initial values goes under a or b: apalu: { a: { min: 0, max: 2 }, b: { min: 0, max: 2 } }.`;
  }
  const near = PARAM_OPTION_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
  return `apalu.${key}: unknown option${near ? ` (did you mean ${near}?)` : ''}; ${allowed}.`;
}

export function resolveParamOptions(options: unknown): ResolvedParamOptions {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new ApaluInputError(
      'E_TYPE',
      `apalu = ${show(options)}: pass an object with any of ${PARAM_OPTION_KEYS.join(', ')}, such as { a: 1, b: 1, minParam: 1e-3 }.`,
    );
  }
  const o = (options ?? {}) as Record<string, unknown>;
  // A misspelt or misplaced key would otherwise be ignored and the default used in silence.
  for (const key of Object.keys(o)) {
    if (!(PARAM_OPTION_KEYS as readonly string[]).includes(key)) throw new ApaluInputError('E_OPTION', unknownKeyMessage(key));
  }
  // undefined means "not given" (as from a spread); null is a value, and rejected below.
  const resolved = {
    a: o.a === undefined ? DEFAULT_PARAM_INIT : o.a,
    b: o.b === undefined ? DEFAULT_PARAM_INIT : o.b,
    minParam: o.minParam === undefined ? DEFAULT_MIN_PARAM : o.minParam,
    trainable: o.trainable === undefined ? true : o.trainable,
  } as ResolvedParamOptions;
  paramInitializer('a', resolved.a, 0);
  paramInitializer('b', resolved.b, 0);
  // The clamp stores its floor in float32: below 2^-126 it loses precision (and is 0 at
  // 2^-150 or below) and above 3.4e38 it is ∞, so a and b could leave (0, ∞) despite it.
  if (!(typeof resolved.minParam === 'number' && resolved.minParam >= MIN_NORMAL_FLOAT32 && finiteAsFloat32(resolved.minParam))) {
    throw new ApaluInputError(
      'E_PARAM',
      `apalu.minParam = ${show(resolved.minParam)}: the floor for a and b must be a number in [2^-126 ≈ 1.18e-38, 3.4e38], ` +
        'the normal float32 range a and b are clamped in (smaller floors lose precision in float32 and are 0 at 2^-150, larger ones are ∞); ' +
        'e.g. 1e-3, the default.',
    );
  }
  if (typeof resolved.trainable !== 'boolean') {
    throw new ApaluInputError('E_TYPE', `apalu.trainable = ${show(resolved.trainable)}: must be true or false (leave it out for true).`);
  }
  return resolved;
}

type BrainNetwork = NeuralNetwork<NetworkData, NetworkData>;
export type BrainOptions = NonNullable<ConstructorParameters<typeof NeuralNetwork>[0]>;
export type BrainTrainOptions = NonNullable<Parameters<BrainNetwork['train']>[1]>;

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

export function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** Checks the constructor's options (APALU's keys belong under `apalu`) and hands them on to brain.js. */
export function checkConstructorOptions(options: ApaluNeuralNetworkOptions): BrainOptions {
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
