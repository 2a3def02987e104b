import { ApaluInputError } from '@apalu/core';
import { NeuralNetwork } from 'brain.js';
import { type ApaluNeuralNetworkJSON, ApaluNeuralNetwork, type BrainNeuralNetworkJSON, type NetworkData } from './network.js';
import { normalizeActivation } from './options.js';

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

/** Loads any NeuralNetwork JSON into the class that can run it: ApaluNeuralNetwork for APALU, brain.NeuralNetwork otherwise. */
export function loadNeuralNetwork(
  json: ApaluNeuralNetworkJSON | BrainNeuralNetworkJSON,
): ApaluNeuralNetwork | NeuralNetwork<NetworkData, NetworkData> {
  if (isApaluNetworkJSON(json)) return new ApaluNeuralNetwork().fromJSON(json);
  return new NeuralNetwork<NetworkData, NetworkData>().fromJSON(json);
}
