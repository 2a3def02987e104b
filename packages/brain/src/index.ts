/** The public entry of @apalu/brain: ApaluNeuralNetwork, its JSON helpers and options, the layer math and createBackend. */
export { ApaluNeuralNetwork, loadNeuralNetwork, type NetworkData } from './network.js';
export { type ApaluNeuralNetworkJSON, type ApaluLayerJSON, type BrainNeuralNetworkJSON, isApaluNetworkJSON, assertPlainBrainNetwork } from './json.js';
export {
  ACTIVATIONS,
  APALU_JSON_ACTIVATION,
  DEFAULT_MIN_PARAM,
  DEFAULT_PARAM_INIT,
  type ApaluActivation,
  type ApaluNeuralNetworkOptions,
  type ApaluTrainOptions,
  type ApaluParamOptions,
  type ParamInit,
  type ResolvedParamOptions,
} from './options.js';
export { ApaluTrainingError, type DivergenceInfo } from './divergence.js';
export { activateLayer, backpropLayer } from './neuron-layer.js';
export { APALU_SOURCE } from './to-function.js';
export { createBackend, type BrainBackendOptions } from './backend.js';
