import { ApaluInputError, type ParamInitializer, constant, uniform } from '@apalu/core';

/** The activations ApaluNeuralNetwork runs: APALU plus brain.js's own four. */
export const ACTIVATIONS = ['apalu', 'sigmoid', 'relu', 'leaky-relu', 'tanh'] as const;
export type ApaluActivation = (typeof ACTIVATIONS)[number];

/**
 * What `toJSON()` writes as `trainOpts.activation` for an APALU network. brain.js quotes
 * this value in its own error when the JSON reaches a plain `brain.NeuralNetwork`, so the
 * message tells the reader which class loads it.
 */
export const APALU_JSON_ACTIVATION = 'apalu (load with ApaluNeuralNetwork from @apalu/brain)';

/** Initial a or b: one value for every neuron, or uniform in (min, max) (the paper: 0, 2). */
export type ParamInit = number | { min: number; max: number };

export interface ApaluParamOptions {
  /** Initial a of every neuron (default `{ min: 0.5, max: 1.5 }`). */
  a?: ParamInit;
  /** Initial b of every neuron (default `{ min: 0.5, max: 1.5 }`). */
  b?: ParamInit;
  /** After every update a and b are clamped to at least this (default 1e-3; must be > 0). */
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
    throw new ApaluInputError('E_SEED', `seed = ${String(seed)}: the seed must be an integer (it is used modulo 2^32).`);
  }
}

/** The initializer for one of a, b; every bad value is rejected here, before a network exists. */
export function paramInitializer(name: 'a' | 'b', init: unknown, seed: number): ParamInitializer {
  if (typeof init === 'number') return constant(init);
  if (init !== null && typeof init === 'object' && 'min' in init && 'max' in init) {
    const { min, max } = init as { min: number; max: number };
    return uniform(min, max, seed);
  }
  throw new ApaluInputError(
    'E_PARAM',
    `apalu.${name} = ${JSON.stringify(init)}: give one value for every neuron (e.g. ${name}: 1) or a range ({ min: 0, max: 2 }, the paper's choice).`,
  );
}

export function resolveParamOptions(options: unknown): ResolvedParamOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ApaluInputError('E_TYPE', `apalu = ${String(options)}: pass an object such as { a: 1, b: 1, minParam: 1e-3 }.`);
  }
  const o = (options ?? {}) as ApaluParamOptions;
  const resolved: ResolvedParamOptions = {
    a: o.a ?? DEFAULT_PARAM_INIT,
    b: o.b ?? DEFAULT_PARAM_INIT,
    minParam: o.minParam ?? DEFAULT_MIN_PARAM,
    trainable: o.trainable ?? true,
  };
  paramInitializer('a', resolved.a, 0);
  paramInitializer('b', resolved.b, 0);
  if (!(Number.isFinite(resolved.minParam) && resolved.minParam > 0)) {
    throw new ApaluInputError('E_PARAM', `apalu.minParam = ${String(resolved.minParam)}: the floor for a and b must be finite and > 0 (e.g. 1e-3).`);
  }
  if (typeof resolved.trainable !== 'boolean') {
    throw new ApaluInputError('E_TYPE', `apalu.trainable = ${String(resolved.trainable)}: must be true or false.`);
  }
  return resolved;
}
